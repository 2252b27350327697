//! The store conformance suite: every operation of the domain and audit stores, with its
//! expected outcome, run against the embedded SQLite store and a real PostgreSQL database
//! alike.

#[macro_use]
mod common;

use chrono::{TimeZone, Utc};
use common::Backend;
use pc_hybrid::audit::{self, Record};
use pc_hybrid::deploy::Target;
use pc_hybrid::model::{
    AgentStatus, CreationStatus, EntryKind, Json, Phase, SourceFormat, StepStatus,
};
use pc_hybrid::store::{
    self, AgentRecord, AuditQuery, CreationRecord, DeploymentRecord, RegisterOutcome,
    RegistryEntry, ReplicaRecord, StepRecord, Store, StoreUrl,
};
use serde_json::json;

/// A new, empty store of this backend: a file in `dir`, or a fresh PostgreSQL database.
fn new_store(backend: Backend, dir: &std::path::Path) -> StoreUrl {
    match backend {
        Backend::Sqlite => StoreUrl::Sqlite(dir.join("data/store.db")),
        Backend::Postgres => StoreUrl::Postgres(common::postgres_database()),
    }
}

fn open(backend: Backend) -> (Box<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, dir.path());
    let s = store::open(&url).unwrap();
    // Opening again finds the schema in place and changes nothing.
    drop(s);
    (store::open(&url).unwrap(), dir)
}

fn at(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0).unwrap()
}

fn agent(name: &str) -> AgentRecord {
    AgentRecord {
        name: name.into(),
        display_name: "Tax Advisor".into(),
        domain: "finance".into(),
        description: "d".into(),
        status: AgentStatus::Created,
        created_at: at(1),
        updated_at: at(2),
        project_dir: format!("/w/{name}"),
        repository_url: None,
        commit: Some("abc".into()),
        template: "default".into(),
        creation_id: "c-1".into(),
        spec: json!({"name": name, "tools": ["a"]}),
    }
}

fn entry(name: &str, version: &str, kind: EntryKind) -> RegistryEntry {
    RegistryEntry {
        name: name.into(),
        version: version.into(),
        kind,
        agent_name: (kind == EntryKind::Agent).then(|| name.to_owned()),
        manifest: Json::from_value(&json!({"name": name, "version": version})),
        phase: Phase::Succeeded,
        registered_at: at(3),
        format: SourceFormat::Manifest,
        source: Json::from_value(&json!({"src": true})),
        report: Json::from_value(&json!({"conditions": []})),
    }
}

fn agents_creations_and_registry(backend: Backend) {
    let (s, _dir) = open(backend);
    assert_eq!(
        s.backend(),
        if backend == Backend::Sqlite {
            "sqlite"
        } else {
            "postgresql"
        }
    );
    assert_eq!(s.schema_version().unwrap(), 10);
    s.check().unwrap();

    let step = |name: &str, status: StepStatus| StepRecord {
        name: name.into(),
        status,
        started_at: None,
        finished_at: None,
        message: None,
    };
    let c = CreationRecord {
        id: "c-1".into(),
        agent_name: "tax".into(),
        status: CreationStatus::Running,
        started_at: at(1),
        finished_at: None,
        failed_step: None,
        error: None,
        steps: vec![
            step("render", StepStatus::Pending),
            step("git", StepStatus::Pending),
        ],
    };
    s.insert_creation(&c).unwrap();
    let mut done = step("git", StepStatus::Failed);
    done.started_at = Some(at(2));
    done.message = Some("push refused".into());
    s.update_step("c-1", 1, &done).unwrap();
    s.finish_creation(
        "c-1",
        CreationStatus::Failed,
        at(3),
        Some("git"),
        Some("push refused"),
    )
    .unwrap();
    let got = s.creation("c-1").unwrap().unwrap();
    assert_eq!(got.status, CreationStatus::Failed);
    assert_eq!(got.finished_at, Some(at(3)));
    assert_eq!(got.steps.len(), 2);
    assert_eq!(got.steps[1], done);
    assert!(s.creation("nope").unwrap().is_none());

    s.register_agent(
        &agent("tax"),
        &entry("tax", "1.0.0", EntryKind::Agent),
        false,
    )
    .unwrap();
    assert_eq!(s.agent("tax").unwrap().unwrap(), agent("tax"));
    let again = s
        .register_agent(
            &agent("tax"),
            &entry("tax", "1.0.0", EntryKind::Agent),
            false,
        )
        .unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    let mut changed = agent("tax");
    changed.description = "new".into();
    s.register_agent(&changed, &entry("tax", "1.1.0", EntryKind::Agent), true)
        .unwrap();
    assert_eq!(s.agent("tax").unwrap().unwrap().description, "new");
    let versions: Vec<String> = s
        .registry_entries()
        .unwrap()
        .into_iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, ["1.1.0"], "a replaced agent keeps one entry");

    // Custom servers: stored, refused twice, replaced, never over an agent's name.
    let custom = entry("search", "1.0.0", EntryKind::Custom);
    assert_eq!(
        s.register_server(&custom, false).unwrap(),
        RegisterOutcome::Stored
    );
    assert_eq!(
        s.register_server(&custom, false).unwrap(),
        RegisterOutcome::Exists {
            kind: EntryKind::Custom
        }
    );
    let mut newer = custom.clone();
    newer.phase = Phase::Failed;
    assert_eq!(
        s.register_server(&newer, true).unwrap(),
        RegisterOutcome::Stored
    );
    s.register_server(&entry("search", "2.0.0", EntryKind::Custom), false)
        .unwrap();
    assert_eq!(
        s.register_server(&entry("tax", "9.0.0", EntryKind::Custom), true)
            .unwrap(),
        RegisterOutcome::Exists {
            kind: EntryKind::Agent
        }
    );
    let other = s
        .register_agent(
            &agent("search"),
            &entry("search", "1.0.0", EntryKind::Agent),
            false,
        )
        .unwrap_err();
    assert!(other.to_string().contains("someone else"), "{other}");
    assert!(
        s.agent("search").unwrap().is_none(),
        "a refused agent is not half-stored"
    );
    let entries = s.registry_entries().unwrap();
    let names: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.version.as_str(), e.phase.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("search", "1.0.0", "failed"),
            ("search", "2.0.0", "succeeded"),
            ("tax", "1.1.0", "succeeded")
        ]
    );
    assert_eq!(entries[0].source, Json::from_value(&json!({"src": true})));
    assert_eq!(
        s.remove_servers("search", Some("2.0.0")).unwrap(),
        [("search".to_owned(), "2.0.0".to_owned())]
    );
    assert!(
        s.remove_servers("tax", None).unwrap().is_empty(),
        "agents are not custom"
    );
    assert_eq!(s.remove_servers("search", None).unwrap().len(), 1);
    assert!(s.remove_agent("tax").unwrap());
    assert!(!s.remove_agent("tax").unwrap());
    assert!(
        s.registry_entries().unwrap().is_empty(),
        "an agent's entries go with it"
    );
    assert!(s.list_agents().unwrap().is_empty());
}

