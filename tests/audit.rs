//! The audit trail from the command line: ingest (bad lines reported by number, the rest
//! stored, acks), the published JSON Schema, sensitive values, and tampering of every kind
//! caught by `audit verify` at the right sequence.

#[macro_use]
mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::{Backend, Db, Env};
use serde_json::{json, Value};

fn event(i: usize) -> Value {
    json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "timestamp": "2026-11-24T10:00:00Z",
        "user_id": format!("user{}", i % 7),
        "organization_id": "acme",
        "session_id": "s-1",
        "event_type": "data_access",
        "event_category": "compliance",
        "severity": "info",
        "source": {"component": "agent", "version": "1.0.0", "host": "node-1", "ip_address": "10.0.0.1"},
        "action": {"operation": "read", "resource": "document", "resource_id": format!("doc-{i}"), "method": "GET", "endpoint": "/documents"},
        "context": {"user_agent": "client/1", "request_id": format!("r-{i}"), "correlation_id": "c-1", "agent_id": "tax_advisor"},
        "outcome": {"status": "success", "status_code": 200, "response_time_ms": 12.5},
        "data": {"request_size_bytes": 120, "response_size_bytes": 430, "cost": 0.002, "sensitive_data_accessed": true, "compliance_flags": ["SOC2"]},
        "sensitive_fields": ["action.resource_id"]
    })
}

fn jsonl(n: usize) -> String {
    (0..n).map(|i| event(i).to_string() + "\n").collect()
}

