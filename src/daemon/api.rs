//! The daemon's wire types, shared by its server and its client: the protocol version,
//! the frames an operation streams, problem details (RFC 9457) and the status documents.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, FieldError};
use crate::ops::{Response, Step};

/// The version of this protocol, checked on every call in both directions. It changes
/// when a request, response or frame changes shape, not with every build.
pub const PROTOCOL_VERSION: u32 = 1;
/// The header that carries it.
pub const PROTOCOL_HEADER: &str = "pc-hybrid-protocol";
/// Where the API lives on the socket.
pub const PREFIX: &str = "/api/v4";

/// One line of an operation's response stream (`application/x-ndjson`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum Frame {
    Note {
        message: String,
    },
    Warn {
        message: String,
    },
    Step {
        title: String,
        step: Step,
    },
    StepsDone {
        title: String,
    },
    Item {
        item: Value,
        cells: Vec<String>,
    },
    /// Raw stream bytes, base64.
    Bytes {
        data: String,
    },
    /// The last frame: the operation's data, and its failure to report after printing it.
    Reply {
        response: Response,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<Problem>,
    },
    /// The last frame of an operation that failed without data.
    Failed {
        problem: Problem,
    },
}

/// What kind of failure a problem is: the CLI's error variants, so that the same message,
/// hint and exit code come out of either path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Invalid,
    Usage,
    Failed,
    Unavailable,
    Permission,
    Store,
    Internal,
}

/// An error as `application/problem+json` (RFC 9457), with the CLI's message, hint, field
/// pointers and exit code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub kind: ProblemKind,
    pub exit_code: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// For invalid input: each field that is wrong, and where.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a registration that did not pass: its validation report (phase, conditions,
    /// findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Value>,
}

/// The `type` of a problem with this title.
fn type_uri(title: &str) -> String {
    format!(
        "https://promptcraft.io/problems/{}",
        title.replace(' ', "-")
    )
}

impl Problem {
    pub fn of(e: &Error) -> Problem {
        let (kind, status, title) = match e {
            Error::Invalid(_) => (ProblemKind::Invalid, 422, "invalid input"),
            Error::Usage { .. } => (ProblemKind::Usage, 400, "bad request"),
            Error::Failed { .. } | Error::Io { .. } => {
                (ProblemKind::Failed, 500, "operation failed")
            }
            Error::Unavailable { .. } => (ProblemKind::Unavailable, 503, "service unavailable"),
            Error::Permission { .. } => (ProblemKind::Permission, 403, "forbidden"),
            Error::Store(_) => (ProblemKind::Store, 500, "store error"),
            Error::Internal(_) => (ProblemKind::Internal, 500, "internal error"),
        };
        let detail = match e {
            Error::Store(m) | Error::Internal(m) => m.clone(),
            Error::Invalid(_) => "invalid input".into(),
            other => other.to_string(),
        };
        Problem {
            type_uri: type_uri(title),
            title: title.into(),
            status,
            detail,
            kind,
            exit_code: e.exit_code(),
            hint: match e {
                Error::Usage { hint, .. }
                | Error::Failed { hint, .. }
                | Error::Unavailable { hint, .. }
                | Error::Permission { hint, .. } => hint.clone(),
                _ => None,
            },
            errors: match e {
                Error::Invalid(errs) => errs.clone(),
                _ => Vec::new(),
            },
            report: None,
        }
    }

    /// A problem of the HTTP layer itself (no such path, a body too large).
    pub fn http(status: u16, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: type_uri(title),
            title: title.into(),
            status,
            detail: detail.into(),
            kind: if status >= 500 {
                ProblemKind::Internal
            } else {
                ProblemKind::Usage
            },
            exit_code: if status >= 500 {
                crate::error::exit::INTERNAL
            } else {
                crate::error::exit::INVALID
            },
            hint: None,
            errors: Vec::new(),
            report: None,
        }
    }

    /// The error this problem describes, as the CLI reports it.
    pub fn into_error(self) -> Error {
        match self.kind {
            ProblemKind::Invalid => Error::Invalid(self.errors),
            ProblemKind::Usage => Error::Usage {
                message: self.detail,
                hint: self.hint,
            },
            ProblemKind::Failed => Error::Failed {
                message: self.detail,
                hint: self.hint,
            },
            ProblemKind::Unavailable => Error::Unavailable {
                message: self.detail,
                hint: self.hint,
            },
            ProblemKind::Permission => Error::Permission {
                message: self.detail,
                hint: self.hint,
            },
            ProblemKind::Store => Error::Store(self.detail),
            ProblemKind::Internal => Error::Internal(self.detail),
        }
    }
}

/// `POST /api/v4/operations`: one operation, run as the CLI would run it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationCall {
    pub request: crate::ops::Request,
}

/// `GET /api/v4/version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    pub protocol: u32,
}

/// `GET /api/v4/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

/// `GET /api/v4/daemon/status`: what `pc-hybrid daemon status` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub pid: u32,
    pub version: String,
    pub protocol: u32,
    pub uptime_seconds: f64,
    pub socket: PathBuf,
    pub store: String,
    pub audit_store: String,
    /// Events waiting to be written by the audit pipeline.
    pub audit_queue_depth: u64,
    /// Events this daemon's pipeline made durable.
    pub audit_events_written: u64,
    pub requests_served: u64,
    pub requests_running: u64,
}

/// `POST /api/v4/admin/agents/create`: the reference design's 202 answer (section 2.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreationAccepted {
    pub status: String,
    pub data: CreationAcceptedData,
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreationAcceptedData {
    pub creation_id: String,
    pub estimated_duration_minutes: f64,
    pub agent_name: String,
    pub repository_url: String,
    pub progress_endpoint: String,
}

/// `POST /api/v4/admin/mcp/register`: where the registration got (201), or as the
/// `report` of the problem when it did not pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registered {
    pub name: Option<String>,
    pub version: Option<String>,
    pub format: Option<String>,
    pub phase: String,
    pub conditions: Value,
    pub findings: Value,
}
