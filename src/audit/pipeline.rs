//! The one audit write pipeline: producers on any thread push prepared events into a bounded
//! queue; one writer inserts whatever is queued into one transaction (group commit), goes on
//! inserting what comes in while a sync runs and commits when it ends; a syncer makes each
//! commit durable and only then tells each producer what became of its event.
//! `audit ingest` and every command's recorder use it; the daemon will host one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::keys::Keys;
use super::{prepare, Event, Record, CHECKPOINT_EVERY};
use crate::error::{Error, Result};
use crate::store::AuditStore;

/// The most events in one transaction, give or take the last group taken in.
pub const BATCH: usize = 16_384;

/// How many events a producer with a stream of them submits together, at most.
pub const GROUP: usize = 64;

/// How many groups may wait for the writer before producers block: a batch ready while
/// another is appended, when groups are full.
pub const QUEUE: usize = BATCH / GROUP;

/// When the queue runs dry, the tail is signed at most this often (and always on close), so
/// that a trickle of events does not make a checkpoint per event.
const IDLE_CHECKPOINT: Duration = Duration::from_secs(1);

/// What became of one submitted event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Durable at this place in the chain, written in a transaction of `batch` events.
    Stored { sequence: u64, batch: usize },
    /// The same event (id and timestamp) was already stored.
    Duplicate,
    /// The batch holding it could not be written.
    Failed(String),
}

/// What the syncer calls with a group's outcomes, in the order its events were submitted.
type Done = Box<dyn FnOnce(Vec<Outcome>) + Send>;

/// How the syncer makes what was appended durable: `Store::audit_sync`, or in tests a
/// slower one.
type Durable = fn(&dyn AuditStore) -> Result<()>;

/// Events submitted together: they go into one commit and are reported with one call.
struct Job {
    records: Vec<Record>,
    done: Done,
}

/// What the writer's queue carries: a job, or (`None`) word from the syncer that a sync has
/// ended, for a writer waiting to commit until then.
type Message = Option<Job>;

/// What a pipeline has done, for `daemon status`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Events submitted and not yet reported.
    pub queued: AtomicU64,
    /// Events made durable.
    pub written: AtomicU64,
}

/// A handle for submitting events; cheap to clone, one per producing thread.
#[derive(Clone)]
pub struct Producer {
    stats: Arc<Stats>,
    /// Shared, so that the syncer's wake-ups (through a weak reference) do not keep the
    /// queue open once every producer is gone: that is how the writer knows to stop.
    tx: Arc<SyncSender<Message>>,
    keys: Arc<Keys>,
}

impl Producer {
    /// Queue the records of events already prepared, as one group: they go into one commit,
    /// and `done` is called once, from the syncer, with the outcome of each, in order.
    /// Blocks while the queue is full. A producer that queues what it has in groups (of
    /// about `GROUP`) wakes the writer, and is woken, once per group instead of once per
    /// event.
    pub fn submit_prepared(
        &self,
        records: Vec<Record>,
        done: impl FnOnce(Vec<Outcome>) + Send + 'static,
    ) {
        if records.is_empty() {
            return done(Vec::new());
        }
        let n = records.len() as u64;
        self.stats.queued.fetch_add(n, Ordering::Relaxed);
        let stats = self.stats.clone();
        let job = Job {
            records,
            done: Box::new(move |outcomes: Vec<Outcome>| {
                let stored = outcomes
                    .iter()
                    .filter(|o| matches!(o, Outcome::Stored { .. }))
                    .count() as u64;
                stats.queued.fetch_sub(n, Ordering::Relaxed);
                stats.written.fetch_add(stored, Ordering::Relaxed);
                done(outcomes)
            }),
        };
        if let Err(std::sync::mpsc::SendError(Some(job))) = self.tx.send(Some(job)) {
            let n = job.records.len();
            (job.done)(vec![
                Outcome::Failed("the audit writer has stopped".into());
                n
            ]);
        }
    }