fn ingest(env: &Env, text: &str, extra: &[&str]) -> common::Out {
    let path = env
        .work
        .join(format!("events-{}.jsonl", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["audit", "ingest", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// The event ids of JSONL text, in order.
fn ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["event_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// `audit ingest --ack`, reading events from a pipe and writing acks to another.
fn ack_ingest(env: &Env, stderr: Stdio) -> std::process::Child {
    env.cmd(&["audit", "ingest", "--ack"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// The lines a child writes, read on a thread and passed on one at a time. Once `stop` is
/// set, the thread ends after the next line it reads, closing the pipe.
fn line_reader(
    out: impl std::io::Read + Send + 'static,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (
    std::sync::mpsc::Receiver<String>,
    std::thread::JoinHandle<()>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(out)) {
            let _ = tx.send(line.unwrap());
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
        }
    });
    (rx, reader)
}

/// The next line from a `line_reader`, waiting up to 30 seconds for it.
fn next_line(lines: &std::sync::mpsc::Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no {what} within 30 seconds"))
}

/// The published JSON Schema of an audit event, compiled.
fn event_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/audit-event.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// A verify report that events are missing from the start with no purge anchor for them.
fn assert_removal_unvouched(v: &Value) {
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("no signed checkpoint vouches for their removal by retention"),
        "{v}"
    );
}

/// How many events of the trail are the tool's own records of its audit commands.
fn own_events(env: &Env) -> u64 {
    Db::open(env).int("SELECT COUNT(*) FROM audit_events WHERE resource = 'audit_trail'") as u64
}

fn verify(env: &Env) -> (i32, Value) {
    let o = env.run(&["audit", "verify", "-o", "json"]);
    (o.code, o.json())
}

fn every_stored_event_validates_against_the_published_schema(store: Backend) {
    let env = store.env();
    let o = ingest(&env, &jsonl(300), &["-o", "json"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(o.json()["stored"], 300);
    let validator = event_schema();
    let export = env.ok(&["audit", "export", "--format", "jsonl"]).stdout;
    let lines: Vec<&str> = export.lines().collect();
    // The ingest records its outcome after the events it stored.
    assert_eq!(lines.len(), 301);
    assert!(
        lines[300].contains(r#""operation":"audit.ingest""#),
        "{}",
        lines[300]
    );
    // The largest count a tail takes asks for every event (SQL's limits are signed).
    let all = env.ok(&["audit", "tail", "-n", &usize::MAX.to_string(), "-o", "json"]);
    assert_eq!(all.json().as_array().unwrap().len(), 301 + 1, "{all:?}");
    for (i, line) in lines[..300].iter().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(e) = validator.iter_errors(&v).next() {
            panic!("event {i} does not validate: {e}\n{v:#}");
        }
        assert_eq!(v["sequence"], i as u64 + 1);
        // The sensitive value is stored as its HMAC only.
        assert!(
            v["action"]["resource_id"]
                .as_str()
                .unwrap()
                .starts_with("hmac-sha256:"),
            "{v}"
        );
        assert!(!line.contains(&format!("\"doc-{i}\"")));
    }
    // ...and can still be found by its value.
    let found = env
        .ok(&["audit", "query", "--match-hmac", "doc-42", "-o", "json"])
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["context"]["request_id"], "r-42");
    let csv = env.ok(&["audit", "export", "--format", "csv"]).stdout;
    assert_eq!(csv.lines().filter(|l| !l.contains(",audit.")).count(), 301);
    assert!(csv.starts_with("sequence,timestamp,event_id"));
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["events"], 300 + own_events(&env) - 1, "{v}");
}

fn bad_lines_are_rejected_by_number_and_the_others_stored(store: Backend) {
    let env = store.env();
    let mut text = jsonl(3);
    text.push_str("{\"user_id\": 5}\n"); // line 4: wrong type
    let mut missing = event(9);
    missing.as_object_mut().unwrap().remove("action");
    text.push_str(&(missing.to_string() + "\n")); // line 5: missing field
    let mut bad_enum = event(10);
    bad_enum["severity"] = json!("apocalyptic");
    text.push_str(&(bad_enum.to_string() + "\n")); // line 6
    text.push_str(&format!("{{\"x\": \"{}\"}}\n", "a".repeat(10 << 20))); // line 7: 10 MB
    text.push_str(&jsonl(2)); // lines 8, 9
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"{\"user_id\": \"\xff\xfe\"}\n"); // line 10: invalid UTF-8
    bytes.extend_from_slice(jsonl(1).as_bytes()); // line 11
    let path = env.work.join("mixed.jsonl");
    std::fs::write(&path, &bytes).unwrap();
    let o = env.run(&["audit", "ingest", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(o.code, 2, "{o:?}");
    let r = o.json();
    assert_eq!(r["stored"], 6);
    let rejected: Vec<u64> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, vec![4, 5, 6, 7, 10]);
    assert!(
        o.stderr
            .contains("mixed.jsonl:5: /: missing field `action`"),
        "{o:?}"
    );
    assert!(o.stderr.contains("mixed.jsonl:6: /severity:"), "{o:?}");
    assert!(
        o.stderr
            .contains("mixed.jsonl:7: /: the line is longer than"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("mixed.jsonl:10: /: not valid UTF-8"),
        "{o:?}"
    );
    assert_eq!(verify(&env).0, 0);
}

fn acks_name_each_event_once_it_is_durable_and_duplicates_are_not_stored_twice(store: Backend) {
    let env = store.env();
    let text = jsonl(50);
    let ids = ids(&text);
    let mut child = ack_ingest(&env, Stdio::piped());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let acked: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(acked, ids);
    let mut db = Db::open(&env);
    let ingested = "SELECT COUNT(*) FROM audit_events WHERE resource = 'document'";
    assert_eq!(db.int(ingested), 50);
    // Sending the same events again (at-least-once) stores nothing new, and acks them.
    let o = ingest(&env, &text, &["-o", "json"]);
    assert_eq!(o.json()["duplicates"], 50);
    assert_eq!(db.int(ingested), 50);
}

/// Events are acknowledged while the sender keeps the stream open: ingest takes in events
/// a group at a time, and hands a group on whenever it has read all that was sent, whether
/// that ends at the end of a line or in the middle of one.
fn acks_do_not_wait_for_more_input(store: Backend) {
    let env = store.env();
    let lines: Vec<String> = (0..4).map(|i| event(i).to_string() + "\n").collect();
    let ids = ids(&lines.concat());
    let id = |i: usize| ids[i].clone();
    let mut child = ack_ingest(&env, Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let (acks, _) = line_reader(child.stdout.take().unwrap(), Default::default());
    let ack = || {
        let line = next_line(&acks, "ack while the input stays open");
        line.split(' ').next().unwrap().to_owned()
    };
    let half = lines[3].len() / 2;
    // Two whole lines, then the third and half the fourth, then the rest.
    stdin
        .write_all((lines[0].clone() + &lines[1]).as_bytes())
        .unwrap();
    assert_eq!((ack(), ack()), (id(0), id(1)));
    stdin
        .write_all((lines[2].clone() + &lines[3][..half]).as_bytes())
        .unwrap();
    assert_eq!(ack(), id(2));
    assert!(
        acks.recv_timeout(std::time::Duration::from_millis(200))
            .is_err(),
        "half an event is not acknowledged"
    );
    stdin.write_all(&lines[3].as_bytes()[half..]).unwrap();
    assert_eq!(ack(), id(3));
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(
        Db::open(&env).int("SELECT COUNT(*) FROM audit_events WHERE resource = 'document'"),
        4
    );
}

fn secrets_never_reach_the_trail(store: Backend) {
    let env = store.env();
    let mut e = event(1);
    e["outcome"]["error_message"] = json!("login failed for postgresql://svc:hunter2@db/x with password=swordfish and Bearer abcdefghijklmnopqrstuv");
    let o = ingest(&env, &(e.to_string() + "\n"), &[]);
    assert_eq!(o.code, 0, "{o:?}");
    let export = env.ok(&["audit", "export"]).stdout;
    for secret in ["hunter2", "swordfish", "abcdefghijklmnopqrstuv"] {
        assert!(
            !export.contains(secret),
            "{secret} reached the trail: {export}"
        );
    }
    assert!(
        export.contains("[redacted]") || export.contains("***"),
        "{export}"
    );
}

/// Fill a trail, run `tamper` on its database, and expect verify to fail at `bad`.
/// `bad` is given the sequences of the trail's checkpoints (how many there are depends on
/// how the writer grouped the events).
fn tampered(store: Backend, tamper: impl Fn(&mut Db), bad: impl Fn(&[i64]) -> u64, words: &str) {
    let env = store.env();
    let o = ingest(&env, &jsonl(200), &[]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(verify(&env).0, 0);
    let mut db = Db::open(&env);
    let bad = bad(&db.checkpoints());
    tamper(&mut db);
    let (code, v) = verify(&env);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_sequence"], bad, "{v}");
    assert!(v["message"].as_str().unwrap().contains(words), "{v}");
}

fn an_edited_field_is_caught_at_its_event(store: Backend) {
    tampered(
        store,
        |c| {
            c.exec(r#"UPDATE audit_events SET body = replace(body, '"read"', '"erase"') WHERE sequence = 73"#);
        },
        |_| 73,
        "does not match its hash",
    );
}

fn a_deleted_event_is_caught_where_it_was(store: Backend) {
    tampered(
        store,
        |c| {
            c.exec("DELETE FROM audit_events WHERE sequence = 120");
        },
        |_| 120,
        "is missing",
    );
}

fn two_reordered_events_are_caught_at_the_first(store: Backend) {
    tampered(
        store,
        |c| {
            c.exec(
                "UPDATE audit_events SET sequence = -1 WHERE sequence = 50;
                 UPDATE audit_events SET sequence = 50 WHERE sequence = 51;
                 UPDATE audit_events SET sequence = 51 WHERE sequence = -1;",
            );
        },
        |_| 50,
        "does not match its hash",
    );
}

fn a_truncated_tail_is_caught_by_the_signed_checkpoint(store: Backend) {
    tampered(
        store,
        |c| {
            c.exec("DELETE FROM audit_events WHERE sequence > 190");
        },
        |_| 191,
        "events were removed from the end",
    );
}

fn a_rehashed_chain_is_caught_by_the_signed_checkpoint(store: Backend) {
    tampered(
        store,
        |c| {
            // Rewrite event 10 and recompute every hash after it, as an attacker with the
            // database but not the signing key would.
            let rows = c.bodies();
            let mut prev = [0u8; 32];
            for (seq, body) in rows {
                let body = if seq == 10 {
                    String::from_utf8(body)
                        .unwrap()
                        .replace("\"read\"", "\"delete\"")
                        .into_bytes()
                } else {
                    body
                };
                let h = pc_hybrid::audit::link(&prev, &body);
                c.rewrite(seq, &body, &h);
                prev = h;
            }
        },
        |checkpoints| *checkpoints.iter().find(|&&c| c >= 10).unwrap() as u64,
        "differs from the signed checkpoint",
    );
}

fn a_forged_checkpoint_is_caught(store: Backend) {
    tampered(
        store,
        |c| {
            // Passing the last checkpoint off as a retention purge's anchor.
            c.exec("UPDATE audit_checkpoints SET anchors_purge = true WHERE sequence = (SELECT MAX(sequence) FROM audit_checkpoints)");
        },
        |checkpoints| *checkpoints.last().unwrap() as u64,
        "not signed by this installation's key",
    );
}

/// Deleting the start of the chain up to an ordinary checkpoint is not mistaken for a
/// retention purge: only a purge signs its anchor as one.
fn a_deleted_prefix_is_not_passed_off_as_a_purge(store: Backend) {
    let env = store.env();
    assert_eq!(ingest(&env, &jsonl(100), &[]).code, 0);
    // The first ingest's tail (its events, then its own record) is signed when it ends.
    let first = *Db::open(&env).checkpoints().last().unwrap();
    assert!(first >= 100, "{first}");
    assert_eq!(ingest(&env, &jsonl(100), &[]).code, 0);
    let mut db = Db::open(&env);
    assert!(db.checkpoints().contains(&first), "{:?}", db.checkpoints());
    db.exec(&format!(
        "DELETE FROM audit_events WHERE sequence <= {first}"
    ));
    let (code, v) = verify(&env);
    assert_eq!((code, &v["first_bad_sequence"]), (1, &json!(1)), "{v}");
    assert_removal_unvouched(&v);
}

/// Verification checks parts of the chain in parallel: an edit anywhere, the parts'
/// boundaries included, is reported at its own event.
fn an_edit_at_any_position_is_caught_there(store: Backend) {
    let env = store.env();
    assert_eq!(ingest(&env, &jsonl(41), &[]).code, 0);
    let mut db = Db::open(&env);
    for seq in 1..=41 {
        db.exec(&format!(r#"UPDATE audit_events SET body = replace(body, '"read"', '"READ"') WHERE sequence = {seq}"#));
        let (code, v) = verify(&env);
        assert_eq!((code, &v["first_bad_sequence"]), (1, &json!(seq)), "{v}");
        db.exec(&format!(r#"UPDATE audit_events SET body = replace(body, '"READ"', '"read"') WHERE sequence = {seq}"#));
    }
    assert_eq!(verify(&env).0, 0);
    for seq in [1, 20, 21, 22, 41] {
        db.exec(&format!(
            "UPDATE audit_events SET sequence = -{seq} WHERE sequence = {seq}"
        ));
        let (code, v) = verify(&env);
        assert_eq!((code, &v["first_bad_sequence"]), (1, &json!(seq)), "{v}");
        db.exec(&format!(
            "UPDATE audit_events SET sequence = {seq} WHERE sequence = -{seq}"
        ));
    }
}

fn every_command_is_recorded_and_validates_against_the_schema(store: Backend) {
    let env = store.env().var("USER", "alice");
    env.create("tax_advisor", &[]);
    env.ok(&["list-agents"]);
    let o = env.run(&["mcp", "show", "nope"]);
    assert_eq!(o.code, 2);
    let events = env.ok(&["audit", "export"]).stdout;
    let validator = event_schema();
    let events: Vec<Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for e in &events {
        assert!(validator.is_valid(e), "{e:#}");
        assert_eq!(e["user_id"], "alice");
        assert_eq!(e["source"]["component"], "cli");
    }
    let ops: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["action"]["operation"].as_str().unwrap(),
                e["outcome"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("agent.create.requested", "partial"),
            ("agent.create", "success"),
            // Listing probes health and stores nothing: a read, one event.
            ("agent.list", "success"),
            ("mcp.show", "failure"),
        ]
    );
    assert!(events[3]["outcome"]["error_message"]
        .as_str()
        .unwrap()
        .contains("no MCP server named"));
    assert_eq!(events[3]["severity"], "error");
    // All the command's events share a correlation id; different commands do not.
    assert_eq!(
        events[0]["context"]["correlation_id"],
        events[1]["context"]["correlation_id"]
    );
    assert_ne!(
        events[1]["context"]["correlation_id"],
        events[2]["context"]["correlation_id"]
    );
    // Reading the trail is recorded too.
    let again = env.ok(&["audit", "export"]).stdout;
    assert!(again
        .lines()
        .last()
        .unwrap()
        .contains(r#""operation":"audit.export""#));
}

/// Make the audit trail unwritable: SQLite's file cannot be opened, PostgreSQL refuses
/// every insert into the trail.
fn break_trail(env: &Env) {
    match Db::open(env) {
        Db::Postgres(mut c) => c
            .batch_execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$;
                 CREATE TRIGGER refuse BEFORE INSERT ON audit_events EXECUTE FUNCTION refuse();",
            )
            .unwrap(),
        Db::Sqlite(_) => {
            let data = env.home.join("data");
            for f in ["audit.db", "audit.db-wal", "audit.db-shm"] {
                let _ = std::fs::remove_file(data.join(f));
            }
            // A folder where the database should be: nothing can open it as a store.
            std::fs::create_dir_all(data.join("audit.db")).unwrap();
        }
    }
}

fn mend_trail(env: &Env) {
    let sqlite = env.home.join("data").join("audit.db");
    if sqlite.is_dir() {
        std::fs::remove_dir_all(sqlite).unwrap();
    } else {
        Db::open(env).exec("DROP TRIGGER refuse ON audit_events");
    }
}

fn fail_closed_refuses_to_act_and_fail_open_records_the_gap(store: Backend) {
    let env = store.env().var("COMPLIANCE_MODE", "SOC2");
    env.ok(&["list-agents"]);
    break_trail(&env);
    let o = env.run(&[
        "create-agent",
        "--name",
        "tax_advisor",
        "--domain",
        "finance",
        "--description",
        "d",
    ]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(
        o.stderr.contains("refusing to act") && o.stderr.contains("fail-closed"),
        "{o:?}"
    );
    assert!(
        !env.work.join("tax_advisor").exists(),
        "the refused action did nothing"
    );
    // Reads are refused too when their record cannot be made: exit 4, nothing printed.
    let o = env.run(&["list-agents", "-o", "json"]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(o.stdout.is_empty(), "{o:?}");

    // Fail-open: the action goes on, and the loss is counted.
    let o = env
        .cmd(&[
            "create-agent",
            "--name",
            "tax_advisor",
            "--domain",
            "finance",
            "--description",
            "d",
        ])
        .env("AUDIT_FAIL_MODE", "open")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("going on because audit is fail-open"));
    assert!(env.work.join("tax_advisor").exists());

    // Once the trail works again, the next command writes a gap marker first.
    mend_trail(&env);
    env.ok(&["list-agents"]);
    let gaps = env
        .ok(&["audit", "query", "--type", "error", "-o", "json"])
        .json();
    assert_eq!(gaps.as_array().unwrap().len(), 1, "{gaps:#}");
    assert_eq!(gaps[0]["action"]["operation"], "audit.gap");
    assert_eq!(gaps[0]["severity"], "critical");
    assert!(
        gaps[0]["outcome"]["error_message"]
            .as_str()
            .unwrap()
            .starts_with("2 audit event(s) were lost"),
        "{gaps:#}"
    );
    assert_eq!(env.run(&["audit", "verify"]).code, 0);
}

#[test]
fn bad_audit_settings_are_refused() {
    for (k, v) in [
        ("AUDIT_LOG_LEVEL", "LOUD"),
        ("AUDIT_RETENTION_DAYS", "forever"),
        ("AUDIT_FAIL_MODE", "maybe"),
    ] {
        let env = Env::new().var(k, v);
        let o = env.run(&["list-agents"]);
        assert_eq!(o.code, 2, "{k}: {o:?}");
        assert!(o.stderr.contains(&format!("${k}")), "{o:?}");
    }
}

/// Every acknowledged event is stored, and the chain verifies.
fn acked_are_stored_and_verify(env: &Env, acked: &[String]) {
    let stored = Db::open(env).event_ids();
    for id in acked {
        assert!(stored.contains(id), "acknowledged event {id} was lost");
    }
    let (code, v) = verify(env);
    assert_eq!(code, 0, "{v}");
    assert!(v["events"].as_u64().unwrap() >= acked.len() as u64);
}

/// Feed `text` to an `audit ingest --ack` running as `child` while reading its acks; once
/// the first has come, wait a pseudo-random moment (from `seed`) and call `kill`. The ids
/// acknowledged before the end (at least one, and not all: a kill before the first ack or
/// after the last proves nothing), and how the child ended.
fn acks_before_a_kill(
    round: usize,
    mut child: std::process::Child,
    text: String,
    seed: &mut u64,
    kill: impl FnOnce(&std::process::Child),
) -> (Vec<String>, std::process::Output) {
    let lines = text.lines().count();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = got.clone();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            sink.lock()
                .unwrap()
                .push(l.split(' ').next().unwrap().to_owned());
        }
    });
    let writer = std::thread::spawn(move || {
        for chunk in text.as_bytes().chunks(8192) {
            if stdin.write_all(chunk).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while got.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    std::thread::sleep(std::time::Duration::from_millis(*seed % 150));
    kill(&child);
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    reader.join().unwrap();
    let got = std::mem::take(&mut *got.lock().unwrap());
    assert!(
        !got.is_empty(),
        "round {round}: no event was acknowledged before the kill"
    );
    assert!(
        got.len() < lines,
        "round {round}: the kill came after the last ack"
    );
    eprintln!("round {round}: {} acknowledged before the kill", got.len());
    (got, out)
}

fn acknowledged_events_survive_sigkill_at_random_moments(store: Backend) {
    let env = store.env();
    let mut acked: Vec<String> = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..6 {
        let child = ack_ingest(&env, Stdio::null());
        let (got, _) = acks_before_a_kill(round, child, jsonl(20_000), &mut seed, |child| {
            // SAFETY: the child this test started.
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        });
        acked.extend(got);
    }
    acked_are_stored_and_verify(&env, &acked);
    // The next write seals whatever tail the kills left unsigned.
    assert_eq!(ingest(&env, &jsonl(1), &[]).code, 0);
    let (_, v) = verify(&env);
    assert_eq!(v["last_checkpoint"], v["events"], "{v}");
}

/// The daemon, holding the pipeline that a CLI's ingest streams into, SIGKILLed after some
/// acknowledgements: the CLI fails as a lost daemon (exit 4), every acknowledged event is
/// stored, and the next commands work in-process (the default `auto`) on a chain that
/// verifies.
fn acknowledged_events_survive_a_daemon_killed_mid_ingest(store: Backend) {
    let env = store.env();
    let mut acked: Vec<String> = Vec::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..3 {
        let pid = env.ok(&["daemon", "start", "-o", "json"]).json()["pid"]
            .as_u64()
            .unwrap() as i32;
        let text: String = (round * 20_000..(round + 1) * 20_000)
            .map(|i| event(i).to_string() + "\n")
            .collect();
        let child = env
            .cmd(&["audit", "ingest", "--ack"])
            .env("PC_HYBRID_DAEMON", "always")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (got, out) = acks_before_a_kill(round, child, text, &mut seed, |_| {
            // SAFETY: the daemon this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        });
        assert_eq!(
            out.status.code(),
            Some(4),
            "round {round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        acked.extend(got);
        // Gone once nothing answers on its socket (its leader may be a zombie while other
        // threads still hold the socket).
        while std::os::unix::net::UnixStream::connect(env.home.join("run/daemon.sock")).is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    // No daemon answers now: `auto` runs these in this process.
    acked_are_stored_and_verify(&env, &acked);
    assert_eq!(ingest(&env, &jsonl(1), &[]).code, 0);
}

fn retention_purges_old_events_and_the_rest_still_verifies(store: Backend) {
    let env = store.env().var("AUDIT_RETENTION_DAYS", "30");
    let mut text = String::new();
    for i in 0..40 {
        let mut e = event(i);
        e["timestamp"] = json!("2019-01-01T00:00:00Z");
        text.push_str(&(e.to_string() + "\n"));
    }
    let now = chrono::Utc::now().to_rfc3339();
    for i in 40..60 {
        let mut e = event(i);
        e["timestamp"] = json!(now);
        text.push_str(&(e.to_string() + "\n"));
    }
    let o = ingest(&env, &text, &[]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(
        o.stderr
            .contains("40 event(s) older than 30 days were purged"),
        "{o:?}"
    );
    let all = env
        .ok(&[
            "audit",
            "query",
            "--resource",
            "document",
            "--limit",
            "1000",
            "-o",
            "json",
        ])
        .json();
    let seqs: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (41..=60).collect::<Vec<u64>>());
    let (code, v) = verify(&env);
    assert_eq!(code, 0, "{v}");
    // The ingest's and the query's own records follow the 20 kept.
    assert_eq!(v["events"], 20 + own_events(&env) - 1, "{v}");
    // Removing the anchor checkpoint makes the purge unverifiable.
    Db::open(&env).exec("DELETE FROM audit_checkpoints WHERE sequence = 40");
    let (code, v) = verify(&env);
    assert_eq!(code, 1, "{v}");
    assert_removal_unvouched(&v);
}

/// Every filter of `audit query` through the command line: each returns exactly the
/// ingested events that match, and nothing it returns fails the filter (the trail also
/// holds the commands' own events). Misspelt filters are refused.
fn queries_filter_on_every_field(store: Backend) {
    let env = store.env();
    let now = chrono::Utc::now();
    let ago = |secs: i64| {
        (now - chrono::Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let types = [
        "authentication",
        "authorization",
        "data_access",
        "configuration_change",
        "execution",
        "error",
    ];
    let severities = ["info", "warning", "error", "critical"];
    let statuses = ["success", "failure", "partial"];
    let events: Vec<Value> = (0..36)
        .map(|i| {
            let mut e = event(i);
            e["user_id"] = json!(["ana", "bo"][i % 2]);
            e["event_type"] = json!(types[i % 6]);
            e["severity"] = json!(severities[i % 4]);
            e["outcome"]["status"] = json!(statuses[i % 3]);
            e["action"]["resource"] = json!(["document", "agent"][i / 18]);
            e["context"]["agent_id"] = json!(["tax", "law"][usize::from(i % 5 == 0)]);
            // Three days, two hours and ten minutes ago, in turn by pairs.
            e["timestamp"] = json!(ago([3 * 86400, 7200, 600][(i / 2) % 3]));
            e
        })
        .collect();
    let text: String = events.iter().map(|e| e.to_string() + "\n").collect();
    assert_eq!(ingest(&env, &text, &[]).code, 0);
    let ours: std::collections::HashSet<&str> = events
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();

    let check = |args: &[&str], keep: &dyn Fn(&Value) -> bool| {
        let mut full = vec!["audit", "query", "--limit", "1000", "-o", "json"];
        full.extend_from_slice(args);
        let got = env.ok(&full).json();
        let got = got.as_array().unwrap();
        for e in got {
            assert!(
                keep(e),
                "{args:?} returned an event that does not match: {e:#}"
            );
        }
        let got: Vec<&str> = got
            .iter()
            .map(|e| e["event_id"].as_str().unwrap())
            .filter(|id| ours.contains(id))
            .collect();
        let want: Vec<&str> = events
            .iter()
            .filter(|e| keep(e))
            .map(|e| e["event_id"].as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{args:?}");
        assert!(!want.is_empty(), "{args:?} is a filter worth testing");
    };
    check(&["--user", "ana"], &|e| e["user_id"] == "ana");
    check(&["--type", "execution"], &|e| {
        e["event_type"] == "execution"
    });
    check(&["--severity", "critical"], &|e| {
        e["severity"] == "critical"
    });
    check(&["--outcome", "partial"], &|e| {
        e["outcome"]["status"] == "partial"
    });
    check(&["--resource", "agent"], &|e| {
        e["action"]["resource"] == "agent"
    });
    check(&["--agent", "law"], &|e| e["context"]["agent_id"] == "law");
    check(
        &["--user", "bo", "--type", "error", "--outcome", "partial"],
        &|e| {
            e["user_id"] == "bo"
                && e["event_type"] == "error"
                && e["outcome"]["status"] == "partial"
        },
    );
    let after = |e: &Value, secs: i64| e["timestamp"].as_str().unwrap() >= ago(secs).as_str();
    check(&["--user", "ana", "--since", "1h"], &|e| {
        e["user_id"] == "ana" && after(e, 3600)
    });
    let until = ago(3600);
    check(
        &["--user", "bo", "--since", "1d", "--until", &until],
        &|e| e["user_id"] == "bo" && after(e, 86400) && !after(e, 3600),
    );
    // A limit keeps the newest that match, shown oldest first, and says that it cut.
    let ana: Vec<&Value> = events.iter().filter(|e| e["user_id"] == "ana").collect();
    for (limit, cut) in [(3, true), (ana.len(), false)] {
        let n = limit.to_string();
        let o = env.ok(&[
            "audit", "query", "--user", "ana", "--limit", &n, "-o", "json",
        ]);
        let got: Vec<Value> = o
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event_id"].clone())
            .collect();
        let want: Vec<Value> = ana[ana.len() - limit..]
            .iter()
            .map(|e| e["event_id"].clone())
            .collect();
        assert_eq!(got, want, "--limit {limit}");
        assert_eq!(
            o.stderr.contains("older ones match too"),
            cut,
            "--limit {limit}: {}",
            o.stderr
        );
    }

    for (args, flag) in [
        (&["--type", "dataaccess"][..], "--type"),
        (&["--severity", "fatal"][..], "--severity"),
        (&["--outcome", "ok"][..], "--outcome"),
        (&["--since", "yesterday"][..], "--since"),
        (&["--until", "3w"][..], "--until"),
    ] {
        let mut full = vec!["audit", "query"];
        full.extend_from_slice(args);
        let o = env.run(&full);
        assert_eq!(o.code, 2, "{args:?}: {o:?}");
        assert!(
            o.stderr.contains(flag) && o.stderr.contains(args[1]),
            "{args:?}: {}",
            o.stderr
        );
        assert!(o.stdout.is_empty(), "{args:?}: {}", o.stdout);
    }
}

/// `audit tail --follow` prints the newest events and then every new one as a JSON line,
/// each sequence once and none skipped, and ends by itself when its reader goes away.
fn tail_follows_new_events_until_its_reader_goes(store: Backend) {
    let env = store.env();
    assert_eq!(ingest(&env, &jsonl(5), &[]).code, 0);
    let mut tail = env
        .cmd(&["audit", "tail", "--follow", "-n", "2", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (lines, reader) = line_reader(tail.stdout.take().unwrap(), stop.clone());
    let next = || {
        let line = next_line(&lines, "line from audit tail --follow");
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let mut seen: Vec<u64> = (0..2)
        .map(|_| next()["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seen[1], seen[0] + 1, "{seen:?}");

    let new = jsonl(4);
    assert_eq!(ingest(&env, &new, &[]).code, 0);
    let mut waiting: std::collections::HashSet<String> = ids(&new).into_iter().collect();
    while !waiting.is_empty() {
        let e = next();
        seen.push(e["sequence"].as_u64().unwrap());
        waiting.remove(e["event_id"].as_str().unwrap());
    }
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "{seen:?}");

    // The reader stops after the next line and closes the pipe; the tail notices without
    // anything more to write.
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(ingest(&env, &jsonl(1), &[]).code, 0);
    reader.join().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(s) = tail.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = tail.kill();
            panic!("audit tail --follow kept running with its reader gone");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

on_both_stores!(
    acknowledged_events_survive_a_daemon_killed_mid_ingest,
    every_stored_event_validates_against_the_published_schema,
    bad_lines_are_rejected_by_number_and_the_others_stored,
    acks_name_each_event_once_it_is_durable_and_duplicates_are_not_stored_twice,
    acks_do_not_wait_for_more_input,
    secrets_never_reach_the_trail,
    an_edited_field_is_caught_at_its_event,
    a_deleted_event_is_caught_where_it_was,
    two_reordered_events_are_caught_at_the_first,
    a_truncated_tail_is_caught_by_the_signed_checkpoint,
    a_rehashed_chain_is_caught_by_the_signed_checkpoint,
    a_forged_checkpoint_is_caught,
    an_edit_at_any_position_is_caught_there,
    a_deleted_prefix_is_not_passed_off_as_a_purge,
    every_command_is_recorded_and_validates_against_the_schema,
    fail_closed_refuses_to_act_and_fail_open_records_the_gap,
    acknowledged_events_survive_sigkill_at_random_moments,
    retention_purges_old_events_and_the_rest_still_verifies,
    queries_filter_on_every_field,
    tail_follows_new_events_until_its_reader_goes,
);

/// With DATA_CLASSIFICATION_ENABLED, the events of a command that touches a restricted
/// server say that sensitive data was accessed and under which frameworks; without it,
/// they do not. Either way they name the agent.
#[test]
fn data_classification_flags_events_of_restricted_servers() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/valid/manifest.yaml");
    let manifest = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("sandboxLevel: standard", "sandboxLevel: strict")
        .replace("networkAccess: external", "networkAccess: internal")
        .replace(
            "dataClassification: internal",
            "dataClassification: restricted\n    complianceRequirements: [HIPAA, SOC2]",
        );
    for enabled in [true, false] {
        let env = Env::new().var(
            "DATA_CLASSIFICATION_ENABLED",
            if enabled { "true" } else { "false" },
        );
        let path = env.work.join("ledger.yaml");
        std::fs::write(&path, &manifest).unwrap();
        env.ok(&["mcp", "register", path.to_str().unwrap()]);
        assert_ne!(env.run(&["logs", "ledger"]).code, 0, "nothing is deployed");
        let events = env
            .ok(&["audit", "query", "--type", "data_access", "-o", "json"])
            .json();
        let logs = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"]["operation"] == "agent.logs")
            .expect("the logs command is recorded");
        assert_eq!(logs["context"]["agent_id"], "ledger");
        assert_eq!(logs["data"]["sensitive_data_accessed"], enabled, "{logs:#}");
        let flags = if enabled {
            json!(["HIPAA", "SOC2"])
        } else {
            json!([])
        };
        assert_eq!(logs["data"]["compliance_flags"], flags, "{logs:#}");
    }
}
