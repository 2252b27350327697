//! The PostgreSQL store (`ANALYTICS_DB_URL=postgresql://...`): the same tables, versions
//! and behaviour as the SQLite store, for installations that share one database.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row};

use super::migrations::{latest, PG_MIGRATIONS};
use super::{
    checkpoint_due, deployment_detail, parse_ts, split_detail, ts, AgentRecord, AuditQuery,
    CreationRecord, DeploymentRecord, RegisterOutcome, RegistryEntry, StepRecord, StoredAudit,
};
use super::{AuditRow as Record, Chain, Checkpoint, Concern};
use crate::error::{Error, Result};
use crate::secret::{redact_url, redact_url_in_text};

/// Advisory lock keys: one serialises migrations, one the appends to the audit chain (each
/// append reads the head and extends it, so two writers must not interleave).
const MIGRATION_LOCK: i64 = 0x7063_6879_6272_6d01;
const CHAIN_LOCK: i64 = 0x7063_6879_6272_6d02;
const ROLLUP_LOCK: i64 = 0x7063_6879_6272_6d03;

pub struct PostgresStore {
    /// Dropped by hand: closing the connection blocks too (see `off_runtime`).
    client: Mutex<std::mem::ManuallyDrop<Client>>,
    location: String,
    /// What it was opened for: the tables it migrated and the schema version it reports.
    concerns: Vec<Concern>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        // SAFETY: taken once, here, and never used again.
        let client = unsafe { std::mem::ManuallyDrop::take(client) };
        off_runtime(move || drop(client));
    }
}

/// The synchronous client drives its own small runtime and must not be called from a
/// thread that is running async tasks; such calls go to a scoped thread.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        })
    } else {
        f()
    }
}

/// A client error with its cause ("error connecting to server" alone says little), never
/// with credentials.
fn describe(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    };
    redact_url_in_text(&text)
}

fn store_error(location: &str, e: postgres::Error) -> Error {
    Error::Store(format!("{location}: {}", describe(&e)))
}

fn bad_row(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(format!("a stored {what} cannot be read: {e}"))
}

/// A wire enum read from a text column; an unknown word is an error naming it.
fn word<T: crate::model::Wire>(r: &Row, i: usize) -> Result<T> {
    let t: String = r.get(i);
    T::parse(&t).ok_or_else(|| bad_row(T::WHAT, format!("unknown {} `{t}`", T::WHAT)))
}

// The wire enums are stored as their words.
macro_rules! stored_as_word {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(
                &self,
                ty: &postgres::types::Type,
                out: &mut postgres::types::private::BytesMut,
            ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
            {
                self.as_str().to_sql(ty, out)
            }

            fn accepts(ty: &postgres::types::Type) -> bool {
                <&str as ToSql>::accepts(ty)
            }

            postgres::types::to_sql_checked!();
        }
    )+};
}

stored_as_word!(
    crate::model::AgentStatus,
    crate::model::CreationStatus,
    crate::model::StepStatus,
    crate::model::EntryKind,
    crate::model::Phase,
    crate::model::SourceFormat
);

fn time(s: &str) -> Result<DateTime<Utc>> {
    parse_ts(s).map_err(|e| bad_row("timestamp", e))
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(time).transpose()
}

fn json(s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| bad_row("document", e))
}

fn hash32(v: Vec<u8>) -> Result<[u8; 32]> {
    v.try_into()
        .map_err(|_| Error::Store("a stored hash is not 32 bytes".into()))
}

impl PostgresStore {
    /// Open the database at `url` for both concerns.
    pub fn open(url: &str) -> Result<PostgresStore> {
        PostgresStore::open_for(url, &[Concern::Domain, Concern::Audit])
    }

