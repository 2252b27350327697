//! A latency histogram with fixed logarithmic buckets (DDSketch's mapping): every latency
//! falls in the bucket `ceil(log_γ(µs))`, γ = (1 + α) / (1 − α) with α = 1 %, so any
//! quantile read from it is within 1 % of a latency that was recorded. Fixed buckets make
//! histograms mergeable by adding their counts, in any order, with the same result; they
//! are stored sparse, as varint pairs.

/// The relative accuracy of every quantile.
pub const ALPHA: f64 = 0.01;

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

/// The bucket of a latency in microseconds (everything up to 1 µs shares bucket 0).
pub fn bucket(us: u64) -> u32 {
    if us <= 1 {
        return 0;
    }
    ((us as f64).ln() / gamma().ln()).ceil() as u32
}

/// The latency a bucket stands for, in microseconds: within `ALPHA` of every latency in it.
pub fn value(b: u32) -> f64 {
    if b == 0 {
        return 1.0;
    }
    let g = gamma();
    2.0 * g.powi(b as i32) / (g + 1.0)
}

/// Counts per bucket, held dense from the lowest bucket seen to the highest (latencies of
/// one agent span a few hundred buckets), so that adding and merging are array additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    lo: u32,
    counts: Vec<u64>,
    total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored latency histogram is malformed: {0}")]