fn deployments(backend: Backend) {
    let (s, _dir) = open(backend);
    let mut d = DeploymentRecord {
        agent_name: "tax".into(),
        target: Target::Local,
        environment: "dev".into(),
        status: store::DeploymentStatus::Deploying,
        replicas_wanted: 2,
        artifact: Some("abc".into()),
        created_at: at(1),
        updated_at: at(1),
        replicas: vec![ReplicaRecord {
            index: 0,
            pid: Some(42),
            container_id: None,
            port: 7001,
            endpoint: "http://127.0.0.1:7001/mcp".into(),
            started_at: at(1),
            state: store::ReplicaState::Starting,
            last_check: None,
            log: Some("/x.log".into()),
        }],
        detail: json!({"env_hash": "h"}),
    };
    s.save_deployment(&d).unwrap();
    d.status = store::DeploymentStatus::Running;
    d.replicas[0].state = store::ReplicaState::Healthy;
    d.updated_at = at(2);
    s.save_deployment(&d).unwrap();
    let mut docker = d.clone();
    docker.target = Target::Docker;
    s.save_deployment(&docker).unwrap();
    assert_eq!(s.deployment("tax", Target::Local).unwrap().unwrap(), d);
    assert_eq!(s.deployments(Some("tax")).unwrap().len(), 2);
    assert_eq!(s.deployments(None).unwrap()[0].target, Target::Docker);
    assert!(s.deployments(Some("other")).unwrap().is_empty());
    assert!(s.remove_deployment("tax", Target::Docker).unwrap());
    assert!(!s.remove_deployment("tax", Target::Docker).unwrap());
    assert!(s.deployment("tax", Target::Docker).unwrap().is_none());
}

fn event(i: usize, timestamp: &str) -> Record {
    let line = json!({
        "event_id": format!("00000000-0000-4000-8000-{i:012}"),
        "timestamp": timestamp,
        "user_id": format!("user{}", i % 3),
        "organization_id": "acme",
        "session_id": "s",
        "event_type": if i.is_multiple_of(2) { "data_access" } else { "execution" },
        "event_category": "compliance",
        "severity": "info",
        "source": {"component": "agent", "version": "1", "host": "h"},
        "action": {"operation": "read", "resource": "document", "resource_id": format!("doc-{i}")},
        "context": {"request_id": "r", "correlation_id": "c", "agent_id": "tax"},
        "outcome": {"status": "success", "status_code": 200, "response_time_ms": 1.0},
        "data": {"sensitive_data_accessed": false},
        "sensitive_fields": ["action.resource_id"]
    })
    .to_string();
    Record::from(audit::prepare(audit::parse_line(line.as_bytes()).unwrap(), b"k").unwrap())
}

