//! The MCPServer manifest as written out (`apiVersion: mcp.promptcraft.io/v1`, reference
//! design 2.3, with this registry's additions): by the factory, by `mcp export` and as the
//! stored form of every registry entry. Reading one is `formats`' job.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::formats::{MANIFEST_API_VERSION, MANIFEST_KIND};
use super::model::{Condition, Server, Transport};

pub const API_VERSION: &str = MANIFEST_API_VERSION;
pub const KIND: &str = MANIFEST_KIND;

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Manifest {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub spec: ServerSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default, schemars::JsonSchema)]
pub struct Metadata {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default, schemars::JsonSchema)]
pub struct ServerSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    pub capabilities: Vec<Capability>,
    #[serde(rename = "healthCheck", skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(
        rename = "startupTimeoutSeconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub startup_timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Resources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct ResourceList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Capability {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub parameters: serde_json::Value,
    pub response: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct HealthCheck {
    pub path: String,
    #[serde(rename = "intervalSeconds")]
    pub interval_seconds: u32,
    #[serde(rename = "timeoutSeconds")]
    pub timeout_seconds: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Security {
    #[serde(rename = "sandboxLevel")]
    pub sandbox_level: String,
    #[serde(rename = "networkAccess")]
    pub network_access: String,
    #[serde(rename = "allowedEndpoints", skip_serializing_if = "Vec::is_empty")]
    pub allowed_endpoints: Vec<String>,
    #[serde(rename = "dataClassification")]
    pub data_classification: String,
    #[serde(
        rename = "complianceRequirements",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub compliance_requirements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Status {
    pub phase: super::model::Phase,
    pub conditions: Vec<Condition>,
}

impl Manifest {
    /// The manifest of a validated server, with its status when given. Privileged settings
    /// never get this far (policy refuses them), so there is no securityContext to write.
    pub fn from_server(s: &Server, status: Option<Status>) -> Manifest {
        let list = |l: &super::model::ResourceList| ResourceList {
            memory: l.memory.clone(),
            cpu: l.cpu.clone(),
        };
        let r = &s.resources;
        let resources =
            (r.limits.is_some() || r.requests.is_some() || r.storage.is_some()).then(|| {
                Resources {
                    limits: r.limits.as_ref().map(list),
                    requests: r.requests.as_ref().map(list),
                    storage: r.storage.clone(),
                }
            });
        Manifest {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            metadata: Metadata {
                name: s.name.clone(),
                version: s.version.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                created_at: s.created_at,
                organization: s.organization.clone(),
                contact_email: s.contact_email.clone(),
            },
            spec: ServerSpec {
                image: s.image.clone(),
                port: s.port,
                transport: Some(s.transport.as_str().into()),
                command: s.command.clone(),
                env: s.env.clone(),
                url: s.url.clone(),
                path: (s.transport != Transport::Stdio && s.url.is_none())
                    .then(|| s.mcp_path.clone()),
                resources,
                capabilities: s
                    .capabilities
                    .iter()
                    .map(|c| Capability {
                        name: c.name.clone(),
                        description: c.description.clone(),
                        endpoint: c.endpoint.clone(),
                        method: c.method.clone(),
                        parameters: c.input_schema.clone(),
                        response: c.output_schema.clone(),
                    })
                    .collect(),
                health_check: s.health_check.as_ref().map(|h| HealthCheck {
                    path: h.path.clone(),
                    interval_seconds: h.interval_seconds,
                    timeout_seconds: h.timeout_seconds,
                }),
                replicas: Some(s.deployment.replicas),
                environment: Some(s.deployment.environment.clone()),
                startup_timeout_seconds: Some(s.deployment.startup_timeout_seconds),
                security: Some(Security {
                    sandbox_level: s.security.sandbox_level.clone(),
                    network_access: s.security.network_access.clone(),
                    allowed_endpoints: s.security.allowed_endpoints.clone(),
                    data_classification: s.security.data_classification.clone(),
                    compliance_requirements: s.security.compliance_requirements.clone(),
                }),
            },
            status,
        }
    }
}