    /// Open the database at `url`, creating the tables of `concerns` it lacks.
    pub fn open_for(url: &str, concerns: &[Concern]) -> Result<PostgresStore> {
        let location = redact_url(url);
        let client = off_runtime(|| -> Result<Client> {
            let tls =
                tokio_postgres_rustls::MakeRustlsConnect::new((*crate::net::tls_config()?).clone());
            Client::connect(url, tls).map_err(|e| {
                Error::unavailable(
                    format!("cannot open the store {location}: {}", describe(&e)),
                    Some("check that PostgreSQL is running and ANALYTICS_DB_URL is right"),
                )
            })
        })?;
        let store = PostgresStore {
            client: Mutex::new(std::mem::ManuallyDrop::new(client)),
            location,
            concerns: concerns.to_vec(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Run `f` with the connection, off any async runtime, mapping database errors.
    fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, Failure> + Send,
    ) -> Result<T> {
        let mut guard = super::lock(&self.client);
        let client: &mut Client = &mut guard;
        off_runtime(move || f(client)).map_err(|e| match e {
            Failure::Db(e) => store_error(&self.location, e),
            Failure::Domain(e) => e,
        })
    }

    /// `with`, inside one transaction.
    fn transaction<T: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction) -> std::result::Result<T, Failure> + Send,
    ) -> Result<T> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let v = f(&mut tx)?;
            tx.commit()?;
            Ok(v)
        })
    }

    fn migrate(&self) -> Result<()> {
        let location = self.location.clone();
        let concerns = self.concerns.clone();
        self.with(move |c| {
            c.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )?;
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let applied = applied_versions(&mut tx)?;
            if let Some(&newest) = applied.iter().max().filter(|&&v| v > latest()) {
                return Err(Failure::Domain(super::newer_schema(&location, newest)));
            }
            let due = PG_MIGRATIONS
                .iter()
                .filter(|m| concerns.contains(&m.1) && !applied.contains(&m.0));
            for (version, _, name, sql) in due {
                tx.batch_execute(sql)?;
                if *version == super::migrations::ROLLUPS {
                    rebuild_rollups(&mut tx)?;
                }
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    &[&(*version as i32), name, &ts(&Utc::now())],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}

/// What a closure run against the connection can fail with.
enum Failure {
    Db(postgres::Error),
    Domain(Error),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Domain(e)
    }
}

type Res<T> = std::result::Result<T, Failure>;

/// The versions of the migrations this database holds.
fn applied_versions(c: &mut impl GenericClient) -> Res<Vec<u32>> {
    let rows = c.query("SELECT version FROM schema_migrations", &[])?;
    Ok(rows.iter().map(|r| r.get::<_, i32>(0) as u32).collect())
}

const AGENT_COLUMNS: &str = "name, display_name, domain, description, status, created_at, updated_at, project_dir, repository_url, commit_id, template, creation_id, spec";

fn agent_row(r: &Row) -> Result<AgentRecord> {
    Ok(AgentRecord {
        name: r.get(0),
        display_name: r.get(1),
        domain: r.get(2),
        description: r.get(3),
        status: word(r, 4)?,
        created_at: time(r.get(5))?,
        updated_at: time(r.get(6))?,
        project_dir: r.get(7),
        repository_url: r.get(8),
        commit: r.get(9),
        template: r.get(10),
        creation_id: r.get(11),
        spec: json(r.get(12))?,
    })
}

const ENTRY_COLUMNS: &str =
    "name, version, kind, agent_name, manifest, phase, registered_at, format, source, report";

fn entry_row(r: &Row) -> Result<RegistryEntry> {
    let doc = |i: usize| {
        crate::model::Json::parse(
            r.get::<_, Option<String>>(i)
                .unwrap_or_else(|| "null".into()),
        )
        .map_err(|e| bad_row("document", e))
    };
    Ok(RegistryEntry {
        name: r.get(0),
        version: r.get(1),
        kind: word(r, 2)?,
        agent_name: r.get(3),
        manifest: doc(4)?,
        phase: word(r, 5)?,
        registered_at: time(r.get(6))?,
        format: word(r, 7)?,
        source: doc(8)?,
        report: doc(9)?,
    })
}

fn insert_entry(tx: &mut impl GenericClient, e: &RegistryEntry) -> Res<()> {
    tx.execute(
        &format!("INSERT INTO mcp_servers ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
        &[
            &e.name,
            &e.version,
            &e.kind,
            &e.agent_name,
            &e.manifest.text(),
            &e.phase,
            &ts(&e.registered_at),
            &e.format,
            &e.source.text(),
            &e.report.text(),
        ],
    )?;
    Ok(())
}

const DEPLOYMENT_COLUMNS: &str = "agent_name, target, environment, status, replicas_wanted, artifact, created_at, updated_at, detail";

fn deployment_row(r: &Row) -> Result<DeploymentRecord> {
    let (replicas, detail) = split_detail(r.get(8)).map_err(|e| bad_row("deployment", e))?;
    Ok(DeploymentRecord {
        agent_name: r.get(0),
        target: word(r, 1)?,
        environment: r.get(2),
        status: word(r, 3)?,
        replicas_wanted: r.get::<_, i64>(4) as u32,
        artifact: r.get(5),
        created_at: time(r.get(6))?,
        updated_at: time(r.get(7))?,
        replicas,
        detail,
    })
}

fn audit_row(r: &Row) -> Result<StoredAudit> {
    Ok(StoredAudit {
        sequence: r.get::<_, i64>(0) as u64,
        body: r.get::<_, String>(1).into_bytes(),
        hash: hash32(r.get(2))?,
    })
}

fn checkpoint_row(r: &Row) -> Result<Checkpoint> {
    Ok(Checkpoint {
        sequence: r.get::<_, i64>(0) as u64,
        hash: hash32(r.get(1))?,
        at: time(r.get(2))?,
        signature: r.get(3),
        public_key: r.get(4),
        anchors_purge: r.get(5),
    })
}

fn insert_checkpoint(tx: &mut impl GenericClient, c: &Checkpoint) -> Res<()> {
    tx.execute(
        "INSERT INTO audit_checkpoints (sequence, hash, at, signature, public_key, anchors_purge) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sequence) DO UPDATE SET hash = excluded.hash, at = excluded.at, signature = excluded.signature,
         public_key = excluded.public_key, anchors_purge = excluded.anchors_purge",
        &[&(c.sequence as i64), &&c.hash[..], &ts(&c.at), &c.signature, &c.public_key, &c.anchors_purge],
    )?;
    Ok(())
}

fn chain_head(c: &mut impl GenericClient) -> Res<Option<(u64, [u8; 32])>> {
    match c.query_opt(
        "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1",
        &[],
    )? {
        Some(r) => Ok(Some((r.get::<_, i64>(0) as u64, hash32(r.get(1))?))),
        None => Ok(None),
    }
}

fn rows<T>(rows: Vec<Row>, f: impl Fn(&Row) -> Result<T>) -> Res<Vec<T>> {
    Ok(rows.iter().map(f).collect::<Result<_>>()?)
}

impl super::StoreInfo for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgresql"
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn schema_version(&self) -> Result<u32> {
        let applied = self.with(applied_versions)?;
        Ok(super::migrations::version_of(&applied, &self.concerns))
    }

    fn check(&self) -> Result<()> {
        self.with(|c| {
            c.query_one("SELECT 1", &[])?;
            Ok(())
        })
    }
}

impl super::DomainStore for PostgresStore {
    fn insert_creation(&self, c: &CreationRecord) -> Result<()> {
        self.transaction(|tx| {
            tx.execute(
                "INSERT INTO creations (id, agent_name, status, started_at, finished_at, failed_step, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&c.id, &c.agent_name, &c.status, &ts(&c.started_at), &c.finished_at.as_ref().map(ts), &c.failed_step, &c.error],
            )?;
            for (i, s) in c.steps.iter().enumerate() {
                tx.execute(
                    "INSERT INTO creation_steps (creation_id, position, name, status, started_at, finished_at, message) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&c.id, &(i as i64), &s.name, &s.status, &s.started_at.as_ref().map(ts), &s.finished_at.as_ref().map(ts), &s.message],
                )?;
            }
            Ok(())
        })
    }

    fn update_step(&self, creation_id: &str, position: usize, s: &StepRecord) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE creation_steps SET status = $3, started_at = $4, finished_at = $5, message = $6 WHERE creation_id = $1 AND position = $2",
                &[&creation_id, &(position as i64), &s.status, &s.started_at.as_ref().map(ts), &s.finished_at.as_ref().map(ts), &s.message],
            )?;
            Ok(())
        })
    }

    fn finish_creation(
        &self,
        id: &str,
        status: super::CreationStatus,
        finished_at: DateTime<Utc>,
        failed_step: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE creations SET status = $2, finished_at = $3, failed_step = $4, error = $5 WHERE id = $1",
                &[&id, &status, &ts(&finished_at), &failed_step, &error],
            )?;
            Ok(())
        })
    }

    fn creation(&self, id: &str) -> Result<Option<CreationRecord>> {
        self.with(|c| {
            let Some(r) = c.query_opt(
                "SELECT id, agent_name, status, started_at, finished_at, failed_step, error FROM creations WHERE id = $1",
                &[&id],
            )?
            else {
                return Ok(None);
            };
            let steps = c.query(
                "SELECT name, status, started_at, finished_at, message FROM creation_steps WHERE creation_id = $1 ORDER BY position",
                &[&id],
            )?;
            Ok(Some(CreationRecord {
                id: r.get(0),
                agent_name: r.get(1),
                status: word(&r, 2)?,
                started_at: time(r.get(3))?,
                finished_at: opt_time(r.get(4))?,
                failed_step: r.get(5),
                error: r.get(6),
                steps: rows(steps, |s| {
                    Ok(StepRecord {
                        name: s.get(0),
                        status: word(s, 1)?,
                        started_at: opt_time(s.get(2))?,
                        finished_at: opt_time(s.get(3))?,
                        message: s.get(4),
                    })
                })?,
            }))
        })
    }

    fn agent(&self, name: &str) -> Result<Option<AgentRecord>> {
        self.with(|c| {
            let r = c.query_opt(
                &format!("SELECT {AGENT_COLUMNS} FROM agents WHERE name = $1"),
                &[&name],
            )?;
            Ok(r.as_ref().map(agent_row).transpose()?)
        })
    }

    fn list_agents(&self) -> Result<Vec<AgentRecord>> {
        self.with(|c| {
            rows(
                c.query(
                    &format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name"),
                    &[],
                )?,
                agent_row,
            )
        })
    }

    fn register_agent(&self, a: &AgentRecord, e: &RegistryEntry, replace: bool) -> Result<()> {
        self.transaction(|tx| {
            if replace {
                tx.execute("DELETE FROM agents WHERE name = $1", &[&a.name])?;
            }
            let inserted = tx.execute(
                &format!("INSERT INTO agents ({AGENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (name) DO NOTHING"),
                &[
                    &a.name,
                    &a.display_name,
                    &a.domain,
                    &a.description,
                    &a.status,
                    &ts(&a.created_at),
                    &ts(&a.updated_at),
                    &a.project_dir,
                    &a.repository_url,
                    &a.commit,
                    &a.template,
                    &a.creation_id,
                    &a.spec.to_string(),
                ],
            )?;
            if inserted == 0 {
                return Err(Failure::Domain(super::agent_exists(&a.name)));
            }
            let other = tx.query_opt(
                "SELECT kind FROM mcp_servers WHERE name = $1 AND kind <> 'agent' LIMIT 1",
                &[&e.name],
            )?;
            if other.is_some() {
                return Err(Failure::Domain(super::name_taken(&e.name)));
            }
            tx.execute(
                "DELETE FROM mcp_servers WHERE name = $1 AND kind = 'agent'",
                &[&e.name],
            )?;
            insert_entry(tx, e)
        })
    }

    fn remove_agent(&self, name: &str) -> Result<bool> {
        self.with(|c| Ok(c.execute("DELETE FROM agents WHERE name = $1", &[&name])? > 0))
    }

    fn registry_entries(&self) -> Result<Vec<RegistryEntry>> {
        self.with(|c| {
            rows(
                c.query(
                    &format!("SELECT {ENTRY_COLUMNS} FROM mcp_servers ORDER BY name, version"),
                    &[],
                )?,
                entry_row,
            )
        })
    }

    fn register_server(&self, e: &RegistryEntry, replace: bool) -> Result<RegisterOutcome> {
        self.transaction(|tx| {
            let existing = tx.query_opt(
                "SELECT kind FROM mcp_servers WHERE name = $1 AND version = $2 FOR UPDATE",
                &[&e.name, &e.version],
            )?;
            match existing.map(|r| word(&r, 0)).transpose()? {
                Some(kind) if kind == super::EntryKind::Agent || !replace => {
                    return Ok(RegisterOutcome::Exists { kind })
                }
                Some(_) => {
                    tx.execute(
                        "DELETE FROM mcp_servers WHERE name = $1 AND version = $2",
                        &[&e.name, &e.version],
                    )?;
                }
                None => {}
            }
            // A name belongs to one kind: an agent's name cannot gain custom versions.
            if let Some(r) = tx.query_opt(
                "SELECT kind FROM mcp_servers WHERE name = $1 AND kind = 'agent' LIMIT 1",
                &[&e.name],
            )? {
                return Ok(RegisterOutcome::Exists { kind: word(&r, 0)? });
            }
            insert_entry(tx, e)?;
            Ok(RegisterOutcome::Stored)
        })
    }

    fn remove_servers(&self, name: &str, version: Option<&str>) -> Result<Vec<(String, String)>> {
        self.with(|c| {
            let removed = c.query(
                "DELETE FROM mcp_servers WHERE name = $1 AND kind <> 'agent' AND ($2::text IS NULL OR version = $2) RETURNING name, version",
                &[&name, &version],
            )?;
            let mut out: Vec<(String, String)> =
                removed.iter().map(|r| (r.get(0), r.get(1))).collect();
            out.sort();
            Ok(out)
        })
    }

    fn save_deployment(&self, d: &DeploymentRecord) -> Result<()> {
        self.with(|c| {
            c.execute(
                &format!("INSERT INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (agent_name, target) DO UPDATE SET environment = excluded.environment, status = excluded.status,
                 replicas_wanted = excluded.replicas_wanted, artifact = excluded.artifact, created_at = excluded.created_at,
                 updated_at = excluded.updated_at, detail = excluded.detail"),
                &[
                    &d.agent_name,
                    &d.target.as_str(),
                    &d.environment,
                    &d.status.as_str(),
                    &(d.replicas_wanted as i64),
                    &d.artifact,
                    &ts(&d.created_at),
                    &ts(&d.updated_at),
                    &deployment_detail(d),
                ],
            )?;
            Ok(())
        })
    }

    fn deployment(
        &self,
        agent_name: &str,
        target: crate::model::Target,
    ) -> Result<Option<DeploymentRecord>> {
        self.with(|c| {
            let r = c.query_opt(
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE agent_name = $1 AND target = $2"),
                &[&agent_name, &target.as_str()],
            )?;
            Ok(r.as_ref().map(deployment_row).transpose()?)
        })
    }

    fn deployments(&self, agent_name: Option<&str>) -> Result<Vec<DeploymentRecord>> {
        self.with(|c| {
            rows(
                c.query(
                    &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE $1::text IS NULL OR agent_name = $1 ORDER BY agent_name, target"),
                    &[&agent_name],
                )?,
                deployment_row,
            )
        })
    }

    fn tool_pins(&self, server: &str) -> Result<Vec<super::ToolPin>> {
        self.with(|c| {
            let mut out = Vec::new();
            for r in c.query(
                "SELECT tool, hash, definition, pinned_at, pending_hash, pending_definition FROM tool_pins WHERE server = $1 ORDER BY tool",
                &[&server],
            )? {
                out.push(super::pin_of((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                ))?);
            }
            Ok(out)
        })
    }

    fn remove_pins(&self, server: &str) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM tool_pins WHERE server = $1", &[&server])?;
            Ok(())
        })
    }

    fn save_pins(&self, server: &str, pins: &[super::ToolPin]) -> Result<()> {
        self.transaction(|tx| {
            for p in pins {
                tx.execute(
                    "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, pending_hash, pending_definition) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (server, tool) DO UPDATE SET hash = excluded.hash, definition = excluded.definition, pinned_at = excluded.pinned_at, pending_hash = excluded.pending_hash, pending_definition = excluded.pending_definition",
                    &[
                        &server,
                        &p.tool,
                        &p.hash,
                        &p.definition.to_string(),
                        &super::ts(&p.pinned_at),
                        &p.pending_hash,
                        &p.pending_definition.as_ref().map(|d| d.to_string()),
                    ],
                )?;
            }
            Ok(())
        })
    }

    fn remove_deployment(&self, agent_name: &str, target: crate::model::Target) -> Result<bool> {
        self.with(|c| {
            Ok(c.execute(
                "DELETE FROM deployments WHERE agent_name = $1 AND target = $2",
                &[&agent_name, &target.as_str()],
            )? > 0)
        })
    }
}

