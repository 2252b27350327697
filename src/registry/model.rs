//! The registry's one model of an MCP server, whichever of the three formats it came in, and
//! the validation report (findings, conditions, phase) every stage writes into.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::document::Document;
use crate::error::FieldError;

pub use crate::model::{Phase, SourceFormat};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    Stdio,
    StreamableHttp,
    Sse,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::StreamableHttp => "streamable-http",
            Transport::Sse => "sse",
        }
    }
}

/// A value a server.json leaves to whoever runs the server: an argument, an environment
/// variable, a header or a URL variable (the official schema's `Input`).
#[derive(Debug, Clone, PartialEq, Serialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_secret: bool,
    /// string | number | boolean | filepath
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// What `{name}` in `value` stands for.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Input>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArgumentKind {
    Positional,
    Named,
}

/// A command-line argument of a package or of its runtime.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    #[serde(rename = "type")]
    pub kind: ArgumentKind,
    /// The flag of a named argument, dashes included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The label of a positional argument (not part of the command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_hint: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_repeated: bool,
    #[serde(flatten)]
    pub input: Input,
}

impl Argument {
    /// The name a value for this argument is given under: a named argument's flag without
    /// its dashes (`--mode` -> `mode`), a positional argument's `valueHint`.
    pub fn label(&self) -> String {
        match self.kind {
            ArgumentKind::Named => self
                .name
                .as_deref()
                .unwrap_or("")
                .trim_start_matches('-')
                .to_owned(),
            ArgumentKind::Positional => self.value_hint.clone().unwrap_or_default(),
        }
    }
}

/// An environment variable or an HTTP header.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct KeyValue {
    pub name: String,
    #[serde(flatten)]
    pub input: Input,
}

/// A server.json package: how to fetch and start the server from a package registry.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// npm | pypi | oci | nuget | mcpb | ...
    pub registry_type: String,
    pub identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_hint: Option<String>,
    pub transport: Transport,
    /// The endpoint of an HTTP package transport, `{placeholders}` and all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_arguments: Vec<Argument>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub package_arguments: Vec<Argument>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<KeyValue>,
}

/// A server.json remote: a server someone else runs, at a URL.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Remote {
    #[serde(rename = "type")]
    pub transport: Transport,
    pub url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValue>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Input>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ResourceList {
    pub memory: Option<String>,
    pub cpu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default, schemars::JsonSchema)]
