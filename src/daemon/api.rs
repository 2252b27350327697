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

/// One line of an operation's response stream (`application/x-ndjson`): the `frame` tag
/// first, then the variant's fields.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum Frame {
    Note(Message),
    Warn(Message),
    Step(StepFrame),
    StepsDone(Title),
    Item(ItemFrame),
    /// Raw stream bytes, base64.
    Bytes(BytesFrame),
    /// The last frame: the operation's data, and its failure to report after printing it.
    Reply(ReplyFrame),
    /// The last frame of an operation that failed without data.
    Failed(FailedFrame),
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Message {
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Title {
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepFrame {
    pub title: String,
    pub step: Step,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemFrame {
    pub item: Value,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BytesFrame {
    pub data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReplyFrame {
    pub response: Response,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FailedFrame {
    pub problem: Problem,
}

/// Serde's derived reader of an internally tagged enum copies the whole object into a
/// buffer before it looks at the tag, and a reply listing the registry is tens of
/// kilobytes; the daemon writes the tag first, so the fields are read straight into their
/// variant.
impl<'de> Deserialize<'de> for Frame {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, value::MapAccessDeserializer, MapAccess};

        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Tag {
            Note,
            Warn,
            Step,
            StepsDone,
            Item,
            Bytes,
            Reply,
            Failed,
        }

        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Frame;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object whose first field is its `frame` tag")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frame, A::Error> {
                let key: std::borrow::Cow<str> = map
                    .next_key()?
                    .ok_or_else(|| de::Error::missing_field("frame"))?;
                if key != "frame" {
                    return Err(de::Error::custom(format!(
                        "the first field of a frame is `frame`, not `{key}`"
                    )));
                }
                let tag: Tag = map.next_value()?;
                let rest = MapAccessDeserializer::new(map);
                Ok(match tag {
                    Tag::Note => Frame::Note(Deserialize::deserialize(rest)?),
                    Tag::Warn => Frame::Warn(Deserialize::deserialize(rest)?),
                    Tag::Step => Frame::Step(Deserialize::deserialize(rest)?),
                    Tag::StepsDone => Frame::StepsDone(Deserialize::deserialize(rest)?),
                    Tag::Item => Frame::Item(Deserialize::deserialize(rest)?),
                    Tag::Bytes => Frame::Bytes(Deserialize::deserialize(rest)?),
                    Tag::Reply => Frame::Reply(Deserialize::deserialize(rest)?),
                    Tag::Failed => Frame::Failed(Deserialize::deserialize(rest)?),
                })
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// What kind of failure a problem is: the CLI's error variants, so that the same message,
/// hint and exit code come out of either path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Invalid,
    Usage,
    NotFound,
    Failed,
    Unavailable,
    Permission,
    Unauthenticated,
    Store,
    Internal,
}

/// An error as `application/problem+json` (RFC 9457), with the CLI's message, hint, field
/// pointers and exit code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
            Error::NotFound { .. } => (ProblemKind::NotFound, 404, "not found"),
            // The request was sound and the operation ran, but did not succeed (a deploy
            // whose replica crashed, a validation with findings): not the daemon's fault.
            Error::Failed { .. } => (ProblemKind::Failed, 422, "operation failed"),
            Error::Io { .. } => (ProblemKind::Failed, 500, "operation failed"),
            Error::Unavailable { .. } => (ProblemKind::Unavailable, 503, "service unavailable"),
            Error::Permission { .. } => (ProblemKind::Permission, 403, "forbidden"),
            Error::Unauthenticated { .. } => (ProblemKind::Unauthenticated, 401, "unauthorized"),
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
                | Error::NotFound { hint, .. }
                | Error::Failed { hint, .. }
                | Error::Unavailable { hint, .. }
                | Error::Permission { hint, .. }
                | Error::Unauthenticated { hint, .. } => hint.clone(),
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
            ProblemKind::NotFound => Error::NotFound {
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
            ProblemKind::Unauthenticated => Error::Unauthenticated {
                message: self.detail,
                hint: self.hint,
            },
            ProblemKind::Store => Error::Store(self.detail),
            ProblemKind::Internal => Error::Internal(self.detail),
        }
    }
}

/// The header naming the daemon-held session a request on the socket is made in.
pub const SESSION_HEADER: &str = "pc-hybrid-session";

/// `POST /auth/sessions` (socket only): a session whose tokens the daemon is to hold.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct NewSession(pub crate::auth::session::Session);

/// The handle of a session the daemon now holds.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionKept {
    pub session_id: String,
}

/// `POST /api/v4/operations`: one operation, run as the CLI would run it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationCall {
    pub request: crate::ops::Request,
}

/// `GET /api/v4/version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Version {
    pub version: String,
    pub protocol: u32,
}