/// The sequences of the stored checkpoints.
fn checkpointed(s: &dyn Store) -> Vec<u64> {
    s.audit_checkpoints()
        .unwrap()
        .iter()
        .map(|c| c.sequence)
        .collect()
}

/// `rows` are the whole chain of `len` events: numbered from 1 without a gap, each linked to
/// the one before.
fn assert_chain(rows: &[store::StoredAudit], len: usize) {
    assert_eq!(rows.len(), len);
    let mut prev = audit::GENESIS;
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.sequence, i as u64 + 1);
        assert_eq!(audit::link(&prev, &r.body), r.hash, "at {}", r.sequence);
        prev = r.hash;
    }
}

fn audit_chain(backend: Backend) {
    let (s, dir) = open(backend);
    let keys = audit::keys::load(dir.path()).unwrap();
    let sign = keys.checkpoint_signer();
    assert_eq!(s.audit_head().unwrap(), None);
    let old = "2019-01-01T00:00:00Z";
    let new = "2026-11-24T10:00:00Z";
    let batch: Vec<_> = (0..10)
        .map(|i| event(i, if i < 4 { old } else { new }))
        .collect();
    let seqs = s.audit_append(&batch, 4, true, &sign).unwrap();
    assert_eq!(seqs, (1..=10).map(Some).collect::<Vec<_>>());
    // A batch with an event already stored and one repeated inside it: both skipped.
    let again = vec![event(3, old), event(10, new), event(10, new)];
    assert_eq!(
        s.audit_append(&again, 4, false, &sign).unwrap(),
        [None, Some(11), None]
    );
    let (head, hash) = s.audit_head().unwrap().unwrap();
    assert_eq!(head, 11);
    assert_eq!(checkpointed(s.as_ref()), [4, 8, 10]);
    assert_eq!(s.audit_seal(&sign).unwrap(), Some(11));
    assert_eq!(s.audit_seal(&sign).unwrap(), None, "sealed once");
    let last = s.audit_checkpoints().unwrap().pop().unwrap();
    assert_eq!((last.sequence, last.hash), (11, hash));
    assert!(audit::checkpoint_valid(
        &last,
        &keys.signing.verifying_key()
    ));

    let range = s.audit_range(5, 3).unwrap();
    assert_eq!(
        range.iter().map(|r| r.sequence).collect::<Vec<_>>(),
        [5, 6, 7]
    );
    let mut prev = s.audit_range(4, 1).unwrap()[0].hash;
    for r in &range {
        assert_eq!(audit::link(&prev, &r.body), r.hash);
        prev = r.hash;
    }

    let q = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        };
        f(&mut q);
        s.audit_query(&q)
            .unwrap()
            .iter()
            .map(|r| r.sequence)
            .collect::<Vec<_>>()
    };
    assert_eq!(q(&|q| q.user = Some("user1".into())), [2, 5, 8, 11]);
    assert_eq!(
        q(&|q| q.event_type = Some("execution".into())),
        [2, 4, 6, 8, 10]
    );
    assert_eq!(
        q(&|q| q.since = Some("2020-01-01".into())),
        [5, 6, 7, 8, 9, 10, 11]
    );
    assert_eq!(q(&|q| q.until = Some("2020-01-01".into())), [1, 2, 3, 4]);
    assert_eq!(
        q(&|q| {
            q.user = Some("user0".into());
            q.newest_first = true;
            q.limit = 2;
        }),
        [10, 7]
    );
    assert_eq!(q(&|q| q.after = Some(9)), [10, 11]);
    assert_eq!(q(&|q| q.severity = Some("error".into())), Vec::<u64>::new());
    assert_eq!(q(&|q| q.outcome = Some("success".into())).len(), 11);
    assert_eq!(q(&|q| q.resource = Some("document".into())).len(), 11);
    assert_eq!(q(&|q| q.agent = Some("tax".into())).len(), 11);
    let doc7 = audit::hmac_value(b"k", "doc-7");
    assert_eq!(q(&|q| q.contains = Some(doc7.clone())), [8]);

    // Retention: the old prefix goes, a checkpoint anchors what stays.
    let anchor = keys.checkpoint_signer();
    assert_eq!(s.audit_purge("2020-01-01T00:00:00Z", &anchor).unwrap(), 4);
    let kept = s.audit_checkpoints().unwrap();
    assert!(kept[0].anchors_purge && !kept[1].anchors_purge, "{kept:?}");
    assert!(audit::checkpoint_valid(
        &kept[0],
        &keys.signing.verifying_key()
    ));
    assert_eq!(s.audit_range(0, 1).unwrap()[0].sequence, 5);
    assert_eq!(checkpointed(s.as_ref()), [4, 8, 10, 11]);
    assert_eq!(s.audit_purge("2020-01-01T00:00:00Z", &anchor).unwrap(), 0);
    // When every event is old, all but the head go.
    assert_eq!(s.audit_purge("2030-01-01T00:00:00Z", &anchor).unwrap(), 6);
    assert_eq!(s.audit_range(0, 10).unwrap().len(), 1);
    assert_eq!(s.audit_head().unwrap().unwrap().0, 11);

    assert_eq!(s.audit_sink_cursor("webhook").unwrap(), 0);
    s.set_audit_sink_cursor("webhook", 7).unwrap();
    s.set_audit_sink_cursor("webhook", 9).unwrap();
    assert_eq!(s.audit_sink_cursor("webhook").unwrap(), 9);
}

