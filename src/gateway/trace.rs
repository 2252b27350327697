//! Each call through the gateway as an OpenTelemetry span with the MCP semantic conventions
//! (`mcp.method.name`, `gen_ai.tool.name`, `mcp.session.id`), exported in batches as
//! OTLP/HTTP JSON to `<endpoint>/v1/traces`. The W3C `traceparent` a client puts in the
//! request's `_meta` is continued, and handed on to the upstream.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

/// Where spans go.
#[derive(Debug, Clone)]
pub struct OtlpOptions {
    /// The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `/v1/traces`.
    pub endpoint: String,
    /// Headers for the collector (`OTEL_EXPORTER_OTLP_HEADERS`), never logged.
    pub headers: Vec<(String, crate::secret::Secret)>,
    pub service: String,
}

/// One finished call.
#[derive(Debug, Clone)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    /// `tools/call`, `resources/read`, `prompts/get`.
    pub method: String,
    /// The tool, prompt or resource, as the client named it.
    pub target: String,
    pub server: String,
    pub session: Option<String>,
    pub start: SystemTime,
    pub duration: Duration,
    /// The JSON-RPC error code when it failed.
    pub error: Option<(i64, String)>,
    pub status_code: i64,
}

/// Ids of a new span: the trace of `traceparent` when one was given (`00-<32 hex>-<16
/// hex>-<2 hex>`), else a new trace.
pub fn ids(traceparent: Option<&str>) -> (String, String, Option<String>) {
    let span = hex(8);
    if let Some(tp) = traceparent {
        let parts: Vec<&str> = tp.trim().split('-').collect();
        let ok = parts.len() == 4
            && parts[0].len() == 2
            && parts[1].len() == 32
            && parts[2].len() == 16
            && parts[1..3]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
            && parts[1].bytes().any(|b| b != b'0');
        if ok {
            return (
                parts[1].to_ascii_lowercase(),
                span,
                Some(parts[2].to_ascii_lowercase()),
            );
        }
    }
    (hex(16), span, None)
}

/// The `traceparent` that makes an upstream's spans children of this one.
pub fn traceparent(trace_id: &str, span_id: &str) -> String {
    format!("00-{trace_id}-{span_id}-01")
}

fn hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    let _ = getrandom::getrandom(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn nanos(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
        .to_string()
}

fn attr(key: &str, v: &str) -> Value {
    json!({"key": key, "value": {"stringValue": v}})
}

/// The OTLP/JSON body of `spans`.
pub fn body(spans: &[Span], service: &str) -> Value {
    let spans: Vec<Value> = spans
        .iter()
        .map(|s| {
            let mut attributes = vec![
                attr("mcp.method.name", &s.method),
                attr("mcp.server.name", &s.server),
                json!({"key": "http.response.status_code", "value": {"intValue": s.status_code.to_string()}}),
            ];
            match s.method.as_str() {
                "tools/call" => {
                    attributes.push(attr("gen_ai.tool.name", &s.target));
                    attributes.push(attr("gen_ai.operation.name", "execute_tool"));
                }
                "prompts/get" => attributes.push(attr("gen_ai.prompt.name", &s.target)),
                _ => attributes.push(attr("mcp.resource.uri", &s.target)),
            }
            if let Some(id) = &s.session {
                attributes.push(attr("mcp.session.id", id));
            }
            if let Some((code, _)) = &s.error {
                attributes.push(attr("error.type", &code.to_string()));
                attributes.push(json!({"key": "rpc.jsonrpc.error_code", "value": {"intValue": code.to_string()}}));
            }
            let mut span = json!({
                "traceId": s.trace_id,
                "spanId": s.span_id,
                "name": format!("{} {}", s.method, s.target),
                // SERVER: the gateway answers a client's request.
                "kind": 2,
                "startTimeUnixNano": nanos(s.start),
                "endTimeUnixNano": nanos(s.start + s.duration),
                "attributes": attributes,
                "status": match &s.error {
                    Some((_, m)) => json!({"code": 2, "message": m}),
                    None => json!({"code": 1}),
                },
            });
            if let Some(p) = &s.parent_span_id {
                span["parentSpanId"] = json!(p);
            }
            span
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [attr("service.name", service)]},
        "scopeSpans": [{
            "scope": {"name": "pc-hybrid.gateway", "version": env!("CARGO_PKG_VERSION")},
            "spans": spans,
        }],
    }]})
}

