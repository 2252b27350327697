//! The embedded SQLite store (bundled SQLite, WAL mode), private to the user.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::migrations::{latest, MIGRATIONS};
use super::postings::{self, Field};
use super::Concern;
use super::{
    ts, AgentRecord, CreationRecord, DeploymentRecord, RegisterOutcome, RegistryEntry, StepRecord,
};
use crate::error::{Error, Result};

pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// What it was opened for: the tables it migrated and the schema version it reports.
    concerns: Vec<Concern>,
    /// Started by the first audit append; stores that only read or keep agents need none.
    checkpointer: Mutex<Option<Checkpointer>>,
    /// The postings of the tail this connection appended, with the chain head they end at.
    /// Posting them writes one row, where reading the tail back would stall the writer (and
    /// every acknowledgement behind it) for tens of milliseconds.
    tail: Mutex<Option<(postings::Stretch, [u8; 32])>>,
    /// Frames in the WAL after this connection's last commit, as SQLite reports them to
    /// the WAL hook (boxed: the hook holds its address for as long as `conn` lives, and
    /// it is dropped after `conn`).
    wal_frames: Box<std::sync::atomic::AtomicI64>,
}

/// A thread with its own connection that moves the WAL into the database every
/// `CHECKPOINT_PERIOD`, passively: it never blocks the writer, which copies only the little
/// that is left when the WAL is to start over. (SQLite checkpoints once more when the last
/// connection closes.)
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
    progress: Arc<Progress>,
}

/// What the checkpointer and the writer tell each other.
#[derive(Default)]
struct Progress {
    /// The WAL's length in frames once the checkpointer has copied nearly all of it, else 0.
    /// The writer may then copy the rest before a transaction, which starts the WAL over.
    nearly_copied: std::sync::atomic::AtomicI64,
    /// Whether the writer's last append was a bulk one.
    bulk: std::sync::atomic::AtomicBool,
}

/// When a pass of the checkpointer found no more than this many frames (1 MiB) added since
/// the pass before, what is left is small enough for the writer to copy.
const SMALL_REMAINDER: i64 = 64;

/// Appends of at least this many events finish a nearly complete checkpoint: events queue
/// behind them anyway, and starting the WAL over saves more than the copy costs (no growing
/// file to extend on every write, nor to copy and delete whole at close).
const BULK_APPEND: usize = 4096;

/// Smaller appends finish it only once the WAL holds this many frames (1 GiB of the 16 KiB
/// pages new stores use). Their producers wait for each one, so the pause (tens of
/// milliseconds with its two syncs) is taken only as often as it must be to keep the WAL
/// from growing without end. (16 MiB in unit tests, which could not write a gigabyte.)
const WAL_LIMIT: i64 = if cfg!(test) { 1024 } else { 65_536 };

const CHECKPOINT_PERIOD: std::time::Duration = std::time::Duration::from_millis(500);

impl Checkpointer {
    fn start(path: &Path) -> std::io::Result<Checkpointer> {
        use std::sync::atomic::Ordering::Relaxed;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let path = path.to_owned();
        let progress = Arc::new(Progress::default());
        let shared = progress.clone();
        let thread = std::thread::Builder::new()
            .name("wal-checkpointer".into())
            .spawn(move || {
                let Ok(conn) = Connection::open(&path) else {
                    return;
                };
                let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
                let db = std::fs::File::open(&path).ok();
                // The WAL's length in frames when the pass began, if it copied all of them.
                let checkpoint = || {
                    let done = passive_checkpoint(&conn)
                        .ok()
                        .and_then(|(log, done)| (log > 0 && done == log).then_some(log));
                    // Only under bulk appends: beside small ones, whose producers wait on
                    // syncs of the WAL, the burst of writes made p99 acks 3 times slower.
                    if let Some(db) = db.as_ref().filter(|_| shared.bulk.load(Relaxed)) {
                        start_writeback(db);
                    }
                    done
                };
                // A closing store waits for this thread: it stops between passes.
                let stopping = || {
                    !matches!(
                        stopped.try_recv(),
                        Err(std::sync::mpsc::TryRecvError::Empty)
                    )
                };
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_PERIOD)
                {
                    // A writer that keeps appending never finds the WAL fully copied, so it
                    // never starts it over: the WAL would grow by every event written and
                    // be copied and deleted whole at close. While bulk appends come, more
                    // passes shrink what is left until the writer can copy the rest in a few
                    // milliseconds; once the WAL is too long, the writer copies what one
                    // more pass left. (Each pass syncs twice; between small appends, whose
                    // producers wait on their own syncs, one pass is enough.)
                    let mut before = checkpoint();
                    for _ in 0..8 {
                        let Some(log) = before.filter(|_| !stopping()) else {
                            break;
                        };
                        if !shared.bulk.load(Relaxed) && log < WAL_LIMIT {
                            break;
                        }
                        let Some(now) = checkpoint() else { break };
                        if now < log {
                            break;
                        }
                        if now - log <= SMALL_REMAINDER || now >= WAL_LIMIT {
                            shared.nearly_copied.store(now, Relaxed);
                            break;
                        }
                        before = Some(now);
                    }
                }
            })?;
        Ok(Checkpointer {
            stop,
            thread,
            progress,
        })
    }
}

/// Start writing out the database file's dirty pages, without waiting for the disk. A
/// checkpoint that leaves frames behind does not sync the database, so the pages it copied
/// would stay in memory until the sync of one that copies everything (or of the close), and
/// be written all at once: 160 MB, a quarter of a second, at the close of a 200,000-event
/// ingest. Written as they are copied, that sync finds little left.
#[cfg(target_os = "linux")]
fn start_writeback(db: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open descriptor; a failure only leaves the work to
    // the next sync.
    unsafe {
        libc::sync_file_range(db.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}
#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &std::fs::File) {}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        let checkpointer = self
            .checkpointer
            .get_mut()
            .unwrap_or_else(|p| p.into_inner());
        let writer = checkpointer.take().map(|c| {
            drop(c.stop);
            let _ = c.thread.join();
        });
        let frames = self.wal_frames.load(std::sync::atomic::Ordering::Relaxed);
        keep_wal(
            self.conn.get_mut().unwrap_or_else(|p| p.into_inner()),
            &self.path,
            writer.is_some() || frames > RESTART_AFTER_FRAMES,
        );
    }
}

/// The WAL beside the database at `db`.
fn wal_path(db: &Path) -> PathBuf {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

/// A passive checkpoint: the WAL's length in frames and how many of them are copied.
fn passive_checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

/// A store that is not the audit trail's writer starts its kept WAL over at close once it
/// holds more frames than this (1 MiB of 16 KiB pages). Opening a store reads back and
/// checksums every frame since the WAL last started over, and a checkpoint alone never
/// starts it over across processes (each open finds it uncopied), so without this the
/// domain store's WAL grew by every command's writes and each open read all of them
/// (15 MB after a hundred creations). A few commands' frames are cheaper to read back than
/// a restart at every close (two syncs).
const RESTART_AFTER_FRAMES: i64 = 64;

/// SQLite's own automatic checkpoint, which a WAL hook replaces: a passive checkpoint
/// after a commit leaves this many frames.
const AUTOCHECKPOINT_FRAMES: i32 = 1000;

/// The WAL hook: records the WAL's length and checkpoints as SQLite would have.
unsafe extern "C" fn on_wal_commit(
    frames_out: *mut std::ffi::c_void,
    db: *mut rusqlite::ffi::sqlite3,
    name: *const std::ffi::c_char,
    frames: std::ffi::c_int,
) -> std::ffi::c_int {
    // SAFETY: the store registered a pointer to its boxed counter, which outlives the
    // connection.
    let counter = unsafe { &*(frames_out as *const std::sync::atomic::AtomicI64) };
    counter.store(i64::from(frames), std::sync::atomic::Ordering::Relaxed);
    if frames >= AUTOCHECKPOINT_FRAMES {
        // SAFETY: called by SQLite with its own open handle and database name.
        unsafe { rusqlite::ffi::sqlite3_wal_checkpoint(db, name) };
    }
    rusqlite::ffi::SQLITE_OK
}

/// A WAL up to this long is kept when the store closes, not deleted.
const KEEP_WAL: u64 = 256 << 20;

/// Closing the last connection copies the WAL into the database and deletes it. On a disk
/// mounted with online discard, deleting a file frees its blocks with a discard that unlink
/// waits for: for the 80 to 170 MB a bulk ingest leaves, 110 to 170 ms here, more than the
/// copy, and paid again by the next command to close. So a store keeps the WAL (SQLite's
/// `PERSIST_WAL`): the next writer overwrites blocks already allocated, and opening it again
/// reads back the frames written since it last started over. When `start_over` (the audit
/// writer's store, or one whose WAL holds more than `RESTART_AFTER_FRAMES`), the store starts
/// it over with one small transaction, and keeps it only if that worked, so that they are
/// few. Any other store keeps it as it is, without a checkpoint of its own that a reader's
/// close would wait for beside another process's ingest: every command records itself
/// through a writer, so a WAL that some writer could not start over is started over by the
/// next command, after one slow open. A WAL past `KEEP_WAL` (small appends only start it over at a
/// gigabyte) is deleted as before, rather than kept that large. Best effort: on any failure
/// SQLite closes as it would have.
fn keep_wal(conn: &mut Connection, path: &Path, start_over: bool) {
    if std::fs::metadata(wal_path(path)).map_or(true, |m| m.len() > KEEP_WAL) {
        return;
    }
    if start_over && !start_wal_over(conn) {
        return;
    }
    let mut persist: std::os::raw::c_int = 1;
    // SAFETY: the handle is this open connection's, and PERSIST_WAL reads and writes one int.
    unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&mut persist as *mut std::os::raw::c_int).cast(),
        );
    }
}

