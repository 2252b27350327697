//! Operations on the audit trail: ingest, query, tail, export and verify.

use std::io::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::audit::trail::{self, ExportFormat};
use crate::audit::{self, keys};
use crate::error::{Error, Result};
use crate::store::AuditQuery;

use super::{Cancel, Context, Reply, Response, Sink};

/// Where ingested events come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngestSource {
    Stdin,
    File(super::CallerPath),
    /// Lines that arrive with the request: the caller reads its stdin or file and streams
    /// it (`POST /api/v4/audit/events`). Never on the wire as a request field.
    #[serde(skip)]
    Stream(Input),
}

/// The events of an ingest whose caller streams them, taken once by the operation; named as
/// the caller names its source in messages (`-`, or the file's path).
#[derive(Clone)]
pub struct Input {
    pub name: String,
    reader: std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::io::BufRead + Send>>>>,
}

impl Input {
    pub fn new(name: String, reader: Box<dyn std::io::BufRead + Send>) -> Input {
        Input {
            name,
            reader: std::sync::Arc::new(std::sync::Mutex::new(Some(reader))),
        }
    }

    fn take(&self) -> Option<Box<dyn std::io::BufRead + Send>> {
        self.reader.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input({})", self.name)
    }
}

impl PartialEq for Input {
    fn eq(&self, other: &Input) -> bool {
        std::sync::Arc::ptr_eq(&self.reader, &other.reader)
    }
}

impl Eq for Input {}

/// `audit.ingest`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ingest {
    pub source: IngestSource,
    /// Stream each event's id and sequence once it is durable.
    #[serde(default)]
    pub ack: bool,
}

/// `audit.query`: every filter given narrows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// RFC 3339, or a duration back from now (`30m`, `24h`, `7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Events holding this sensitive value (compared by its HMAC, never stored in clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_hmac: Option<String>,
    #[serde(default = "hundred")]
    pub limit: usize,
}

fn hundred() -> usize {
    100
}

/// Warn of each line of `shown` that was rejected; the error to report after the data
/// when any was (the valid `what` around them were stored).
pub fn rejected_lines(
    sink: &dyn Sink,
    shown: &str,
    rejected: &[crate::audit::trail::Rejected],
    what: &str,
) -> Option<Error> {
    for r in rejected {
        sink.warn(&format!("{shown}:{}: {}: {}", r.line, r.field, r.message));
    }
    (!rejected.is_empty()).then(|| {
        Error::usage(
            format!(
                "{} line(s) were rejected; the valid {what} around them were stored",
                rejected.len()
            ),
            Some("the lines above say what is wrong"),
        )
    })
}

/// RFC 3339, or a duration back from now (`30m`, `24h`, `7d`); `field` names it in errors.
pub fn when(s: &str, field: &str) -> Result<String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    }
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n.parse().map_err(|_| {
        Error::invalid(
            field,
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
                field,
                format!("`{s}`: a duration ends in s, m, h or d"),
            ))
        }
    };
    Ok((chrono::Utc::now() - chrono::Duration::seconds(secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// Acknowledgements, one `id sequence` line per durable event, handed on per burst.
struct SinkAcks<'a> {
    sink: &'a dyn Sink,
    buf: Vec<u8>,
    on: bool,
}

impl trail::Acks for SinkAcks<'_> {
    fn ack(&mut self, id: &str, sequence: u64) {
        if self.on {
            let _ = writeln!(self.buf, "{id} {sequence}");
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.bytes(&self.buf);
            self.buf.clear();
        }
    }
}

pub async fn ingest(ctx: &Context, a: Ingest, sink: &dyn Sink) -> Result<Reply> {
    let recorder = ctx.recorder()?;
    let Some(pipeline) = recorder.pipeline() else {
        return Err(Error::unavailable(
            "the audit trail cannot be opened, so nothing can be ingested",
            None,
        ));
    };
    let (source, shown): (Box<dyn std::io::BufRead + Send>, String) = match &a.source {
        IngestSource::Stdin => (
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())),
            "-".into(),
        ),
        IngestSource::File(f) => {
            let path = f.resolved();
            let shown = f.path.display().to_string();
            let file = std::fs::File::open(&path).map_err(|e| Error::io(shown.clone(), e))?;
            (
                Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
                shown,
            )
        }
        IngestSource::Stream(input) => match input.take() {
            Some(reader) => (reader, input.name.clone()),
            None => return Err(Error::Internal("an ingest's input was taken twice".into())),
        },
    };
    let mut acks = SinkAcks {
        sink,
        buf: Vec::with_capacity(1 << 16),
        on: a.ack,
    };
    let report = trail::ingest(pipeline, source, &mut acks)?;
    trail::Acks::flush(&mut acks);
    let store = ctx.trail()?;
    let s = &ctx.settings;
    let purged = trail::purge(store.as_ref(), pipeline.keys(), s.audit.retention_days)?;
    if purged > 0 {
        sink.note(&format!(
            "{purged} event(s) older than {} days were purged (AUDIT_RETENTION_DAYS); a signed checkpoint anchors the rest",
            s.audit.retention_days
        ));
    }
    let error = rejected_lines(sink, &shown, &report.rejected, "events");
    sink.note(&format!(
        "{} stored, {} already stored, {} rejected",
        report.stored,
        report.duplicates,
        report.rejected.len()
    ));
    Ok(Reply {
        response: if a.ack {
            Response::Streamed
        } else {
            Response::Ingested(report)
        },
        error,
    })
}