/// Queries by user, type and agent give the same answers over events a store has indexed in
/// bulk (20,000 appended in large batches) and over the latest ones appended a few at a time,
/// in both orders, with time windows and limits that cross from one to the other.
fn audit_queries_over_bulk_and_recent_events(backend: Backend) {
    let (s, dir) = open(backend);
    let keys = audit::keys::load(dir.path()).unwrap();
    let sign = keys.checkpoint_signer();
    let ts = |i: usize| {
        format!(
            "2026-11-24T10:00:{:02}.{:06}Z",
            i / 1_000_000,
            i % 1_000_000
        )
    };
    let n = 20_100;
    let events: Vec<_> = (0..n).map(|i| event(i, &ts(i))).collect();
    for chunk in events[..20_000].chunks(5_000) {
        s.audit_append(chunk, 0, false, &sign).unwrap();
    }
    for chunk in events[20_000..].chunks(7) {
        s.audit_append(chunk, 0, false, &sign).unwrap();
    }
    // Event i is at sequence i + 1: user i % 3, execution when i is odd, agent `tax`.
    let expect = |keep: &dyn Fn(usize) -> bool, newest_first: bool, limit: usize| {
        let mut v: Vec<u64> = (0..n).filter(|&i| keep(i)).map(|i| i as u64 + 1).collect();
        if newest_first {
            v.reverse();
        }
        v.truncate(limit);
        v
    };
    let query = |q: AuditQuery| -> Vec<u64> {
        s.audit_query(&q)
            .unwrap()
            .iter()
            .map(|r| r.sequence)
            .collect()
    };
    for newest_first in [false, true] {
        for limit in [5, 100_000] {
            let q = |f: &dyn Fn(&mut AuditQuery)| {
                let mut q = AuditQuery {
                    limit,
                    newest_first,
                    ..AuditQuery::default()
                };
                f(&mut q);
                query(q)
            };
            assert_eq!(
                q(&|q| q.user = Some("user1".into())),
                expect(&|i| i % 3 == 1, newest_first, limit)
            );
            assert_eq!(
                q(&|q| {
                    q.user = Some("user2".into());
                    q.event_type = Some("execution".into());
                }),
                expect(&|i| i % 3 == 2 && i % 2 == 1, newest_first, limit)
            );
            assert_eq!(
                q(&|q| {
                    q.user = Some("user0".into());
                    q.since = Some(ts(19_950));
                    q.until = Some(ts(20_050));
                }),
                expect(
                    &|i| i % 3 == 0 && (19_950..20_050).contains(&i),
                    newest_first,
                    limit
                )
            );
            assert_eq!(
                q(&|q| {
                    q.agent = Some("tax".into());
                    q.after = Some(19_990);
                }),
                expect(&|i| i >= 19_990, newest_first, limit)
            );
            assert_eq!(q(&|q| q.agent = Some("nobody".into())), Vec::<u64>::new());
        }
    }
}

/// An append begun and fed in several inserts commits as one `audit_append` would store
/// them (duplicates skipped, checkpoints where due); one dropped before its commit leaves
/// nothing, and the chain goes on where it was.
fn an_open_append_commits_whole_or_not_at_all(backend: Backend) {
    let (s, dir) = open(backend);
    let keys = audit::keys::load(dir.path()).unwrap();
    let sign = keys.checkpoint_signer();
    let at = "2026-11-24T10:00:00Z";
    {
        let mut append = s.audit_begin(3, &sign).unwrap();
        append.insert(&[event(0, at), event(1, at)]).unwrap();
        append.insert(&[event(1, at), event(2, at)]).unwrap();
        append.insert(&[event(3, at)]).unwrap();
        assert_eq!(
            append.commit(true).unwrap(),
            [Some(1), Some(2), None, Some(3), Some(4)]
        );
    }
    s.audit_sync().unwrap();
    assert_eq!(checkpointed(s.as_ref()), [3, 4]);
    let (head, hash) = s.audit_head().unwrap().unwrap();
    {
        let mut dropped = s.audit_begin(3, &sign).unwrap();
        dropped.insert(&[event(4, at), event(5, at)]).unwrap();
    }
    assert_eq!(s.audit_head().unwrap(), Some((head, hash)));
    assert_eq!(s.audit_range(5, 10).unwrap(), []);
    assert_eq!(s.audit_checkpoints().unwrap().len(), 2);
    // The events of the dropped append are new to the next one.
    let mut append = s.audit_begin(3, &sign).unwrap();
    append.insert(&[event(5, at), event(4, at)]).unwrap();
    assert_eq!(append.commit(false).unwrap(), [Some(5), Some(6)]);
    s.audit_sync().unwrap();
    assert_chain(&s.audit_range(1, 10).unwrap(), 6);
}

