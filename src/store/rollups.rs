//! Rollups: what the executions add up to per hour and per day (by agent, tool and model),
//! and per day by user (and agent and model). Both stores write them in the transaction
//! that stores the executions and adjust them when feedback is given, so that insights
//! merge a few thousand rows instead of reading millions, and are never behind.

use std::collections::HashMap;

use super::executions::{micros, to_millionths, ExecutionRecord, ExecutionStatus};
use crate::histogram::Histogram;

/// Which rollup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grain {
    /// Per hour × agent × tool × model.
    Hour,
    /// Per day × agent × tool × model.
    Day,
    /// Per day × user × agent × model.
    DayUser,
}

pub const GRAINS: [Grain; 3] = [Grain::Hour, Grain::Day, Grain::DayUser];

const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;

impl Grain {
    pub fn table(self) -> &'static str {
        match self {
            Grain::Hour => "rollup_hour",
            Grain::Day => "rollup_day",
            Grain::DayUser => "rollup_day_user",
        }
    }

    /// The key column besides bucket, agent and model: the tool, or the user.
    pub fn second(self) -> &'static str {
        match self {
            Grain::Hour | Grain::Day => "tool",
            Grain::DayUser => "user_id",
        }
    }

    /// The length of a bucket in microseconds.
    pub fn width_us(self) -> i64 {
        match self {
            Grain::Hour => HOUR_US,
            Grain::Day | Grain::DayUser => DAY_US,
        }
    }

    /// The bucket (hours or days since the epoch, UTC) a time falls in.
    pub fn bucket_of(self, at_us: i64) -> i64 {
        at_us.div_euclid(self.width_us())
    }
}

/// The exact sums of a rollup row. Latencies are of the calls that reached the agent:
/// denied calls are counted, not timed. Costs are in micro-units; `cost_micros` is what
/// calls reported, and the tokens and calls of those that reported none are kept apart
/// for the price table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub calls: i64,
    pub ok: i64,
    pub errors: i64,
    pub timeouts: i64,
    pub denied: i64,
    pub latency_sum_us: i64,
    /// Of the timed calls; 0 when there is none.
    pub latency_min_us: i64,
    pub latency_max_us: i64,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub cost_micros: i64,
    pub costed_calls: i64,
    pub unpriced_calls: i64,
    pub unpriced_tokens_in: i64,
    pub unpriced_tokens_out: i64,
    pub rating_sum: i64,
    pub ratings: i64,
    pub correct: i64,
    pub judged: i64,
}

/// The columns of `Sums`, in its order, as both stores name them.
pub const SUM_COLUMNS: [&str; 19] = [
    "calls",
    "ok",
    "errors",
    "timeouts",
    "denied",
    "latency_sum_us",
    "latency_min_us",
    "latency_max_us",
    "tokens_in",
    "tokens_out",
    "cost_micros",
    "costed_calls",
    "unpriced_calls",
    "unpriced_tokens_in",
    "unpriced_tokens_out",
    "rating_sum",
    "ratings",
    "correct",
    "judged",
];

impl Sums {
    pub fn to_array(&self) -> [i64; 19] {
        [
            self.calls,
            self.ok,
            self.errors,
            self.timeouts,
            self.denied,
            self.latency_sum_us,
            self.latency_min_us,
            self.latency_max_us,
            self.tokens_in,
            self.tokens_out,
            self.cost_micros,
            self.costed_calls,
            self.unpriced_calls,
            self.unpriced_tokens_in,
            self.unpriced_tokens_out,
            self.rating_sum,
            self.ratings,
            self.correct,
            self.judged,
        ]
    }

    pub fn from_array(a: [i64; 19]) -> Sums {
        Sums {
            calls: a[0],
            ok: a[1],
            errors: a[2],
            timeouts: a[3],
            denied: a[4],
            latency_sum_us: a[5],
            latency_min_us: a[6],
            latency_max_us: a[7],
            tokens_in: a[8],
            tokens_out: a[9],
            cost_micros: a[10],
            costed_calls: a[11],
            unpriced_calls: a[12],
            unpriced_tokens_in: a[13],
            unpriced_tokens_out: a[14],
            rating_sum: a[15],
            ratings: a[16],
            correct: a[17],
            judged: a[18],
        }
    }

