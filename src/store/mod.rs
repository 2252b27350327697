//! The storage interfaces, one per concern (the domain's data; the audit trail's rows), and
//! how a store is opened from its URL. SQLite is the embedded default.

pub mod executions;
mod migrations;
mod postgres;
mod postings;
pub mod rollups;
mod sqlite;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
pub use crate::model::{
    AgentStatus, CreationStatus, EntryKind, Json, Phase, SourceFormat, StepStatus,
};
use crate::secret::redact_url;

pub use executions::{ExecutionQuery, ExecutionRecord, ExecutionStatus, ExecutionStore, Feedback};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// An agent made by the factory.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct AgentRecord {
    pub name: String,
    pub display_name: String,
    pub domain: String,
    pub description: String,
    pub status: AgentStatus,
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
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct StepRecord {
    pub name: String,
    pub status: StepStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub message: Option<String>,
}

/// A run of `create-agent`, with its steps in order.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CreationRecord {
    pub id: String,
    pub agent_name: String,
    pub status: CreationStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub failed_step: Option<String>,
    pub error: Option<String>,
    pub steps: Vec<StepRecord>,
}

/// An MCP server known to the registry.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct RegistryEntry {
    pub name: String,
    pub version: String,
    pub kind: EntryKind,
    pub agent_name: Option<String>,
    pub manifest: Json,
    pub phase: Phase,
    pub registered_at: DateTime<Utc>,
    /// The format of `source`.
    pub format: SourceFormat,
    /// The document as it was registered (left out of a listing: `mcp show` has it).
    #[serde(default, skip_serializing_if = "Json::is_null")]
    pub source: Json,
    /// The validation report (conditions, findings, live results).
    #[serde(default, skip_serializing_if = "Json::is_null")]
    pub report: Json,
}

/// One process or container of a deployment.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
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
    pub state: ReplicaState,
    pub last_check: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

crate::model::wire_enum! {
    /// Where a deployment is in its life.
    pub enum DeploymentStatus as "deployment status" {
        /// Recorded before anything starts; still so after a deploy that was interrupted.
        Deploying = "deploying",
        Running = "running",
        /// Being undeployed; still so after an undeploy that was interrupted.
        Removing = "removing",
    }
}

crate::model::wire_enum! {
    /// What the last check of a replica found.
    pub enum ReplicaState as "replica state" {
        /// Started, not yet answering `/health`.
        Starting = "starting",
        Healthy = "healthy",
        /// Running, but `/health` does not answer 2xx.
        Unhealthy = "unhealthy",
        /// The process or container is gone.
        Dead = "dead",
        /// The Docker Engine could not be asked.
        Unknown = "unknown",
    }
}

/// An agent deployed to one target. Written before anything starts and updated as it goes,
/// so that an interrupted deployment can be finished or undone.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct DeploymentRecord {
    pub agent_name: String,
    pub target: crate::model::Target,
    pub environment: String,
    pub status: DeploymentStatus,
    pub replicas_wanted: u32,
    /// The image, or for local deployments the commit and environment.
    pub artifact: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub replicas: Vec<ReplicaRecord>,
    /// Target-specific facts (environment hash, previous image, manifests folder...).
    pub detail: serde_json::Value,
}

/// A filter of `audit query`; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub since: Option<String>,
    pub until: Option<String>,
    pub user: Option<String>,
    pub event_type: Option<String>,
    pub severity: Option<String>,
    pub outcome: Option<String>,
    pub resource: Option<String>,
    pub agent: Option<String>,
    /// A value that must appear in the event (used for HMAC lookups).
    pub contains: Option<String>,
    /// Only events after this sequence number.
    pub after: Option<u64>,
    pub limit: usize,
    /// Newest first.
    pub newest_first: bool,
}

/// An audit event as stored: sequence, canonical JSON and chain hash.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAudit {
    pub sequence: u64,
    pub body: Vec<u8>,
    pub hash: [u8; 32],
}

/// What storing a registry entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterOutcome {
    Stored,
    /// Nothing was stored: this name and version exist, of this kind.
    Exists {
        kind: EntryKind,
    },
}

/// The chain's rules, which the audit trail owns: the hash before the first event, how an
/// event's hash follows from the one before, and how a checkpoint is signed. A store applies
/// them inside the transaction that appends, so that the head each event links to is the
/// head it is stored after, whichever process appended last.
pub trait Chain: Sync {
    fn genesis(&self) -> [u8; 32];
    fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32];
    fn sign(&self, sequence: u64, hash: [u8; 32]) -> Checkpoint;
    /// The checkpoint that anchors the chain after a purge removed what it follows.
    fn anchor_purge(&self, sequence: u64, hash: [u8; 32]) -> Checkpoint;
}