/// Writers in several threads, each with its own connection, extend one chain: every event
/// gets one place and the chain links without a gap.
fn concurrent_appends_make_one_chain(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, dir.path());
    drop(store::open(&url).unwrap());
    let keys = audit::keys::load(dir.path()).unwrap();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (url, keys) = (&url, &keys);
            scope.spawn(move || {
                let s = store::open(url).unwrap();
                let sign = keys.checkpoint_signer();
                for b in 0..10 {
                    let batch: Vec<_> = (0..25)
                        .map(|i| event(t * 1000 + b * 25 + i, "2026-11-24T10:00:00Z"))
                        .collect();
                    let seqs = s.audit_append(&batch, 100, false, &sign).unwrap();
                    assert!(seqs.iter().all(Option::is_some));
                }
            });
        }
    });
    let s = store::open(&url).unwrap();
    assert_chain(&s.audit_range(1, 10_000).unwrap(), 1000);
}

/// A PostgreSQL URL's password never shows in what the store says about itself or its
/// errors.
#[test]
fn postgres_credentials_never_show() {
    let url = common::postgres_database();
    let s = store::open(&StoreUrl::Postgres(url.clone())).unwrap();
    let password = url::Url::parse(&url)
        .unwrap()
        .password()
        .unwrap()
        .to_owned();
    assert!(!s.location().contains(&password));
    let mut wrong = url::Url::parse(&url).unwrap();
    wrong.set_password(Some("not-the-password")).unwrap();
    let e = match store::open(&StoreUrl::Postgres(wrong.to_string())) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a wrong password was accepted"),
    };
    assert!(
        e.contains("password authentication failed") || e.contains("cannot open"),
        "{e}"
    );
    assert!(
        !e.contains("not-the-password") && !e.contains(&password),
        "{e}"
    );
}

/// The tables a database holds (those of pc-hybrid, not the engine's own).
fn tables(url: &StoreUrl) -> Vec<String> {
    let mut out: Vec<String> = match url {
        StoreUrl::Sqlite(p) => {
            let c = rusqlite::Connection::open(p).unwrap();
            let mut q = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .unwrap();
            let names = q.query_map([], |r| r.get(0)).unwrap();
            names.map(Result::unwrap).collect()
        }
        StoreUrl::Postgres(u) => {
            let mut c = ::postgres::Client::connect(u, ::postgres::NoTls).unwrap();
            c.query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
        }
    };
    out.sort();
    out
}

/// Each concern's database holds its own tables only, reports its own schema version, and
/// a database named for both (or made before the split, holding everything) serves both.
fn each_concern_keeps_its_own_tables(backend: Backend) {
    const DOMAIN: [&str; 6] = [
        "agents",
        "creation_steps",
        "creations",
        "deployments",
        "mcp_servers",
        "tool_pins",
    ];
    let dir = tempfile::tempdir().unwrap();
    let domain_url = new_store(backend, &dir.path().join("d"));
    let audit_url = new_store(backend, &dir.path().join("a"));

    let d = store::open_domain(&domain_url).unwrap();
    d.register_agent(
        &agent("tax_advisor"),
        &entry("tax_advisor", "1.0.0", EntryKind::Agent),
        false,
    )
    .unwrap();
    assert_eq!(d.schema_version().unwrap(), 10);
    let mut want: Vec<&str> = DOMAIN.to_vec();
    want.push("schema_migrations");
    want.sort();
    assert_eq!(tables(&domain_url), want);

    let a = store::open_audit(&audit_url).unwrap();
    let keys = audit::keys::load(dir.path()).unwrap();
    a.audit_append(
        &[event(1, "2026-11-24T10:00:00Z")],
        0,
        true,
        &keys.checkpoint_signer(),
    )
    .unwrap();
    assert_eq!(a.schema_version().unwrap(), 8);
    let audit_tables = tables(&audit_url);
    assert!(
        audit_tables.contains(&"audit_events".to_owned()),
        "{audit_tables:?}"
    );
    for t in DOMAIN {
        assert!(
            !audit_tables.contains(&t.to_owned()),
            "{t} in {audit_tables:?}"
        );
    }

    // Opened later for the other concern too (one URL for both), each keeps what it held
    // and gains the other's tables.
    drop((d, a));
    let both = store::open(&domain_url).unwrap();
    assert_eq!(both.schema_version().unwrap(), 10);
    assert_eq!(both.list_agents().unwrap().len(), 1);
    assert_eq!(both.audit_head().unwrap(), None);
    let audit_again = store::open_audit(&audit_url).unwrap();
    assert_eq!(audit_again.audit_head().unwrap().unwrap().0, 1);
    assert_eq!(
        tables(&audit_url),
        audit_tables,
        "reopening changed nothing"
    );
}

