//! Ingesting, verifying and reading the trail: ingest of JSONL from other systems through
//! the write pipeline, verification of every hash and checkpoint, queries and exports.

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::keys::Keys;
use super::pipeline::{Outcome, Pipeline, GROUP, QUEUE};
use super::{link, prepare, Checkpoint, GENESIS, MAX_LINE};
use crate::error::{Error, Result};
use crate::store::{AuditQuery, AuditStore, StoredAudit};

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct Rejected {
    pub line: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct IngestReport {
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: Vec<Rejected>,
    pub first_sequence: Option<u64>,
    pub last_sequence: Option<u64>,
}

/// Lines of input, at most `MAX_LINE` bytes each; a longer line is consumed and reported.
pub struct Lines {
    input: Box<dyn BufRead + Send>,
    /// Whether what `input` had buffered is used up, so that its next fill reads.
    empty: bool,
}

impl Lines {
    pub fn new(input: Box<dyn BufRead + Send>) -> Lines {
        Lines { input, empty: true }
    }

    /// The next line into `buf`, and whether it was too long (`buf` is then empty).
    /// `drained` is called before each read of the input, which may wait for more.
    pub fn next(
        &mut self,
        buf: &mut Vec<u8>,
        drained: &mut dyn FnMut(),
    ) -> std::io::Result<Option<bool>> {
        buf.clear();
        let mut too_long = false;
        loop {
            if self.empty {
                drained();
            }
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(if buf.is_empty() && !too_long {
                    None
                } else {
                    Some(too_long)
                });
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            self.empty = take == chunk.len();
            if !too_long {
                if buf.len() + take > MAX_LINE + 1 {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take);
            if done {
                return Ok(Some(too_long));
            }
        }
    }
}

/// Where ingest reports events as they become durable.
pub trait Acks {
    /// The event `id` is durable at `sequence`; 0 when it was already stored.
    fn ack(&mut self, id: &str, sequence: u64);
    /// Nothing more is durable for now: deliver what was acknowledged. (Called between
    /// bursts, so that acks go out in one write per burst rather than one per event.)
    fn flush(&mut self) {}
}

/// What ingest learns about its lines: the ids of a group of events and what became of each,
/// in the order the writer commits, and lines rejected.
enum Note {
    Done(Vec<String>, Vec<Outcome>),
    Rejected(Rejected),
}

/// Ingest JSONL events through the pipeline. A reader thread parses and prepares lines and
/// submits them in groups: whatever has arrived, up to `GROUP`, once it has parsed what was
/// buffered. The pipeline's writer stores whatever is queued in one durable transaction
/// (group commit) and only then reports each group, and `ack` is called for its events
/// here, in order. A slow producer is acknowledged event by event, a fast one in large
/// batches.
/// Invalid lines are reported with their numbers and do not stop the others; a failed write
/// stops the ingest.
pub fn ingest(
    pipeline: &Pipeline,
    reader: Box<dyn BufRead + Send>,
    acks: &mut dyn Acks,
) -> Result<IngestReport> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Note>(QUEUE);
    let producer = pipeline.producer();
    let hmac = pipeline.keys().hmac.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let reader = std::thread::Builder::new()
        .name("audit-reader".into())
        .spawn(move || -> std::io::Result<()> {
            let mut buf = Vec::new();
            let mut line_no = 0usize;
            let (mut group, mut ids) = (Vec::with_capacity(GROUP), Vec::with_capacity(GROUP));
            let submit = |group: &mut Vec<_>, ids: &mut Vec<String>| {
                if !group.is_empty() {
                    let ids = std::mem::replace(ids, Vec::with_capacity(GROUP));
                    let group = std::mem::replace(group, Vec::with_capacity(GROUP));
                    let tx = tx.clone();
                    producer.submit_prepared(group, move |o| {
                        let _ = tx.send(Note::Done(ids, o));
                    });
                }
            };
            let mut lines = Lines {
                input: reader,
                empty: true,
            };
            while let Some(too_long) = lines.next(&mut buf, &mut || submit(&mut group, &mut ids))? {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                line_no += 1;
                let rejected = |field: String, message: String| {
                    Note::Rejected(Rejected {
                        line: line_no,
                        field,
                        message,
                    })
                };
                if too_long {
                    let note = rejected(
                        "/".into(),
                        format!("the line is longer than {MAX_LINE} bytes"),
                    );
                    if tx.send(note).is_err() {
                        break;
                    }
                    continue;
                }
                let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match super::parse_line(text).and_then(|e| prepare(e, &hmac)) {
                    Ok(e) => {
                        let record = super::Record::from(e);
                        ids.push(record.event_id.clone());
                        group.push(record);
                        if group.len() == GROUP {
                            submit(&mut group, &mut ids);
                        }
                    }
                    Err(p) => {
                        if tx.send(rejected(p.field, p.message)).is_err() {
                            break;
                        }
                    }
                }
            }
            submit(&mut group, &mut ids);
            Ok(())
        })
        .map_err(|e| Error::io("starting the event reader", e))?;
    let mut report = IngestReport::default();
    let mut failed = None;
    loop {
        let note = match rx.try_recv() {
            Ok(note) => note,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                acks.flush();
                match rx.recv() {
                    Ok(note) => note,
                    Err(_) => break,
                }
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
        };
        match note {
            Note::Rejected(r) => report.rejected.push(r),
            Note::Done(ids, outcomes) => {
                for (id, o) in ids.iter().zip(outcomes) {
                    match o {
                        Outcome::Stored { sequence, .. } => {
                            report.stored += 1;
                            report.first_sequence.get_or_insert(sequence);
                            report.last_sequence = Some(sequence);
                            acks.ack(id, sequence);
                        }
                        // Already stored: at-least-once senders get their ack again.
                        Outcome::Duplicate => {
                            report.duplicates += 1;
                            acks.ack(id, 0);
                        }
                        Outcome::Failed(why) => {
                            stop.store(true, Ordering::Relaxed);
                            failed.get_or_insert(why);
                        }
                    }
                }
            }
        }
    }
    reader
        .join()
        .map_err(|_| Error::Internal("the event reader panicked".into()))?
        .map_err(|e| Error::io("reading events", e))?;
    if let Some(why) = failed {
        return Err(Error::Store(why));
    }
    Ok(report)
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct VerifyReport {
    pub ok: bool,
    pub events: u64,
    pub checkpoints: usize,
    pub last_checkpoint: Option<u64>,
    /// The first sequence number that is wrong.
    pub first_bad_sequence: Option<u64>,
    pub message: String,
}

/// Check every hash and every checkpoint signature against this installation's key.
pub fn verify(store: &dyn AuditStore, keys: &Keys) -> Result<VerifyReport> {
    let key = keys.signing.verifying_key();
    let checkpoints = store.audit_checkpoints()?;
    let by_seq: HashMap<u64, &Checkpoint> = checkpoints.iter().map(|c| (c.sequence, c)).collect();
    let fail = |seq: u64, events: u64, message: String| VerifyReport {
        ok: false,
        events,
        checkpoints: checkpoints.len(),
        last_checkpoint: checkpoints.last().map(|c| c.sequence),
        first_bad_sequence: Some(seq),
        message,
    };
    for c in &checkpoints {
        if !super::checkpoint_valid(c, &key) {
            return Ok(fail(
                c.sequence,
                0,
                format!(
                    "the checkpoint at {} is not signed by this installation's key",
                    c.sequence
                ),
            ));
        }
    }
    // After a retention purge the chain starts later, anchored by a signed checkpoint.
    let first = store
        .audit_range(0, 1)?
        .first()
        .map(|r| r.sequence)
        .unwrap_or(1);
    let (anchor, expected) = if first > 1 {
        match by_seq.get(&(first - 1)) {
            Some(c) if c.anchors_purge => (c.hash, first),
            _ => {
                return Ok(fail(1, 0, format!("events 1 to {} are missing and no signed checkpoint vouches for their removal by retention", first - 1)));
            }
        }
    } else {
        (GENESIS, 1u64)
    };
    let purged = expected - 1;
    let head = store.audit_head()?.map(|h| h.0).unwrap_or(purged);
    // Every event's stored hash must be the hash of the one before it and its own body, so
    // parts of the chain can be checked on their own, in parallel; the first bad event
    // found in the earliest part is the one a sequential walk would stop at.
    let parts = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8) as u64;
    let span = (head + 1 - expected).div_ceil(parts).max(1);
    let bounds: Vec<(u64, u64)> = (0..parts)
        .map(|i| {
            (
                expected + i * span,
                (expected + (i + 1) * span - 1).min(head),
            )
        })
        .filter(|(a, b)| a <= b)
        .collect();
    let results: Vec<Result<Option<(u64, String)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .iter()
            .map(|&(from, to)| {
                let by_seq = &by_seq;
                scope.spawn(move || check_part(store, by_seq, anchor, expected, from, to))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Internal("a verify thread panicked".into())))
            })
            .collect()
    });
    for r in results {
        if let Some((seq, message)) = r? {
            return Ok(fail(seq, seq - 1, message));
        }
    }
    let events = head;
    if let Some(c) = checkpoints.iter().rev().find(|c| c.sequence > events) {
        return Ok(fail(
            events + 1,
            events,
            format!("the chain ends at {events}, but a signed checkpoint covers {}: events were removed from the end", c.sequence),
        ));
    }
    let last = checkpoints.last().map(|c| c.sequence);
    let tail = events - last.unwrap_or(0).min(events);
    let events = events - purged;
    Ok(VerifyReport {
        ok: true,
        events,
        checkpoints: checkpoints.len(),
        last_checkpoint: last,
        first_bad_sequence: None,
        message: if tail == 0 {
            format!(
                "{events} events and {} checkpoints verified",
                checkpoints.len()
            )
        } else {
            format!("{events} events verified; the last {tail} are not yet covered by a checkpoint")
        },
    })
}