pub fn query(ctx: &Context, a: &AuditFilter, sink: &dyn Sink) -> Result<Reply> {
    let keys = match a.match_hmac {
        Some(_) => Some(keys::load(&ctx.settings.paths.data_dir)?),
        None => None,
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
    let (events, more) = trail::newest(ctx.trail()?.as_ref(), &q, a.limit)?;
    if more {
        sink.note(&format!(
            "the newest {} matching events; older ones match too (--limit, or --until to page back)",
            a.limit
        ));
    }
    Ok(Response::Events(events).into())
}

pub async fn tail(
    ctx: &Context,
    lines: usize,
    follow: bool,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    let store = ctx.trail()?;
    let (mut events, _) = trail::newest(store.as_ref(), &AuditQuery::default(), lines)?;
    if !follow {
        return Ok(Response::Events(events).into());
    }
    let mut after = 0;
    let mut q = AuditQuery {
        limit: 1000,
        ..AuditQuery::default()
    };
    loop {
        for e in &events {
            if !sink.item(e, &trail::cells(e)) {
                return Ok(Response::Streamed.into());
            }
            after = e["sequence"].as_u64().unwrap_or(after);
        }
        // A full page means more are waiting: fetch them before sleeping.
        if events.len() < q.limit {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(Response::Streamed.into()),
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
            if sink.closed() {
                return Ok(Response::Streamed.into());
            }
        }
        q.after = Some(after);
        events = trail::query(store.as_ref(), &q)?;
    }
}

pub fn export(
    ctx: &Context,
    format: ExportFormat,
    since: Option<String>,
    sink: &dyn Sink,
) -> Result<Reply> {
    let store = ctx.trail()?;
    let since = since.as_deref().map(|v| when(v, "--since")).transpose()?;
    let mut after = 0u64;
    if format == ExportFormat::Csv {
        sink.bytes(trail::CSV_HEADER.as_bytes());
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
            return Ok(Response::Streamed.into());
        }
        let mut buf = Vec::with_capacity(rows.len() * 600);
        for r in &rows {
            let v = trail::render(r);
            match format {
                ExportFormat::Jsonl => {
                    serde_json::to_writer(&mut buf, &v)
                        .map_err(|e| Error::Internal(e.to_string()))?;
                }
                ExportFormat::Csv => buf.extend_from_slice(trail::csv_row(&v).as_bytes()),
            }
            buf.push(b'\n');
            after = r.sequence;
        }
        if !sink.bytes(&buf) {
            return Ok(Response::Streamed.into());
        }
    }
}

pub fn verify(ctx: &Context) -> Result<Reply> {
    // A daemon signs its tail when it goes idle; what it wrote just before is signed now,
    // so that a verification right after a command covers it, as it does in-process.
    ctx.recorder()?.seal()?;
    let keys = keys::load(&ctx.settings.paths.data_dir)?;
    let report = trail::verify(ctx.trail()?.as_ref(), &keys)?;
    let error = (!report.ok).then(|| {
        Error::failed(
            format!(
                "audit verification failed at sequence {}: {}",
                report.first_bad_sequence.unwrap_or(0),
                report.message
            ),
            Some("the trail was changed outside pc-hybrid; restore it from a backup or a sink"),
        )
    });
    Ok(Reply {
        response: Response::Verified(report),
        error,
    })
}
