//! A latency histogram with fixed logarithmic buckets (DDSketch's mapping): every latency
//! falls in the bucket `ceil(log_γ(µs))`, γ = (1 + α) / (1 − α) with α = 1 %, so any
//! quantile read from it is within 1 % of a latency that was recorded. Fixed buckets make
//! histograms mergeable by adding their counts, in any order, with the same result; they
//! are stored sparse, as varint pairs.

use std::collections::BTreeMap;

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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<u32, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored latency histogram is malformed: {0}")]
pub struct Malformed(&'static str);

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    pub fn add(&mut self, us: u64) {
        self.add_n(bucket(us), 1);
    }

    pub fn add_n(&mut self, bucket: u32, n: u64) {
        if n > 0 {
            *self.counts.entry(bucket).or_default() += n;
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (b, n) in &other.counts {
            self.add_n(*b, *n);
        }
    }

    pub fn count(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The latency at quantile `q` (0 to 1) in microseconds, as the nearest-rank quantile
    /// of the latencies recorded, within `ALPHA`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (total - 1) as f64).round() as u64;
        let mut seen = 0;
        for (b, n) in &self.counts {
            seen += n;
            if seen > rank {
                return Some(value(*b));
            }
        }
        self.counts.keys().next_back().map(|b| value(*b))
    }

    /// The stored form: (bucket delta, count) pairs as LEB128 varints, buckets ascending.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.counts.len() * 3);
        let mut last = 0u32;
        for (b, n) in &self.counts {
            varint(&mut out, u64::from(b - last));
            varint(&mut out, *n);
            last = *b;
        }
        out
    }

    pub fn decode(mut bytes: &[u8]) -> Result<Histogram, Malformed> {
        let mut h = Histogram::new();
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
                .filter(|b| *b <= u64::from(u32::MAX))
                .ok_or(Malformed("a bucket out of range"))?;
            if n == 0 {
                return Err(Malformed("an empty bucket"));
            }
            h.counts.insert(last as u32, n);
        }
        Ok(h)
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