/// Copy the whole WAL into the database and start it over with one frame; whether it did.
fn start_wal_over(conn: &Connection) -> bool {
    // Without waiting for another process: a long export's read would hold the close for
    // the whole busy timeout.
    if conn.busy_timeout(std::time::Duration::ZERO).is_err() {
        return false;
    }
    // Copies every frame and syncs the database; with no reader left (busy = 0), the next
    // transaction starts the WAL over.
    let restart = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0));
    if restart != Ok(0) {
        return false;
    }
    // Rewriting the user version writes page 1: one frame, under new salts that end the old
    // frames for recovery. (Had another process begun reading in between, the frame went
    // after the old ones, and the count below says so.)
    let rewritten = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .and_then(|v| conn.pragma_update(None, "user_version", v));
    if rewritten.is_err() {
        return false;
    }
    // Copies that frame, so that the close has nothing to copy, and counts the WAL's frames.
    passive_checkpoint(conn).is_ok_and(|(frames, _)| frames == 1)
}

fn parse_ts(s: String) -> rusqlite::Result<DateTime<Utc>> {
    super::parse_ts(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn parse_opt_ts(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.map(parse_ts).transpose()
}

/// A stored document, kept as its text; NULL is JSON `null`.
fn parse_doc(s: Option<String>) -> rusqlite::Result<crate::model::Json> {
    crate::model::Json::parse(s.unwrap_or_else(|| "null".into())).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn parse_json(s: String) -> rusqlite::Result<serde_json::Value> {
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(unix)]
fn make_private(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}
#[cfg(not(unix))]
fn make_private(_: &Path, _: u32) {}

impl SqliteStore {
    /// Open the database at `path` for both concerns.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open_for(path, &[Concern::Domain, Concern::Audit])
    }

    /// Open the database at `path`, creating the tables of `concerns` it lacks.
    pub fn open_for(path: &Path, concerns: &[Concern]) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
                make_private(dir, 0o700);
            }
        }
        let conn = Connection::open(path).map_err(|e| {
            Error::unavailable(
                format!("cannot open the store {}: {e}", path.display()),
                Some("check that the data directory is writable, or set ANALYTICS_DB_URL"),
            )
        })?;
        make_private(path, 0o600);
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Takes effect only while the file is new. The audit trail appends rows of about
        // 600 bytes and reads single events by sequence. Measured on 2,000,000 events:
        // 16 KiB pages ingest 1.17 times as fast as 4 KiB ones and answer a user's last day
        // as fast (40 ms); 64 KiB pages ingest 1.03 times faster still, but each event looked
        // up reads a page four times larger (110 ms).
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        let wal_frames = Box::new(std::sync::atomic::AtomicI64::new(0));
        // SAFETY: the counter is boxed and dropped after the connection (field order).
        // The audit writer replaces the hook (`wal_autocheckpoint`) when it takes over.
        unsafe {
            rusqlite::ffi::sqlite3_wal_hook(
                conn.handle(),
                Some(on_wal_commit),
                (&*wal_frames as *const std::sync::atomic::AtomicI64)
                    .cast_mut()
                    .cast(),
            );
        }
        if concerns.contains(&Concern::Executions) {
            // Executions are written in large batches whose index and rollup pages are
            // spread over the whole file: keep them in memory between batches instead of
            // reading them back from the OS for every one. Only what is used is allocated,
            // up to 1 GiB.
            conn.pragma_update(None, "cache_size", -1_048_576)?;
        }
        let store = SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            concerns: concerns.to_vec(),
            checkpointer: Mutex::new(None),
            tail: Mutex::new(None),
            wal_frames,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Make this connection the audit trail's writer, on its first append: WAL checkpoints
    /// (which copy pages into the database and fsync it, hundreds of milliseconds on a large
    /// trail) move to their own thread, never inside a commit that someone waits for, and
    /// the page cache grows to hold the indexes. What the writer and that thread tell each
    /// other.
    fn prepare_writer(&self) -> Result<Arc<Progress>> {
        let mut checkpointer = super::lock(&self.checkpointer);
        let started = match &mut *checkpointer {
            Some(c) => c,
            None => {
                let conn = self.conn();
                conn.pragma_update(None, "wal_autocheckpoint", 0)?;
                // The audit trail grows to millions of rows: keep its index pages in memory
                // rather than re-reading them from the OS for every insert. Readers keep the
                // small default, so that a query reuses a few warm buffers instead of
                // faulting in fresh memory for every page it reads.
                conn.pragma_update(None, "cache_size", -65536)?;
                drop(conn);
                checkpointer.insert(
                    Checkpointer::start(&self.path)
                        .map_err(|e| Error::io("starting the WAL checkpointer", e))?,
                )
            }
        };
        Ok(started.progress.clone())
    }

    /// Copy what the checkpointer left of the WAL, when it has left little and the last
    /// append may pay for it, so that this writer's next transaction starts the WAL over.
    fn finish_checkpoint(&self, p: &Progress) {
        use std::sync::atomic::Ordering::Relaxed;
        // Clearing a value the checkpointer set since the load loses nothing: it sets it
        // again after its next passes.
        let frames = p.nearly_copied.load(Relaxed);
        if frames > 0 && (p.bulk.load(Relaxed) || frames >= WAL_LIMIT) {
            p.nearly_copied.store(0, Relaxed);
            // Only a saving: if it fails, the WAL goes on growing until the next chance.
            let _ = passive_checkpoint(&self.conn());
        }
    }

    /// Run `f` in an immediate transaction committed with an fsync: audit writes are durable
    /// when they are acknowledged.
    fn durably<T>(&self, f: impl FnOnce(&rusqlite::Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "FULL")?;
        let result = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(Error::from)
            .and_then(|tx| {
                let v = f(&tx)?;
                tx.commit()?;
                Ok(v)
            });
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        result
    }

    /// The postings gathered for the tail after `upto`, if they still hold all of it (no
    /// other writer appended or posted since): the chain still ends where they end. An empty
    /// stretch when there is no tail; None when the tail must be read back to be posted.
    fn gathered_tail(&self, upto: u64, head: u64, hash: [u8; 32]) -> Option<postings::Stretch> {
        let kept = super::lock(&self.tail).take();
        match kept {
            Some((t, h)) if t.start() == upto && t.end() == head && h == hash => Some(t),
            _ => (head == upto).then(|| postings::Stretch::after(upto)),
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        super::lock(&self.conn)
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.conn();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let applied = applied_versions(&conn)?;
        if let Some(&newest) = applied.iter().max().filter(|&&v| v > latest()) {
            return Err(super::newer_schema(
                &self.path.display().to_string(),
                newest,
            ));
        }
        let due = MIGRATIONS
            .iter()
            .filter(|m| self.concerns.contains(&m.1) && !applied.contains(&m.0));
        for (version, _, name, sql) in due {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            if *version == super::migrations::ROLLUPS {
                rebuild_rollups(&tx)?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![version, name, ts(&Utc::now())],
            )?;
            tx.commit()?;
        }
        Ok(())
    }
}

/// The versions of the migrations this database holds.
fn applied_versions(conn: &Connection) -> Result<Vec<u32>> {
    let mut q = conn.prepare("SELECT version FROM schema_migrations")?;
    let v = q
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(v)
}

// The wire enums are stored as their words; reading an unknown word is an error naming it.
macro_rules! stored_as_word {
    ($($t:ty),+) => {$(
        impl rusqlite::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::Borrowed(
                    rusqlite::types::ValueRef::Text(self.as_str().as_bytes()),
                ))
            }
        }

        impl rusqlite::types::FromSql for $t {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t>::parse(s).ok_or_else(|| {
                    let what = <$t as crate::model::Wire>::WHAT;
                    rusqlite::types::FromSqlError::Other(format!("unknown {what} `{s}`").into())
                })
            }
        }
    )+};
}

stored_as_word!(
    crate::model::Target,
    crate::model::AgentStatus,
    crate::model::CreationStatus,
    crate::model::StepStatus,
    crate::model::EntryKind,
    crate::model::Phase,
    crate::model::SourceFormat,
    super::DeploymentStatus,
    super::ExecutionStatus
);

const AGENT_COLUMNS: &str = "name, display_name, domain, description, status, created_at, updated_at, project_dir, repository_url, commit_id, template, creation_id, spec";