    /// Check and prepare events (secrets scrubbed, sensitive values replaced by their HMAC),
    /// submit those that pass as one group, and wait until each is durable (or not). An
    /// event that fails the check is reported failed, with the field and why.
    pub fn record_all(&self, events: Vec<Event>) -> Vec<Outcome> {
        let (tx, rx) = sync_channel(1);
        self.record_all_then(events, move |o| {
            let _ = tx.send(o);
        });
        rx.recv().unwrap_or_default()
    }

    /// Wait until every event submitted before this call is durable (or has failed): an
    /// empty group, reported once the groups ahead of it are.
    pub fn flush(&self) {
        let (tx, rx) = sync_channel(1);
        let job = Job {
            records: Vec::new(),
            done: Box::new(move |_| {
                let _ = tx.send(());
            }),
        };
        if self.tx.send(Some(job)).is_ok() {
            let _ = rx.recv();
        }
    }

    /// `record_all` without waiting: `done` gets the outcome of each event, in order, once
    /// they are durable (or not), from the pipeline's own thread.
    pub fn record_all_then(
        &self,
        events: Vec<Event>,
        done: impl FnOnce(Vec<Outcome>) + Send + 'static,
    ) {
        let mut checked = Vec::with_capacity(events.len());
        let mut records = Vec::with_capacity(events.len());
        for e in events {
            match prepare(e, &self.keys.hmac) {
                Ok(e) => {
                    records.push(Record::from(e));
                    checked.push(None);
                }
                Err(p) => {
                    checked.push(Some(Outcome::Failed(format!("{}: {}", p.field, p.message))))
                }
            }
        }
        self.submit_prepared(records, move |stored| {
            let mut stored = stored.into_iter();
            done(
                checked
                    .into_iter()
                    .map(|c| {
                        c.or_else(|| stored.next()).unwrap_or_else(|| {
                            Outcome::Failed("the audit writer has stopped".into())
                        })
                    })
                    .collect(),
            )
        });
    }

    /// Submit one event and wait until it is durable (or not).
    pub fn record(&self, e: Event) -> Outcome {
        self.record_all(vec![e])
            .pop()
            .expect("one outcome per event")
    }
}