impl super::AuditStore for PostgresStore {
    fn audit_append(
        &self,
        records: &[Record],
        checkpoint_every: u64,
        checkpoint_last: bool,
        chain: &dyn Chain,
    ) -> Result<Vec<Option<u64>>> {
        self.transaction(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])?;
            let (mut seq, mut hash) = chain_head(tx)?.unwrap_or((0, chain.genesis()));
            // Duplicates are found before sequence numbers are given, since a skipped event
            // must not take one; the chain lock keeps the answer true until commit.
            let ids: Vec<&str> = records.iter().map(|r| r.event_id.as_str()).collect();
            let times: Vec<&str> = records.iter().map(|r| r.timestamp.as_str()).collect();
            let mut seen: HashSet<(String, String)> = tx
                .query(
                    "SELECT a.timestamp, a.event_id FROM audit_events a JOIN unnest($1::text[], $2::text[]) AS b(timestamp, event_id) USING (timestamp, event_id)",
                    &[&times, &ids],
                )?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            let mut out = Vec::with_capacity(records.len());
            let mut cols: [Vec<String>; 8] = Default::default();
            let mut seqs: Vec<i64> = Vec::new();
            let mut agents: Vec<Option<&str>> = Vec::new();
            let mut hashes: Vec<&[u8]> = Vec::new();
            let mut linked = Vec::new();
            let mut checkpoints = Vec::new();
            for r in records {
                if !seen.insert((r.timestamp.clone(), r.event_id.clone())) {
                    out.push(None);
                    continue;
                }
                let body = std::str::from_utf8(&r.canonical)
                    .map_err(|_| Error::Internal("a canonical event is not UTF-8".into()))?;
                seq += 1;
                hash = chain.link(&hash, &r.canonical);
                for (col, v) in cols.iter_mut().zip([
                    r.event_id.clone(),
                    r.timestamp.clone(),
                    r.user_id.clone(),
                    r.event_type.to_owned(),
                    r.severity.to_owned(),
                    r.status.to_owned(),
                    r.resource.clone(),
                    body.to_owned(),
                ]) {
                    col.push(v);
                }
                seqs.push(seq as i64);
                agents.push(r.agent_id.as_deref());
                linked.push(hash);
                out.push(Some(seq));
                if checkpoint_due(seq, checkpoint_every) {
                    checkpoints.push((seq, hash));
                }
            }
            if seqs.is_empty() {
                return Ok(out);
            }
            if checkpoint_last && checkpoints.last().map(|c| c.0) != Some(seq) {
                checkpoints.push((seq, hash));
            }
            hashes.extend(linked.iter().map(|h| &h[..]));
            let [ids, times, users, types, severities, statuses, resources, bodies] = &cols;
            let params: [&(dyn ToSql + Sync); 11] = [
                &seqs, ids, times, users, types, severities, statuses, resources, &agents, bodies,
                &hashes,
            ];
            tx.execute(
                "INSERT INTO audit_events (sequence, event_id, timestamp, user_id, event_type, severity, status, resource, agent_id, body, hash)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bytea[])",
                &params,
            )?;
            for (s, h) in checkpoints {
                insert_checkpoint(tx, &chain.sign(s, h))?;
            }
            Ok(out)
        })
    }

    fn audit_head(&self) -> Result<Option<(u64, [u8; 32])>> {
        self.with(chain_head)
    }

    fn audit_query(&self, q: &AuditQuery) -> Result<Vec<StoredAudit>> {
        let mut sql = String::from("SELECT sequence, body, hash FROM audit_events WHERE true");
        let mut args: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
        for (clause, v) in q.comparisons() {
            args.push(Box::new(v.clone()));
            sql.push_str(" AND ");
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        }
        if let Some(v) = &q.contains {
            args.push(Box::new(v.clone()));
            sql.push_str(&format!(" AND strpos(body, ${}) > 0", args.len()));
        }
        if let Some(v) = q.after {
            args.push(Box::new(v as i64));
            sql.push_str(&format!(" AND sequence > ${}", args.len()));
        }
        sql.push_str(if q.newest_first {
            " ORDER BY sequence DESC"
        } else {
            " ORDER BY sequence"
        });
        sql.push_str(&format!(" LIMIT {}", q.sql_limit()));
        self.with(move |c| {
            let params: Vec<&(dyn ToSql + Sync)> = args
                .iter()
                .map(|b| b.as_ref() as &(dyn ToSql + Sync))
                .collect();
            rows(c.query(&sql, &params)?, audit_row)
        })
    }

    fn audit_range(&self, from: u64, limit: usize) -> Result<Vec<StoredAudit>> {
        self.with(|c| {
            rows(
                c.query(
                    "SELECT sequence, body, hash FROM audit_events WHERE sequence >= $1 ORDER BY sequence LIMIT $2",
                    &[&(from as i64), &(limit as i64)],
                )?,
                audit_row,
            )
        })
    }

    fn audit_scan(&self, from: u64, to: u64, visit: &mut super::Visit<'_>) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        self.with(|c| {
            let mut rows = c.query_raw(
                "SELECT sequence, body, hash FROM audit_events WHERE sequence BETWEEN $1 AND $2 ORDER BY sequence",
                [from as i64, to as i64],
            )?;
            while let Some(r) = rows.next()? {
                if !visit(r.get::<_, i64>(0) as u64, r.get::<_, &str>(1).as_bytes(), r.get(2)) {
                    break;
                }
            }
            Ok(())
        })
    }

    fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>> {
        self.with(|c| {
            rows(
                c.query(
                    "SELECT sequence, hash, at, signature, public_key, anchors_purge FROM audit_checkpoints ORDER BY sequence",
                    &[],
                )?,
                checkpoint_row,
            )
        })
    }

    fn audit_purge(&self, before: &str, chain: &dyn Chain) -> Result<u64> {
        self.transaction(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])?;
            let r = tx.query_one(
                "SELECT MIN(sequence), MAX(sequence), (SELECT MIN(sequence) FROM audit_events WHERE timestamp >= $1) FROM audit_events",
                &[&before],
            )?;
            let (first, last, keep_from): (Option<i64>, Option<i64>, Option<i64>) =
                (r.get(0), r.get(1), r.get(2));
            let Some(upto) = super::purge_upto(first, keep_from, last) else {
                return Ok(0);
            };
            let hash: Vec<u8> = tx
                .query_one(
                    "SELECT hash FROM audit_events WHERE sequence = $1",
                    &[&upto],
                )?
                .get(0);
            insert_checkpoint(tx, &chain.anchor_purge(upto as u64, hash32(hash)?))?;
            let n = tx.execute("DELETE FROM audit_events WHERE sequence <= $1", &[&upto])?;
            tx.execute(
                "DELETE FROM audit_checkpoints WHERE sequence < $1",
                &[&upto],
            )?;
            Ok(n)
        })
    }

    fn audit_sink_cursor(&self, sink: &str) -> Result<u64> {
        self.with(|c| {
            let r = c.query_opt("SELECT sequence FROM audit_sinks WHERE name = $1", &[&sink])?;
            Ok(r.map(|r| r.get::<_, i64>(0) as u64).unwrap_or(0))
        })
    }

    fn set_audit_sink_cursor(&self, sink: &str, sequence: u64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO audit_sinks (name, sequence) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET sequence = excluded.sequence",
                &[&sink, &(sequence as i64)],
            )?;
            Ok(())
        })
    }

    fn audit_seal(&self, chain: &dyn Chain) -> Result<Option<u64>> {
        self.transaction(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHAIN_LOCK])?;
            let last: Option<i64> = tx
                .query_one("SELECT MAX(sequence) FROM audit_checkpoints", &[])?
                .get(0);
            match chain_head(tx)? {
                Some((s, h)) if last.is_none_or(|l| l < s as i64) => {
                    insert_checkpoint(tx, &chain.sign(s, h))?;
                    Ok(Some(s))
                }
                _ => Ok(None),
            }
        })
    }
}

