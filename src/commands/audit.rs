//! `pc-hybrid audit ...`: ingest, query, tail, export and verify the audit trail.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::audit::pipeline::Pipeline;
use crate::audit::{self, keys, trail};
use crate::cli::{AuditCommand, AuditFormat};
use crate::error::{Error, Result};
use crate::output::{Output, Tabular};
use crate::settings::Settings;
use crate::store::AuditQuery;

/// RFC 3339, or a duration back from now (`30m`, `24h`, `7d`).
fn when(s: &str, flag: &str) -> Result<String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    }
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n.parse().map_err(|_| {
        Error::invalid(
            flag,
            format!("`{s}` is neither a time (RFC 3339) nor a duration like 24h"),
        )
    })?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => {
            return Err(Error::invalid(
                flag,
                format!("`{s}`: a duration ends in s, m, h or d"),
            ))
        }
    };
    Ok((chrono::Utc::now() - chrono::Duration::seconds(secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

fn keys(s: &Settings) -> Result<keys::Keys> {
    keys::load(&s.paths.data_dir)
}

/// `audit ingest --ack`: one line per durable event on stdout, written out per burst.
struct StdoutAcks<W: Write> {
    out: W,
    on: bool,
}

impl<W: Write> trail::Acks for StdoutAcks<W> {
    fn ack(&mut self, id: &str, sequence: u64) {
        if self.on {
            let _ = writeln!(self.out, "{id} {sequence}");
        }
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

pub async fn run(cmd: &AuditCommand, s: &Settings, out: &Output) -> Result<()> {
    let store: Arc<dyn crate::store::Store> = Arc::from(crate::store::open(&s.audit.store)?);
    match cmd {
        AuditCommand::Ingest(a) => {
            let keys = Arc::new(keys(s)?);
            let mut acks = StdoutAcks {
                out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
                on: a.ack,
            };
            let source: Box<dyn std::io::BufRead + Send> = if a.file == "-" {
                Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin()))
            } else {
                let f = std::fs::File::open(&a.file).map_err(|e| Error::io(a.file.clone(), e))?;
                Box::new(std::io::BufReader::with_capacity(1 << 20, f))
            };
            let pipeline = Pipeline::start(store.clone(), keys.clone());
            let report = trail::ingest(&pipeline, source, &mut acks);
            // Closing signs the tail, also after a failed write.
            let closed = pipeline.close();
            let report = report?;
            closed?;
            let purged = trail::purge(store.as_ref(), &keys, s.audit.retention_days)?;
            deliver(store.as_ref(), s, out, Duration::from_secs(10)).await?;
            if purged > 0 {
                out.note(&format!(
                    "{purged} event(s) older than {} days were purged (AUDIT_RETENTION_DAYS); a signed checkpoint anchors the rest",
                    s.audit.retention_days
                ));
            }
            trail::Acks::flush(&mut acks);
            drop(acks);
            for r in &report.rejected {
                out.warn(&format!(
                    "{}:{}: {}: {}",
                    a.file, r.line, r.field, r.message
                ));
            }
            out.note(&format!(
                "{} stored, {} already stored, {} rejected",
                report.stored,
                report.duplicates,
                report.rejected.len()
            ));
            if !a.ack {
                out.data(&Ingested(report.clone()))?;
            }
            if !report.rejected.is_empty() {
                return Err(Error::usage(
                    format!(
                        "{} line(s) were rejected; the valid events around them were stored",
                        report.rejected.len()
                    ),
                    Some("the lines above say what is wrong"),
                ));
            }
            Ok(())
        }
        AuditCommand::Query(a) => {
            let keys = if a.match_hmac.is_some() {
                Some(keys(s)?)
            } else {
                None
            };
            let q = AuditQuery {
                since: a.since.as_deref().map(|v| when(v, "--since")).transpose()?,
                until: a.until.as_deref().map(|v| when(v, "--until")).transpose()?,
                user: a.user.clone(),
                event_type: a.event_type.clone(),
                severity: a.severity.clone(),
                outcome: a.outcome.clone(),
                resource: a.resource.clone(),
                agent: a.agent.clone(),
                contains: a
                    .match_hmac
                    .as_ref()
                    .zip(keys.as_ref())
                    .map(|(v, k)| audit::hmac_value(&k.hmac, v)),
                ..AuditQuery::default()
            };
            let (events, more) = trail::newest(store.as_ref(), &q, a.limit)?;
            if more {
                out.note(&format!(
                    "the newest {} matching events; older ones match too (--limit, or --until to page back)",
                    a.limit
                ));
            }
            out.data(&Events(events))
        }
        AuditCommand::Tail(a) => {
            let (mut events, _) = trail::newest(store.as_ref(), &AuditQuery::default(), a.lines)?;
            if !a.follow {
                return out.data(&Events(events));
            }
            let mut after = 0;
            let mut q = AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            };
            loop {
                for e in &events {
                    if !out.line(e, &row(e))? {
                        return Ok(());
                    }
                    after = e["sequence"].as_u64().unwrap_or(after);
                }
                // A full page means more are waiting: fetch them before sleeping.
                if events.len() < q.limit {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => return Ok(()),
                        _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    }
                    if out.stdout_closed() {
                        return Ok(());
                    }
                }
                q.after = Some(after);
                events = trail::query(store.as_ref(), &q)?;
            }
        }
        AuditCommand::Export(a) => {
            let since = a.since.as_deref().map(|v| when(v, "--since")).transpose()?;
            let mut after = 0u64;
            if a.format == AuditFormat::Csv {
                out.raw(b"sequence,timestamp,event_id,user_id,organization_id,event_type,event_category,severity,component,operation,resource,status,status_code,response_time_ms,hash\n");
            }
            loop {
                let q = AuditQuery {
                    since: since.clone(),
                    after: Some(after),
                    limit: 10_000,
                    ..Default::default()
                };
                let rows = store.audit_query(&q)?;
                if rows.is_empty() {
                    return Ok(());
                }
                let mut buf = Vec::with_capacity(rows.len() * 600);
                for r in &rows {
                    let v = trail::render(r);
                    match a.format {
                        AuditFormat::Jsonl => {
                            serde_json::to_writer(&mut buf, &v)
                                .map_err(|e| Error::Internal(e.to_string()))?;
                            buf.push(b'\n');
                        }
                        AuditFormat::Csv => {
                            buf.extend_from_slice(csv_row(&v).as_bytes());
                            buf.push(b'\n');
                        }
                    }
                    after = r.sequence;
                }
                out.raw(&buf);
            }
        }
        AuditCommand::Verify => {
            let keys = keys(s)?;
            let report = trail::verify(store.as_ref(), &keys)?;
            out.data(&Verified(report.clone()))?;
            if !report.ok {
                return Err(Error::failed(
                    format!("audit verification failed at sequence {}: {}", report.first_bad_sequence.unwrap_or(0), report.message),
                    Some("the trail was changed outside pc-hybrid; restore it from a backup or a sink"),
                ));
            }
            Ok(())
        }
    }
}

/// Hand new events to the configured sinks; a sink that fails is a warning (it gets them
/// on the next delivery).
pub async fn deliver(
    store: &dyn crate::store::Store,
    s: &Settings,
    out: &Output,
    budget: Duration,
) -> Result<()> {
    if s.audit.sinks.is_empty() {
        return Ok(());
    }
    for d in audit::sinks::deliver(store, &s.audit.sinks, 1000, budget).await? {
        if let Some(e) = d.error {
            out.warn(&format!(
                "audit sink {}: {e}; its events will be sent again on the next delivery",
                d.sink
            ));
        }
    }
    Ok(())
}

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

fn csv_row(v: &Value) -> String {
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

#[derive(Serialize)]
#[serde(transparent)]
struct Ingested(trail::IngestReport);

impl Tabular for Ingested {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        vec![out.record(&[
            ("stored", self.0.stored.to_string()),
            ("already stored", self.0.duplicates.to_string()),
            ("rejected", self.0.rejected.len().to_string()),
            (
                "sequences",
                match (self.0.first_sequence, self.0.last_sequence) {
                    (Some(a), Some(b)) => format!("{a}..{b}"),
                    _ => String::new(),
                },
            ),
        ])]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Events(Vec<Value>);

impl Tabular for Events {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "seq",
            "time",
            "user",
            "type",
            "severity",
            "operation",
            "resource",
            "outcome",
        ]);
        for e in &self.0 {
            t.add_row(row(e));
        }
        vec![t]
    }
}

/// The cells an event shows in a table, or in a line of `audit tail --follow`.
fn row(e: &Value) -> Vec<String> {
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

#[derive(Serialize)]
#[serde(transparent)]
struct Verified(trail::VerifyReport);

impl Tabular for Verified {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let r = &self.0;
        vec![out.record(&[
            (
                "result",
                if r.ok {
                    "verified".into()
                } else {
                    "FAILED".into()
                },
            ),
            ("events", r.events.to_string()),
            ("checkpoints", r.checkpoints.to_string()),
            (
                "last checkpoint",
                r.last_checkpoint.map(|c| c.to_string()).unwrap_or_default(),
            ),
            (
                "first bad sequence",
                r.first_bad_sequence
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("message", r.message.clone()),
        ])]
    }
}