/// The writer thread and the queue into it.
pub struct Pipeline {
    stats: Arc<Stats>,
    store: Arc<dyn AuditStore>,
    keys: Arc<Keys>,
    producer: Option<Producer>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Pipeline {
    pub fn start(store: Arc<dyn AuditStore>, keys: Arc<Keys>) -> Pipeline {
        Pipeline::start_with(store, keys, |s| s.audit_sync())
    }

    /// A pipeline whose syncer makes appended batches durable with `durable`.
    fn start_with(store: Arc<dyn AuditStore>, keys: Arc<Keys>, durable: Durable) -> Pipeline {
        let (tx, rx) = sync_channel::<Message>(QUEUE);
        let tx = Arc::new(tx);
        let writer = {
            let (store, keys, wake) = (store.clone(), keys.clone(), Arc::downgrade(&tx));
            std::thread::Builder::new()
                .name("audit-writer".into())
                .spawn(move || write(store.as_ref(), &keys, rx, wake, durable))
                .expect("spawn the audit writer")
        };
        let stats = Arc::new(Stats::default());
        Pipeline {
            stats: stats.clone(),
            store,
            keys: keys.clone(),
            producer: Some(Producer { stats, tx, keys }),
            writer: Some(writer),
        }
    }

    pub fn producer(&self) -> Producer {
        self.producer
            .clone()
            .expect("a pipeline hands out producers until it is closed")
    }

    pub fn store(&self) -> &dyn AuditStore {
        self.store.as_ref()
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn shared_store(&self) -> Arc<dyn AuditStore> {
        self.store.clone()
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Stop taking events, write everything queued, and sign the tail of the chain. Waits
    /// for producers cloned from this pipeline to be dropped.
    pub fn close(mut self) -> Result<()> {
        self.stop()?;
        self.seal()
    }

    /// Sign the tail of the chain when no checkpoint covers it yet.
    pub fn seal(&self) -> Result<()> {
        let sign = self.keys.checkpoint_signer();
        self.store.audit_seal(&sign).map(|_| ())
    }

    fn stop(&mut self) -> Result<()> {
        self.producer = None;
        match self.writer.take() {
            Some(w) => w
                .join()
                .map_err(|_| Error::Internal("the audit writer panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.stop();
            let _ = self.seal();
        }
    }
}

/// How many appended batches may wait for the syncer before the writer blocks.
const SYNC_QUEUE: usize = 8;

/// A batch appended but not yet known durable: the outcome of each event, or why the batch
/// could not be written.
struct Appended {
    stored: std::result::Result<Vec<Option<u64>>, String>,
    buffers: Buffers,
}

/// One batch's records and their producers' callbacks. The syncer empties them (freeing the
/// records: the writer is the pipeline's bottleneck, the syncer mostly waits on the disk) and
/// hands them back, so that the writer fills warm memory instead of asking the allocator
/// for megabytes of fresh pages, which the kernel must fault in and zero, for every batch.
#[derive(Default)]
struct Buffers {
    records: Vec<Record>,
    /// Each group's callback and how many of the records are its.
    dones: Vec<(Done, usize)>,
}

/// While the syncer is busy, the writer inserts the events that come in, up to this many,
/// into its open transaction, and commits once the sync has ended: a commit made meanwhile
/// would only wait for that sync, and every commit rewrites whole pages (the header, the
/// table's last ones, the index's pages the events fall in). At 50,000 events/s, committing
/// whatever was queued made about four commits per sync, and the ingest wrote 1.2 GB (WAL
/// and checkpoints) in 4 s for 130 MB of events; one commit per sync halved that. Inserting
/// while the sync runs, rather than holding the events and appending them after, leaves
/// only the commit between one sync and the next: 0.4 ms against 2.6 ms for a median
/// append, and median acks 3.3 ms against 7.0 ms. The limit bounds what is left to commit
/// after a slow sync.
const HOLD_MAX: usize = 512;

/// The writer: group commit until every producer is gone. It commits a batch and hands it to
/// the syncer, which makes it durable and reports it while the next batch is being inserted.
fn write(
    store: &dyn AuditStore,
    keys: &Keys,
    rx: Receiver<Message>,
    wake: Weak<SyncSender<Message>>,
    durable: Durable,
) {
    let sign = keys.checkpoint_signer();
    let mut signed = Instant::now() - IDLE_CHECKPOINT;
    let (to_sync, appended) = sync_channel::<Appended>(SYNC_QUEUE);
    // Room for every batch the syncer may hold, so that handing one back never blocks.
    let (give_back, returned) = sync_channel::<Buffers>(SYNC_QUEUE + 2);
    // Batches handed to the syncer, and batches it has synced (or failed to).
    let mut handed = 0u64;
    let synced = &AtomicU64::new(0);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("audit-syncer".into())
            .spawn_scoped(scope, move || {
                sync(store, appended, give_back, synced, wake, durable)
            })
            .expect("spawn the audit syncer");
        while let Ok(first) = rx.recv() {
            let Some(first) = first else { continue };
            let mut b = returned.try_recv().unwrap_or_default();
            let mut append = store.audit_begin(CHECKPOINT_EVERY, &sign);
            let mut job = Some(first);
            let mut idle = false;
            loop {
                // Take what is queued, then insert it.
                let from = b.records.len();
                while let Some(j) = job.take() {
                    b.dones.push((j.done, j.records.len()));
                    b.records.extend(j.records);
                    if b.records.len() >= BATCH {
                        break;
                    }
                    job = loop {
                        match rx.try_recv() {
                            Ok(Some(j)) => break Some(j),
                            Ok(None) => continue,
                            Err(_) => break None,
                        }
                    };
                    idle = job.is_none();
                }
                if let (Ok(a), true) = (&mut append, b.records.len() > from) {
                    if let Err(e) = a.insert(&b.records[from..]) {
                        append = Err(e);
                    }
                }
                // While a sync runs, insert what comes in, and commit when it has ended.
                let syncing = synced.load(Ordering::Acquire) < handed;
                if !idle || !syncing || b.records.len() >= HOLD_MAX || append.is_err() {
                    break;
                }
                match rx.recv() {
                    Ok(Some(j)) => (job, idle) = (Some(j), false),
                    // The sync has ended.
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
            let sign_tail = idle && signed.elapsed() >= IDLE_CHECKPOINT;
            let stored = append
                .and_then(|a| a.commit(sign_tail))
                .map_err(|e| e.to_string());
            if sign_tail && stored.is_ok() {
                signed = Instant::now();
            }
            handed += 1;
            if let Err(mut e) = to_sync.send(Appended { stored, buffers: b }) {
                fail_all(&mut e.0.buffers.dones, "the audit syncer has stopped");
            }
        }
        drop(to_sync);
    });
}

/// The syncer: one sync for every batch waiting, then each event's outcome, in order. After
/// a failed sync nothing later is reported durable: what the disk kept is unknown, and a
/// second sync may succeed without having written it.
fn sync(
    store: &dyn AuditStore,
    appended: Receiver<Appended>,
    give_back: SyncSender<Buffers>,
    synced: &AtomicU64,
    wake: Weak<SyncSender<Message>>,
    durable: Durable,
) {
    let mut broken: Option<String> = None;
    while let Ok(first) = appended.recv() {
        let mut group = vec![first];
        while let Ok(more) = appended.try_recv() {
            group.push(more);
        }
        if broken.is_none() && group.iter().any(|a| a.stored.is_ok()) {
            if let Err(e) = durable(store) {
                broken = Some(e.to_string());
            }
        }
        // Before the reports, so that the writer commits what it inserted while they are made.
        // A full queue needs no word: the writer is not waiting.
        synced.fetch_add(group.len() as u64, Ordering::Release);
        if let Some(tx) = wake.upgrade() {
            let _ = tx.try_send(None);
        }
        for a in group {
            let Appended {
                stored,
                buffers: mut b,
            } = a;
            match (&broken, stored) {
                (None, Ok(seqs)) => {
                    let batch = b.records.len();
                    let mut seqs = seqs.into_iter();
                    for (done, n) in b.dones.drain(..) {
                        done(
                            seqs.by_ref()
                                .take(n)
                                .map(|s| match s {
                                    Some(sequence) => Outcome::Stored { sequence, batch },
                                    None => Outcome::Duplicate,
                                })
                                .collect(),
                        );
                    }
                }
                (Some(why), _) => fail_all(&mut b.dones, why),
                (None, Err(why)) => fail_all(&mut b.dones, &why),
            }
            b.records.clear();
            let _ = give_back.try_send(b);
        }
    }
}

fn fail_all(dones: &mut Vec<(Done, usize)>, why: &str) {
    for (done, n) in dones.drain(..) {
        done(vec![Outcome::Failed(why.to_owned()); n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A new SQLite trail in a temporary directory, and its keys.
    fn trail() -> (tempfile::TempDir, Arc<dyn AuditStore>, Arc<Keys>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn AuditStore> =
            Arc::new(crate::store::SqliteStore::open(&dir.path().join("a.db")).unwrap());
        let keys = Arc::new(super::super::keys::load(dir.path()).unwrap());
        (dir, store, keys)
    }

    /// Submit one event in a group of its own.
    fn submit(producer: &Producer, e: Event, done: impl FnOnce(Outcome) + Send + 'static) {
        let record = Record::from(prepare(e, &producer.keys.hmac).unwrap());
        producer.submit_prepared(vec![record], move |mut o| {
            assert_eq!(o.len(), 1);
            done(o.pop().unwrap())
        });
    }

    fn event(producer: usize, i: usize) -> Event {
        super::super::sample_event(
            &uuid::Uuid::new_v4().to_string(),
            &format!("2026-11-24T10:00:{:02}.{:06}Z", producer, i),
            &format!("user{producer}"),
        )
    }

    /// A sync that fails fails its events and every later one, though later syncs succeed:
    /// what the disk kept of the WAL is unknown, and a later sync need not write it again.
    /// The fault is real: the WAL's name is made a symbolic link loop, so that opening it to
    /// sync fails while SQLite keeps writing through its open descriptor.
    #[cfg(unix)]
    #[test]
    fn nothing_after_a_failed_sync_is_reported_durable() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let store: Arc<dyn AuditStore> = Arc::new(crate::store::SqliteStore::open(&db).unwrap());
        let keys = Arc::new(super::super::keys::load(dir.path()).unwrap());
        let pipeline = Pipeline::start(store.clone(), keys.clone());
        let producer = pipeline.producer();
        assert!(matches!(
            producer.record(event(0, 1)),
            Outcome::Stored { sequence: 1, .. }
        ));
        let (wal, moved) = (dir.path().join("a.db-wal"), dir.path().join("moved"));
        std::fs::rename(&wal, &moved).unwrap();
        std::os::unix::fs::symlink(&wal, &wal).unwrap();
        let failed = producer.record(event(0, 2));
        std::fs::remove_file(&wal).unwrap();
        std::fs::rename(&moved, &wal).unwrap();
        match &failed {
            Outcome::Failed(why) => assert!(why.contains("a.db-wal"), "{why}"),
            other => panic!("a failed sync reported {other:?}"),
        }
        store.audit_sync().unwrap();
        assert_eq!(
            producer.record(event(0, 3)),
            failed,
            "an event after the failed sync"
        );
        drop(producer);
        pipeline.close().unwrap();
        let report = super::super::trail::verify(store.as_ref(), &keys).unwrap();
        assert!(report.ok, "{}", report.message);
    }

    /// While a sync runs the writer inserts the events that come in, and commits them in one
    /// transaction once it has ended: as many commits as syncs, not one per event or two as
    /// they trickle in.
    #[test]
    fn a_writer_holds_what_comes_in_while_a_sync_runs() {
        use std::sync::atomic::AtomicUsize;
        static SYNCS: AtomicUsize = AtomicUsize::new(0);
        fn slow(store: &dyn AuditStore) -> Result<()> {
            std::thread::sleep(Duration::from_millis(20));
            SYNCS.fetch_add(1, Ordering::SeqCst);
            store.audit_sync()
        }
        let (_dir, store, keys) = trail();
        let pipeline = Pipeline::start_with(store.clone(), keys.clone(), slow);
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let producer = pipeline.producer();
        for i in 0..1000 {
            let outcomes = outcomes.clone();
            submit(&producer, event(0, i), move |o| {
                outcomes.lock().unwrap().push(o)
            });
            std::thread::sleep(Duration::from_micros(100));
        }
        drop(producer);
        pipeline.close().unwrap();
        let mut stored: Vec<(u64, usize)> = outcomes
            .lock()
            .unwrap()
            .iter()
            .map(|o| match o {
                Outcome::Stored { sequence, batch } => (*sequence, *batch),
                other => panic!("{other:?}"),
            })
            .collect();
        stored.sort();
        assert_eq!(stored.len(), 1000);
        // Each commit's events have consecutive places and report its size.
        let mut commits = 0;
        let mut at = 0;
        while at < stored.len() {
            let batch = stored[at].1;
            assert!(stored[at..at + batch].iter().all(|s| s.1 == batch));
            at += batch;
            commits += 1;
        }
        let syncs = SYNCS.load(Ordering::SeqCst);
        assert!(syncs >= 3, "the events came over {syncs} syncs");
        assert!(
            commits <= syncs + 1,
            "{commits} commits for {syncs} syncs of 1,000 events"
        );
        let report = super::super::trail::verify(store.as_ref(), &keys).unwrap();
        assert!(report.ok, "{}", report.message);
    }

    /// A group goes into one commit and is reported with one call, each event's outcome in
    /// the order it was submitted, a duplicate in its place. `record_all` reports an event
    /// that fails the check as failed, naming the field, and stores the others.
    #[test]
    fn a_group_is_committed_and_reported_together() {
        let (_dir, store, keys) = trail();
        let pipeline = Pipeline::start(store.clone(), keys.clone());
        let producer = pipeline.producer();
        let first = event(0, 0);
        assert!(matches!(
            producer.record(first.clone()),
            Outcome::Stored { sequence: 1, .. }
        ));
        let group = [event(0, 1), first, event(0, 2)]
            .map(|e| Record::from(prepare(e, &keys.hmac).unwrap()))
            .to_vec();
        let (tx, rx) = sync_channel(2);
        producer.submit_prepared(group, move |o| tx.send(o).unwrap());
        assert_eq!(
            rx.recv().unwrap(),
            vec![
                Outcome::Stored {
                    sequence: 2,
                    batch: 3
                },
                Outcome::Duplicate,
                Outcome::Stored {
                    sequence: 3,
                    batch: 3
                },
            ]
        );
        assert!(rx.try_recv().is_err(), "one call per group");
        let mut bad = event(0, 4);
        bad.timestamp = "yesterday".into();
        let outcomes = producer.record_all(vec![event(0, 3), bad, event(0, 5)]);
        assert_eq!(
            outcomes[0],
            Outcome::Stored {
                sequence: 4,
                batch: 2
            }
        );
        assert!(
            matches!(&outcomes[1], Outcome::Failed(why) if why.starts_with("/timestamp: ")),
            "{outcomes:?}"
        );
        assert_eq!(
            outcomes[2],
            Outcome::Stored {
                sequence: 5,
                batch: 2
            }
        );
        drop(producer);
        pipeline.close().unwrap();
        let report = super::super::trail::verify(store.as_ref(), &keys).unwrap();
        assert!(report.ok, "{}", report.message);
        assert_eq!(report.events, 5);
    }

    /// Several producers at once: every event gets one place, writes are grouped, a
    /// resubmitted event is a duplicate, and the chain verifies after close.
    #[test]
    fn producers_share_one_group_committing_writer() {
        let (_dir, store, keys) = trail();
        let pipeline = Pipeline::start(store.clone(), keys.clone());
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        std::thread::scope(|s| {
            for p in 0..4 {
                let (producer, outcomes) = (pipeline.producer(), outcomes.clone());
                s.spawn(move || {
                    for i in 0..2000 {
                        let outcomes = outcomes.clone();
                        submit(&producer, event(p, i), move |o| {
                            outcomes.lock().unwrap().push(o)
                        });
                    }
                });
            }
        });
        let first = event(9, 1);
        let producer = pipeline.producer();
        assert!(matches!(
            producer.record(first.clone()),
            Outcome::Stored { .. }
        ));
        assert_eq!(producer.record(first), Outcome::Duplicate);
        drop(producer);
        pipeline.close().unwrap();
        let outcomes = outcomes.lock().unwrap();
        let mut seqs: Vec<u64> = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Stored { sequence, .. } => *sequence,
                other => panic!("{other:?}"),
            })
            .collect();
        seqs.sort();
        assert_eq!(seqs, (1..=8000).collect::<Vec<u64>>());
        let largest = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Stored { batch, .. } => *batch,
                _ => 0,
            })
            .max()
            .unwrap();
        assert!(largest > 1, "events were written one transaction each");
        let report = super::super::trail::verify(store.as_ref(), &keys).unwrap();
        assert!(report.ok, "{}", report.message);
        assert_eq!(report.events, 8001);
        assert_eq!(report.last_checkpoint, Some(8001), "close signs the tail");
    }
}
