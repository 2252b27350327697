//! Executions: one row per tool call (through the gateway, `invoke`, or imported), with the
//! feedback given on it. The record analytics aggregate; both stores keep it alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreInfo;
use crate::error::Result;

crate::model::wire_enum! {
    /// How a tool call ended.
    pub enum ExecutionStatus as "execution status" {
        Success = "success",
        /// The tool, or the way to it, failed.
        Error = "error",
        Timeout = "timeout",
        /// Refused by governance (a role, a limit, a withheld definition).
        Denied = "denied",
    }
}

/// One tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionRecord {
    pub execution_id: String,
    pub timestamp: DateTime<Utc>,
    /// The agent or registered server the tool belongs to.
    pub agent_id: String,
    pub tool: String,
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The replica that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<u32>,
    pub latency_ms: f64,
    pub status: ExecutionStatus,
    #[serde(default)]
    pub request_bytes: u64,
    #[serde(default)]
    pub response_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_out: Option<u64>,
    /// In the organization's currency; kept to the millionth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The call's arguments: their shape (each key with its JSON type) unless the server's
    /// data classification is `public`, then their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<serde_json::Value>,
    /// The feedback given on it, when there is some (read only; `feedback` sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
}

/// A user's judgement of one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// 1 (bad) to 5 (good): the insights' user satisfaction.
    pub rating: u8,
    /// Whether the answer was right: the insights' agent accuracy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
    pub user_id: String,
    pub given_at: DateTime<Utc>,
}

/// Which executions to list, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecutionQuery {
    pub agent: Option<String>,
    pub user: Option<String>,
    pub status: Option<ExecutionStatus>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// Microseconds since the epoch: how both stores keep times, latencies and costs, so that
/// sums are exact and ranges compare as integers.
pub fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// A quantity in millionths (latency in µs from ms, cost in micro-units), rounded.
pub fn to_millionths(v: f64, scale: f64) -> i64 {
    (v * scale).round() as i64
}

/// The executions and their feedback.
pub trait ExecutionStore: StoreInfo {
    /// Store `rows` in one durable transaction; a row whose id is stored already is
    /// skipped. Per row, whether it was new.
    fn insert_executions(&self, rows: &[ExecutionRecord]) -> Result<Vec<bool>>;
    fn executions(&self, q: &ExecutionQuery) -> Result<Vec<ExecutionRecord>>;
    fn execution(&self, id: &str) -> Result<Option<ExecutionRecord>>;
    /// Record (or replace) the feedback on `execution_id`; false when there is no such
    /// execution.
    fn set_feedback(&self, execution_id: &str, f: &Feedback) -> Result<bool>;
    /// The calls since `since` of `user` (or of `agent`, or of `tool` of `agent`, as given)
    /// and the cost they reported, in micro-units: what the gateway's limits count from.
    fn usage(&self, u: &Usage, since: DateTime<Utc>) -> Result<(u64, i64)>;
    /// The rollup rows of grain `g` with `from <= bucket < to`; for the user grain, those
    /// of `user` (required there).
    fn rollups(
        &self,
        g: super::rollups::Grain,
        from: i64,
        to: i64,
        user: Option<&str>,
    ) -> Result<Vec<super::rollups::RollupRow>>;
    /// Visit every execution with `since_us <= time < until_us` (of `user` when given), in
    /// no particular order: what exact insights compute from.
    fn scan_executions(
        &self,
        since_us: i64,
        until_us: i64,
        user: Option<&str>,
        visit: &mut (dyn FnMut(&Scanned) + Send),
    ) -> Result<()>;
    /// When the newest execution stored happened.
    fn newest_execution(&self) -> Result<Option<DateTime<Utc>>>;
    /// Record that a deployment runs `replicas` replicas from `at` on (0: removed).
    fn record_replicas(&self, c: &ReplicaChange) -> Result<()>;
    /// Every replica count recorded, oldest first.
    fn replica_changes(&self) -> Result<Vec<ReplicaChange>>;
    /// Keep an alert that fired.
    fn record_alert(&self, a: &AlertRecord) -> Result<()>;
    /// The alerts that fired since `since`, oldest first.
    fn alerts_since(&self, since: DateTime<Utc>) -> Result<Vec<AlertRecord>>;
    /// When an alert of `key` was last delivered.
    fn last_delivered(&self, key: &str) -> Result<Option<DateTime<Utc>>>;
}

/// An alert that fired: its key (rule and subject), when, what it said, and whether the
/// webhook took it or it was held back as sent too recently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertRecord {
    pub key: String,
    pub rule: String,
    pub fired_at: DateTime<Utc>,
    pub message: String,
    pub delivered: bool,
    pub throttled: bool,
}

