//! The audit event of the reference design (section 2.4), typed: fields in alphabetical
//! order, so that serializing an event gives its canonical JSON (sorted keys, no spaces).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Authentication,
    Authorization,
    DataAccess,
    ConfigurationChange,
    Execution,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Security,
    Compliance,
    Operational,
    Performance,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Cli,
    Daemon,
    Agent,
    McpServer,
    ApiGateway,
    ZenMcp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    Failure,
    Partial,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub component: Component,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub operation: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_time_ms: Option<f64>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Data {
    #[serde(default)]
    pub compliance_flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_size_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_size_bytes: Option<u64>,
    #[serde(default)]
    pub sensitive_data_accessed: bool,
}

/// One audit event. `sensitive_fields` names the values (by dotted path) that are stored as
/// HMAC-SHA256 rather than in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub action: Action,
    #[serde(default)]
    pub context: Context,
    #[serde(default)]
    pub data: Data,
    pub event_category: Category,
    #[serde(default)]
    pub event_id: String,
    pub event_type: EventType,
    pub organization_id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    pub severity: Severity,
    pub source: Source,
    pub timestamp: String,
    pub user_id: String,
}

pub use crate::store::AuditRow as Record;

impl From<Event> for Record {
    fn from(e: Event) -> Record {
        Record {
            canonical: e.canonical(),
            event_id: e.event_id,
            timestamp: e.timestamp,
            user_id: e.user_id,
            event_type: e.event_type.as_str(),
            severity: e.severity.as_str(),
            status: e.outcome.status.as_str(),
            resource: e.action.resource,
            agent_id: e.context.agent_id,
        }
    }
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::Authentication,
        EventType::Authorization,
        EventType::DataAccess,
        EventType::ConfigurationChange,
        EventType::Execution,
        EventType::Error,
    ];

    /// The name events spell it with (its serde form), without serializing.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Authentication => "authentication",
            EventType::Authorization => "authorization",
            EventType::DataAccess => "data_access",
            EventType::ConfigurationChange => "configuration_change",
            EventType::Execution => "execution",
            EventType::Error => "error",
        }
    }
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
    ];

    /// The name events spell it with (its serde form), without serializing.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Success, Status::Failure, Status::Partial];

    /// The name events spell it with (its serde form), without serializing.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Partial => "partial",
        }
    }
}

/// Fields whose values may be marked sensitive.
pub const SENSITIVE_PATHS: &[&str] = &[
    "user_id",
    "session_id",
    "organization_id",
    "source.ip_address",
    "action.resource",
    "action.resource_id",
    "action.endpoint",
    "context.user_agent",
    "context.request_id",
    "context.correlation_id",
    "context.workflow_id",
    "context.agent_id",
    "outcome.error_message",
];

impl Event {
    /// The canonical JSON: what is hashed into the chain.
    pub fn canonical(&self) -> Vec<u8> {
        // Room for a typical event, so that the buffer is not regrown (and copied) as it fills.
        let mut out = Vec::with_capacity(640);
        serde_json::to_writer(&mut out, self).expect("an event always serializes");
        out
    }

    /// A mutable reference to a string field by dotted path.
    pub fn field_mut(&mut self, path: &str) -> Option<&mut String> {
        Some(match path {
            "user_id" => &mut self.user_id,
            "organization_id" => &mut self.organization_id,
            "session_id" => self.session_id.as_mut()?,
            "source.ip_address" => self.source.ip_address.as_mut()?,
            "action.resource" => &mut self.action.resource,
            "action.resource_id" => self.action.resource_id.as_mut()?,
            "action.endpoint" => self.action.endpoint.as_mut()?,
            "context.user_agent" => self.context.user_agent.as_mut()?,
            "context.request_id" => self.context.request_id.as_mut()?,
            "context.correlation_id" => self.context.correlation_id.as_mut()?,
            "context.workflow_id" => self.context.workflow_id.as_mut()?,
            "context.agent_id" => self.context.agent_id.as_mut()?,
            "outcome.error_message" => self.outcome.error_message.as_mut()?,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn names_are_the_serde_names() {
        use EventType::*;
        for t in [
            Authentication,
            Authorization,
            DataAccess,
            ConfigurationChange,
            Execution,
            Error,
        ] {
            assert_eq!(t.as_str(), serde_name(t));
        }
        for s in [
            Severity::Info,
            Severity::Warning,
            Severity::Error,
            Severity::Critical,
        ] {
            assert_eq!(s.as_str(), serde_name(s));
        }
        for s in [Status::Success, Status::Failure, Status::Partial] {
            assert_eq!(s.as_str(), serde_name(s));
        }
    }
}