/// An event as the store keeps it: the canonical JSON the chain hashes, and the fields kept
/// in columns. Made on the producer's thread, so that the writer, the pipeline's bottleneck,
/// moves and frees a few small strings per event rather than a whole event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub canonical: Vec<u8>,
    pub event_id: String,
    pub timestamp: String,
    pub user_id: String,
    pub event_type: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub resource: String,
    pub agent_id: Option<String>,
}

/// A signed statement that the chain up to `sequence` ends in `hash`; when `anchors_purge`,
/// also that the events up to it were removed by retention on purpose.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Checkpoint {
    pub sequence: u64,
    pub anchors_purge: bool,
    #[serde(serialize_with = "hex_ser")]
    pub hash: [u8; 32],
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(serialize_with = "b64_ser")]
    pub signature: Vec<u8>,
    #[serde(serialize_with = "b64_ser")]
    pub public_key: Vec<u8>,
}

fn hex_ser<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&h.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn b64_ser<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(b))
}

/// Visits one stored event as (sequence, canonical body, hash); false stops the scan.
pub type Visit<'a> = dyn FnMut(u64, &[u8], &[u8]) -> bool + Send + 'a;

/// An append to the audit chain in progress (`Store::audit_begin`). Dropped before its
/// commit, it leaves the chain as it was.
pub trait AuditAppend {
    /// Insert these records after those inserted before.
    fn insert(&mut self, records: &[AuditRow]) -> Result<()>;
    /// Commit every record inserted; for each, in order, its sequence number, or `None` when
    /// it was already stored. `checkpoint_last` signs the last one.
    fn commit(self: Box<Self>, checkpoint_last: bool) -> Result<Vec<Option<u64>>>;
}

/// The append of a store that cannot hold a transaction open: the records wait here for
/// the commit.
struct Kept<'s, S: ?Sized> {
    store: &'s S,
    checkpoint_every: u64,
    chain: &'s dyn Chain,
    records: Vec<AuditRow>,
}

impl<S: AuditStore + ?Sized> AuditAppend for Kept<'_, S> {
    fn insert(&mut self, records: &[AuditRow]) -> Result<()> {
        self.records.extend_from_slice(records);
        Ok(())
    }

    fn commit(self: Box<Self>, checkpoint_last: bool) -> Result<Vec<Option<u64>>> {
        self.store.audit_append(
            &self.records,
            self.checkpoint_every,
            checkpoint_last,
            self.chain,
        )
    }
}

/// What every store says about itself. SQLite and PostgreSQL implement each trait below;
/// the same behaviour is expected of both, and tests/store_conformance.rs holds them to it.
pub trait StoreInfo: Send + Sync {
    /// `sqlite` or `postgresql`.
    fn backend(&self) -> &'static str;
    /// Where the data lives, fit for display (no credentials).
    fn location(&self) -> String;
    /// The last migration applied of the concerns it was opened for.
    fn schema_version(&self) -> Result<u32>;
    fn check(&self) -> Result<()>;
}

/// The domain's data: agents, creations and their steps, registry entries, deployments.
pub trait DomainStore: StoreInfo {
    fn insert_creation(&self, c: &CreationRecord) -> Result<()>;
    fn update_step(&self, creation_id: &str, position: usize, step: &StepRecord) -> Result<()>;
    fn finish_creation(
        &self,
        id: &str,
        status: CreationStatus,
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
    fn deployment(
        &self,
        agent_name: &str,
        target: crate::model::Target,
    ) -> Result<Option<DeploymentRecord>>;
    /// All deployments, or those of one agent.
    fn deployments(&self, agent_name: Option<&str>) -> Result<Vec<DeploymentRecord>>;
    fn remove_deployment(&self, agent_name: &str, target: crate::model::Target) -> Result<bool>;

    /// The tool definitions pinned for `server`, by tool name.
    fn tool_pins(&self, server: &str) -> Result<Vec<ToolPin>>;
    /// Store these pins of `server` (each replacing the one of its tool), in one transaction.
    fn save_pins(&self, server: &str, pins: &[ToolPin]) -> Result<()>;
    /// Forget every pin of `server` (it was removed, or registered anew).
    fn remove_pins(&self, server: &str) -> Result<()>;
}

/// A tool definition as it was approved (pinned when first seen at a registration or a
/// deployment), and a different one an upstream presented since, held back until approved.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ToolPin {
    pub tool: String,
    /// `gateway::pins::hash` of the approved definition.
    pub hash: String,
    pub definition: serde_json::Value,
    pub pinned_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_definition: Option<serde_json::Value>,
}