pub struct Resources {
    pub limits: Option<ResourceList>,
    pub requests: Option<ResourceList>,
    pub storage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Capability {
    pub name: String,
    pub description: Option<String>,
    /// The REST-style route of the reference design's capabilities; an MCP tool needs none
    /// (every tool is called through `tools/call` on the server's one endpoint).
    pub endpoint: Option<String>,
    pub method: Option<String>,
    pub input_schema: serde_json::Value,
    pub output_schema: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HealthCheck {
    pub path: String,
    pub interval_seconds: u32,
    pub timeout_seconds: u32,
}

/// Settings that would weaken a sandbox; any of them set is a policy violation.
#[derive(Debug, Clone, PartialEq, Serialize, Default, schemars::JsonSchema)]
pub struct Privileges {
    pub privileged: bool,
    pub allow_privilege_escalation: bool,
    pub run_as_root: bool,
    pub add_capabilities: Vec<String>,
    pub host_network: bool,
    pub host_pid: bool,
    /// Docker flags of a server.json package's `runtimeArguments` that grant privileges.
    pub runtime_flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Security {
    /// strict | standard | permissive
    pub sandbox_level: String,
    /// none | internal | external
    pub network_access: String,
    pub allowed_endpoints: Vec<String>,
    /// public | internal | confidential | restricted
    pub data_classification: String,
    pub compliance_requirements: Vec<String>,
    pub privileges: Privileges,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Deployment {
    /// development | staging | production
    pub environment: String,
    pub replicas: u32,
    pub startup_timeout_seconds: u32,
}

/// An MCP server as the registry understands it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Server {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub organization: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub transport: Transport,
    pub image: Option<String>,
    pub port: Option<u16>,
    /// A server run locally; `{port}` in an argument is replaced by a free loopback port.
    pub command: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub url: Option<String>,
    /// Path of the MCP endpoint of a streamable-http server started from a command or image.
    pub mcp_path: String,
    pub resources: Resources,
    pub capabilities: Vec<Capability>,
    pub health_check: Option<HealthCheck>,
    pub security: Security,
    pub deployment: Deployment,
    /// What a server.json says about fetching and starting the server, in full.
    pub packages: Vec<Package>,
    pub remotes: Vec<Remote>,
    /// The package the `command` or `image` was made from.
    #[serde(skip)]
    pub launch_package: Option<usize>,
    /// Why this server cannot be started here (a NuGet package, an MCPB bundle, a server
    /// embedded in an application); it is still stored and listed.
    pub not_launchable: Option<String>,
    /// The server.json schema version the document was checked against.
    pub schema_version: Option<String>,
    pub format: SourceFormat,
    /// Where each semantic field was written in the source, as a JSON pointer
    /// (`security.sandbox_level` -> `/security_config/sandbox_level`).
    #[serde(skip)]
    pub pointers: HashMap<&'static str, String>,
}

impl Server {
    /// The JSON pointer in the source document of a semantic field, or of its nearest
    /// written parent.
    pub fn pointer(&self, field: &str) -> String {
        let mut f = field;
        loop {
            if let Some(p) = self.pointers.get(f) {
                return p.clone();
            }
            match f.rfind('.') {
                Some(i) => f = &f[..i],
                None => return String::new(),
            }
        }
    }

    pub fn limits(&self) -> Option<&ResourceList> {
        self.resources.limits.as_ref()
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    serde::Deserialize,
    PartialOrd,
    Ord,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Schema,
    Policy,
    Contract,
    Live,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Schema => "schema",
            Stage::Policy => "policy",
            Stage::Contract => "contract",
            Stage::Live => "live",
        }
    }

    /// The condition type each stage sets.
    pub fn condition(self) -> &'static str {
        match self {
            Stage::Schema => "SchemaValid",
            Stage::Policy => "PolicyCompliant",
            Stage::Contract => "ContractValid",
            Stage::Live => "LiveVerified",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found by a stage, pointing at where it is.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub stage: Stage,
    pub severity: Severity,
    /// The rule that fired: `schema/required`, `policy/strict-network`, `live/missing-tool`.
    pub rule: String,
    /// JSON pointer in the source document.
    pub pointer: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Finding {
    pub fn to_field_error(&self) -> FieldError {
        FieldError {
            field: if self.pointer.is_empty() {
                "/".into()
            } else {
                self.pointer.clone()
            },
            message: format!("[{}] {}", self.rule, self.message),
            file: self.file.clone(),
            line: self.line,
            column: self.column,
        }
    }
}

/// Collects findings for one document, locating each by its pointer.
pub struct Findings<'d> {
    pub doc: Option<&'d Document>,
    pub items: Vec<Finding>,
}

impl<'d> Findings<'d> {
    pub fn new(doc: Option<&'d Document>) -> Self {
        Findings {
            doc,
            items: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        stage: Stage,
        severity: Severity,
        rule: &str,
        pointer: &str,
        message: impl Into<String>,
    ) {
        let loc = self.doc.and_then(|d| d.location(pointer));
        self.items.push(Finding {
            stage,
            severity,
            rule: rule.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
            file: self.doc.and_then(|d| d.file.clone()),
            line: loc.map(|l| l.line),
            column: loc.map(|l| l.column),
        });
    }

    pub fn error(&mut self, stage: Stage, rule: &str, pointer: &str, message: impl Into<String>) {
        self.push(stage, Severity::Error, rule, pointer, message)
    }

    pub fn warn(&mut self, stage: Stage, rule: &str, pointer: &str, message: impl Into<String>) {
        self.push(stage, Severity::Warning, rule, pointer, message)
    }

    pub fn errors_in(&self, stage: Stage) -> usize {
        self.items
            .iter()
            .filter(|f| f.stage == stage && f.severity == Severity::Error)
            .count()
    }
}

/// A condition of the manifest status (reference design 2.3).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    /// True | False | Unknown
    pub status: String,
    pub reason: String,
    pub message: String,
    #[serde(rename = "lastTransitionTime")]
    pub last_transition_time: DateTime<Utc>,
}