fn agent_row(r: &rusqlite::Row) -> rusqlite::Result<AgentRecord> {
    Ok(AgentRecord {
        name: r.get(0)?,
        display_name: r.get(1)?,
        domain: r.get(2)?,
        description: r.get(3)?,
        status: r.get(4)?,
        created_at: parse_ts(r.get(5)?)?,
        updated_at: parse_ts(r.get(6)?)?,
        project_dir: r.get(7)?,
        repository_url: r.get(8)?,
        commit: r.get(9)?,
        template: r.get(10)?,
        creation_id: r.get(11)?,
        spec: parse_json(r.get(12)?)?,
    })
}

impl super::StoreInfo for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn location(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn schema_version(&self) -> Result<u32> {
        let applied = applied_versions(&self.conn())?;
        Ok(super::migrations::version_of(&applied, &self.concerns))
    }

    fn check(&self) -> Result<()> {
        let result: String = self
            .conn()
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(Error::Store(format!("integrity check failed: {result}")))
        }
    }
}

impl super::DomainStore for SqliteStore {
    fn insert_creation(&self, c: &CreationRecord) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO creations (id, agent_name, status, started_at, finished_at, failed_step, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![c.id, c.agent_name, c.status, ts(&c.started_at), c.finished_at.as_ref().map(ts), c.failed_step, c.error],
        )?;
        for (i, s) in c.steps.iter().enumerate() {
            tx.execute(
                "INSERT INTO creation_steps (creation_id, position, name, status, started_at, finished_at, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![c.id, i as i64, s.name, s.status, s.started_at.as_ref().map(ts), s.finished_at.as_ref().map(ts), s.message],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn update_step(&self, creation_id: &str, position: usize, s: &StepRecord) -> Result<()> {
        self.conn().execute(
            "UPDATE creation_steps SET status = ?3, started_at = ?4, finished_at = ?5, message = ?6 WHERE creation_id = ?1 AND position = ?2",
            params![creation_id, position as i64, s.status, s.started_at.as_ref().map(ts), s.finished_at.as_ref().map(ts), s.message],
        )?;
        Ok(())
    }

    fn finish_creation(
        &self,
        id: &str,
        status: super::CreationStatus,
        finished_at: DateTime<Utc>,
        failed_step: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE creations SET status = ?2, finished_at = ?3, failed_step = ?4, error = ?5 WHERE id = ?1",
            params![id, status, ts(&finished_at), failed_step, error],
        )?;
        Ok(())
    }

    fn creation(&self, id: &str) -> Result<Option<CreationRecord>> {
        let conn = self.conn();
        let c = conn
            .query_row(
                "SELECT id, agent_name, status, started_at, finished_at, failed_step, error FROM creations WHERE id = ?1",
                [id],
                |r| {
                    Ok(CreationRecord {
                        id: r.get(0)?,
                        agent_name: r.get(1)?,
                        status: r.get(2)?,
                        started_at: parse_ts(r.get(3)?)?,
                        finished_at: parse_opt_ts(r.get(4)?)?,
                        failed_step: r.get(5)?,
                        error: r.get(6)?,
                        steps: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut c) = c else { return Ok(None) };
        let mut stmt = conn.prepare(
            "SELECT name, status, started_at, finished_at, message FROM creation_steps WHERE creation_id = ?1 ORDER BY position",
        )?;
        c.steps = stmt
            .query_map([id], |r| {
                Ok(StepRecord {
                    name: r.get(0)?,
                    status: r.get(1)?,
                    started_at: parse_opt_ts(r.get(2)?)?,
                    finished_at: parse_opt_ts(r.get(3)?)?,
                    message: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(c))
    }

    fn agent(&self, name: &str) -> Result<Option<AgentRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {AGENT_COLUMNS} FROM agents WHERE name = ?1"),
                [name],
                agent_row,
            )
            .optional()?)
    }

    fn list_agents(&self) -> Result<Vec<AgentRecord>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare(&format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name"))?;
        let rows = stmt
            .query_map([], agent_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn register_agent(&self, a: &AgentRecord, e: &RegistryEntry, replace: bool) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if replace {
            tx.execute("DELETE FROM agents WHERE name = ?1", [&a.name])?;
        }
        let inserted = tx.execute(
            &format!("INSERT INTO agents ({AGENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
            params![
                a.name,
                a.display_name,
                a.domain,
                a.description,
                a.status,
                ts(&a.created_at),
                ts(&a.updated_at),
                a.project_dir,
                a.repository_url,
                a.commit,
                a.template,
                a.creation_id,
                a.spec.to_string()
            ],
        );
        if let Err(rusqlite::Error::SqliteFailure(f, _)) = &inserted {
            if f.code == rusqlite::ErrorCode::ConstraintViolation {
                return Err(super::agent_exists(&a.name));
            }
        }
        inserted?;
        let other: Option<String> = tx
            .query_row(
                "SELECT kind FROM mcp_servers WHERE name = ?1 AND kind <> 'agent' LIMIT 1",
                [&e.name],
                |r| r.get(0),
            )
            .optional()?;
        if other.is_some() {
            return Err(super::name_taken(&e.name));
        }
        tx.execute(
            "DELETE FROM mcp_servers WHERE name = ?1 AND kind = 'agent'",
            [&e.name],
        )?;
        insert_entry(&tx, e)?;
        tx.commit()?;
        Ok(())
    }

    fn remove_agent(&self, name: &str) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM agents WHERE name = ?1", [name])?;
        Ok(n > 0)
    }

    fn registry_entries(&self) -> Result<Vec<RegistryEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM mcp_servers ORDER BY name, version"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RegistryEntry {
                    name: r.get(0)?,
                    version: r.get(1)?,
                    kind: r.get(2)?,
                    agent_name: r.get(3)?,
                    manifest: parse_doc(r.get(4)?)?,
                    phase: r.get(5)?,
                    registered_at: parse_ts(r.get(6)?)?,
                    format: r.get(7)?,
                    source: parse_doc(r.get(8)?)?,
                    report: parse_doc(r.get(9)?)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn register_server(&self, e: &RegistryEntry, replace: bool) -> Result<RegisterOutcome> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existing: Option<super::EntryKind> = tx
            .query_row(
                "SELECT kind FROM mcp_servers WHERE name = ?1 AND version = ?2",
                [&e.name, &e.version],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(kind) if kind == super::EntryKind::Agent || !replace => {
                return Ok(RegisterOutcome::Exists { kind })
            }
            Some(_) => {
                tx.execute(
                    "DELETE FROM mcp_servers WHERE name = ?1 AND version = ?2",
                    [&e.name, &e.version],
                )?;
            }
            None => {}
        }
        // A name belongs to one kind: an agent's name cannot gain custom versions.
        let agent: Option<super::EntryKind> = tx
            .query_row(
                "SELECT kind FROM mcp_servers WHERE name = ?1 AND kind = 'agent' LIMIT 1",
                [&e.name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(kind) = agent {
            return Ok(RegisterOutcome::Exists { kind });
        }
        insert_entry(&tx, e)?;
        tx.commit()?;
        Ok(RegisterOutcome::Stored)
    }

    fn save_deployment(&self, d: &DeploymentRecord) -> Result<()> {
        let detail = super::deployment_detail(d);
        self.conn().execute(
            &format!("INSERT OR REPLACE INTO deployments ({DEPLOYMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                d.agent_name,
                d.target.as_str(),
                d.environment,
                d.status.as_str(),
                d.replicas_wanted,
                d.artifact,
                ts(&d.created_at),
                ts(&d.updated_at),
                detail
            ],
        )?;
        Ok(())
    }

    fn deployment(
        &self,
        agent_name: &str,
        target: crate::model::Target,
    ) -> Result<Option<DeploymentRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE agent_name = ?1 AND target = ?2"),
                [agent_name, target.as_str()],
                deployment_row,
            )
            .optional()?)
    }

    fn deployments(&self, agent_name: Option<&str>) -> Result<Vec<DeploymentRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE ?1 IS NULL OR agent_name = ?1 ORDER BY agent_name, target"
        ))?;
        let rows = stmt
            .query_map([agent_name], deployment_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn remove_deployment(&self, agent_name: &str, target: crate::model::Target) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM deployments WHERE agent_name = ?1 AND target = ?2",
            [agent_name, target.as_str()],
        )?;
        Ok(n > 0)
    }

    fn tool_pins(&self, server: &str) -> Result<Vec<super::ToolPin>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT tool, hash, definition, pinned_at, pending_hash, pending_definition FROM tool_pins WHERE server = ?1 ORDER BY tool",
        )?;
        let rows = stmt.query_map([server], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(super::pin_of(row?)?);
        }
        Ok(out)
    }

    fn remove_pins(&self, server: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM tool_pins WHERE server = ?1", [server])?;
        Ok(())
    }

    fn save_pins(&self, server: &str, pins: &[super::ToolPin]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, pending_hash, pending_definition) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (server, tool) DO UPDATE SET hash = excluded.hash, definition = excluded.definition, pinned_at = excluded.pinned_at, pending_hash = excluded.pending_hash, pending_definition = excluded.pending_definition",
            )?;
            for p in pins {
                stmt.execute(params![
                    server,
                    p.tool,
                    p.hash,
                    p.definition.to_string(),
                    super::ts(&p.pinned_at),
                    p.pending_hash,
                    p.pending_definition.as_ref().map(|d| d.to_string()),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn remove_servers(&self, name: &str, version: Option<&str>) -> Result<Vec<(String, String)>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut removed = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT name, version FROM mcp_servers WHERE name = ?1 AND kind <> 'agent' AND (?2 IS NULL OR version = ?2) ORDER BY version",
            )?;
            let rows = stmt.query_map(params![name, version], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for r in rows {
                removed.push(r?);
            }
        }
        tx.execute(
            "DELETE FROM mcp_servers WHERE name = ?1 AND kind <> 'agent' AND (?2 IS NULL OR version = ?2)",
            params![name, version],
        )?;
        tx.commit()?;
        Ok(removed)
    }
}

