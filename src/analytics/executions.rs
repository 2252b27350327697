//! Executions as input: each one checked (what is wrong, on which line, at which field)
//! before it is stored, and JSON Lines imported in batches, deduplicated by id.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::trail::{Lines, Rejected};
use crate::error::{Error, Result};
use crate::store::{ExecutionRecord, ExecutionStore};

/// Rows stored per transaction: large, so that the index and rollup pages a batch touches
/// are written once for many rows.
const BATCH: usize = 100_000;
/// How far ahead of this clock an execution's time may be (another machine's clock).
const FUTURE_SKEW_SECONDS: i64 = 300;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ImportReport {
    /// Lines read (blank lines are not counted).
    pub read: usize,
    pub stored: usize,
    /// Already stored, or earlier in the same input.
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    /// Agents of the lines read that this installation did not make, register or deploy,
    /// with how many lines name each: stored all the same (they may run elsewhere), but
    /// said, since a misspelt agent is otherwise a new one.
    #[serde(default)]
    pub unknown_agents: std::collections::BTreeMap<String, usize>,
}

fn name_ok(s: &str) -> bool {
    !s.trim().is_empty() && s.len() <= 200 && !s.chars().any(char::is_control)
}

/// Why `e` cannot be stored: (field, message).
pub fn check(e: &ExecutionRecord, now: DateTime<Utc>) -> std::result::Result<(), (String, String)> {
    let bad = |f: &str, m: String| Err((format!("/{f}"), m));
    let id_ok = !e.execution_id.is_empty()
        && e.execution_id.len() <= 128
        && e.execution_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !id_ok {
        return bad(
            "execution_id",
            "is not 1 to 128 letters, digits, `-`, `_`, `.` or `:`".into(),
        );
    }
    for (f, v) in [
        ("agent_id", &e.agent_id),
        ("tool", &e.tool),
        ("user_id", &e.user_id),
    ] {
        if !name_ok(v) {
            return bad(
                f,
                "is empty, longer than 200 characters, or holds control characters".into(),
            );
        }
    }
    if e.timestamp > now + chrono::Duration::seconds(FUTURE_SKEW_SECONDS) {
        return bad(
            "timestamp",
            format!("{} is in the future", e.timestamp.to_rfc3339()),
        );
    }
    if !e.latency_ms.is_finite() || e.latency_ms < 0.0 || e.latency_ms > 86_400_000.0 {
        return bad(
            "latency_ms",
            format!(
                "{} is not a latency in milliseconds (0 to a day)",
                e.latency_ms
            ),
        );
    }
    if let Some(c) = e.cost {
        if !c.is_finite() || !(0.0..=1e9).contains(&c) {
            return bad("cost", format!("{c} is not a cost (0 or more)"));
        }
    }
    if e.feedback.is_some() {
        return bad(
            "feedback",
            "is given with `pc-hybrid feedback`, not imported".into(),
        );
    }
    for (f, v) in [
        ("organization", &e.organization),
        ("session_id", &e.session_id),
        ("model", &e.model),
        ("trace_id", &e.trace_id),
    ] {
        if v.as_deref().is_some_and(|v| !name_ok(v)) {
            return bad(
                f,
                "is empty, longer than 200 characters, or holds control characters".into(),
            );
        }
    }
    Ok(())
}

/// Import executions, one JSON object per line, from `input` into `store`: each line
/// checked, the good ones stored in batches (one transaction each), those whose id is
/// stored already (earlier in the input too: the store skips it) counted as duplicates.
pub fn import(
    store: &dyn ExecutionStore,
    input: Box<dyn BufRead + Send>,
    known: std::collections::HashSet<String>,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    // Reading and checking run on their own thread, a batch ahead of the store: on two
    // cores, parsing the next batch costs nothing while the last one is written.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ExecutionRecord>>(1);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_batches(input, &known, now, tx));
        let mut stored = 0usize;
        let mut duplicates = 0usize;
        let mut failed = None;
        for batch in rx {
            match store.insert_executions(&batch) {
                Ok(news) => {
                    let n = news.iter().filter(|n| **n).count();
                    stored += n;
                    duplicates += news.len() - n;
                }
                Err(e) => {
                    // Leaving drops the receiver, which stops the reader.
                    failed = Some(e);
                    break;
                }
            }
        }
        let mut report = reader
            .join()
            .map_err(|_| Error::Internal("the executions reader panicked".into()))??;
        if let Some(e) = failed {
            return Err(e);
        }
        report.stored = stored;
        report.duplicates = duplicates;
        Ok(report)
    })
}

/// Read, parse and check the lines of `input`, sending the good rows in batches; what was
/// read and rejected is the report (stored and duplicates are the writer's to count).
fn read_batches(
    input: Box<dyn BufRead + Send>,
    known: &std::collections::HashSet<String>,
    now: DateTime<Utc>,
    tx: std::sync::mpsc::SyncSender<Vec<ExecutionRecord>>,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut lines = Lines::new(input);
    let mut buf = Vec::new();
    let mut batch: Vec<ExecutionRecord> = Vec::with_capacity(BATCH);
    let mut number = 0usize;
    while let Some(too_long) = lines
        .next(&mut buf, &mut || {})
        .map_err(|e| Error::io("reading executions", e))?
    {
        number += 1;
        let reject = |field: &str, message: String| Rejected {
            line: number,
            field: field.into(),
            message,
        };
        if too_long {
            report.read += 1;
            report.rejected.push(reject(
                "/",
                format!("the line is longer than {} bytes", crate::audit::MAX_LINE),
            ));
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        report.read += 1;
        let de = &mut serde_json::Deserializer::from_slice(&buf);
        let e: ExecutionRecord = match serde_path_to_error::deserialize(de) {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().to_string();
                // `?`: the line is not a JSON object at all.
                let field = if path == "." || path == "?" {
                    "/".to_string()
                } else {
                    format!("/{}", path.replace('.', "/"))
                };
                report
                    .rejected
                    .push(reject(&field, err.inner().to_string()));
                continue;
            }
        };
        if let Err((field, message)) = check(&e, now) {
            report.rejected.push(reject(&field, message));
            continue;
        }
        if !known.contains(&e.agent_id) {
            match report.unknown_agents.get_mut(&e.agent_id) {
                Some(n) => *n += 1,
                None => {
                    report.unknown_agents.insert(e.agent_id.clone(), 1);
                }
            }
        }
        batch.push(e);
        if batch.len() >= BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.send(full).is_err() {
                // The writer failed and stopped listening: its error is the one to report.
                return Ok(report);
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(report)
}