const EXECUTION_COLUMNS: &str = "e.id, e.at_us, e.agent_id, e.tool, e.user_id, e.organization, e.session_id, e.replica, e.latency_us, e.status, e.request_bytes, e.response_bytes, e.tokens_in, e.tokens_out, e.cost_micros, e.model, e.trace_id, e.error, f.rating, f.correct, f.user_id, f.given_at_us, e.arguments";

fn execution_row(r: &Row) -> Result<super::ExecutionRecord> {
    use super::executions::from_micros;
    let rating: Option<i16> = r.get(18);
    Ok(super::ExecutionRecord {
        execution_id: r.get(0),
        timestamp: from_micros(r.get(1)),
        agent_id: r.get(2),
        tool: r.get(3),
        user_id: r.get(4),
        organization: r.get(5),
        session_id: r.get(6),
        replica: r.get::<_, Option<i32>>(7).map(|v| v as u32),
        latency_ms: r.get::<_, i64>(8) as f64 / 1000.0,
        status: word(r, 9)?,
        request_bytes: r.get::<_, i64>(10) as u64,
        response_bytes: r.get::<_, i64>(11) as u64,
        tokens_in: r.get::<_, Option<i64>>(12).map(|v| v as u64),
        tokens_out: r.get::<_, Option<i64>>(13).map(|v| v as u64),
        cost: r.get::<_, Option<i64>>(14).map(|v| v as f64 / 1e6),
        model: r.get(15),
        trace_id: r.get(16),
        error: r.get(17),
        arguments: r
            .get::<_, Option<String>>(22)
            .and_then(|a| serde_json::from_str(&a).ok()),
        feedback: rating.map(|rating| super::Feedback {
            rating: rating as u8,
            correct: r.get(19),
            user_id: r.get(20),
            given_at: from_micros(r.get(21)),
        }),
    })
}