enum Job {
    Span(Box<Span>),
    Flush(oneshot::Sender<()>),
}

/// Sends spans in batches (every second, or 512 at once); a collector that does not answer
/// loses them with a warning, never slows a call.
#[derive(Clone)]
pub struct Exporter {
    tx: mpsc::UnboundedSender<Job>,
}

const BATCH: usize = 512;

impl Exporter {
    pub fn start(http: reqwest::Client, o: OtlpOptions) -> Exporter {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let url = format!("{}/v1/traces", o.endpoint.trim_end_matches('/'));
        tokio::spawn(async move {
            let mut spans: Vec<Span> = Vec::new();
            let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
            loop {
                let job = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await;
                let closed = matches!(job, Ok(None));
                let idle = job.is_err();
                match job {
                    Ok(Some(Job::Span(s))) => spans.push(*s),
                    Ok(Some(Job::Flush(w))) => waiting.push(w),
                    _ => {}
                }
                let due = closed || !waiting.is_empty() || spans.len() >= BATCH || idle;
                if due && !spans.is_empty() {
                    let mut req = http
                        .post(url.as_str())
                        .header("content-type", "application/json")
                        .timeout(Duration::from_secs(10))
                        .body(body(&spans, &o.service).to_string());
                    for (k, v) in &o.headers {
                        req = req.header(k.as_str(), v.expose());
                    }
                    match req.send().await {
                        Ok(r) if r.status().is_success() => {}
                        Ok(r) => log::warn!(
                            "the OpenTelemetry collector answered {} to {} span(s)",
                            r.status(),
                            spans.len()
                        ),
                        Err(e) => log::warn!(
                            "{} span(s) not exported: {}",
                            spans.len(),
                            crate::net::describe(&e)
                        ),
                    }
                    spans.clear();
                }
                if due {
                    for w in waiting.drain(..) {
                        let _ = w.send(());
                    }
                }
                if closed {
                    return;
                }
            }
        });
        Exporter { tx }
    }

    pub fn send(&self, span: Span) {
        let _ = self.tx.send(Job::Span(Box::new(span)));
    }

    /// Wait until the spans sent so far are exported (or given up on).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_is_continued_and_a_bad_one_ignored() {
        let (t, s, p) = ids(Some(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ));
        assert_eq!(t, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(p.as_deref(), Some("00f067aa0ba902b7"));
        assert_eq!(s.len(), 16);
        for bad in [
            "garbage",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
        ] {
            let (t, _, p) = ids(Some(bad));
            assert_eq!(t.len(), 32);
            assert!(p.is_none(), "{bad}");
        }
    }

    #[test]
    fn spans_carry_the_mcp_conventions() {
        let span = Span {
            trace_id: "a".repeat(32),
            span_id: "b".repeat(16),
            parent_span_id: None,
            method: "tools/call".into(),
            target: "tax__search".into(),
            server: "tax".into(),
            session: Some("s1".into()),
            start: UNIX_EPOCH + Duration::from_secs(1),
            duration: Duration::from_millis(5),
            error: Some((-32602, "bad".into())),
            status_code: 400,
        };
        let b = body(&[span], "pc-hybrid").to_string();
        for want in [
            "\"mcp.method.name\"",
            "\"gen_ai.tool.name\"",
            "\"mcp.session.id\"",
            "\"startTimeUnixNano\":\"1000000000\"",
            "\"endTimeUnixNano\":\"1005000000\"",
            "\"code\":2",
        ] {
            assert!(b.contains(want), "{want} in {b}");
        }
    }
}