/// `GET /api/v4/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Health {
    pub status: String,
}

/// `GET /api/v4/daemon/status`: what `pc-hybrid daemon status` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CreationAccepted {
    pub status: String,
    pub data: CreationAcceptedData,
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CreationAcceptedData {
    pub creation_id: String,
    pub estimated_duration_minutes: f64,
    pub agent_name: String,
    pub repository_url: String,
    pub progress_endpoint: String,
}

/// `POST /api/v4/admin/mcp/register`: where the registration got (201), or as the
/// `report` of the problem when it did not pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Registered {
    pub name: Option<String>,
    pub version: Option<String>,
    pub format: Option<String>,
    pub phase: String,
    pub conditions: Value,
    pub findings: Value,
}

/// What a route of the API does; the server answers it and the OpenAPI document describes
/// it, each by one exhaustive match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Health,
    Version,
    OpenApi,
    DaemonStatus,
    DaemonStop,
    Operations,
    Agents,
    CreateAgent,
    CreationStatus,
    Deploy,
    Undeploy,
    Servers,
    Register,
    AuditEvents,
    AuditIngest,
    WhoAmI,
    Sessions,
    Insights,
}

/// One route: a method and a path under `PREFIX`, `{name}` segments taking one non-empty
/// path segment each.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub endpoint: Endpoint,
    pub summary: &'static str,
}

/// Every route of the API.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/health", endpoint: Endpoint::Health, summary: "Whether the daemon answers" },
    Route { method: "GET", path: "/version", endpoint: Endpoint::Version, summary: "The daemon's build and protocol versions" },
    Route { method: "GET", path: "/openapi.json", endpoint: Endpoint::OpenApi, summary: "This document" },
    Route { method: "GET", path: "/daemon/status", endpoint: Endpoint::DaemonStatus, summary: "What `pc-hybrid daemon status` shows" },
    Route { method: "POST", path: "/daemon/stop", endpoint: Endpoint::DaemonStop, summary: "Stop gracefully: running operations finish, the audit trail's tail is signed" },
    Route { method: "POST", path: "/operations", endpoint: Endpoint::Operations, summary: "Run one operation as the CLI runs it; its frames stream back as NDJSON" },
    Route { method: "GET", path: "/agents", endpoint: Endpoint::Agents, summary: "The agents and their deployments (`list-agents`)" },
    Route { method: "POST", path: "/admin/agents/create", endpoint: Endpoint::CreateAgent, summary: "Start creating an agent from the reference design's request (section 2.1)" },
    Route { method: "GET", path: "/admin/agents/creation/{creation_id}/status", endpoint: Endpoint::CreationStatus, summary: "A creation and its steps" },
    Route { method: "POST", path: "/agents/{name}/deploy", endpoint: Endpoint::Deploy, summary: "Deploy an agent (`deploy-agent`)" },
    Route { method: "DELETE", path: "/agents/{name}/deployment", endpoint: Endpoint::Undeploy, summary: "Remove an agent's deployments (`deploy-agent --remove`)" },
    Route { method: "GET", path: "/mcp/servers", endpoint: Endpoint::Servers, summary: "The registered MCP servers (`mcp list`)" },
    Route { method: "POST", path: "/admin/mcp/register", endpoint: Endpoint::Register, summary: "Register an MCP server: a registration (section 2.3), a manifest or a server.json" },
    Route { method: "GET", path: "/analytics/insights", endpoint: Endpoint::Insights, summary: "Insights of a period: summary, trends, agent performance, recommendations (section 2.2)" },
    Route { method: "GET", path: "/audit/events", endpoint: Endpoint::AuditEvents, summary: "Audit events matching the filters (`audit query`)" },
    Route { method: "GET", path: "/auth/whoami", endpoint: Endpoint::WhoAmI, summary: "Who the request's credential says the caller is, and what its roles allow (`whoami`)" },
    Route { method: "POST", path: "/auth/sessions", endpoint: Endpoint::Sessions, summary: "Hold a new login's session (socket only; `token_storage: daemon`)" },
    Route { method: "POST", path: "/audit/events", endpoint: Endpoint::AuditIngest, summary: "Ingest events, one JSON object per line, as they arrive (`audit ingest`); acknowledgements stream back" },
];

