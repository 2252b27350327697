//! The audit trail: events in the reference design's schema, made safe (secrets dropped,
//! sensitive values as HMAC-SHA256), chained by SHA-256, checkpointed with Ed25519
//! signatures, stored, verified and queried.

pub mod event;
pub mod keys;
pub mod pipeline;
pub mod recorder;
pub mod sinks;
pub mod trail;

use std::sync::LazyLock;

use ed25519_dalek::{Signer, Verifier};
use hmac::{Hmac, Mac};
use regex::Regex;
use sha2::{Digest, Sha256};

pub use crate::store::Checkpoint;
pub use event::{Event, Record};

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];
/// A line of `audit ingest` may not be longer than this.
pub const MAX_LINE: usize = 1 << 20;
/// A checkpoint is signed after this many events (and when a writer stops).
pub const CHECKPOINT_EVERY: u64 = 10_000;

/// `hash = SHA-256(previous hash || canonical JSON of the event)`.
pub fn link(prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical);
    h.finalize().into()
}

/// An event as stored: its place in the chain and its canonical JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Chained {
    pub sequence: u64,
    pub event: Event,
    pub canonical: Vec<u8>,
    pub hash: [u8; 32],
}

pub fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

fn checkpoint_message(c: &Checkpoint) -> Vec<u8> {
    let what = if c.anchors_purge {
        "purge anchor"
    } else {
        "checkpoint"
    };
    format!(
        "pc-hybrid audit {what}\n{}\n{}\n{}",
        c.sequence,
        hex(&c.hash),
        c.at.to_rfc3339()
    )
    .into_bytes()
}

pub fn sign_checkpoint(
    key: &ed25519_dalek::SigningKey,
    sequence: u64,
    hash: [u8; 32],
) -> Checkpoint {
    sign(key, sequence, hash, false)
}

/// The checkpoint a retention purge leaves at the last event it removes: it vouches that the
/// events before the chain's new start were removed on purpose.
pub fn sign_purge_anchor(
    key: &ed25519_dalek::SigningKey,
    sequence: u64,
    hash: [u8; 32],
) -> Checkpoint {
    sign(key, sequence, hash, true)
}

fn sign(
    key: &ed25519_dalek::SigningKey,
    sequence: u64,
    hash: [u8; 32],
    anchors_purge: bool,
) -> Checkpoint {
    // Whole seconds: the time must read back from any store exactly as it was signed.
    let at = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let mut c = Checkpoint {
        sequence,
        anchors_purge,
        hash,
        at,
        signature: Vec::new(),
        public_key: key.verifying_key().to_bytes().to_vec(),
    };
    c.signature = key.sign(&checkpoint_message(&c)).to_bytes().to_vec();
    c
}

/// Whether `c` is signed by `key`.
pub fn checkpoint_valid(c: &Checkpoint, key: &ed25519_dalek::VerifyingKey) -> bool {
    let Ok(sig) = ed25519_dalek::Signature::from_slice(&c.signature) else {
        return false;
    };
    key.verify(&checkpoint_message(c), &sig).is_ok()
}

/// HMAC-SHA256 of a sensitive value, as stored and as `--match-hmac` looks it up.
pub fn hmac_value(key: &[u8], value: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(value.as_bytes());
    format!("hmac-sha256:{}", hex(&m.finalize().into_bytes()))
}

static SECRET_TEXT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}",
        r#"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)\s*[=:]\s*[^\s&,;"']+"#,
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
        r"\b(gh[pousr]_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b",
    ]
    .into_iter()
    .map(|p| Regex::new(p).expect("static regex"))
    .collect()
});

/// Text with credentials removed: tokens, passwords and keys never reach the trail.
pub fn scrub(text: &str) -> String {
    let mut out = crate::secret::redact_url_in_text(text);
    for re in SECRET_TEXT.iter() {
        // Most text holds no secret: copy only when something is replaced.
        if let std::borrow::Cow::Owned(replaced) = re.replace_all(&out, "[redacted]") {
            out = replaced;
        }
    }
    out
}

/// Why an event cannot be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// JSON pointer or dotted path of the offending value.
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// Check an event and make it safe to store: an id and a valid time, sizes bounded, secrets
/// scrubbed from free text, sensitive values replaced by their HMAC.
pub fn prepare(mut e: Event, hmac_key: &[u8]) -> Result<Event, Problem> {
    if e.event_id.is_empty() {
        e.event_id = uuid::Uuid::now_v7().to_string();
    } else if uuid::Uuid::parse_str(&e.event_id).is_err() {
        return Err(problem(
            "/event_id",
            format!("`{}` is not a UUID", e.event_id.escape_debug()),
        ));
    }
    match chrono::DateTime::parse_from_rfc3339(&e.timestamp) {
        Ok(t) => {
            e.timestamp = t
                .with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        }
        Err(_) => {
            return Err(problem(
                "/timestamp",
                format!(
                    "`{}` is not an ISO 8601 timestamp",
                    e.timestamp.escape_debug()
                ),
            ))
        }
    }
    for (field, value) in [
        ("/user_id", &e.user_id),
        ("/organization_id", &e.organization_id),
        ("/action/operation", &e.action.operation),
        ("/action/resource", &e.action.resource),
        ("/source/host", &e.source.host),
        ("/source/version", &e.source.version),
    ] {
        if value.trim().is_empty() {
            return Err(problem(field, "must not be empty"));
        }
    }
    let too_long = |s: &str| s.len() > 4096;
    if [
        &e.user_id,
        &e.organization_id,
        &e.action.operation,
        &e.action.resource,
    ]
    .iter()
    .any(|s| too_long(s))
        || e.outcome.error_message.as_deref().is_some_and(too_long)
    {
        return Err(problem("/", "a text field is longer than 4096 bytes"));
    }
    if e.data.compliance_flags.len() > 32 {
        return Err(problem("/data/compliance_flags", "more than 32 flags"));
    }
    if let Some(m) = e.outcome.error_message.as_mut() {
        *m = scrub(m);
    }
    if let Some(a) = e.context.user_agent.as_mut() {
        *a = scrub(a);
    }
    e.action.resource = scrub(&e.action.resource);
    if let Some(ep) = e.action.endpoint.as_mut() {
        *ep = scrub(ep);
    }
    let paths = std::mem::take(&mut e.sensitive_fields);
    for p in &paths {
        if !event::SENSITIVE_PATHS.contains(&p.as_str()) {
            return Err(problem(
                "/sensitive_fields",
                format!(
                    "`{}` cannot be marked sensitive; one of: {}",
                    p.escape_debug(),
                    event::SENSITIVE_PATHS.join(", ")
                ),
            ));
        }
        if let Some(v) = e.field_mut(p) {
            if !v.starts_with("hmac-sha256:") {
                *v = hmac_value(hmac_key, v);
            }
        }
    }
    let mut paths = paths;
    paths.sort();
    paths.dedup();
    e.sensitive_fields = paths;
    Ok(e)
}