impl super::AuditStore for SqliteStore {
    fn audit_append(
        &self,
        records: &[super::AuditRow],
        checkpoint_every: u64,
        checkpoint_last: bool,
        chain: &dyn super::Chain,
    ) -> Result<Vec<Option<u64>>> {
        let mut append = self.audit_begin(checkpoint_every, chain)?;
        append.insert(records)?;
        let out = append.commit(checkpoint_last)?;
        self.audit_sync()?;
        Ok(out)
    }

    fn audit_begin<'s>(
        &'s self,
        checkpoint_every: u64,
        chain: &'s dyn super::Chain,
    ) -> Result<Box<dyn super::AuditAppend + 's>> {
        let progress = self.prepare_writer()?;
        self.finish_checkpoint(&progress);
        let conn = self.conn();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        // Made before the chain's head is read, so that a failed read rolls back.
        let mut append = Append {
            store: self,
            conn,
            progress,
            open: true,
            chain,
            checkpoint_every,
            sequence: 0,
            hash: chain.genesis(),
            posted_upto: 0,
            tail: None,
            out: Vec::new(),
        };
        if let Some((sequence, hash)) = chain_head(&append.conn)? {
            (append.sequence, append.hash) = (sequence, hash);
        }
        append.posted_upto = postings::upto(&append.conn)?;
        append.tail = self.gathered_tail(append.posted_upto, append.sequence, append.hash);
        Ok(Box::new(append))
    }

    fn audit_sync(&self) -> Result<()> {
        // In WAL mode a commit is durable once the WAL holds it on disk: one fdatasync of the
        // WAL covers every transaction committed before it. (Frames a checkpoint has moved
        // on are in the database file, which the checkpoint synced before reusing the WAL.)
        let wal = wal_path(&self.path);
        match std::fs::File::open(&wal) {
            Ok(f) => f
                .sync_data()
                .map_err(|e| Error::io(format!("syncing {}", wal.display()), e)),
            // No WAL: nothing was appended since the last connection closed and synced it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(format!("opening {}", wal.display()), e)),
        }
    }

    fn audit_head(&self) -> Result<Option<(u64, [u8; 32])>> {
        chain_head(&self.conn())
    }

    fn audit_query(&self, q: &crate::store::AuditQuery) -> Result<Vec<crate::store::StoredAudit>> {
        let mut sql = String::from("SELECT sequence, body, hash FROM audit_events WHERE 1=1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        // `clause` holds one `?`, numbered here.
        let mut add = |clause: &str, v: Box<dyn rusqlite::ToSql>| {
            args.push(v);
            sql.push_str(" AND ");
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        for (clause, v) in q.comparisons() {
            add(clause, Box::new(v.clone()));
        }
        if let Some(v) = &q.contains {
            add("instr(body, ?) > 0", Box::new(v.clone().into_bytes()));
        }
        if let Some(v) = q.after {
            add("sequence > ?", Box::new(v as i64));
        }
        let mut conn = self.conn();
        // One read transaction: the postings, the tail and the events are read from one
        // snapshot, and the thousand lookups of a query share one set of locks.
        let conn = conn.transaction()?;
        let limit = q.sql_limit();
        let order = if q.newest_first { "DESC" } else { "ASC" };
        if let Some(candidates) = posted_candidates(&conn, q)? {
            // The tail is not posted: the comparisons alone find its events.
            let upto = postings::upto(&conn)?;
            let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
            let tail = |n: usize| -> Result<Vec<crate::store::StoredAudit>> {
                let mut stmt = conn.prepare(&format!(
                    "{sql} AND sequence > {upto} ORDER BY sequence {order} LIMIT {n}"
                ))?;
                let rows = stmt.query_map(params.as_slice(), stored_audit)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            // Each candidate is checked against every comparison (the posted ones too).
            let posted = |n: usize| -> Result<Vec<crate::store::StoredAudit>> {
                let mut stmt =
                    conn.prepare(&format!("{sql} AND sequence = ?{}", params.len() + 1))?;
                let mut ordered: Box<dyn Iterator<Item = &u64>> = if q.newest_first {
                    Box::new(candidates.iter().rev())
                } else {
                    Box::new(candidates.iter())
                };
                let mut out = Vec::new();
                while out.len() < n {
                    let Some(&seq) = ordered.next() else { break };
                    let seq = seq as i64;
                    let mut with_seq = params.clone();
                    with_seq.push(&seq);
                    if let Some(found) = stmt
                        .query_row(with_seq.as_slice(), stored_audit)
                        .optional()?
                    {
                        out.push(found);
                    }
                }
                Ok(out)
            };
            // Posted events all come before the tail.
            let mut out = if q.newest_first {
                tail(limit)?
            } else {
                posted(limit)?
            };
            let rest = limit - out.len();
            if rest > 0 {
                out.extend(if q.newest_first {
                    posted(rest)?
                } else {
                    tail(rest)?
                });
            }
            return Ok(out);
        }
        sql.push_str(&format!(" ORDER BY sequence {order} LIMIT {limit}"));
        let mut stmt = conn.prepare(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = stmt
            .query_map(params.as_slice(), stored_audit)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn audit_range(&self, from: u64, limit: usize) -> Result<Vec<crate::store::StoredAudit>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT sequence, body, hash FROM audit_events WHERE sequence >= ?1 ORDER BY sequence LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![from as i64, limit as i64], stored_audit)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn audit_scan(&self, from: u64, to: u64, visit: &mut super::Visit<'_>) -> Result<()> {
        // Its own read-only connection, so that scans of different parts run in parallel
        // (WAL readers do not block each other or the writer).
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        let mut stmt = conn.prepare(
            "SELECT sequence, body, hash FROM audit_events WHERE sequence BETWEEN ?1 AND ?2 ORDER BY sequence",
        )?;
        let mut rows = stmt.query(params![from as i64, to as i64])?;
        while let Some(r) = rows.next()? {
            let blob =
                |i| -> rusqlite::Result<&[u8]> { Ok(r.get_ref(i)?.as_bytes().unwrap_or_default()) };
            if !visit(r.get::<_, i64>(0)? as u64, blob(1)?, blob(2)?) {
                break;
            }
        }
        Ok(())
    }

    fn audit_checkpoints(&self) -> Result<Vec<super::Checkpoint>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT sequence, hash, at, signature, public_key, anchors_purge FROM audit_checkpoints ORDER BY sequence",
        )?;
        let rows = stmt
            .query_map([], checkpoint_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn audit_purge(&self, before: &str, chain: &dyn super::Chain) -> Result<u64> {
        self.durably(|tx| {
            let first: Option<i64> =
                tx.query_row("SELECT MIN(sequence) FROM audit_events", [], |r| r.get(0))?;
            let keep_from: Option<i64> = tx.query_row(
                "SELECT MIN(sequence) FROM audit_events WHERE timestamp >= ?1",
                [before],
                |r| r.get(0),
            )?;
            let last: Option<i64> =
                tx.query_row("SELECT MAX(sequence) FROM audit_events", [], |r| r.get(0))?;
            let Some(upto) = super::purge_upto(first, keep_from, last) else {
                return Ok(0);
            };
            let hash: Vec<u8> = tx.query_row(
                "SELECT hash FROM audit_events WHERE sequence = ?1",
                [upto],
                |r| bytes(r, 0),
            )?;
            insert_checkpoint(tx, &chain.anchor_purge(upto as u64, hash32(hash)?))?;
            let n = tx.execute("DELETE FROM audit_events WHERE sequence <= ?1", [upto])?;
            tx.execute("DELETE FROM audit_postings WHERE last_seq <= ?1", [upto])?;
            tx.execute("UPDATE audit_posted SET upto = max(upto, ?1)", [upto])?;
            tx.execute("DELETE FROM audit_checkpoints WHERE sequence < ?1", [upto])?;
            Ok(n as u64)
        })
    }

    fn audit_sink_cursor(&self, sink: &str) -> Result<u64> {
        let v: Option<i64> = self
            .conn()
            .query_row(
                "SELECT sequence FROM audit_sinks WHERE name = ?1",
                [sink],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.unwrap_or(0) as u64)
    }

    fn set_audit_sink_cursor(&self, sink: &str, sequence: u64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO audit_sinks (name, sequence) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET sequence = excluded.sequence",
            params![sink, sequence as i64],
        )?;
        Ok(())
    }

    fn audit_seal(&self, chain: &dyn super::Chain) -> Result<Option<u64>> {
        self.durably(|tx| {
            // Sealing ends a writer's session: its tail is posted, so that queries after it
            // do not scan the tail.
            let upto = postings::upto(tx)?;
            let gathered = chain_head(tx)?.and_then(|(s, h)| self.gathered_tail(upto, s, h));
            postings::post(tx, upto, gathered)?;
            let last: Option<i64> =
                tx.query_row("SELECT MAX(sequence) FROM audit_checkpoints", [], |r| {
                    r.get(0)
                })?;
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

const DEPLOYMENT_COLUMNS: &str = "agent_name, target, environment, status, replicas_wanted, artifact, created_at, updated_at, detail";

fn deployment_row(r: &rusqlite::Row) -> rusqlite::Result<DeploymentRecord> {
    let (replicas, detail) = super::split_detail(&r.get::<_, String>(8)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(DeploymentRecord {
        agent_name: r.get(0)?,
        target: r.get(1)?,
        environment: r.get(2)?,
        status: r.get(3)?,
        replicas_wanted: r.get(4)?,
        artifact: r.get(5)?,
        created_at: parse_ts(r.get(6)?)?,
        updated_at: parse_ts(r.get(7)?)?,
        replicas,
        detail,
    })
}

/// A column as bytes, whether SQLite holds it as a blob or (after an edit) as text.
fn bytes(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Vec<u8>> {
    Ok(r.get_ref(i)?
        .as_bytes()
        .map(<[u8]>::to_vec)
        .unwrap_or_default())
}

/// An audit row selected as (sequence, body, hash).
fn stored_audit(r: &rusqlite::Row) -> rusqlite::Result<crate::store::StoredAudit> {
    Ok(crate::store::StoredAudit {
        sequence: r.get::<_, i64>(0)? as u64,
        body: bytes(r, 1)?,
        hash: hash32(bytes(r, 2)?)?,
    })
}

fn hash32(v: Vec<u8>) -> rusqlite::Result<[u8; 32]> {
    v.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            "hash is not 32 bytes".into(),
        )
    })
}

/// The sequences that the postings give for the user, type and agent a query names (all of
/// them), in increasing order; None when it names none of these.
fn posted_candidates(conn: &Connection, q: &crate::store::AuditQuery) -> Result<Option<Vec<u64>>> {
    let window = postings::Window {
        since: q.since.as_deref(),
        until: q.until.as_deref(),
        after: q.after,
    };
    let mut candidates: Option<Vec<u64>> = None;
    for (field, value) in [
        (Field::User, &q.user),
        (Field::Type, &q.event_type),
        (Field::Agent, &q.agent),
    ] {
        let Some(value) = value else { continue };
        let seqs = postings::sequences(conn, field, value, &window)?;
        candidates = Some(match candidates {
            Some(c) => postings::intersect(&c, &seqs),
            None => seqs,
        });
    }
    Ok(candidates)
}

/// The audit writer's open transaction. It holds the store's connection from begin to
/// commit, so that nothing else runs inside it: other work on this store waits for the
/// commit (the pipeline's writer commits when the sync in progress ends).
struct Append<'s> {
    store: &'s SqliteStore,
    conn: std::sync::MutexGuard<'s, Connection>,
    /// Told at commit whether this was a bulk append.
    progress: Arc<Progress>,
    /// Until committed: dropped while open, it rolls back.
    open: bool,
    chain: &'s dyn super::Chain,
    checkpoint_every: u64,
    /// The head of the chain as inserted so far.
    sequence: u64,
    hash: [u8; 32],
    posted_upto: u64,
    /// The postings of what follows `posted_upto`, when this writer has them all.
    tail: Option<postings::Stretch>,
    out: Vec<Option<u64>>,
}

impl super::AuditAppend for Append<'_> {
    fn insert(&mut self, records: &[super::AuditRow]) -> Result<()> {
        let Append {
            conn,
            chain,
            checkpoint_every,
            sequence,
            hash,
            tail,
            out,
            ..
        } = self;
        // A duplicate is ignored by the insert itself (one index probe, not two).
        let mut insert = conn.prepare_cached(
            "INSERT OR IGNORE INTO audit_events (sequence, event_id, timestamp, user_id, event_type, severity, status, resource, agent_id, body, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for r in records {
            let next_hash = chain.link(hash, &r.canonical);
            let event_type = r.event_type;
            let inserted = insert.execute(params![
                (*sequence + 1) as i64,
                r.event_id,
                r.timestamp,
                r.user_id,
                event_type,
                r.severity,
                r.status,
                r.resource,
                r.agent_id,
                r.canonical,
                &next_hash[..]
            ])?;
            if inserted == 0 {
                out.push(None);
                continue;
            }
            *sequence += 1;
            *hash = next_hash;
            out.push(Some(*sequence));
            if let Some(t) = tail {
                t.add(
                    *sequence,
                    &r.timestamp,
                    &r.user_id,
                    event_type,
                    r.agent_id.as_deref(),
                );
            }
            if super::checkpoint_due(*sequence, *checkpoint_every) {
                insert_checkpoint(conn, &chain.sign(*sequence, *hash))?;
            }
        }
        Ok(())
    }

    fn commit(mut self: Box<Self>, checkpoint_last: bool) -> Result<Vec<Option<u64>>> {
        let (sequence, hash) = (self.sequence, self.hash);
        if sequence >= self.posted_upto + postings::EVERY {
            postings::post(&self.conn, self.posted_upto, self.tail.take())?;
            self.tail = Some(postings::Stretch::after(sequence));
        }
        if checkpoint_last && self.out.iter().any(Option::is_some) {
            insert_checkpoint(&self.conn, &self.chain.sign(sequence, hash))?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        // Kept only once committed: a rolled-back append leaves nothing gathered.
        *super::lock(&self.store.tail) = self.tail.take().map(|t| (t, hash));
        let bulk = self.out.len() >= BULK_APPEND;
        self.progress
            .bulk
            .store(bulk, std::sync::atomic::Ordering::Relaxed);
        Ok(std::mem::take(&mut self.out))
    }
}

impl Drop for Append<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// The last (sequence, hash) of the audit chain.
fn chain_head(conn: &Connection) -> Result<Option<(u64, [u8; 32])>> {
    Ok(conn
        .query_row(
            "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, hash32(bytes(r, 1)?)?)),
        )
        .optional()?)
}

fn checkpoint_row(r: &rusqlite::Row) -> rusqlite::Result<super::Checkpoint> {
    Ok(super::Checkpoint {
        sequence: r.get::<_, i64>(0)? as u64,
        hash: hash32(r.get(1)?)?,
        at: parse_ts(r.get(2)?)?,
        signature: r.get(3)?,
        public_key: r.get(4)?,
        anchors_purge: r.get(5)?,
    })
}

fn insert_checkpoint(tx: &Connection, c: &super::Checkpoint) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO audit_checkpoints (sequence, hash, at, signature, public_key, anchors_purge) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.sequence as i64, &c.hash[..], ts(&c.at), c.signature, c.public_key, c.anchors_purge],
    )?;
    Ok(())
}

const ENTRY_COLUMNS: &str =
    "name, version, kind, agent_name, manifest, phase, registered_at, format, source, report";

fn insert_entry(tx: &rusqlite::Transaction, e: &RegistryEntry) -> Result<()> {
    tx.execute(
        &format!("INSERT INTO mcp_servers ({ENTRY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            e.name,
            e.version,
            e.kind,
            e.agent_name,
            e.manifest.text(),
            e.phase,
            ts(&e.registered_at),
            e.format,
            e.source.text(),
            e.report.text()
        ],
    )?;
    Ok(())
}

const EXECUTION_COLUMNS: &str = "e.id, e.at_us, e.agent_id, e.tool, e.user_id, e.organization, e.session_id, e.replica, e.latency_us, e.status, e.request_bytes, e.response_bytes, e.tokens_in, e.tokens_out, e.cost_micros, e.model, e.trace_id, e.error, f.rating, f.correct, f.user_id, f.given_at_us, e.arguments";

fn execution_row(r: &rusqlite::Row) -> rusqlite::Result<super::ExecutionRecord> {
    use super::executions::from_micros;
    let rating: Option<i64> = r.get(18)?;
    Ok(super::ExecutionRecord {
        execution_id: r.get(0)?,
        timestamp: from_micros(r.get(1)?),
        agent_id: r.get(2)?,
        tool: r.get(3)?,
        user_id: r.get(4)?,
        organization: r.get(5)?,
        session_id: r.get(6)?,
        replica: r.get::<_, Option<i64>>(7)?.map(|v| v as u32),
        latency_ms: r.get::<_, i64>(8)? as f64 / 1000.0,
        status: r.get(9)?,
        request_bytes: r.get::<_, i64>(10)? as u64,
        response_bytes: r.get::<_, i64>(11)? as u64,
        tokens_in: r.get::<_, Option<i64>>(12)?.map(|v| v as u64),
        tokens_out: r.get::<_, Option<i64>>(13)?.map(|v| v as u64),
        cost: r.get::<_, Option<i64>>(14)?.map(|v| v as f64 / 1e6),
        model: r.get(15)?,
        trace_id: r.get(16)?,
        error: r.get(17)?,
        arguments: r
            .get::<_, Option<String>>(22)?
            .and_then(|a| serde_json::from_str(&a).ok()),
        feedback: match rating {
            None => None,
            Some(rating) => Some(super::Feedback {
                rating: rating as u8,
                correct: r.get::<_, Option<bool>>(19)?,
                user_id: r.get(20)?,
                given_at: from_micros(r.get(21)?),
            }),
        },
    })
}

/// The sums of a rollup row, read from its columns `SUM_COLUMNS` starting at `first`.
fn sums_at(r: &rusqlite::Row, first: usize) -> rusqlite::Result<super::rollups::Sums> {
    let mut sums = [0i64; 19];
    for (i, v) in sums.iter_mut().enumerate() {
        *v = r.get(first + i)?;
    }
    Ok(super::rollups::Sums::from_array(sums))
}

/// Add what `batch` brings to the rollups: each key read, merged and written once.
fn add_to_rollups(tx: &rusqlite::Transaction, batch: &super::rollups::Batch) -> Result<()> {
    use super::rollups::{insert_new_sql, select_sql, upsert_sql, Counters, GRAINS};
    for g in GRAINS {
        let mut insert = tx.prepare_cached(&insert_new_sql(g))?;
        let mut select = tx.prepare_cached(&select_sql(g))?;
        let mut upsert = tx.prepare_cached(&upsert_sql(g))?;
        for (k, c) in batch.rows(g) {
            let write = |stmt: &mut rusqlite::CachedStatement, c: &Counters| -> Result<usize> {
                let sums = c.sums.to_array();
                let hist = c.histogram.encode();
                let mut p: Vec<&dyn rusqlite::ToSql> = vec![&k.0, &k.1, &k.2, &k.3];
                p.extend(sums.iter().map(|v| v as &dyn rusqlite::ToSql));
                p.push(&hist);
                Ok(stmt.execute(p.as_slice())?)
            };
            // Most keys of a batch are new (executions come roughly in time order): one
            // statement for those; read, merge and write the others.
            if write(&mut insert, c)? > 0 {
                continue;
            }
            let (sums, hist) = select.query_row(params![k.0, k.1, k.2, k.3], |r| {
                Ok((sums_at(r, 0)?, r.get::<_, Vec<u8>>(19)?))
            })?;
            let mut m = Counters {
                sums,
                histogram: crate::histogram::Histogram::decode(&hist)
                    .map_err(|e| Error::failed(format!("{}: {e}", g.table()), None))?,
            };
            m.merge(c);
            write(&mut upsert, &m)?;
        }
    }
    Ok(())
}

/// Build the rollups of the executions already stored (a store from before rollups), a
/// slice of rows at a time.
fn rebuild_rollups(tx: &rusqlite::Transaction) -> Result<()> {
    const SLICE: i64 = 100_000;
    let mut after = i64::MIN;
    loop {
        let rows: Vec<super::ExecutionRecord> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT {EXECUTION_COLUMNS}, e.rowid FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
                 WHERE e.rowid > ?1 ORDER BY e.rowid LIMIT ?2"
            ))?;
            let mut last = after;
            let rows = stmt
                .query_map(params![after, SLICE], |r| {
                    last = r.get(23)?;
                    execution_row(r)
                })?
                .collect::<rusqlite::Result<_>>()?;
            after = last;
            rows
        };
        if rows.is_empty() {
            return Ok(());
        }
        let mut batch = super::rollups::Batch::default();
        for e in &rows {
            batch.add(e);
        }
        add_to_rollups(tx, &batch)?;
    }
}