/// One replica count of a deployment from a moment on (0: removed): what infrastructure
/// costs are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaChange {
    pub agent_id: String,
    pub target: String,
    pub at: DateTime<Utc>,
    pub replicas: u32,
}

/// One execution as exact insights read it: the keys and the measures, nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Scanned<'a> {
    pub at_us: i64,
    pub agent_id: &'a str,
    pub tool: &'a str,
    pub user_id: &'a str,
    /// '' for none.
    pub model: &'a str,
    pub latency_us: i64,
    pub status: ExecutionStatus,
    pub tokens_in: i64,
    pub tokens_out: i64,
    pub cost_micros: Option<i64>,
    pub rating: Option<i64>,
    pub correct: Option<bool>,
}

/// Whose usage: every field given narrows.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub user: Option<String>,
    pub agent: Option<String>,
    pub tool: Option<String>,
}

/// Writes executions as calls finish, many to a transaction (group commit): a call hands
/// its row over and goes on; a row is durable once the transaction it joined commits,
/// which `flush` waits for.
pub struct Writer {
    tx: std::sync::mpsc::Sender<Job>,
    /// Rows handed over and rows that could not be written.
    pub stats: std::sync::Arc<WriterStats>,
}

#[derive(Default)]
pub struct WriterStats {
    pub queued: std::sync::atomic::AtomicU64,
    pub written: std::sync::atomic::AtomicU64,
    pub failed: std::sync::atomic::AtomicU64,
}

enum Job {
    Row(Box<ExecutionRecord>),
    Flush(std::sync::mpsc::Sender<()>),
}

/// The most rows one transaction takes.
const BATCH: usize = 2000;

impl Writer {
    pub fn new(store: std::sync::Arc<dyn ExecutionStore>) -> Writer {
        use std::sync::atomic::Ordering;
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let stats = std::sync::Arc::new(WriterStats::default());
        let st = stats.clone();
        std::thread::Builder::new()
            .name("executions".into())
            .spawn(move || {
                let mut rows: Vec<ExecutionRecord> = Vec::with_capacity(BATCH);
                let mut waiting: Vec<std::sync::mpsc::Sender<()>> = Vec::new();
                while let Ok(first) = rx.recv() {
                    let mut next = Some(first);
                    while let Some(job) = next.take() {
                        match job {
                            Job::Row(r) => rows.push(*r),
                            Job::Flush(w) => waiting.push(w),
                        }
                        if rows.len() < BATCH {
                            next = rx.try_recv().ok();
                        }
                    }
                    if !rows.is_empty() {
                        match store.insert_executions(&rows) {
                            Ok(_) => st.written.fetch_add(rows.len() as u64, Ordering::Relaxed),
                            Err(e) => {
                                log::error!("writing {} execution(s): {e}", rows.len());
                                st.failed.fetch_add(rows.len() as u64, Ordering::Relaxed)
                            }
                        };
                        rows.clear();
                    }
                    for w in waiting.drain(..) {
                        let _ = w.send(());
                    }
                }
            })
            .expect("a thread can be started");
        Writer { tx, stats }
    }

    /// Hand `row` over to be written with the next transaction.
    pub fn record(&self, row: ExecutionRecord) {
        self.stats
            .queued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = self.tx.send(Job::Row(Box::new(row)));
    }

    /// Wait until every row handed over so far is written (or failed).
    pub fn flush(&self) {
        let (tx, rx) = std::sync::mpsc::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

/// The shape of a JSON value: objects keep their keys, arrays show their first item's
/// shape, every other value is the name of its type. No value is kept.
pub fn shape(v: &serde_json::Value) -> serde_json::Value {
    fn go(v: &serde_json::Value, depth: usize) -> serde_json::Value {
        use serde_json::Value as V;
        match v {
            V::Object(m) if depth < 4 => V::Object(
                m.iter()
                    .take(64)
                    .map(|(k, v)| (k.clone(), go(v, depth + 1)))
                    .collect(),
            ),
            V::Array(a) if depth < 4 => {
                V::Array(a.first().map(|x| go(x, depth + 1)).into_iter().collect())
            }
            V::Object(_) => V::String("object".into()),
            V::Array(_) => V::String("array".into()),
            V::String(_) => V::String("string".into()),
            V::Number(n) if n.is_i64() || n.is_u64() => V::String("integer".into()),
            V::Number(_) => V::String("number".into()),
            V::Bool(_) => V::String("boolean".into()),
            V::Null => V::String("null".into()),
        }
    }
    go(v, 0)
}
