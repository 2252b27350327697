//! The MCP registry: manifests in the reference design's MCPServer format and the entries
//! that record registered servers.

pub mod manifest;

use chrono::{DateTime, Utc};

use crate::factory::spec::ValidSpec;
use crate::store::RegistryEntry;
pub use manifest::Manifest;

/// Port an agent listens on inside its container.
pub const AGENT_PORT: u16 = 8000;
pub const AGENT_VERSION: &str = "0.1.0";

/// The manifest of an agent made by the factory: one capability per MCP tool it serves.
pub fn agent_manifest(
    spec: &ValidSpec,
    image: &str,
    organization: &str,
    created_at: DateTime<Utc>,
) -> Manifest {
    use manifest::*;
    let query_params = serde_json::json!({
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "maxLength": 1000},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}
        },
        "required": ["query"]
    });
    let search_response = serde_json::json!({
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "results": {"type": "array", "items": {"type": "object"}}
        },
        "required": ["query", "results"]
    });
    let mut capabilities = vec![
        Capability {
            name: "search_knowledge".into(),
            description: Some("Search the agent's knowledge base".into()),
            endpoint: "/mcp".into(),
            method: "POST".into(),
            parameters: query_params.clone(),
            response: search_response.clone(),
        },
        Capability {
            name: "get_agent_info".into(),
            description: Some("Describe the agent".into()),
            endpoint: "/mcp".into(),
            method: "POST".into(),
            parameters: serde_json::json!({"type": "object", "properties": {}}),
            response: serde_json::json!({"type": "object"}),
        },
    ];
    for c in &spec.capabilities {
        capabilities.push(Capability {
            name: c.clone(),
            description: Some(format!("Knowledge for the {c} capability")),
            endpoint: "/mcp".into(),
            method: "POST".into(),
            parameters: query_params.clone(),
            response: search_response.clone(),
        });
    }
    let limits = ResourceList {
        memory: spec.deployment.resource_limits.memory.clone(),
        cpu: spec.deployment.resource_limits.cpu.clone(),
    };
    Manifest {
        api_version: API_VERSION.into(),
        kind: KIND.into(),
        metadata: Metadata {
            name: spec.slug(),
            version: AGENT_VERSION.into(),
            created_at: Some(created_at),
            organization: Some(organization.to_owned()),
        },
        spec: ServerSpec {
            image: Some(image.to_owned()),
            port: Some(AGENT_PORT),
            transport: Some("streamable-http".into()),
            command: Some(vec![spec.name.clone()]),
            url: None,
            resources: Some(Resources {
                limits: Some(limits.clone()),
                requests: Some(limits),
            }),
            capabilities,
            health_check: Some(HealthCheck {
                path: "/health".into(),
                interval_seconds: 30,
                timeout_seconds: 5,
            }),
        },
    }
}

/// The registry entry recording an agent's manifest.
pub fn agent_entry(spec: &ValidSpec, manifest: &Manifest, at: DateTime<Utc>) -> RegistryEntry {
    RegistryEntry {
        name: manifest.metadata.name.clone(),
        version: manifest.metadata.version.clone(),
        kind: "agent".into(),
        agent_name: Some(spec.name.clone()),
        manifest: serde_json::to_value(manifest).unwrap_or_default(),
        phase: "pending".into(),
        registered_at: at,
    }
}
