//! The one storage interface (agents, creations and their steps, registry entries) and
//! how a store is opened from its URL. SQLite is the embedded default.

mod migrations;
mod sqlite;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::secret::redact_url;

pub use sqlite::SqliteStore;

/// An agent made by the factory.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgentRecord {
    pub name: String,
    pub display_name: String,
    pub domain: String,
    pub description: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub project_dir: String,
    pub repository_url: Option<String>,
    pub commit: Option<String>,
    pub template: String,
    pub creation_id: String,
    /// The validated request body, defaults filled in.
    pub spec: serde_json::Value,
}

/// One step of a creation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepRecord {
    pub name: String,
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub message: Option<String>,
}

/// A run of `create-agent`, with its steps in order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CreationRecord {
    pub id: String,
    pub agent_name: String,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub failed_step: Option<String>,
    pub error: Option<String>,
    pub steps: Vec<StepRecord>,
}

/// An MCP server known to the registry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegistryEntry {
    pub name: String,
    pub version: String,
    /// `agent` (made by the factory) or `custom`.
    pub kind: String,
    pub agent_name: Option<String>,
    pub manifest: serde_json::Value,
    pub phase: String,
    pub registered_at: DateTime<Utc>,
    /// `registration`, `manifest` or `server-json`: the format of `source`.
    pub format: String,
    /// The document as it was registered.
    pub source: serde_json::Value,
    /// The validation report (conditions, findings, live results).
    pub report: serde_json::Value,
}

/// One process or container of a deployment.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ReplicaRecord {
    pub index: u32,
    /// Local target: the process id (also its process group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Docker target: the container id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    pub port: u16,
    pub endpoint: String,
    pub started_at: DateTime<Utc>,
    /// `starting`, `healthy`, `unhealthy` or `dead`.
    pub state: String,
    pub last_check: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

/// An agent deployed to one target. Written before anything starts and updated as it goes,
/// so that an interrupted deployment can be finished or undone.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeploymentRecord {
    pub agent_name: String,
    /// `local`, `docker` or `kubernetes`.
    pub target: String,
    pub environment: String,
    /// `deploying`, `running`, `failed` or `removing`.
    pub status: String,
    pub replicas_wanted: u32,
    /// The image, or for local deployments the commit and environment.
    pub artifact: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub replicas: Vec<ReplicaRecord>,
    /// Target-specific facts (environment hash, previous image, manifests folder...).
    pub detail: serde_json::Value,
}

/// What storing a registry entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterOutcome {
    Stored,
    /// Nothing was stored: this name and version exist, of this kind.
    Exists {
        kind: String,
    },
}

/// Everything the domain persists. Implemented by SQLite now and PostgreSQL later; the
/// same behaviour is expected of both.
pub trait Store: Send + Sync {
    /// `sqlite` or `postgresql`.
    fn backend(&self) -> &'static str;
    /// Where the data lives, fit for display (no credentials).
    fn location(&self) -> String;
    fn schema_version(&self) -> Result<u32>;
    fn check(&self) -> Result<()>;

    fn insert_creation(&self, c: &CreationRecord) -> Result<()>;
    fn update_step(&self, creation_id: &str, position: usize, step: &StepRecord) -> Result<()>;
    fn finish_creation(
        &self,
        id: &str,
        status: &str,
        finished_at: DateTime<Utc>,
        failed_step: Option<&str>,
        error: Option<&str>,
    ) -> Result<()>;
    fn creation(&self, id: &str) -> Result<Option<CreationRecord>>;

    fn agent(&self, name: &str) -> Result<Option<AgentRecord>>;
    fn list_agents(&self) -> Result<Vec<AgentRecord>>;
    /// Store an agent and its registry entry together; `replace` allows an existing name.
    fn register_agent(
        &self,
        agent: &AgentRecord,
        entry: &RegistryEntry,
        replace: bool,
    ) -> Result<()>;
    /// Remove an agent and its registry entries; true when something was removed.
    fn remove_agent(&self, name: &str) -> Result<bool>;
    fn registry_entries(&self) -> Result<Vec<RegistryEntry>>;
    /// Store a custom server; `replace` overwrites an existing custom entry of the same name
    /// and version, never an agent's.
    fn register_server(&self, entry: &RegistryEntry, replace: bool) -> Result<RegisterOutcome>;
    /// Remove custom entries of `name` (one version, or all); the pairs removed.
    fn remove_servers(&self, name: &str, version: Option<&str>) -> Result<Vec<(String, String)>>;

    /// Insert or update the deployment of `agent_name` to `target`.
    fn save_deployment(&self, d: &DeploymentRecord) -> Result<()>;
    fn deployment(&self, agent_name: &str, target: &str) -> Result<Option<DeploymentRecord>>;
    /// All deployments, or those of one agent.
    fn deployments(&self, agent_name: Option<&str>) -> Result<Vec<DeploymentRecord>>;
    fn remove_deployment(&self, agent_name: &str, target: &str) -> Result<bool>;
}

/// Where the store is, as resolved from settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl StoreUrl {
    /// `sqlite:///abs`, `sqlite:rel`, a bare path, or `postgres(ql)://`.
    pub fn parse(url: &str) -> Result<StoreUrl> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite://") {
            return Ok(StoreUrl::Sqlite(PathBuf::from(rest)));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            return Ok(StoreUrl::Sqlite(PathBuf::from(rest)));
        }
        if url.contains("://") {
            return Err(Error::usage(
                format!("unsupported store URL scheme in `{}`", redact_url(url)),
                Some("use sqlite:///path/to/file.db or postgresql://user@host/db"),
            ));
        }
        Ok(StoreUrl::Sqlite(PathBuf::from(url)))
    }

    pub fn display(&self) -> String {
        match self {
            StoreUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            StoreUrl::Postgres(u) => redact_url(u),
        }
    }
}

/// Open (creating and migrating when needed) the store at `url`.
pub fn open(url: &StoreUrl) -> Result<Box<dyn Store>> {
    match url {
        StoreUrl::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
        StoreUrl::Postgres(u) => Err(Error::usage(
            format!(
                "the PostgreSQL store ({}) is not available in this version",
                redact_url(u)
            ),
            Some("unset ANALYTICS_DB_URL to use the embedded SQLite store"),
        )),
    }
}

/// Default database file inside the data directory.
pub fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join("pc-hybrid.db")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            StoreUrl::parse("sqlite:///tmp/x.db").unwrap(),
            StoreUrl::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            StoreUrl::parse("rel.db").unwrap(),
            StoreUrl::Sqlite("rel.db".into())
        );
        assert_eq!(
            redact_url("postgresql://analytics_user:secure_password@localhost:5432/db?password=x"),
            "postgresql://analytics_user:***@localhost:5432/db?password=***"
        );
        assert!(StoreUrl::parse("mysql://x").is_err());
    }
}