/// Runs one statement on the database behind `url`, as something other than pc-hybrid
/// might have written it.
fn execute_raw(url: &StoreUrl, sql: &str) {
    match url {
        StoreUrl::Sqlite(p) => {
            rusqlite::Connection::open(p)
                .unwrap()
                .execute(sql, [])
                .unwrap();
        }
        StoreUrl::Postgres(u) => {
            let mut c = ::postgres::Client::connect(u, ::postgres::NoTls).unwrap();
            c.execute(sql, &[]).unwrap();
        }
    }
}

/// A stored status, kind or phase that is none of the known words is an error naming the
/// field and the word, never read as another value.
fn an_unknown_stored_word_is_an_error_naming_it(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, dir.path());
    let s = store::open(&url).unwrap();
    s.register_agent(
        &agent("tax"),
        &entry("tax", "1.0.0", EntryKind::Agent),
        false,
    )
    .unwrap();
    s.insert_creation(&CreationRecord {
        id: "c-1".into(),
        agent_name: "tax".into(),
        status: CreationStatus::Running,
        started_at: at(1),
        finished_at: None,
        failed_step: None,
        error: None,
        steps: vec![],
    })
    .unwrap();
    execute_raw(
        &url,
        "UPDATE agents SET status = 'retired' WHERE name = 'tax'",
    );
    let e = s.agent("tax").unwrap_err().to_string();
    assert!(e.contains("unknown agent status `retired`"), "{e}");
    execute_raw(
        &url,
        "UPDATE mcp_servers SET phase = 'Ready' WHERE name = 'tax'",
    );
    let e = s.registry_entries().unwrap_err().to_string();
    assert!(e.contains("unknown registry phase `Ready`"), "{e}");
    execute_raw(
        &url,
        "UPDATE creations SET status = 'paused' WHERE id = 'c-1'",
    );
    let e = s.creation("c-1").unwrap_err().to_string();
    assert!(e.contains("unknown creation status `paused`"), "{e}");
}

fn execution(i: usize, agent: &str, user: &str) -> store::ExecutionRecord {
    store::ExecutionRecord {
        execution_id: format!("x-{i:04}"),
        timestamp: at(1) + chrono::Duration::seconds(i as i64),
        agent_id: agent.into(),
        tool: "search".into(),
        user_id: user.into(),
        organization: Some("acme".into()),
        session_id: Some("s-1".into()),
        replica: Some((i % 2) as u32),
        latency_ms: 12.345 + i as f64,
        status: if i.is_multiple_of(5) {
            store::ExecutionStatus::Error
        } else {
            store::ExecutionStatus::Success
        },
        request_bytes: 100,
        response_bytes: 2000 + i as u64,
        tokens_in: Some(50),
        tokens_out: None,
        cost: Some(0.001234),
        model: Some("gpt-4o".into()),
        trace_id: Some(format!("{i:032x}")),
        error: i.is_multiple_of(5).then(|| "upstream failed".into()),
        arguments: i
            .is_multiple_of(2)
            .then(|| serde_json::json!({"query": "string", "limit": "integer"})),
        feedback: None,
    }
}