/// The audit trail: the chain of events, its checkpoints and the sinks' cursors.
pub trait AuditStore: StoreInfo {
    /// Append events, as records, to the audit chain in one durable transaction: each gets
    /// the next sequence number and its hash by `chain`, which also signs a checkpoint every
    /// `checkpoint_every` events and for the last one when `checkpoint_last`. An event whose id and timestamp are already stored (a sender's
    /// retry) is skipped and returned as `None`.
    fn audit_append(
        &self,
        records: &[AuditRow],
        checkpoint_every: u64,
        checkpoint_last: bool,
        chain: &dyn Chain,
    ) -> Result<Vec<Option<u64>>>;
    /// Begin an append to the audit chain: records are inserted as they arrive and committed
    /// together, as `audit_append` would store them, but durable only once a later
    /// `audit_sync` returns (readers may see them before). A writer can so insert what comes
    /// in while the disk makes its last commit durable, and commit it the moment that ends.
    /// A store that cannot hold its transaction open that way keeps the records and appends
    /// them, durably, at commit.
    fn audit_begin<'s>(
        &'s self,
        checkpoint_every: u64,
        chain: &'s dyn Chain,
    ) -> Result<Box<dyn AuditAppend + 's>> {
        Ok(Box::new(Kept {
            store: self,
            checkpoint_every,
            chain,
            records: Vec::new(),
        }))
    }
    /// Make every audit append committed before this call durable.
    fn audit_sync(&self) -> Result<()> {
        Ok(())
    }
    /// The last (sequence, hash) of the chain.
    fn audit_head(&self) -> Result<Option<(u64, [u8; 32])>>;
    fn audit_query(&self, q: &AuditQuery) -> Result<Vec<StoredAudit>>;
    /// Events from `from` (inclusive), in order, at most `limit`.
    fn audit_range(&self, from: u64, limit: usize) -> Result<Vec<StoredAudit>>;
    /// Visit the events from `from` to `to` (inclusive) in order, as (sequence, canonical
    /// body, hash) borrowed from the store, until `visit` returns false. Calls may run on
    /// several threads at once, each over its own part of the chain.
    fn audit_scan(&self, from: u64, to: u64, visit: &mut Visit<'_>) -> Result<()>;
    fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>>;
    /// Delete the longest prefix of the chain whose events are older than `before`, keeping
    /// a signed checkpoint at its last sequence so that the rest still verifies. The number
    /// of events deleted.
    fn audit_purge(&self, before: &str, chain: &dyn Chain) -> Result<u64>;
    /// The last sequence delivered to a sink (0 when none).
    fn audit_sink_cursor(&self, sink: &str) -> Result<u64>;
    fn set_audit_sink_cursor(&self, sink: &str, sequence: u64) -> Result<()>;
    /// Sign the tail of the chain when it is not covered by a checkpoint (after a crash).
    fn audit_seal(&self, chain: &dyn Chain) -> Result<Option<u64>>;
}

/// A store holding both concerns, as one database that both URLs name does.
pub trait Store: DomainStore + AuditStore {}

impl<T: DomainStore + AuditStore + ?Sized> Store for T {}

/// What a database holds: the domain's tables, the audit trail's, or (when one URL names
/// it for both) all of them. Each concern has its own migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    Domain,
    Audit,
    /// Executions of tools and their feedback.
    Executions,
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

/// Open (creating and migrating when needed) the domain store at `url`.
pub fn open_domain(url: &StoreUrl) -> Result<Box<dyn DomainStore>> {
    Ok(match url {
        StoreUrl::Sqlite(path) => Box::new(SqliteStore::open_for(path, &[Concern::Domain])?),
        StoreUrl::Postgres(u) => Box::new(PostgresStore::open_for(u, &[Concern::Domain])?),
    })
}

/// Open (creating and migrating when needed) the audit store at `url`.
pub fn open_audit(url: &StoreUrl) -> Result<Box<dyn AuditStore>> {
    Ok(match url {
        StoreUrl::Sqlite(path) => Box::new(SqliteStore::open_for(path, &[Concern::Audit])?),
        StoreUrl::Postgres(u) => Box::new(PostgresStore::open_for(u, &[Concern::Audit])?),
    })
}

/// Open (creating and migrating when needed) the executions store at `url`.
pub fn open_executions(url: &StoreUrl) -> Result<Box<dyn ExecutionStore>> {
    Ok(match url {
        StoreUrl::Sqlite(path) => Box::new(SqliteStore::open_for(path, &[Concern::Executions])?),
        StoreUrl::Postgres(u) => Box::new(PostgresStore::open_for(u, &[Concern::Executions])?),
    })
}