/// The sums of a rollup row, read from its columns `SUM_COLUMNS` starting at `first`.
fn sums_at(r: &Row, first: usize) -> Res<super::rollups::Sums> {
    let mut sums = [0i64; 19];
    for (i, v) in sums.iter_mut().enumerate() {
        *v = r.try_get(first + i)?;
    }
    Ok(super::rollups::Sums::from_array(sums))
}

/// Add what `batch` brings to the rollups: each key read, merged and written once. Rollup
/// writers take one lock, so that two processes never merge into the same row at once.
fn add_to_rollups(tx: &mut postgres::Transaction, batch: &super::rollups::Batch) -> Res<()> {
    use super::rollups::{select_sql, upsert_sql, Counters, GRAINS};
    if batch.is_empty() {
        return Ok(());
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ROLLUP_LOCK])?;
    for g in GRAINS {
        let select = tx.prepare(&select_sql(g))?;
        let upsert = tx.prepare(&upsert_sql(g))?;
        for (k, c) in batch.rows(g) {
            let found = tx.query(&select, &[&k.0, &k.1, &k.2, &k.3])?;
            let merged;
            let c = match found.first() {
                Some(r) => {
                    let hist: Vec<u8> = r.try_get(19)?;
                    let mut m = Counters {
                        sums: sums_at(r, 0)?,
                        histogram: crate::histogram::Histogram::decode(&hist).map_err(|e| {
                            Failure::Domain(Error::failed(format!("{}: {e}", g.table()), None))
                        })?,
                    };
                    m.merge(c);
                    merged = m;
                    &merged
                }
                None => c,
            };
            let sums = c.sums.to_array();
            let hist = c.histogram.encode();
            let mut p: Vec<&(dyn ToSql + Sync)> = vec![&k.0, &k.1, &k.2, &k.3];
            p.extend(sums.iter().map(|v| v as &(dyn ToSql + Sync)));
            p.push(&hist);
            tx.execute(&upsert, &p)?;
        }
    }
    Ok(())
}

