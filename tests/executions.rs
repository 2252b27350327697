//! Executions from the command line: imported from JSON Lines (each line checked, named by
//! number and field when refused, duplicates counted), listed with filters, judged with
//! feedback, the same in-process and through a real daemon.

mod common;

use common::Env;
use serde_json::json;

fn line(id: &str, agent: &str, user: &str, minute: u32, status: &str) -> String {
    json!({"execution_id": id, "timestamp": format!("2026-12-01T10:{minute:02}:00Z"),
        "agent_id": agent, "tool": "search", "user_id": user, "latency_ms": 12.5 + minute as f64,
        "status": status, "tokens_in": 40, "cost": 0.0025, "trace_id": format!("{minute:032x}")})
    .to_string()
}

fn import(env: &Env, text: &str) -> common::Out {
    let f = env.work.join("in.jsonl");
    std::fs::write(&f, text).unwrap();
    env.run(&["executions", "import", f.to_str().unwrap(), "-o", "json"])
}

#[test]
fn import_checks_each_line_and_stores_the_rest() {
    let env = Env::new().var("PC_HYBRID_DAEMON", "never");
    let mut text = [
        line("e-1", "tax", "bob", 1, "success"),
        line("e-2", "tax", "eve", 2, "error"),
        String::new(),
        r#"{"execution_id":"e-3","timestamp":"2099-01-01T00:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":1,"status":"success"}"#.into(),
        r#"{"execution_id":"e-4","timestamp":"2026-12-01T10:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":-1,"status":"success"}"#.into(),
        r#"{"execution_id":"../x","timestamp":"2026-12-01T10:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":1,"status":"success"}"#.into(),
        r#"{"execution_id":"e-5","timestamp":"2026-12-01T10:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":1,"status":"maybe"}"#.into(),
        r#"{"execution_id":"e-6","timestamp":"2026-12-01T10:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":1,"status":"success","extra":1}"#.into(),
        r#"{"execution_id":"e-7","timestamp":"2026-12-01T10:00:00Z","agent_id":"tax","tool":"t","user_id":"u","latency_ms":1,"status":"success","feedback":{"rating":5,"user_id":"u","given_at":"2026-12-01T10:00:00Z"}}"#.into(),
        "{not json".into(),
        line("e-1", "tax", "bob", 1, "success"),
        line("e-8", "legal", "eve", 8, "timeout"),
    ]
    .join("\n");
    text.push_str(&format!("\n{}\n", "x".repeat(2 << 20)));
    let o = import(&env, &text);
    assert_eq!(o.code, 2, "{o:?}");
    let r = o.json();
    assert_eq!(r["read"], 12);
    assert_eq!(r["stored"], 3);
    assert_eq!(r["duplicates"], 1);
    // No agent is made or registered in this home: both are said, and stored all the same.
    assert_eq!(r["unknown_agents"], json!({"legal": 1, "tax": 3}));
    assert!(
        o.stderr
            .contains("not made, registered or deployed here: legal (1), tax (3)"),
        "{o:?}"
    );
    let rejected: Vec<(u64, String)> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["line"].as_u64().unwrap(),
                x["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (4, "/timestamp".to_owned()),
            (5, "/latency_ms".to_owned()),
            (6, "/execution_id".to_owned()),
            (7, "/status".to_owned()),
            (8, "/extra".to_owned()),
            (9, "/feedback".to_owned()),
            (10, "/".to_owned()),
            (13, "/".to_owned()),
        ]
    );
    assert!(o.stderr.contains("in.jsonl:4: /timestamp:"), "{o:?}");
    assert!(
        o.stderr.contains("in.jsonl:13: /: the line is longer than"),
        "{o:?}"
    );

    // Importing the same file again stores nothing new.
    let again = import(&env, &text).json();
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 4);

    let list = env.ok(&["executions", "-o", "json"]).json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["execution_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e-8", "e-2", "e-1"]);
    let e1 = &list[2];
    assert_eq!(e1["latency_ms"], 13.5);
    assert_eq!(e1["cost"], 0.0025);
    assert_eq!(e1["tokens_in"], 40);
    let by = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["executions", "-o", "json"];
        a.extend_from_slice(args);
        env.ok(&a)
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["execution_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(by(&["--agent", "legal"]), ["e-8"]);
    assert_eq!(by(&["--user", "eve"]), ["e-8", "e-2"]);
    assert_eq!(by(&["--status", "error"]), ["e-2"]);
    assert_eq!(
        by(&[
            "--since",
            "2026-12-01T10:02:00Z",
            "--until",
            "2026-12-01T10:08:00Z"
        ]),
        ["e-2"]
    );
    assert_eq!(by(&["--limit", "1"]), ["e-8"]);
    assert_eq!(env.run(&["executions", "--status", "maybe"]).code, 2);
    assert_eq!(env.run(&["executions", "--since", "yesterday"]).code, 2);
}

#[test]
fn feedback_is_kept_with_its_execution_and_the_daemon_answers_alike() {
    let env = Env::new().var("USER", "dana");
    let o = import(
        &env,
        &format!(
            "{}\n{}\n",
            line("e-1", "tax", "bob", 1, "success"),
            line("e-2", "tax", "bob", 2, "success")
        ),
    );
    assert_eq!(o.code, 0, "{o:?}");
    env.ok(&["feedback", "e-1", "--rating", "4", "--correct", "true"]);
    let o = env.run(&["feedback", "e-1", "--rating", "9"]);
    assert_eq!(o.code, 2, "{o:?}");
    let o = env.run(&["feedback", "nope", "--rating", "3"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("no execution has the id `nope`"), "{o:?}");
    let local = env.ok(&["executions", "-o", "json", "--limit", "5"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&local).unwrap();
    assert_eq!(v[1]["feedback"]["rating"], 4);
    assert_eq!(v[1]["feedback"]["correct"], true);
    assert_eq!(v[1]["feedback"]["user_id"], "dana");
    assert!(v[0].get("feedback").is_none());

    env.ok(&["daemon", "start"]);
    let served = env.run(&["executions", "-o", "json", "--limit", "5"]);
    env.ok(&["feedback", "e-2", "--rating", "2"]);
    let after = env
        .ok(&["executions", "-o", "json", "--agent", "tax"])
        .json();
    env.ok(&["daemon", "stop"]);
    assert_eq!(served.code, 0, "{served:?}");
    assert_eq!(served.stdout, local, "the daemon answers as in-process");
    assert_eq!(after[0]["feedback"]["rating"], 2);
}