/// Open the database at `url` for both concerns.
pub fn open(url: &StoreUrl) -> Result<Box<dyn Store>> {
    let both = [Concern::Domain, Concern::Audit];
    Ok(match url {
        StoreUrl::Sqlite(path) => Box::new(SqliteStore::open_for(path, &both)?),
        StoreUrl::Postgres(u) => Box::new(PostgresStore::open_for(u, &both)?),
    })
}

impl AuditQuery {
    /// The limit as SQL takes it: at least one, at most what a signed 64-bit `LIMIT` holds
    /// (`audit tail -n 18446744073709551615` asks for everything, not for an error).
    fn sql_limit(&self) -> usize {
        self.limit.clamp(1, i64::MAX as usize)
    }

    /// The column comparisons asked for, each with one `?` for its value, in the order both
    /// stores bind them.
    fn comparisons(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("timestamp >= ?", &self.since),
            ("timestamp < ?", &self.until),
            ("user_id = ?", &self.user),
            ("event_type = ?", &self.event_type),
            ("severity = ?", &self.severity),
            ("status = ?", &self.outcome),
            ("resource = ?", &self.resource),
            ("agent_id = ?", &self.agent),
        ]
        .into_iter()
        .filter_map(|(clause, value)| value.as_ref().map(|v| (clause, v)))
    }
}

/// The last sequence a retention purge removes, from the chain's first and last sequence
/// and the first one young enough to keep: everything before the first to keep, or when all
/// are old, all but the last, which stays so that the chain has a head.
fn purge_upto(first: Option<i64>, keep_from: Option<i64>, last: Option<i64>) -> Option<i64> {
    match (first, keep_from, last) {
        (Some(f), Some(k), _) if k > f => Some(k - 1),
        (Some(f), None, Some(l)) if l > f => Some(l - 1),
        _ => None,
    }
}

/// A store's lock, also after a panic while it was held: the database itself stays
/// consistent (an open transaction is rolled back), so the store keeps going.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opening a store whose schema a later pc-hybrid wrote.
fn newer_schema(location: &str, version: u32) -> Error {
    Error::failed(
        format!(
            "the store {location} has schema version {version}, newer than this pc-hybrid understands ({})",
            migrations::latest()
        ),
        Some("upgrade pc-hybrid"),
    )
}

/// Registering an agent whose name is taken by another agent.
fn agent_exists(name: &str) -> Error {
    Error::usage(
        format!("an agent named `{name}` already exists"),
        Some("choose another name, or pass --force to replace it"),
    )
}

/// Registering an agent whose name a custom MCP server already has.
fn name_taken(name: &str) -> Error {
    Error::usage(
        format!("an MCP server named `{name}` is already registered by someone else"),
        Some("choose another agent name; `pc-hybrid mcp list` shows the registered servers"),
    )
}

/// Timestamps as both stores keep them: RFC 3339 text, milliseconds, UTC, so that text
/// order is time order.
fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_ts(s: &str) -> std::result::Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

/// A `tool_pins` row back: (tool, hash, definition, pinned_at, pending hash, pending definition).
type PinRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn pin_of(r: PinRow) -> Result<ToolPin> {
    let bad = |what: &str, e: String| {
        Error::Store(format!(
            "a stored tool pin of `{}` has a bad {what}: {e}",
            r.0
        ))
    };
    Ok(ToolPin {
        hash: r.1,
        definition: serde_json::from_str(&r.2).map_err(|e| bad("definition", e.to_string()))?,
        pinned_at: parse_ts(&r.3).map_err(|e| bad("time", e.to_string()))?,
        pending_hash: r.4,
        pending_definition: r
            .5
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| bad("pending definition", e.to_string()))?,
        tool: r.0,
    })
}

/// The `detail` column of a deployment: its replicas and target-specific facts together.
fn deployment_detail(d: &DeploymentRecord) -> String {
    serde_json::json!({"replicas": d.replicas, "extra": d.detail}).to_string()
}

/// The replicas and target-specific facts back out of a `detail` column.
fn split_detail(
    detail: &str,
) -> std::result::Result<(Vec<ReplicaRecord>, serde_json::Value), serde_json::Error> {
    let v: serde_json::Value = serde_json::from_str(detail)?;
    let replicas = v
        .get("replicas")
        .cloned()
        .map(serde_json::from_value)
        .transpose()?
        .unwrap_or_default();
    Ok((
        replicas,
        v.get("extra").cloned().unwrap_or(serde_json::Value::Null),
    ))
}

/// Whether the event at `seq` gets a checkpoint when one is signed every `every` events.
fn checkpoint_due(seq: u64, every: u64) -> bool {
    every > 0 && seq.is_multiple_of(every)
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