/// Check events `from..=to` of a chain that starts at `first` after `anchor`: each is
/// present, hashes to its stored hash from the stored hash before it, and matches any
/// checkpoint at it. The first bad one, with why.
fn check_part(
    store: &dyn AuditStore,
    checkpoints: &HashMap<u64, &Checkpoint>,
    anchor: [u8; 32],
    first: u64,
    from: u64,
    to: u64,
) -> Result<Option<(u64, String)>> {
    // A part after the first reads the event before it for its stored hash.
    let mut expected = if from == first { from } else { from - 1 };
    let mut prev = (from == first).then_some(anchor);
    let mut bad = None;
    let missing =
        |seq: u64, next: u64| format!("event {seq} is missing (the next stored is {next})");
    store.audit_scan(expected, to, &mut |seq, body, hash| {
        if seq != expected {
            if expected >= from || seq > from {
                let at = expected.max(from);
                bad = Some((at, missing(at, seq)));
                return false;
            }
            // The event before this part is missing: the part before reports it.
            prev = None;
        }
        expected = seq + 1;
        if seq < from {
            prev = hash.try_into().ok();
            return true;
        }
        let Some(before) = prev else {
            prev = hash.try_into().ok();
            return true;
        };
        let h = link(&before, body);
        if hash != &h[..] {
            bad = Some((
                seq,
                format!("event {seq} does not match its hash: it, or the order of events, was changed"),
            ));
            return false;
        }
        if checkpoints.get(&seq).is_some_and(|c| c.hash != h) {
            bad = Some((
                seq,
                format!("the chain differs from the signed checkpoint at {seq}: events up to it were rewritten"),
            ));
            return false;
        }
        prev = Some(h);
        true
    })?;
    if bad.is_none() && expected <= to {
        let next = store
            .audit_range(expected, 1)?
            .first()
            .map(|r| r.sequence)
            .unwrap_or(to + 1);
        bad = Some((expected, missing(expected, next)));
    }
    Ok(bad)
}