/// Build the rollups of the executions already stored (a store from before rollups), a
/// slice of rows at a time.
fn rebuild_rollups(tx: &mut postgres::Transaction) -> Res<()> {
    let mut after: Option<(i64, String)> = None;
    loop {
        let found = match &after {
            None => tx.query(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id ORDER BY e.at_us, e.id LIMIT 100000"),
                &[],
            )?,
            Some((at, id)) => tx.query(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
                          WHERE (e.at_us, e.id) > ($1, $2) ORDER BY e.at_us, e.id LIMIT 100000"),
                &[at, id],
            )?,
        };
        if found.is_empty() {
            return Ok(());
        }
        let rows = found
            .iter()
            .map(execution_row)
            .collect::<Result<Vec<_>>>()
            .map_err(Failure::Domain)?;
        if let Some(last) = rows.last() {
            after = Some((
                super::executions::micros(&last.timestamp),
                last.execution_id.clone(),
            ));
        }
        let mut batch = super::rollups::Batch::default();
        for e in &rows {
            batch.add(e);
        }
        add_to_rollups(tx, &batch)?;
    }
}

impl super::ExecutionStore for PostgresStore {
    fn insert_executions(&self, rows: &[super::ExecutionRecord]) -> Result<Vec<bool>> {
        use super::executions::{micros, to_millionths};
        self.transaction(|tx| {
            let stmt = tx.prepare(
                "INSERT INTO executions (id, at_us, agent_id, tool, user_id, organization, session_id, replica, latency_us, status, request_bytes, response_bytes, tokens_in, tokens_out, cost_micros, model, trace_id, error, arguments) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT (id) DO NOTHING",
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for e in rows {
                let n = tx.execute(
                    &stmt,
                    &[
                        &e.execution_id,
                        &micros(&e.timestamp),
                        &e.agent_id,
                        &e.tool,
                        &e.user_id,
                        &e.organization,
                        &e.session_id,
                        &e.replica.map(|v| v as i32),
                        &to_millionths(e.latency_ms, 1000.0),
                        &e.status.as_str(),
                        &(e.request_bytes as i64),
                        &(e.response_bytes as i64),
                        &e.tokens_in.map(|v| v as i64),
                        &e.tokens_out.map(|v| v as i64),
                        &e.cost.map(|c| to_millionths(c, 1e6)),
                        &e.model,
                        &e.trace_id,
                        &e.error,
                        &e.arguments.as_ref().map(|a| a.to_string()),
                    ],
                )?;
                out.push(n > 0);
            }
            let mut batch = super::rollups::Batch::default();
            for (e, new) in rows.iter().zip(&out) {
                if *new {
                    batch.add(e);
                }
            }
            add_to_rollups(tx, &batch)?;
            Ok(out)
        })
    }

    fn executions(&self, q: &super::ExecutionQuery) -> Result<Vec<super::ExecutionRecord>> {
        use super::executions::micros;
        let status = q.status.map(|s| s.as_str());
        let since = q.since.as_ref().map(micros);
        let until = q.until.as_ref().map(micros);
        let limit = q.limit.clamp(1, i64::MAX as usize) as i64;
        self.with(|c| {
            rows(
                c.query(
                    &format!(
                        "SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
                         WHERE ($1::text IS NULL OR e.agent_id = $1) AND ($2::text IS NULL OR e.user_id = $2) AND ($3::text IS NULL OR e.status = $3) \
                         AND ($4::bigint IS NULL OR e.at_us >= $4) AND ($5::bigint IS NULL OR e.at_us < $5) ORDER BY e.at_us DESC, e.id DESC LIMIT $6"
                    ),
                    &[&q.agent, &q.user, &status, &since, &until, &limit],
                )?,
                execution_row,
            )
        })
    }

    fn execution(&self, id: &str) -> Result<Option<super::ExecutionRecord>> {
        self.with(|c| {
            let r = c.query(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id WHERE e.id = $1"),
                &[&id],
            )?;
            Ok(rows(r, execution_row)?.into_iter().next())
        })
    }

    fn usage(&self, u: &super::executions::Usage, since: DateTime<Utc>) -> Result<(u64, i64)> {
        self.with(|c| {
            let r = c.query_one(
                "SELECT count(*), coalesce(sum(cost_micros), 0)::BIGINT FROM executions WHERE at_us >= $1 AND status <> 'denied' \
                 AND ($2::TEXT IS NULL OR user_id = $2) AND ($3::TEXT IS NULL OR agent_id = $3) AND ($4::TEXT IS NULL OR tool = $4)",
                &[&super::executions::micros(&since), &u.user, &u.agent, &u.tool],
            )?;
            let n: i64 = r.try_get(0)?;
            let cost: i64 = r.try_get(1)?;
            Ok((n.max(0) as u64, cost))
        })
    }

    fn set_feedback(&self, execution_id: &str, f: &super::Feedback) -> Result<bool> {
        let given = super::executions::micros(&f.given_at);
        let rating = i16::from(f.rating);
        self.transaction(|tx| {
            let found = tx.query(
                "SELECT e.at_us, e.agent_id, e.tool, e.user_id, e.model, f.rating, f.correct FROM executions e \
                 LEFT JOIN execution_feedback f ON f.execution_id = e.id WHERE e.id = $1 FOR UPDATE OF e",
                &[&execution_id],
            )?;
            let Some(r) = found.first() else {
                return Ok(false);
            };
            let (at, agent, tool, user): (i64, String, String, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
            let model: Option<String> = r.try_get(4)?;
            let old_rating: Option<i16> = r.try_get(5)?;
            let old_correct: Option<bool> = r.try_get(6)?;
            tx.execute(
                "INSERT INTO execution_feedback (execution_id, rating, correct, user_id, given_at_us) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (execution_id) DO UPDATE SET rating = excluded.rating, correct = excluded.correct, user_id = excluded.user_id, given_at_us = excluded.given_at_us",
                &[&execution_id, &rating, &f.correct, &f.user_id, &given],
            )?;
            let mut delta = super::rollups::Sums::default();
            if let Some(r) = old_rating {
                delta.judge(i64::from(r), old_correct, -1);
            }
            delta.judge(i64::from(f.rating), f.correct, 1);
            let model = model.unwrap_or_default();
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ROLLUP_LOCK])?;
            for (g, k) in super::rollups::keys_of(at, &agent, &tool, &user, &model) {
                tx.execute(
                    &super::rollups::judge_sql(g),
                    &[
                        &delta.rating_sum,
                        &delta.ratings,
                        &delta.correct,
                        &delta.judged,
                        &k.bucket,
                        &k.agent_id,
                        &k.second,
                        &k.model,
                    ],
                )?;
            }
            Ok(true)
        })
    }

