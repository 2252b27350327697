//! Sinks beside the store: a JSONL file with rotation, syslog (RFC 5424 over UDP, or TCP
//! with octet counting) and an HTTP webhook (batched JSON POST, for a SIEM). Each is fed from
//! the trail by its own cursor, at least once, with retries and backoff; every event carries
//! its `event_id` so that receivers can drop duplicates.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::trail::render;
use crate::error::Result;
use crate::store::{AuditQuery, AuditStore};

#[derive(Debug, Clone, PartialEq)]
pub enum Sink {
    Jsonl {
        path: PathBuf,
        max_bytes: u64,
        keep: u32,
    },
    Syslog {
        tcp: bool,
        addr: String,
    },
    Webhook {
        url: String,
    },
}

impl Sink {
    /// A stable name for the sink's cursor.
    pub fn name(&self) -> String {
        match self {
            Sink::Jsonl { path, .. } => format!("jsonl:{}", path.display()),
            Sink::Syslog { tcp, addr } => {
                format!("syslog+{}://{addr}", if *tcp { "tcp" } else { "udp" })
            }
            Sink::Webhook { url } => crate::secret::redact_url(url),
        }
    }
}

/// `jsonl:/path[?max_bytes=N&keep=K]`, `syslog+udp://host:port`, `syslog+tcp://host:port`,
/// `http(s)://...` (webhook).
pub fn parse(spec: &str) -> std::result::Result<Sink, String> {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("jsonl:") {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() {
            return Err("a jsonl sink needs a path: jsonl:/var/log/pc-hybrid/audit.jsonl".into());
        }
        let mut max_bytes = 64 << 20;
        let mut keep = 5;
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            match kv.split_once('=') {
                Some(("max_bytes", v)) => {
                    max_bytes = v
                        .parse()
                        .map_err(|_| format!("max_bytes `{v}` is not a number"))?
                }
                Some(("keep", v)) => {
                    keep = v
                        .parse()
                        .map_err(|_| format!("keep `{v}` is not a number"))?
                }
                _ => {
                    return Err(format!(
                        "unknown jsonl sink option `{kv}` (max_bytes, keep)"
                    ))
                }
            }
        }
        return Ok(Sink::Jsonl {
            path: PathBuf::from(path),
            max_bytes,
            keep,
        });
    }
    for (prefix, tcp) in [
        ("syslog+udp://", false),
        ("syslog+tcp://", true),
        ("syslog://", false),
    ] {
        if let Some(addr) = spec.strip_prefix(prefix) {
            if !addr.contains(':') {
                return Err(format!("syslog sink `{spec}` needs host:port"));
            }
            return Ok(Sink::Syslog {
                tcp,
                addr: addr.to_owned(),
            });
        }
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        crate::net::http_url(spec)?;
        return Ok(Sink::Webhook {
            url: spec.to_owned(),
        });
    }
    Err(format!("`{spec}` is not a sink: use jsonl:/path, syslog+udp://host:port, syslog+tcp://host:port or an https:// webhook"))
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Delivery {
    pub sink: String,
    pub delivered: u64,
    pub cursor: u64,
    pub error: Option<String>,
}

fn syslog_line(e: &Value) -> String {
    let sev = match e["severity"].as_str() {
        Some("critical") => 2,
        Some("error") => 3,
        Some("warning") => 4,
        _ => 6,
    };
    // Facility 13: log audit.
    let pri = 13 * 8 + sev;
    let host = e["source"]["host"]
        .as_str()
        .unwrap_or("-")
        .replace(' ', "_");
    let sd = format!(
        "[pchybrid@32473 event_id=\"{}\" sequence=\"{}\"]",
        e["event_id"].as_str().unwrap_or(""),
        e["sequence"]
    );
    format!(
        "<{pri}>1 {} {host} pc-hybrid - {} {sd} {}",
        e["timestamp"].as_str().unwrap_or("-"),
        e["event_type"].as_str().unwrap_or("-"),
        e
    )
}