pub struct Malformed(&'static str);

/// More buckets than any latency up to a day needs (bucket(86.4e9 µs) is 1,260).
const MAX_BUCKET: u64 = 4096;

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    pub fn add(&mut self, us: u64) {
        self.add_n(bucket(us), 1);
    }

    pub fn add_n(&mut self, bucket: u32, n: u64) {
        if n == 0 {
            return;
        }
        self.cover(bucket, bucket);
        self.counts[(bucket - self.lo) as usize] += n;
        self.total += n;
    }

    /// Make the dense counts reach from `lo` to `hi` (and whatever they held).
    fn cover(&mut self, lo: u32, hi: u32) {
        if self.counts.is_empty() {
            self.lo = lo;
            self.counts.resize((hi - lo) as usize + 1, 0);
            return;
        }
        if lo < self.lo {
            let grow = (self.lo - lo) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.lo = lo;
        }
        let need = (hi - self.lo) as usize + 1;
        if need > self.counts.len() {
            self.counts.resize(need, 0);
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.is_empty() {
            return;
        }
        self.cover(other.lo, other.lo + other.counts.len() as u32 - 1);
        let at = (other.lo - self.lo) as usize;
        for (mine, theirs) in self.counts[at..].iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }

    /// The buckets that hold latencies, ascending, with their counts.
    pub fn buckets(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| (self.lo + i as u32, *n))
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The latency at quantile `q` (0 to 1) in microseconds, as the nearest-rank quantile
    /// of the latencies recorded, within `ALPHA`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        self.quantiles(&[q]).pop().flatten()
    }

    /// Several quantiles (ascending) in one pass.
    pub fn quantiles(&self, qs: &[f64]) -> Vec<Option<f64>> {
        if self.total == 0 {
            return vec![None; qs.len()];
        }
        let mut out = Vec::with_capacity(qs.len());
        let mut seen = 0u64;
        let mut i = 0usize;
        for q in qs {
            let rank = (q.clamp(0.0, 1.0) * (self.total - 1) as f64).round() as u64;
            while i < self.counts.len() && seen + self.counts[i] <= rank {
                seen += self.counts[i];
                i += 1;
            }
            let b = i.min(self.counts.len() - 1);
            out.push(Some(value(self.lo + b as u32)));
        }
        out
    }

    /// The stored form: (bucket delta, count) pairs as LEB128 varints, buckets ascending.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.counts.len() * 3);
        let mut last = 0u32;
        for (i, n) in self.counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let b = self.lo + i as u32;
            varint(&mut out, u64::from(b - last));
            varint(&mut out, *n);
            last = b;
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Histogram, Malformed> {
        let mut h = Histogram::new();
        h.merge_encoded(bytes)?;
        Ok(h)
    }

    /// Add a stored histogram to this one without building it first (merging thousands of
    /// stored rollups is the insights' inner loop). On error nothing is added.
    pub fn merge_encoded(&mut self, mut bytes: &[u8]) -> Result<(), Malformed> {
        // Two passes: check and find the range, then add, so that a malformed value leaves
        // the histogram as it was.
        let mut pairs: Vec<(u32, u64)> = Vec::with_capacity(bytes.len() / 2);
        let mut last = 0u64;
        let mut first = true;
        while !bytes.is_empty() {
            let delta = read(&mut bytes)?;
            let n = read(&mut bytes)?;
            if !first && delta == 0 {
                return Err(Malformed("a bucket repeated"));
            }
            first = false;
            last = last
                .checked_add(delta)
                .filter(|b| *b <= MAX_BUCKET)
                .ok_or(Malformed("a bucket out of range"))?;
            if n == 0 {
                return Err(Malformed("an empty bucket"));
            }
            pairs.push((last as u32, n));
        }
        let (Some(&(lo, _)), Some(&(hi, _))) = (pairs.first(), pairs.last()) else {
            return Ok(());
        };
        self.cover(lo, hi);
        for (b, n) in pairs {
            self.counts[(b - self.lo) as usize] += n;
            self.total += n;
        }
        Ok(())
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read(bytes: &mut &[u8]) -> Result<u64, Malformed> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes
            .split_first()
            .ok_or(Malformed("it ends inside a number"))?;
        *bytes = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(Malformed("a number longer than 64 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic skewed sample: mostly tens of milliseconds, a long tail of seconds.
    fn sample(n: usize) -> Vec<u64> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                // Log-uniform over 50 µs .. 5 s, squared towards the low end.
                (50.0 * (1e5f64).powf(u * u)) as u64
            })
            .collect()
    }

    fn exact(sorted: &[u64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).round() as usize] as f64
    }

    #[test]
    fn quantiles_are_within_one_percent_of_the_exact_ones() {
        let mut data = sample(100_000);
        let mut h = Histogram::new();
        for v in &data {
            h.add(*v);
        }
        data.sort_unstable();
        for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let got = h.quantile(q).unwrap();
            let want = exact(&data, q);
            let err = (got - want).abs() / want;
            assert!(err <= ALPHA + 1e-9, "q{q}: {got} vs {want} ({err})");
        }
        assert_eq!(h.count(), 100_000);
    }

    #[test]
    fn merging_is_adding_in_any_order() {
        let data = sample(30_000);
        let mut whole = Histogram::new();
        let (mut a, mut b, mut c) = (Histogram::new(), Histogram::new(), Histogram::new());
        for (i, v) in data.iter().enumerate() {
            whole.add(*v);
            [&mut a, &mut b, &mut c][i % 3].add(*v);
        }
        let mut abc = a.clone();
        abc.merge(&b);
        abc.merge(&c);
        let mut cba = c.clone();
        cba.merge(&b);
        cba.merge(&a);
        assert_eq!(abc, whole);
        assert_eq!(cba, whole);
        assert_eq!(abc.encode(), whole.encode());
    }

    #[test]
    fn the_stored_form_round_trips_and_refuses_garbage() {
        let mut h = Histogram::new();
        for v in [0, 1, 2, 1_000, 1_000, 3_600_000_000] {
            h.add(v);
        }
        let bytes = h.encode();
        assert_eq!(Histogram::decode(&bytes).unwrap(), h);
        assert_eq!(Histogram::decode(&[]).unwrap(), Histogram::new());
        assert!(Histogram::decode(&[0x80]).is_err());
        assert!(Histogram::decode(&[1, 0]).is_err());
        assert!(Histogram::decode(&[1, 1, 0, 1]).is_err());
        assert!(Histogram::decode(&[0xff; 11]).is_err());
        // Small latencies share the first bucket; a latency is never below its bucket's
        // value by more than ALPHA.
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(1), 0);
        for us in [2u64, 7, 99, 12_345, 987_654_321] {
            let v = value(bucket(us));
            assert!(
                (v - us as f64).abs() / us as f64 <= ALPHA + 1e-9,
                "{us}: {v}"
            );
        }
    }
}