    fn rollups(
        &self,
        g: super::rollups::Grain,
        from: i64,
        to: i64,
        user: Option<&str>,
    ) -> Result<Vec<super::rollups::RollupRow>> {
        let sql = super::rollups::range_sql(g);
        self.with(move |c| {
            let found = match user {
                Some(u) => c.query(&sql, &[&from, &to, &u])?,
                None => c.query(&sql, &[&from, &to])?,
            };
            let mut out = Vec::with_capacity(found.len());
            for r in &found {
                out.push(super::rollups::RollupRow {
                    key: super::rollups::Key {
                        bucket: r.try_get(0)?,
                        agent_id: r.try_get(1)?,
                        second: r.try_get(2)?,
                        model: r.try_get(3)?,
                    },
                    sums: sums_at(r, 4)?,
                    histogram: r.try_get(23)?,
                });
            }
            Ok(out)
        })
    }

    fn scan_executions(
        &self,
        since_us: i64,
        until_us: i64,
        user: Option<&str>,
        visit: &mut (dyn FnMut(&super::executions::Scanned) + Send),
    ) -> Result<()> {
        // Streamed (a portal read in slices), so that millions of rows are never held at once.
        self.with(move |client| {
            let mut tx = client.transaction()?;
            let stmt = tx.prepare(
                "SELECT e.at_us, e.agent_id, e.tool, e.user_id, coalesce(e.model, ''), e.latency_us, e.status, e.tokens_in, e.tokens_out, e.cost_micros, f.rating, f.correct \
                 FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
                 WHERE e.at_us >= $1 AND e.at_us < $2 AND ($3::TEXT IS NULL OR e.user_id = $3)",
            )?;
            let portal = tx.bind(&stmt, &[&since_us, &until_us, &user])?;
            loop {
                let slice = tx.query_portal(&portal, 50_000)?;
                if slice.is_empty() {
                    break;
                }
                for r in &slice {
                    let status: &str = r.try_get(6)?;
                    let status = super::ExecutionStatus::parse(status).ok_or_else(|| {
                        Failure::Domain(Error::failed(format!("unknown execution status `{status}`"), None))
                    })?;
                    visit(&super::executions::Scanned {
                        at_us: r.try_get(0)?,
                        agent_id: r.try_get(1)?,
                        tool: r.try_get(2)?,
                        user_id: r.try_get(3)?,
                        model: r.try_get(4)?,
                        latency_us: r.try_get(5)?,
                        status,
                        tokens_in: r.try_get::<_, Option<i64>>(7)?.unwrap_or(0),
                        tokens_out: r.try_get::<_, Option<i64>>(8)?.unwrap_or(0),
                        cost_micros: r.try_get(9)?,
                        rating: r.try_get::<_, Option<i16>>(10)?.map(i64::from),
                        correct: r.try_get(11)?,
                    });
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn record_replicas(&self, ch: &super::executions::ReplicaChange) -> Result<()> {
        let at = super::executions::micros(&ch.at);
        let replicas = ch.replicas as i32;
        self.with(|c| {
            c.execute(
                "INSERT INTO replica_changes (agent_id, target, at_us, replicas) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (agent_id, target, at_us) DO UPDATE SET replicas = excluded.replicas",
                &[&ch.agent_id, &ch.target, &at, &replicas],
            )?;
            Ok(())
        })
    }

    fn replica_changes(&self) -> Result<Vec<super::executions::ReplicaChange>> {
        self.with(|c| {
            let found = c.query(
                "SELECT agent_id, target, at_us, replicas FROM replica_changes ORDER BY at_us",
                &[],
            )?;
            let mut out = Vec::with_capacity(found.len());
            for r in &found {
                out.push(super::executions::ReplicaChange {
                    agent_id: r.try_get(0)?,
                    target: r.try_get(1)?,
                    at: super::executions::from_micros(r.try_get(2)?),
                    replicas: r.try_get::<_, i32>(3)?.max(0) as u32,
                });
            }
            Ok(out)
        })
    }

    fn record_alert(&self, a: &super::executions::AlertRecord) -> Result<()> {
        let at = super::executions::micros(&a.fired_at);
        self.with(|c| {
            c.execute(
                "INSERT INTO alerts (alert_key, rule, fired_us, message, delivered, throttled) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&a.key, &a.rule, &at, &a.message, &a.delivered, &a.throttled],
            )?;
            Ok(())
        })
    }

    fn alerts_since(&self, since: DateTime<Utc>) -> Result<Vec<super::executions::AlertRecord>> {
        let since = super::executions::micros(&since);
        self.with(|c| {
            let found = c.query(
                "SELECT alert_key, rule, fired_us, message, delivered, throttled FROM alerts WHERE fired_us >= $1 ORDER BY fired_us, id",
                &[&since],
            )?;
            let mut out = Vec::with_capacity(found.len());
            for r in &found {
                out.push(super::executions::AlertRecord {
                    key: r.try_get(0)?,
                    rule: r.try_get(1)?,
                    fired_at: super::executions::from_micros(r.try_get(2)?),
                    message: r.try_get(3)?,
                    delivered: r.try_get(4)?,
                    throttled: r.try_get(5)?,
                });
            }
            Ok(out)
        })
    }

    fn last_delivered(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        self.with(|c| {
            let at: Option<i64> = c
                .query_one(
                    "SELECT max(fired_us) FROM alerts WHERE alert_key = $1 AND delivered",
                    &[&key],
                )?
                .try_get(0)?;
            Ok(at.map(super::executions::from_micros))
        })
    }

    fn newest_execution(&self) -> Result<Option<DateTime<Utc>>> {
        self.with(|c| {
            let at: Option<i64> = c
                .query_one("SELECT max(at_us) FROM executions", &[])?
                .try_get(0)?;
            Ok(at.map(super::executions::from_micros))
        })
    }
}