/// A stored event with its place in the chain, as queries and exports print it.
pub fn render(s: &StoredAudit) -> Value {
    let mut v: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("sequence".into(), Value::from(s.sequence));
        o.insert("hash".into(), Value::from(super::hex(&s.hash)));
    }
    v
}

pub fn query(store: &dyn AuditStore, q: &AuditQuery) -> Result<Vec<Value>> {
    Ok(store.audit_query(q)?.iter().map(render).collect())
}

/// The newest `n` events that match `q` (its order and limit aside), oldest first, and
/// whether older ones match too.
pub fn newest(store: &dyn AuditStore, q: &AuditQuery, n: usize) -> Result<(Vec<Value>, bool)> {
    let q = AuditQuery {
        newest_first: true,
        // One more than kept tells whether older events were left out.
        limit: n.saturating_add(1),
        ..q.clone()
    };
    let mut events = query(store, &q)?;
    let more = events.len() > n;
    events.truncate(n);
    events.reverse();
    Ok((events, more))
}

/// Purge what `retention_days` no longer keeps; the number of events removed.
pub fn purge(store: &dyn AuditStore, keys: &Keys, retention_days: u32) -> Result<u64> {
    let cutoff = chrono::Utc::now() - chrono::Duration::days(retention_days as i64);
    let before = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    store.audit_purge(&before, &keys.checkpoint_signer())
}

/// How `audit export` writes events.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

/// The first line of a CSV export: the columns `csv_row` fills.
pub const CSV_HEADER: &str = "sequence,timestamp,event_id,user_id,organization_id,event_type,event_category,severity,component,operation,resource,status,status_code,response_time_ms,hash\n";

fn csv_field(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One rendered event as a CSV line (without its newline), in `CSV_HEADER`'s columns.
pub fn csv_row(v: &Value) -> String {
    [
        &v["sequence"],
        &v["timestamp"],
        &v["event_id"],
        &v["user_id"],
        &v["organization_id"],
        &v["event_type"],
        &v["event_category"],
        &v["severity"],
        &v["source"]["component"],
        &v["action"]["operation"],
        &v["action"]["resource"],
        &v["outcome"]["status"],
        &v["outcome"]["status_code"],
        &v["outcome"]["response_time_ms"],
        &v["hash"],
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
}

/// The cells an event shows in a table, or in a line of `audit tail --follow`.
pub fn cells(e: &Value) -> Vec<String> {
    let s = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    vec![
        s(&e["sequence"]),
        s(&e["timestamp"]),
        s(&e["user_id"]),
        s(&e["event_type"]),
        s(&e["severity"]),
        s(&e["action"]["operation"]),
        s(&e["action"]["resource"]),
        s(&e["outcome"]["status"]),
    ]
}