impl super::ExecutionStore for SqliteStore {
    fn insert_executions(&self, rows: &[super::ExecutionRecord]) -> Result<Vec<bool>> {
        use super::executions::{micros, to_millionths};
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(rows.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO executions (id, at_us, agent_id, tool, user_id, organization, session_id, replica, latency_us, status, request_bytes, response_bytes, tokens_in, tokens_out, cost_micros, model, trace_id, error, arguments) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT (id) DO NOTHING",
            )?;
            for e in rows {
                let n = stmt.execute(rusqlite::params![
                    e.execution_id,
                    micros(&e.timestamp),
                    e.agent_id,
                    e.tool,
                    e.user_id,
                    e.organization,
                    e.session_id,
                    e.replica.map(i64::from),
                    to_millionths(e.latency_ms, 1000.0),
                    e.status,
                    e.request_bytes as i64,
                    e.response_bytes as i64,
                    e.tokens_in.map(|v| v as i64),
                    e.tokens_out.map(|v| v as i64),
                    e.cost.map(|c| to_millionths(c, 1e6)),
                    e.model,
                    e.trace_id,
                    e.error,
                    e.arguments.as_ref().map(|a| a.to_string()),
                ])?;
                out.push(n > 0);
            }
        }
        let mut batch = super::rollups::Batch::default();
        for (e, new) in rows.iter().zip(&out) {
            if *new {
                batch.add(e);
            }
        }
        add_to_rollups(&tx, &batch)?;
        tx.commit()?;
        Ok(out)
    }

    fn executions(&self, q: &super::ExecutionQuery) -> Result<Vec<super::ExecutionRecord>> {
        use super::executions::micros;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
             WHERE (?1 IS NULL OR e.agent_id = ?1) AND (?2 IS NULL OR e.user_id = ?2) AND (?3 IS NULL OR e.status = ?3) \
             AND (?4 IS NULL OR e.at_us >= ?4) AND (?5 IS NULL OR e.at_us < ?5) ORDER BY e.at_us DESC, e.id DESC LIMIT ?6"
        ))?;
        let rows = stmt
            .query_map(
                rusqlite::params![
                    q.agent,
                    q.user,
                    q.status,
                    q.since.as_ref().map(micros),
                    q.until.as_ref().map(micros),
                    q.limit.clamp(1, i64::MAX as usize) as i64,
                ],
                execution_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn execution(&self, id: &str) -> Result<Option<super::ExecutionRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id WHERE e.id = ?1"
        ))?;
        Ok(stmt.query_row([id], execution_row).optional()?)
    }

    fn usage(&self, u: &super::executions::Usage, since: DateTime<Utc>) -> Result<(u64, i64)> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT count(*), coalesce(sum(cost_micros), 0) FROM executions WHERE at_us >= ?1 AND status <> 'denied' \
             AND (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR agent_id = ?3) AND (?4 IS NULL OR tool = ?4)",
        )?;
        let (n, cost): (i64, i64) = stmt.query_row(
            params![super::executions::micros(&since), u.user, u.agent, u.tool],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((n.max(0) as u64, cost))
    }

    fn set_feedback(&self, execution_id: &str, f: &super::Feedback) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        type Judged = (
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
            Option<bool>,
        );
        let found: Option<Judged> = tx
            .query_row(
                "SELECT e.at_us, e.agent_id, e.tool, e.user_id, e.model, f.rating, f.correct FROM executions e \
                 LEFT JOIN execution_feedback f ON f.execution_id = e.id WHERE e.id = ?1",
                [execution_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let Some((at, agent, tool, user, model, old_rating, old_correct)) = found else {
            return Ok(false);
        };
        tx.execute(
            "INSERT INTO execution_feedback (execution_id, rating, correct, user_id, given_at_us) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (execution_id) DO UPDATE SET rating = excluded.rating, correct = excluded.correct, user_id = excluded.user_id, given_at_us = excluded.given_at_us",
            rusqlite::params![
                execution_id,
                f.rating,
                f.correct,
                f.user_id,
                super::executions::micros(&f.given_at)
            ],
        )?;
        let mut delta = super::rollups::Sums::default();
        if let Some(r) = old_rating {
            delta.judge(r, old_correct, -1);
        }
        delta.judge(i64::from(f.rating), f.correct, 1);
        let model = model.unwrap_or_default();
        for (g, k) in super::rollups::keys_of(at, &agent, &tool, &user, &model) {
            tx.prepare_cached(&super::rollups::judge_sql(g))?
                .execute(rusqlite::params![
                    delta.rating_sum,
                    delta.ratings,
                    delta.correct,
                    delta.judged,
                    k.bucket,
                    k.agent_id,
                    k.second,
                    k.model,
                ])?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn rollups(
        &self,
        g: super::rollups::Grain,
        from: i64,
        to: i64,
        user: Option<&str>,
    ) -> Result<Vec<super::rollups::RollupRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&super::rollups::range_sql(g))?;
        let map = |r: &rusqlite::Row| -> rusqlite::Result<super::rollups::RollupRow> {
            Ok(super::rollups::RollupRow {
                key: super::rollups::Key {
                    bucket: r.get(0)?,
                    agent_id: r.get(1)?,
                    second: r.get(2)?,
                    model: r.get(3)?,
                },
                sums: sums_at(r, 4)?,
                histogram: r.get(23)?,
            })
        };
        let rows = match user {
            Some(u) => stmt.query_map(params![from, to, u], map)?,
            None => stmt.query_map(params![from, to], map)?,
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn scan_executions(
        &self,
        since_us: i64,
        until_us: i64,
        user: Option<&str>,
        visit: &mut (dyn FnMut(&super::executions::Scanned) + Send),
    ) -> Result<()> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT e.at_us, e.agent_id, e.tool, e.user_id, e.model, e.latency_us, e.status, e.tokens_in, e.tokens_out, e.cost_micros, f.rating, f.correct \
             FROM executions e LEFT JOIN execution_feedback f ON f.execution_id = e.id \
             WHERE e.at_us >= ?1 AND e.at_us < ?2 AND (?3 IS NULL OR e.user_id = ?3)",
        )?;
        let mut rows = stmt.query(params![since_us, until_us, user])?;
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> rusqlite::Result<&str> {
                match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Ok(""),
                    v => v.as_str().map_err(Into::into),
                }
            };
            visit(&super::executions::Scanned {
                at_us: r.get(0)?,
                agent_id: text(1)?,
                tool: text(2)?,
                user_id: text(3)?,
                model: text(4)?,
                latency_us: r.get(5)?,
                status: r.get(6)?,
                tokens_in: r.get::<_, Option<i64>>(7)?.unwrap_or(0),
                tokens_out: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
                cost_micros: r.get(9)?,
                rating: r.get(10)?,
                correct: r.get(11)?,
            });
        }
        Ok(())
    }

    fn record_replicas(&self, c: &super::executions::ReplicaChange) -> Result<()> {
        self.conn().execute(
            "INSERT INTO replica_changes (agent_id, target, at_us, replicas) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (agent_id, target, at_us) DO UPDATE SET replicas = excluded.replicas",
            params![c.agent_id, c.target, super::executions::micros(&c.at), c.replicas],
        )?;
        Ok(())
    }

    fn replica_changes(&self) -> Result<Vec<super::executions::ReplicaChange>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT agent_id, target, at_us, replicas FROM replica_changes ORDER BY at_us",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(super::executions::ReplicaChange {
                    agent_id: r.get(0)?,
                    target: r.get(1)?,
                    at: super::executions::from_micros(r.get(2)?),
                    replicas: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn record_alert(&self, a: &super::executions::AlertRecord) -> Result<()> {
        self.conn().execute(
            "INSERT INTO alerts (alert_key, rule, fired_us, message, delivered, throttled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![a.key, a.rule, super::executions::micros(&a.fired_at), a.message, a.delivered, a.throttled],
        )?;
        Ok(())
    }

    fn alerts_since(&self, since: DateTime<Utc>) -> Result<Vec<super::executions::AlertRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT alert_key, rule, fired_us, message, delivered, throttled FROM alerts WHERE fired_us >= ?1 ORDER BY fired_us, id",
        )?;
        let rows = stmt
            .query_map([super::executions::micros(&since)], |r| {
                Ok(super::executions::AlertRecord {
                    key: r.get(0)?,
                    rule: r.get(1)?,
                    fired_at: super::executions::from_micros(r.get(2)?),
                    message: r.get(3)?,
                    delivered: r.get(4)?,
                    throttled: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn last_delivered(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = self.conn().query_row(
            "SELECT max(fired_us) FROM alerts WHERE alert_key = ?1 AND delivered",
            [key],
            |r| r.get(0),
        )?;
        Ok(at.map(super::executions::from_micros))
    }

    fn newest_execution(&self) -> Result<Option<DateTime<Utc>>> {
        let conn = self.conn();
        let at: Option<i64> =
            conn.query_row("SELECT max(at_us) FROM executions", [], |r| r.get(0))?;
        Ok(at.map(super::executions::from_micros))
    }
}

#[cfg(test)]
mod tests {
    fn both_latest() -> u32 {
        super::super::migrations::latest_of(&[super::Concern::Domain, super::Concern::Audit])
    }

    use super::*;
    use crate::store::{AuditStore, StoreInfo};

    /// One append of `records`, committed but left for `audit_sync`, as the pipeline's
    /// writer makes them.
    fn append_deferred(
        store: &SqliteStore,
        records: &[crate::audit::Record],
        chain: &dyn super::super::Chain,
    ) -> Vec<Option<u64>> {
        let mut append = store.audit_begin(1_000_000, chain).unwrap();
        append.insert(records).unwrap();
        append.commit(false).unwrap()
    }

    #[test]
    fn a_version_5_trail_keeps_its_events_through_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)").unwrap();
            for (v, _, name, sql) in MIGRATIONS.iter().filter(|m| m.0 <= 5) {
                c.execute_batch(sql).unwrap();
                c.execute(
                    "INSERT INTO schema_migrations VALUES (?1, ?2, 'then')",
                    params![v, name],
                )
                .unwrap();
            }
            c.execute("INSERT INTO audit_events VALUES (1, 'id-1', '2026-01-01T00:00:00Z', 'u', 'execution', 'info', 'success', 'r', 'a', X'7B7D', zeroblob(32))", []).unwrap();
            c.execute("INSERT INTO audit_events VALUES (2, 'id-2', '2026-01-02T00:00:00Z', 'v', 'execution', 'info', 'success', 'r', NULL, X'7B7D', zeroblob(32))", []).unwrap();
        }
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), both_latest());
        let c = s.conn();
        let kept: (String, Vec<u8>) = c
            .query_row(
                "SELECT event_id, body FROM audit_events WHERE sequence = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, ("id-1".to_owned(), b"{}".to_vec()));
        let unique: i64 = c
            .query_row("SELECT \"unique\" FROM pragma_index_list('audit_events') WHERE name = 'audit_by_time'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(unique, 1);
        drop(c);
        // The events migrated into version 8's postings are found by user, type and agent.
        let found = |q: crate::store::AuditQuery| -> Vec<u64> {
            let q = crate::store::AuditQuery { limit: 10, ..q };
            s.audit_query(&q)
                .unwrap()
                .iter()
                .map(|e| e.sequence)
                .collect()
        };
        let by = |user: Option<&str>, event_type: Option<&str>, agent: Option<&str>| {
            found(crate::store::AuditQuery {
                user: user.map(str::to_owned),
                event_type: event_type.map(str::to_owned),
                agent: agent.map(str::to_owned),
                ..Default::default()
            })
        };
        let keys = crate::audit::keys::load(dir.path()).unwrap();
        let sign = keys.checkpoint_signer();
        // Unposted, then posted by the next seal: the same answers either way.
        for posted in [0, 2] {
            assert_eq!(postings::upto(&s.conn()).unwrap(), posted);
            assert_eq!(by(Some("u"), None, None), vec![1]);
            assert_eq!(by(Some("v"), None, None), vec![2]);
            assert_eq!(by(None, Some("execution"), None), vec![1, 2]);
            assert_eq!(by(None, Some("execution"), Some("a")), vec![1]);
            assert_eq!(by(Some("v"), None, Some("a")), Vec::<u64>::new());
            assert_eq!(
                found(crate::store::AuditQuery {
                    event_type: Some("execution".into()),
                    since: Some("2026-01-02".into()),
                    ..Default::default()
                }),
                vec![2]
            );
            s.audit_seal(&sign).unwrap();
        }
    }

    /// Two writers on one trail. A writer posts the postings it gathered only while nobody
    /// else has appended since; otherwise it reads the tail back. Either way every event is
    /// posted exactly once, in stretches that follow each other, and queries find them.
    #[test]
    fn writers_that_interleave_post_every_event_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        let (a, b) = (
            SqliteStore::open(&p).unwrap(),
            SqliteStore::open(&p).unwrap(),
        );
        let keys = crate::audit::keys::load(dir.path()).unwrap();
        let sign = keys.checkpoint_signer();
        let event = |i: u64| {
            let mut e = crate::audit::sample_event(
                &format!("e-{i}"),
                &format!(
                    "2026-01-01T{:02}:{:02}:{:02}Z",
                    i / 3600,
                    i / 60 % 60,
                    i % 60
                ),
                &format!("user{}", i % 5),
            );
            if !i.is_multiple_of(2) {
                e.event_type = crate::audit::event::EventType::DataAccess;
            }
            if !i.is_multiple_of(3) {
                e.context.agent_id = Some(format!("agent{}", i % 2));
            }
            crate::audit::Record::from(e)
        };
        // The first crossing of a posting threshold comes in a run of one writer's appends,
        // the second after the writers took turns.
        let mut next = 0;
        for round in 0..40u64 {
            let store = if round >= 20 && round % 2 == 0 {
                &b
            } else {
                &a
            };
            let batch: Vec<_> = (next..next + 1000).map(event).collect();
            append_deferred(store, &batch, &sign);
            next += 1000;
        }
        assert_eq!(postings::upto(&a.conn()).unwrap(), 34_000);
        b.audit_seal(&sign).unwrap();
        let stretches: Vec<(u64, u64)> = a
            .conn()
            .prepare("SELECT first_seq, last_seq FROM audit_postings ORDER BY first_seq")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut expected_first = 1;
        for (first, last) in &stretches {
            assert_eq!(*first, expected_first, "{stretches:?}");
            expected_first = last + 1;
        }
        assert_eq!(expected_first, next + 1, "{stretches:?}");
        let found = |q: crate::store::AuditQuery| -> Vec<u64> {
            let q = crate::store::AuditQuery {
                limit: 100_000,
                ..q
            };
            a.audit_query(&q)
                .unwrap()
                .iter()
                .map(|e| e.sequence)
                .collect()
        };
        let want = |keep: &dyn Fn(u64) -> bool| -> Vec<u64> {
            (0..next).filter(|i| keep(*i)).map(|i| i + 1).collect()
        };
        for u in 0..5 {
            let got = found(crate::store::AuditQuery {
                user: Some(format!("user{u}")),
                ..Default::default()
            });
            assert_eq!(got, want(&|i| i % 5 == u), "user{u}");
        }
        let got = found(crate::store::AuditQuery {
            event_type: Some("execution".into()),
            agent: Some("agent0".into()),
            ..Default::default()
        });
        assert_eq!(got, want(&|i| i % 2 == 0 && i % 3 != 0));
        let got = found(crate::store::AuditQuery {
            event_type: Some("data_access".into()),
            agent: Some("agent1".into()),
            ..Default::default()
        });
        assert_eq!(got, want(&|i| i % 2 == 1 && i % 3 != 0));
    }

    /// A store in a fresh directory, its keys, and an event of about 900 bytes for a test to
    /// vary.
    fn appending(
        file: &str,
    ) -> (
        tempfile::TempDir,
        PathBuf,
        SqliteStore,
        crate::audit::keys::Keys,
        crate::audit::Event,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(file);
        let store = SqliteStore::open(&p).unwrap();
        let keys = crate::audit::keys::load(dir.path()).unwrap();
        let mut template = crate::audit::sample_event("template", "2026-01-01T00:00:00Z", "user1");
        template.action.resource_id = Some("x".repeat(300));
        (dir, p, store, keys, template)
    }

    /// Appends that follow each other without a pause never find the WAL fully copied by
    /// the checkpointer alone. Bulk ones finish its checkpoint so that the WAL starts over:
    /// it stops growing with the trail, and every event is still there.
    #[test]
    fn bulk_appends_without_pause_start_the_wal_over() {
        let (_dir, p, store, keys, template) = appending("w.db");
        let sign = keys.checkpoint_signer();
        let batch = |b: u64| -> Vec<_> {
            (0..BULK_APPEND as u64)
                .map(|i| {
                    let mut e = template.clone();
                    e.event_id = format!("e-{b}-{i}");
                    e.timestamp = format!(
                        "2026-01-{:02}T{:02}:{:02}:{:02}Z",
                        1 + b / 24,
                        b % 24,
                        i / 60 % 60,
                        i % 60
                    );
                    crate::audit::Record::from(e)
                })
                .collect()
        };
        // At least 20 batches, and on for as long as the checkpointer needs to have had its
        // chances: a fast machine appends 20 in less.
        let started = std::time::Instant::now();
        let mut appended = 0u64;
        while appended < 20 || started.elapsed() <= CHECKPOINT_PERIOD * 4 {
            append_deferred(&store, &batch(appended), &sign);
            appended += 1;
        }
        let len = |f: &Path| std::fs::metadata(f).unwrap().len();
        let (wal, db) = (len(&wal_path(&p)), len(&p));
        assert!(
            wal < db / 2,
            "the WAL ({wal} bytes) grew with the trail ({db} bytes)"
        );
        let head = store.audit_head().unwrap().unwrap().0;
        assert_eq!(head, appended * BULK_APPEND as u64);
    }

    /// Small appends that never pause start the WAL over once it passes `WAL_LIMIT`: each
    /// commit writes at least the last leaf of the table and of the time index, so the WAL
    /// would otherwise grow by every one. Appends go on until the WAL's header says it was
    /// started over (its checkpoint counter, bytes 12 to 15, went up), however long the
    /// checkpointer's passes take: they wait on the disk, which other work may keep busy.
    #[test]
    fn small_appends_start_the_wal_over_past_its_limit() {
        use std::io::Read;
        let (_dir, p, store, keys, template) = appending("s.db");
        let sign = keys.checkpoint_signer();
        let wal = wal_path(&p);
        let restarts = || {
            let mut header = [0u8; 16];
            std::fs::File::open(&wal)
                .and_then(|mut f| f.read_exact(&mut header))
                .map(|()| u32::from_be_bytes(header[12..16].try_into().unwrap()))
                .unwrap()
        };
        let mut n = 0u64;
        let mut append = || {
            let batch: Vec<_> = (0..10)
                .map(|_| {
                    n += 1;
                    let mut e = template.clone();
                    e.event_id = format!("e-{n}");
                    e.timestamp = format!(
                        "2026-01-01T00:{:02}:{:02}.{:06}Z",
                        n / 60_000_000 % 60,
                        n / 1_000_000 % 60,
                        n % 1_000_000
                    );
                    crate::audit::Record::from(e)
                })
                .collect();
            append_deferred(&store, &batch, &sign);
        };
        append();
        let before = restarts();
        // Generous bounds (here it starts over at about 3 times its limit, within a second),
        // so that a busy machine does not fail the test, which finds out in seconds when the
        // WAL is never started over.
        let (deadline, most) = (
            std::time::Instant::now() + std::time::Duration::from_secs(60),
            32 * WAL_LIMIT as u64 * 16384,
        );
        let mut commits = 1;
        while restarts() == before {
            let len = std::fs::metadata(&wal).unwrap().len();
            assert!(
                std::time::Instant::now() < deadline && len < most,
                "{commits} commits, the WAL {len} bytes, and it was never started over"
            );
            for _ in 0..64 {
                append();
            }
            commits += 64;
        }
        assert!(commits > 1, "the WAL was started over before the appends");
        assert_eq!(store.audit_head().unwrap().unwrap().0, n);
    }

    /// The writer's close keeps the WAL it wrote, started over, and so does a reader's:
    /// opening it again recovers the one frame written after the restart, and every event is
    /// there.
    #[test]
    fn a_writer_keeps_its_wal_started_over() {
        let (_dir, p, store, keys, _) = appending("a.db");
        let sign = keys.checkpoint_signer();
        let batch: Vec<_> = (0..2000)
            .map(|i| {
                crate::audit::Record::from(crate::audit::sample_event(
                    &format!("e-{i}"),
                    &format!("2026-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60),
                    "user1",
                ))
            })
            .collect();
        store.audit_append(&batch, 0, false, &sign).unwrap();
        let wal = wal_path(&p);
        let written = std::fs::metadata(&wal).unwrap().len();
        assert!(
            written > 1 << 20,
            "the WAL holds the batch: {written} bytes"
        );
        drop(store);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), written, "kept");
        let frames = || {
            let conn = Connection::open(&p).unwrap();
            let (frames, _) = passive_checkpoint(&conn).unwrap();
            let stored: i64 = conn
                .query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0))
                .unwrap();
            assert_eq!(stored, 2000);
            frames
        };
        // A store that only reads keeps it too, and a plain SQLite connection deletes it.
        let reader = SqliteStore::open(&p).unwrap();
        assert_eq!(reader.audit_head().unwrap().unwrap().0, 2000);
        drop(reader);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), written, "kept");
        assert_eq!(
            frames(),
            1,
            "recovery found only the frame after the restart"
        );
        assert!(!wal.exists(), "deleted by SQLite's own close");
    }

    /// Deleting the database file alone starts a new store: the WAL kept beside it is not
    /// read into the new one. (SQLite deletes a WAL it finds beside an empty database.)
    #[test]
    fn a_kept_wal_without_its_database_is_not_read() {
        let (_dir, p, store, keys, template) = appending("a.db");
        let sign = keys.checkpoint_signer();
        store
            .audit_append(&[crate::audit::Record::from(template)], 0, true, &sign)
            .unwrap();
        drop(store);
        assert!(wal_path(&p).exists(), "kept");
        std::fs::remove_file(&p).unwrap();
        let store = SqliteStore::open(&p).unwrap();
        store.check().unwrap();
        assert_eq!(store.audit_head().unwrap(), None);
        assert_eq!(store.schema_version().unwrap(), both_latest());
    }

    #[test]
    fn migrates_once_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/x.db");
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), both_latest());
        drop(s);
        let s = SqliteStore::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), both_latest());
        s.check().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                std::fs::metadata(p.parent().unwrap())
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o700
            );
        }
    }
}