/// Executions are kept exactly (times to the microsecond, latency and cost to the
/// millionth), deduplicated by id, filtered and ordered alike, and take feedback.
fn executions_and_feedback(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, &dir.path().join("x"));
    let s = store::open_executions(&url).unwrap();
    assert_eq!(s.schema_version().unwrap(), 13);
    let rows: Vec<_> = (0..20)
        .map(|i| {
            execution(
                i,
                if i < 12 { "tax" } else { "legal" },
                if i % 2 == 0 { "bob" } else { "eve" },
            )
        })
        .collect();
    assert_eq!(s.insert_executions(&rows).unwrap(), vec![true; 20]);
    // What the gateway's limits count from: calls (not refused) and their cost, since a time.
    let usage = |user: Option<&str>, agent: Option<&str>, since_s: i64| {
        s.usage(
            &store::executions::Usage {
                user: user.map(str::to_owned),
                agent: agent.map(str::to_owned),
                tool: None,
            },
            at(1) + chrono::Duration::seconds(since_s),
        )
        .unwrap()
    };
    assert_eq!(usage(Some("bob"), None, 0), (10, 10 * 1234));
    assert_eq!(usage(None, Some("legal"), 0), (8, 8 * 1234));
    assert_eq!(usage(Some("eve"), Some("tax"), 6), (3, 3 * 1234));
    // A retry of some, with a new one: only the new one is stored.
    let again = vec![
        rows[3].clone(),
        execution(20, "tax", "bob"),
        rows[0].clone(),
    ];
    assert_eq!(
        s.insert_executions(&again).unwrap(),
        vec![false, true, false]
    );
    let q = |f: &dyn Fn(&mut store::ExecutionQuery)| {
        let mut q = store::ExecutionQuery {
            limit: 100,
            ..Default::default()
        };
        f(&mut q);
        s.executions(&q).unwrap()
    };
    let all = q(&|_| {});
    assert_eq!(all.len(), 21);
    assert_eq!(all[0].execution_id, "x-0020", "newest first");
    let back = s.execution("x-0007").unwrap().unwrap();
    assert_eq!(back, rows[7], "kept exactly");
    assert_eq!(q(&|q| q.agent = Some("legal".into())).len(), 8);
    assert_eq!(q(&|q| q.user = Some("bob".into())).len(), 11);
    assert_eq!(
        q(&|q| q.status = Some(store::ExecutionStatus::Error)).len(),
        5
    );
    let since = q(&|q| {
        q.since = Some(at(1) + chrono::Duration::seconds(10));
        q.until = Some(at(1) + chrono::Duration::seconds(15));
    });
    let ids: Vec<&str> = since.iter().map(|e| e.execution_id.as_str()).collect();
    assert_eq!(ids, ["x-0014", "x-0013", "x-0012", "x-0011", "x-0010"]);
    assert_eq!(q(&|q| q.limit = 3).len(), 3);
    assert_eq!(s.execution("nope").unwrap(), None);

    let fb = store::Feedback {
        rating: 4,
        correct: Some(true),
        user_id: "bob".into(),
        given_at: at(3),
    };
    assert!(s.set_feedback("x-0002", &fb).unwrap());
    assert!(!s.set_feedback("nope", &fb).unwrap());
    let changed = store::Feedback {
        rating: 2,
        correct: None,
        ..fb.clone()
    };
    assert!(s.set_feedback("x-0002", &changed).unwrap());
    assert_eq!(
        s.execution("x-0002").unwrap().unwrap().feedback,
        Some(changed)
    );
    assert_eq!(s.execution("x-0003").unwrap().unwrap().feedback, None);
    // Refused calls are not counted against a limit.
    let mut refused = execution(30, "tax", "zed");
    refused.status = store::ExecutionStatus::Denied;
    s.insert_executions(&[refused]).unwrap();
    assert_eq!(usage(Some("zed"), None, 0), (0, 0));
}