async fn send(
    sink: &Sink,
    events: &[Value],
    http: &reqwest::Client,
) -> std::result::Result<(), String> {
    match sink {
        Sink::Jsonl {
            path,
            max_bytes,
            keep,
        } => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if size >= *max_bytes && *keep > 0 {
                for i in (1..*keep).rev() {
                    let _ = std::fs::rename(
                        format!("{}.{i}", path.display()),
                        format!("{}.{}", path.display(), i + 1),
                    );
                }
                std::fs::rename(path, format!("{}.1", path.display()))
                    .map_err(|e| e.to_string())?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let mut buf = Vec::new();
            for e in events {
                serde_json::to_writer(&mut buf, e).map_err(|e| e.to_string())?;
                buf.push(b'\n');
            }
            f.write_all(&buf).map_err(|e| e.to_string())?;
            f.sync_data().map_err(|e| e.to_string())
        }
        Sink::Syslog { tcp: false, addr } => {
            let sock = std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            for e in events {
                sock.send_to(syslog_line(e).as_bytes(), addr.as_str())
                    .map_err(|e| format!("{addr}: {e}"))?;
            }
            Ok(())
        }
        Sink::Syslog { tcp: true, addr } => {
            let mut s =
                std::net::TcpStream::connect(addr.as_str()).map_err(|e| format!("{addr}: {e}"))?;
            let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            for e in events {
                let line = syslog_line(e);
                // RFC 6587 octet counting: the length, a space, the message.
                write!(buf, "{} {line}", line.len()).map_err(|e| e.to_string())?;
            }
            s.write_all(&buf).map_err(|e| format!("{addr}: {e}"))?;
            s.flush().map_err(|e| e.to_string())
        }
        Sink::Webhook { url } => {
            let body = serde_json::to_vec(&serde_json::json!({ "events": events }))
                .map_err(|e| e.to_string())?;
            let r = http
                .post(url.as_str())
                .header("content-type", "application/json")
                .body(body)
                .timeout(Duration::from_secs(10))
                .send()
                .await
                .map_err(|e| crate::net::describe(&e))?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("the webhook answered {}", r.status()))
            }
        }
    }
}

/// Deliver what each sink has not had yet, in batches of up to `batch`, retrying with
/// exponential backoff until `budget` is spent. A sink that still fails keeps its cursor and
/// gets the events on the next delivery (at least once).
pub async fn deliver(
    store: &dyn AuditStore,
    sinks: &[Sink],
    batch: usize,
    budget: Duration,
) -> Result<Vec<Delivery>> {
    let http = crate::net::client()?;
    let deadline = Instant::now() + budget;
    let mut out = Vec::new();
    for sink in sinks {
        let name = sink.name();
        let mut cursor = store.audit_sink_cursor(&name)?;
        let mut delivered = 0;
        let mut error = None;
        'batches: loop {
            let rows = store.audit_query(&AuditQuery {
                after: Some(cursor),
                limit: batch,
                ..Default::default()
            })?;
            if rows.is_empty() {
                break;
            }
            let events: Vec<Value> = rows.iter().map(render).collect();
            let mut wait = Duration::from_millis(50);
            loop {
                match send(sink, &events, &http).await {
                    Ok(()) => break,
                    Err(e) if Instant::now() + wait < deadline => {
                        log::info!("audit sink {name}: {e}; retrying in {wait:?}");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(5));
                    }
                    Err(e) => {
                        error = Some(e);
                        break 'batches;
                    }
                }
            }
            cursor = rows.last().map(|r| r.sequence).unwrap_or(cursor);
            delivered += rows.len() as u64;
            store.set_audit_sink_cursor(&name, cursor)?;
        }
        out.push(Delivery {
            sink: name,
            delivered,
            cursor,
            error,
        });
    }
    Ok(out)
}