    /// The calls that reached the agent (and so were timed).
    pub fn timed(&self) -> i64 {
        self.calls - self.denied
    }

    /// Add one execution (its feedback too, when it has some).
    pub fn add(&mut self, e: &ExecutionRecord) {
        self.add_one(
            to_millionths(e.latency_ms, 1000.0),
            e.status,
            e.tokens_in.unwrap_or(0) as i64,
            e.tokens_out.unwrap_or(0) as i64,
            e.cost.map(|c| to_millionths(c, 1e6)),
        );
        if let Some(f) = &e.feedback {
            self.judge(i64::from(f.rating), f.correct, 1);
        }
    }

    /// Add one execution's measures (what stored executions are read back as).
    pub fn add_one(
        &mut self,
        latency: i64,
        status: ExecutionStatus,
        tin: i64,
        tout: i64,
        cost_micros: Option<i64>,
    ) {
        self.calls += 1;
        match status {
            ExecutionStatus::Success => self.ok += 1,
            ExecutionStatus::Error => self.errors += 1,
            ExecutionStatus::Timeout => self.timeouts += 1,
            ExecutionStatus::Denied => self.denied += 1,
        }
        if status != ExecutionStatus::Denied {
            let first = self.timed() == 1;
            self.latency_sum_us += latency;
            self.latency_min_us = if first {
                latency
            } else {
                self.latency_min_us.min(latency)
            };
            self.latency_max_us = self.latency_max_us.max(latency);
        }
        self.tokens_in += tin;
        self.tokens_out += tout;
        match cost_micros {
            Some(c) => {
                self.cost_micros += c;
                self.costed_calls += 1;
            }
            None if status != ExecutionStatus::Denied => {
                self.unpriced_calls += 1;
                self.unpriced_tokens_in += tin;
                self.unpriced_tokens_out += tout;
            }
            None => {}
        }
    }

    /// Count (`sign` 1) or take back (-1) one judgement.
    pub fn judge(&mut self, rating: i64, correct: Option<bool>, sign: i64) {
        self.rating_sum += sign * rating;
        self.ratings += sign;
        if let Some(c) = correct {
            self.judged += sign;
            self.correct += sign * i64::from(c);
        }
    }

    pub fn merge(&mut self, o: &Sums) {
        let had_timed = self.timed() > 0;
        let (min, max) = (self.latency_min_us, self.latency_max_us);
        let a = self.to_array();
        let b = o.to_array();
        let mut sum = [0i64; 19];
        for i in 0..19 {
            sum[i] = a[i] + b[i];
        }
        *self = Sums::from_array(sum);
        match (had_timed, o.timed() > 0) {
            (true, true) => {
                self.latency_min_us = min.min(o.latency_min_us);
                self.latency_max_us = max.max(o.latency_max_us);
            }
            (true, false) => {
                self.latency_min_us = min;
                self.latency_max_us = max;
            }
            (false, _) => {
                self.latency_min_us = o.latency_min_us;
                self.latency_max_us = o.latency_max_us;
            }
        }
    }
}

/// One rollup row being written: its sums and its latency histogram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub sums: Sums,
    pub histogram: Histogram,
}

/// One execution as rollups count it: its sums, and its latency bucket (none when it was
/// denied, so not timed). Worked out once per execution, added to each grain.
struct One {
    sums: Sums,
    bucket: Option<u32>,
}

impl One {
    fn of(e: &ExecutionRecord) -> One {
        let mut sums = Sums::default();
        sums.add(e);
        let bucket = (e.status != ExecutionStatus::Denied)
            .then(|| crate::histogram::bucket(to_millionths(e.latency_ms, 1000.0).max(0) as u64));
        One { sums, bucket }
    }
}

impl Counters {
    pub fn add(&mut self, e: &ExecutionRecord) {
        self.add_one(&One::of(e));
    }

    fn add_one(&mut self, one: &One) {
        self.sums.merge(&one.sums);
        if let Some(b) = one.bucket {
            self.histogram.add_n(b, 1);
        }
    }

    pub fn merge(&mut self, o: &Counters) {
        self.sums.merge(&o.sums);
        self.histogram.merge(&o.histogram);
    }
}

/// The key of a rollup row: bucket, agent, tool or user (by grain), model ('' for none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub bucket: i64,
    pub agent_id: String,
    pub second: String,
    pub model: String,
}