/// The rollups add up exactly what was stored (a retry adds nothing), feedback moves
/// their rating sums (a changed judgement replaces the old one), scans visit every
/// execution once, and replica counts round-trip. A store from before rollups gets them
/// built from its executions when it is opened.
fn rollups_follow_executions_and_feedback(backend: Backend) {
    use store::rollups::Grain;
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, &dir.path().join("r"));
    let s = store::open_executions(&url).unwrap();
    let mut rows: Vec<_> = (0..40)
        .map(|i| {
            execution(
                i * 400,
                if i < 30 { "tax" } else { "legal" },
                if i % 3 == 0 { "bob" } else { "eve" },
            )
        })
        .collect();
    rows[7].status = store::ExecutionStatus::Denied;
    rows[8].cost = None;
    rows[8].model = None;
    s.insert_executions(&rows[..25]).unwrap();
    s.insert_executions(&rows[20..]).unwrap();
    let first_day = at(1).timestamp_micros().div_euclid(86_400_000_000);
    let day = s
        .rollups(Grain::Day, first_day - 1, first_day + 2, None)
        .unwrap();
    let hours = s
        .rollups(Grain::Hour, first_day * 24 - 24, first_day * 24 + 48, None)
        .unwrap();
    let total = |rows: &[store::rollups::RollupRow]| {
        let mut t = store::rollups::Sums::default();
        for r in rows {
            t.merge(&r.sums);
        }
        t
    };
    let mut want = store::rollups::Sums::default();
    for r in &rows {
        want.add(r);
    }
    assert_eq!(total(&day), want, "the days add up to every execution once");
    assert_eq!(total(&hours), want, "so do the hours");
    assert!(
        hours.len() > day.len(),
        "{} hours, {} days",
        hours.len(),
        day.len()
    );
    assert_eq!(want.calls, 40);
    assert_eq!(want.denied, 1);
    assert_eq!(want.unpriced_calls, 1);
    // The latency histogram holds every timed call.
    let mut h = pc_hybrid::histogram::Histogram::new();
    for r in &day {
        h.merge_encoded(&r.histogram).unwrap();
    }
    assert_eq!(h.count(), 39);
    let bob = s
        .rollups(Grain::DayUser, first_day - 1, first_day + 2, Some("bob"))
        .unwrap();
    assert_eq!(total(&bob).calls, 14);
    assert!(bob.iter().all(|r| r.key.second == "bob"));

    let fb = |rating: u8, correct: Option<bool>| store::Feedback {
        rating,
        correct,
        user_id: "bob".into(),
        given_at: at(3),
    };
    assert!(s.set_feedback("x-0000", &fb(5, Some(true))).unwrap());
    assert!(s.set_feedback("x-0400", &fb(2, Some(false))).unwrap());
    assert!(s.set_feedback("x-0000", &fb(3, None)).unwrap());
    for (g, from, to) in [
        (Grain::Day, first_day - 1, first_day + 2),
        (Grain::Hour, first_day * 24 - 24, first_day * 24 + 48),
    ] {
        let t = total(&s.rollups(g, from, to, None).unwrap());
        assert_eq!(
            (t.rating_sum, t.ratings, t.correct, t.judged),
            (5, 2, 0, 1),
            "{g:?}"
        );
    }
    let bob = total(
        &s.rollups(Grain::DayUser, first_day - 1, first_day + 2, Some("bob"))
            .unwrap(),
    );
    assert_eq!((bob.rating_sum, bob.ratings), (3, 1));

    let mut seen = 0;
    let mut latency = 0i64;
    s.scan_executions(
        at(0).timestamp_micros(),
        (at(0) + chrono::Duration::hours(48)).timestamp_micros(),
        None,
        &mut |e| {
            seen += 1;
            latency += e.latency_us;
        },
    )
    .unwrap();
    assert_eq!(seen, 40);
    let denied = (rows[7].latency_ms * 1000.0).round() as i64;
    assert_eq!(
        latency,
        want.latency_sum_us + denied,
        "denied calls are scanned too"
    );
    let mut bobs = 0;
    s.scan_executions(
        at(0).timestamp_micros(),
        (at(0) + chrono::Duration::hours(48)).timestamp_micros(),
        Some("bob"),
        &mut |_| bobs += 1,
    )
    .unwrap();
    assert_eq!(bobs, 14);
    assert_eq!(s.newest_execution().unwrap(), Some(rows[39].timestamp));

    let change = |at_h: u32, n: u32| store::executions::ReplicaChange {
        agent_id: "tax".into(),
        target: "local".into(),
        at: at(at_h),
        replicas: n,
    };
    s.record_replicas(&change(2, 3)).unwrap();
    s.record_replicas(&change(1, 2)).unwrap();
    s.record_replicas(&change(2, 0)).unwrap();
    assert_eq!(
        s.replica_changes().unwrap(),
        vec![change(1, 2), change(2, 0)]
    );

    // A store from before rollups: they are built when it is opened.
    drop(s);
    for t in [
        "rollup_hour",
        "rollup_day",
        "rollup_day_user",
        "replica_changes",
    ] {
        execute_raw(&url, &format!("DROP TABLE {t}"));
    }
    execute_raw(&url, "DELETE FROM schema_migrations WHERE version = 12");
    let s = store::open_executions(&url).unwrap();
    assert_eq!(s.schema_version().unwrap(), 13);
    let day = s
        .rollups(Grain::Day, first_day - 1, first_day + 2, None)
        .unwrap();
    let rebuilt = total(&day);
    assert_eq!(rebuilt.calls, 40);
    assert_eq!(rebuilt.latency_sum_us, want.latency_sum_us);
    assert_eq!(
        (rebuilt.rating_sum, rebuilt.ratings),
        (5, 2),
        "with the feedback given"
    );
}

/// Tool pins round-trip exactly (definitions as JSON, pending ones beside), one row per
/// tool, a later save replacing the tool's row.
fn tool_pins(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = new_store(backend, &dir.path().join("p"));
    let s = store::open_domain(&url).unwrap();
    assert!(s.tool_pins("srv").unwrap().is_empty());
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let pin = |tool: &str, hash: &str| store::ToolPin {
        tool: tool.into(),
        hash: hash.into(),
        definition: serde_json::json!({"name": tool, "inputSchema": {"type": "object"}}),
        pinned_at: at,
        pending_hash: None,
        pending_definition: None,
    };
    s.save_pins("srv", &[pin("b", "h2"), pin("a", "h1")])
        .unwrap();
    s.save_pins("other", &[pin("a", "x")]).unwrap();
    let mut changed = pin("a", "h1");
    changed.pending_hash = Some("h9".into());
    changed.pending_definition = Some(serde_json::json!({"name": "a", "description": "new"}));
    s.save_pins("srv", std::slice::from_ref(&changed)).unwrap();
    assert_eq!(s.tool_pins("srv").unwrap(), vec![changed, pin("b", "h2")]);
    assert_eq!(s.tool_pins("other").unwrap(), vec![pin("a", "x")]);
    s.remove_pins("srv").unwrap();
    assert!(s.tool_pins("srv").unwrap().is_empty());
    assert_eq!(s.tool_pins("other").unwrap(), vec![pin("a", "x")]);
}

on_both_stores!(
    tool_pins,
    executions_and_feedback,
    rollups_follow_executions_and_feedback,
    each_concern_keeps_its_own_tables,
    agents_creations_and_registry,
    deployments,
    audit_chain,
    audit_queries_over_bulk_and_recent_events,
    concurrent_appends_make_one_chain,
    an_open_append_commits_whole_or_not_at_all,
    an_unknown_stored_word_is_an_error_naming_it,
);