/// Parse one line of JSONL into an event; the problem names the field.
pub fn parse_line(line: &[u8]) -> Result<Event, Problem> {
    if line.len() > MAX_LINE {
        return Err(problem(
            "/",
            format!(
                "the line is {} bytes, more than the limit of {MAX_LINE}",
                line.len()
            ),
        ));
    }
    let text = std::str::from_utf8(line)
        .map_err(|e| problem("/", format!("not valid UTF-8 (byte {})", e.valid_up_to())))?;
    // Valid lines take the plain parser; only a bad one is parsed again to name its field.
    if let Ok(e) = serde_json::from_str::<Event>(text) {
        return Ok(e);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Event>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let pointer = if path == "." {
            "/".to_string()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        problem(&pointer, e.inner().to_string())
    })
}

/// An event made by this tool for one of its own actions.
pub struct Action {
    pub event_type: event::EventType,
    pub category: event::Category,
    pub severity: event::Severity,
    pub operation: String,
    pub resource: String,
    pub resource_id: Option<String>,
    pub status: event::Status,
    pub error: Option<String>,
    pub response_time_ms: f64,
    pub agent_id: Option<String>,
    /// Sensitivity and compliance flags, when data classification is on; sizes and cost of
    /// a tool call.
    pub data: event::Data,
    /// The protocol method of a call through the gateway (`tools/call`).
    pub method: Option<String>,
    /// How a call ended, HTTP-like (200, 403, 504...).
    pub status_code: Option<i64>,
}

pub fn own_event(
    a: Action,
    caller: &crate::auth::Caller,
    organization: &str,
    host: &str,
    component: event::Component,
) -> Event {
    Event {
        action: event::Action {
            endpoint: None,
            method: a.method,
            operation: a.operation,
            resource: a.resource,
            resource_id: a.resource_id,
        },
        context: event::Context {
            agent_id: a.agent_id,
            correlation_id: Some(caller.correlation_id.clone()),
            request_id: Some(uuid::Uuid::now_v7().to_string()),
            user_agent: Some(format!("pc-hybrid/{}", env!("CARGO_PKG_VERSION"))),
            workflow_id: None,
        },
        data: a.data,
        event_category: a.category,
        event_id: uuid::Uuid::now_v7().to_string(),
        event_type: a.event_type,
        organization_id: organization.into(),
        outcome: event::Outcome {
            error_message: a.error,
            response_time_ms: Some(a.response_time_ms),
            status: a.status,
            status_code: a.status_code,
        },
        sensitive_fields: Vec::new(),
        session_id: caller.session_id.clone(),
        severity: a.severity,
        source: event::Source {
            component,
            host: host.into(),
            ip_address: caller.ip_address.clone(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        // The reference design's user id is the provider's subject when there is one.
        user_id: caller
            .identity
            .as_ref()
            .map(|i| i.subject.clone())
            .unwrap_or_else(|| caller.user.clone()),
    }
}

/// A valid execution event for unit tests, parsed from JSON as ingest parses it; tests
/// change on it what they vary.
#[cfg(test)]
pub(crate) fn sample_event(event_id: &str, timestamp: &str, user: &str) -> Event {
    let line = serde_json::json!({
        "event_id": event_id,
        "timestamp": timestamp,
        "user_id": user,
        "organization_id": "acme",
        "event_type": "execution",
        "event_category": "operational",
        "severity": "info",
        "source": {"component": "daemon", "version": "1", "host": "h"},
        "action": {"operation": "call", "resource": "tool"},
        "outcome": {"status": "success"}
    });
    parse_line(line.to_string().as_bytes()).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_secrets() {
        let s = scrub("auth failed: Bearer abcdefghijkl123 for postgresql://u:hunter2@db/x password=swordfish");
        assert!(
            !s.contains("abcdefghijkl123") && !s.contains("hunter2") && !s.contains("swordfish"),
            "{s}"
        );
    }

    #[test]
    fn chain_and_checkpoints() {
        let a = link(&GENESIS, b"{}");
        let b = link(&a, b"{}");
        assert_ne!(a, b);
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let c = sign_checkpoint(&key, 2, b);
        assert!(checkpoint_valid(&c, &key.verifying_key()));
        let mut forged = c.clone();
        forged.sequence = 3;
        assert!(!checkpoint_valid(&forged, &key.verifying_key()));
    }
}