/// One rollup row as read: its sums and its histogram still encoded (merging decodes it
/// straight into the total it joins).
#[derive(Debug, Clone)]
pub struct RollupRow {
    pub key: Key,
    pub sums: Sums,
    pub histogram: Vec<u8>,
}

/// A key borrowed from the executions it sums: bucket, agent, tool or user, model.
pub type KeyRef<'a> = (i64, &'a str, &'a str, &'a str);

/// What a set of executions adds to each rollup, each key once.
/// Keys are hashed millions of times per import: a fast hash, as nothing here is chosen by an
/// adversary who could profit from collisions (a batch is the caller's own data).
type Fast = foldhash::fast::RandomState;

#[derive(Default)]
pub struct Batch<'a> {
    grains: [HashMap<KeyRef<'a>, Counters, Fast>; 3],
}

impl<'a> Batch<'a> {
    pub fn add(&mut self, e: &'a ExecutionRecord) {
        let at = micros(&e.timestamp);
        let model = e.model.as_deref().unwrap_or("");
        let one = One::of(e);
        for (i, g) in GRAINS.iter().enumerate() {
            let second = match g {
                Grain::DayUser => e.user_id.as_str(),
                _ => e.tool.as_str(),
            };
            self.grains[i]
                .entry((g.bucket_of(at), &e.agent_id, second, model))
                .or_default()
                .add_one(&one);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.grains.iter().all(HashMap::is_empty)
    }

    /// The rows of one grain to write.
    pub fn rows(&self, g: Grain) -> impl Iterator<Item = (&KeyRef<'a>, &Counters)> + '_ {
        let i = GRAINS.iter().position(|x| *x == g).unwrap_or(0);
        self.grains[i].iter()
    }
}

/// The keys, in each grain, of one execution (for adjusting feedback).
pub fn keys_of(at_us: i64, agent: &str, tool: &str, user: &str, model: &str) -> [(Grain, Key); 3] {
    GRAINS.map(|g| {
        (
            g,
            Key {
                bucket: g.bucket_of(at_us),
                agent_id: agent.to_string(),
                second: match g {
                    Grain::DayUser => user.to_string(),
                    _ => tool.to_string(),
                },
                model: model.to_string(),
            },
        )
    })
}

/// `$n`-numbered placeholders from `first`. Both stores take them, but SQLite numbers
/// `$n` by first appearance, not by `n`: every statement here uses its parameters in
/// their numeric order (a test checks).
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT <sums>, histogram FROM t WHERE <key> = $1..$4` (bucket, agent, second, model).
pub fn select_sql(g: Grain) -> String {
    format!(
        "SELECT {}, histogram FROM {} WHERE bucket = $1 AND agent_id = $2 AND {} = $3 AND model = $4",
        SUM_COLUMNS.join(", "),
        g.table(),
        g.second()
    )
}

/// Write a row whole: key $1..$4, sums $5..$23, histogram $24.
pub fn upsert_sql(g: Grain) -> String {
    let sets = SUM_COLUMNS
        .iter()
        .chain(["histogram"].iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {t} (bucket, agent_id, {s}, model, {cols}, histogram) VALUES ({ph}) \
         ON CONFLICT ({pk}) DO UPDATE SET {sets}",
        t = g.table(),
        s = g.second(),
        cols = SUM_COLUMNS.join(", "),
        ph = placeholders(1, 4 + SUM_COLUMNS.len() + 1),
        pk = primary_key(g),
    )
}

/// Write a row that is not stored yet (nothing when it is): the parameters of `upsert_sql`.
pub fn insert_new_sql(g: Grain) -> String {
    format!(
        "INSERT INTO {t} (bucket, agent_id, {s}, model, {cols}, histogram) VALUES ({ph}) ON CONFLICT ({pk}) DO NOTHING",
        t = g.table(),
        s = g.second(),
        cols = SUM_COLUMNS.join(", "),
        ph = placeholders(1, 4 + SUM_COLUMNS.len() + 1),
        pk = primary_key(g),
    )
}

/// Adjust the feedback sums of one row: deltas $1..$4 (rating sum, ratings, correct,
/// judged), key $5..$8.
pub fn judge_sql(g: Grain) -> String {
    format!(
        "UPDATE {} SET rating_sum = rating_sum + $1, ratings = ratings + $2, correct = correct + $3, judged = judged + $4 \
         WHERE bucket = $5 AND agent_id = $6 AND {} = $7 AND model = $8",
        g.table(),
        g.second()
    )
}

/// Rows of a bucket range, `$1 <= bucket < $2`; for the user grain, of user `$3`.
pub fn range_sql(g: Grain) -> String {
    let user = match g {
        Grain::DayUser => " AND user_id = $3",
        _ => "",
    };
    format!(
        "SELECT bucket, agent_id, {s}, model, {cols}, histogram FROM {t} WHERE bucket >= $1 AND bucket < $2{user}",
        s = g.second(),
        cols = SUM_COLUMNS.join(", "),
        t = g.table(),
    )
}

fn primary_key(g: Grain) -> &'static str {
    match g {
        Grain::Hour | Grain::Day => "bucket, agent_id, tool, model",
        Grain::DayUser => "user_id, bucket, agent_id, model",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(latency: f64, status: ExecutionStatus, cost: Option<f64>) -> ExecutionRecord {
        ExecutionRecord {
            execution_id: "x".into(),
            timestamp: chrono::Utc::now(),
            agent_id: "a".into(),
            tool: "t".into(),
            user_id: "u".into(),
            organization: None,
            session_id: None,
            replica: None,
            latency_ms: latency,
            status,
            request_bytes: 0,
            response_bytes: 0,
            tokens_in: Some(10),
            tokens_out: Some(5),
            cost,
            model: None,
            trace_id: None,
            error: None,
            arguments: None,
            feedback: None,
        }
    }

    #[test]
    fn sums_merge_as_if_added_together() {
        let rows = [
            exec(5.0, ExecutionStatus::Success, Some(0.25)),
            exec(0.1, ExecutionStatus::Denied, None),
            exec(9.5, ExecutionStatus::Error, None),
            exec(2.0, ExecutionStatus::Timeout, Some(0.5)),
        ];
        let mut whole = Counters::default();
        for r in &rows {
            whole.add(r);
        }
        let (mut a, mut b) = (Counters::default(), Counters::default());
        a.add(&rows[1]);
        for r in &rows[2..] {
            b.add(r);
        }
        a.add(&rows[0]);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, whole);
        assert_eq!(ba, whole);
        let s = whole.sums;
        assert_eq!(
            (s.calls, s.ok, s.errors, s.timeouts, s.denied),
            (4, 1, 1, 1, 1)
        );
        // The denied call is counted, not timed.
        assert_eq!(
            (s.latency_sum_us, s.latency_min_us, s.latency_max_us),
            (16_500, 2_000, 9_500)
        );
        assert_eq!(
            (s.cost_micros, s.costed_calls, s.unpriced_calls),
            (750_000, 2, 1)
        );
        assert_eq!((s.unpriced_tokens_in, s.unpriced_tokens_out), (10, 5));
        assert_eq!(whole.histogram.count(), 3);
        // A row of denied calls only merges without disturbing min and max.
        let mut only_denied = Counters::default();
        only_denied.add(&rows[1]);
        let mut m = b.clone();
        m.merge(&only_denied);
        assert_eq!(m.sums.latency_min_us, 2_000);
        let mut m = only_denied.clone();
        m.merge(&b);
        assert_eq!(m.sums.latency_min_us, 2_000);
    }

    #[test]
    fn parameters_appear_in_their_numeric_order() {
        for g in GRAINS {
            for sql in [
                select_sql(g),
                upsert_sql(g),
                insert_new_sql(g),
                judge_sql(g),
                range_sql(g),
            ] {
                let mut last = 0;
                let mut rest = sql.as_str();
                while let Some(i) = rest.find('$') {
                    rest = &rest[i + 1..];
                    let n: usize = rest
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect::<String>()
                        .parse()
                        .unwrap();
                    assert_eq!(n, last + 1, "{sql}");
                    last = n;
                }
                assert!(last > 0, "{sql}");
            }
        }
    }

    #[test]
    fn buckets_are_utc_hours_and_days() {
        assert_eq!(Grain::Hour.bucket_of(HOUR_US - 1), 0);
        assert_eq!(Grain::Hour.bucket_of(HOUR_US), 1);
        assert_eq!(Grain::Day.bucket_of(DAY_US * 3 + 5), 3);
        assert_eq!(Grain::Day.bucket_of(-1), -1);
    }
}