/// The query parameters of `POST /audit/events`: name, JSON type, meaning.
#[rustfmt::skip]
pub const AUDIT_INGEST: &[(&str, &str, &str)] = &[
    ("ack", "boolean", "Stream `<event_id> <sequence>` of each event once it is durable"),
    ("source", "string", "How messages name the input (default `-`)"),
];

/// The query parameters of `GET /audit/events`: name, JSON type, meaning.
#[rustfmt::skip]
/// The query parameters of `GET /analytics/insights` (section 2.2), with their type and
/// meaning.
pub const INSIGHTS_QUERY: &[(&str, &str, &str)] = &[
    ("time_range", "string", "7d, 30d (default), 90d or 1y: whole UTC days, the last one today"),
    ("metrics", "string", "Comma-separated parts: usage, performance, costs, quality (default: all)"),
    ("granularity", "string", "hour (at most 31 days), day (default), week or month"),
    ("agent_filter", "string", "Comma-separated agents"),
    ("user_filter", "string", "Comma-separated users"),
    ("exact", "boolean", "Compute from the executions rather than the rollups (default false)"),
];

pub const AUDIT_QUERY: &[(&str, &str, &str)] = &[
    (
        "since",
        "string",
        "Events at or after this time (RFC 3339, a date, or an age such as 2h)",
    ),
    ("until", "string", "Events before this time"),
    ("user", "string", "Events of this user"),
    ("type", "string", "Events of this type"),
    ("severity", "string", "Events of this severity or above"),
    ("outcome", "string", "success or failure"),
    ("resource", "string", "Events about this resource"),
    ("agent", "string", "Events about this agent"),
    ("limit", "integer", "At most this many events (default 100)"),
];

/// Why no route answers a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    /// The path exists, with these methods.
    Method(Vec<&'static str>),
}

/// The route of `method` and `path` (under `PREFIX`), with the values of its `{}` segments.
pub fn route(method: &str, path: &str) -> std::result::Result<(Route, Vec<String>), Miss> {
    let mut allowed = Vec::new();
    for r in ROUTES {
        let Some(params) = matches(r.path, path) else {
            continue;
        };
        if r.method == method {
            return Ok((*r, params));
        }
        allowed.push(r.method);
    }
    if allowed.is_empty() {
        Err(Miss::NotFound)
    } else {
        Err(Miss::Method(allowed))
    }
}

fn matches(pattern: &str, path: &str) -> Option<Vec<String>> {
    let (mut p, mut s) = (pattern.split('/'), path.split('/'));
    let mut params = Vec::new();
    loop {
        match (p.next(), s.next()) {
            (None, None) => return Some(params),
            (Some(want), Some(got)) if want.starts_with('{') => {
                if got.is_empty() {
                    return None;
                }
                // Not percent-decoded: names are checked by the operation, and an encoded
                // one is refused there as the name it spells.
                params.push(got.to_owned());
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return None,
        }
    }
}
