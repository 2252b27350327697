//! Analytics from the command line and the daemon's API: insights from the rollups and from
//! the executions, checked against an independent computation (DuckDB over the same rows)
//! and the committed JSON Schema; feedback; bad input refused and named.

mod common;

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use common::Env;
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Generate `rows` executions over `days` days ending this hour, with DuckDB (which keeps
/// them for the check) and as JSON Lines to import.
fn generate(dir: &Path, rows: usize, days: u32) -> (PathBuf, PathBuf) {
    let o = common::py(
        root().join("bench/analytics_data.py").to_str().unwrap(),
        &[dir.to_str().unwrap(), &rows.to_string(), &days.to_string()],
        &[],
    );
    assert_eq!(o.code, 0, "{o:?}");
    (dir.join("executions.duckdb"), dir.join("executions.jsonl"))
}

const PRICES: &str = r#"[
  {"agent": "agent-00", "per_call": 0.002},
  {"model": "gpt-4o-mini", "input_per_1k": 0.00015, "output_per_1k": 0.0006},
  {"model": "llama-70b", "per_call": 0.0005}
]"#;

fn with_prices(env: Env) -> Env {
    let prices: Value = serde_json::from_str(PRICES).unwrap();
    let config = json!({"analytics": {"prices": prices, "sla_p95_ms": 1500, "monthly_budget": 10}});
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        serde_yaml_ng::to_string(&config).unwrap(),
    )
    .unwrap();
    env
}

fn insights(env: &Env, args: &[&str]) -> Value {
    let mut a = vec!["analytics", "insights", "-o", "json"];
    a.extend_from_slice(args);
    env.ok(&a).json()
}

fn check(duck: &Path, rollup: &Value, exact: &Value, dir: &Path) -> String {
    let (r, x) = (dir.join("rollup.json"), dir.join("exact.json"));
    std::fs::write(&r, rollup.to_string()).unwrap();
    std::fs::write(&x, exact.to_string()).unwrap();
    let o = common::py(
        root().join("tests/analytics/check.py").to_str().unwrap(),
        &[
            duck.to_str().unwrap(),
            root().join("docs/insights.schema.json").to_str().unwrap(),
            PRICES,
            r.to_str().unwrap(),
            x.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.code, 0, "{o:?}");
    o.stdout
}

/// 150,000 skewed executions over 30 days: counts, means, rates and costs (reported and
/// priced by the table) equal DuckDB's in both modes; exact percentiles equal
/// `quantile_cont`; rollup percentiles are within 1 % of the nearest-rank latency. Every
/// answer is valid against the committed schema, from the CLI and from the daemon's API.
#[test]
fn insights_match_an_independent_computation() {
    let env = with_prices(Env::new().var("PC_HYBRID_DAEMON", "never"));
    let data = tempfile::tempdir().unwrap();
    let (duck, jsonl) = generate(data.path(), 150_000, 30);
    let o = env.ok(&[
        "executions",
        "import",
        jsonl.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(o.json()["stored"], 150_000, "{o:?}");
    let rollup = insights(&env, &["--time-range", "30d"]);
    let exact = insights(&env, &["--time-range", "30d", "--exact"]);
    let said = check(&duck, &rollup, &exact, data.path());
    assert!(said.starts_with("ok: "), "{said}");
    assert_eq!(rollup["status"], "success");
    assert!(rollup["metadata"]["data_freshness"]
        .as_str()
        .unwrap()
        .starts_with("live: rollups"));
    // Counts, sums and rates are the same in both modes; only percentiles may differ.
    assert_eq!(
        rollup["data"]["agent_performance"],
        exact["data"]["agent_performance"]
    );
    assert_eq!(
        rollup["data"]["trends"]["query_volume"],
        exact["data"]["trends"]["query_volume"]
    );
    // The generated fleet has slow agents (p95 above 1.5 s) and failing tools.
    let recs = rollup["data"]["optimization_recommendations"]
        .as_array()
        .unwrap();
    assert!(
        recs.iter().any(|r| r["type"] == "performance"
            && r["description"]
                .as_str()
                .unwrap()
                .contains("above the 1500 ms objective")),
        "{recs:?}"
    );

    // About 16 a day against a budget of 10 a month: spent already, and said so.
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(
        recs.iter().any(|r| r["type"] == "cost"
            && r["priority"] == "high"
            && r["description"]
                .as_str()
                .unwrap()
                .contains(&format!("the monthly budget of 10.00 runs out on {today}"))),
        "{recs:?}"
    );

    // Weekly and monthly points add up to the same total; a week starts on a Monday.
    for g in ["week", "month"] {
        let a = insights(&env, &["--time-range", "30d", "--granularity", g]);
        let sum: u64 = a["data"]["trends"]["query_volume"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            sum,
            rollup["data"]["summary"]["total_queries"].as_u64().unwrap(),
            "{g}"
        );
    }
    let weeks = insights(&env, &["--time-range", "30d", "--granularity", "week"]);
    for p in weeks["data"]["trends"]["query_volume"].as_array().unwrap() {
        let d = chrono::DateTime::parse_from_rfc3339(p["date"].as_str().unwrap()).unwrap();
        assert_eq!(chrono::Datelike::weekday(&d), chrono::Weekday::Mon);
    }
    // An hourly trend of the last week: 24 points a day up to this hour.
    let hourly = insights(&env, &["--time-range", "7d", "--granularity", "hour"]);
    let points = hourly["data"]["trends"]["query_volume"].as_array().unwrap();
    assert!(
        (6 * 24 + 1..=7 * 24).contains(&points.len()),
        "{}",
        points.len()
    );

    // Filters: one agent; one user (from the day-by-user rollup) equal to the exact answer.
    let one = insights(&env, &["--time-range", "30d", "--agent-filter", "agent-03"]);
    let perf = one["data"]["agent_performance"].as_array().unwrap();
    assert_eq!(perf.len(), 1);
    assert_eq!(perf[0]["agent_id"], "agent-03");
    let user = insights(&env, &["--time-range", "30d", "--user-filter", "user-0001"]);
    let user_exact = insights(
        &env,
        &[
            "--time-range",
            "30d",
            "--user-filter",
            "user-0001",
            "--exact",
        ],
    );
    assert!(user["data"]["summary"]["total_queries"].as_u64().unwrap() > 100);
    assert_eq!(
        user["data"]["summary"]["total_queries"],
        user_exact["data"]["summary"]["total_queries"]
    );
    assert_eq!(
        user["data"]["agent_performance"],
        user_exact["data"]["agent_performance"]
    );
    // Parts not asked for are null or empty, the shape stays.
    let usage = insights(&env, &["--time-range", "7d", "--metrics", "usage"]);
    assert!(usage["data"]["summary"]["total_queries"].as_u64().unwrap() > 0);
    assert_eq!(usage["data"]["summary"]["total_cost"], Value::Null);
    assert_eq!(usage["data"]["trends"]["response_times"], json!([]));

    // The daemon serves the same body at /api/v4/analytics/insights.
    let env = env.var("PC_HYBRID_DAEMON", "auto");
    let served = {
        env.ok(&["daemon", "start"]);
        let socket = env.home.join("run/daemon.sock");
        let get = |q: &str| -> (u16, String) {
            let out = std::process::Command::new("curl")
                .args(["-s", "-w", "\n%{http_code}", "--unix-socket"])
                .arg(&socket)
                .arg(format!("http://localhost/api/v4/analytics/insights{q}"))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let (body, code) = text.rsplit_once('\n').unwrap();
            (code.parse().unwrap(), body.to_owned())
        };
        let ok = get("?time_range=30d&granularity=day");
        let bad = get("?time_range=2w");
        let unknown = get("?window=7d");
        let hourly_year = get("?time_range=1y&granularity=hour");
        let cli = env.ok(&["analytics", "insights", "-o", "json", "--time-range", "30d"]);
        env.ok(&["daemon", "stop"]);
        assert_eq!(bad.0, 422, "{bad:?}");
        assert!(
            bad.1
                .contains("`2w` is not a time range (7d, 30d, 90d, 1y)"),
            "{bad:?}"
        );
        assert_eq!(unknown.0, 422, "{unknown:?}");
        assert!(unknown.1.contains("unknown query parameter"), "{unknown:?}");
        assert!((400..500).contains(&hourly_year.0), "{hourly_year:?}");
        assert!(hourly_year.1.contains("at most 31 days"), "{hourly_year:?}");
        assert_eq!(ok.0, 200, "{ok:?}");
        let served: Value = serde_json::from_str(&ok.1).unwrap();
        let through_cli = cli.json();
        assert_eq!(served["data"], through_cli["data"]);
        served
    };
    let exact_again = insights(&env, &["--time-range", "30d", "--exact"]);
    let said = check(&duck, &served, &exact_again, data.path());
    assert!(said.starts_with("ok: "), "{said}");
}

/// Feedback moves satisfaction and accuracy at once, the same from rollups and exactly;
/// a changed judgement replaces the old one.
#[test]
fn feedback_moves_satisfaction_and_accuracy() {
    let env = Env::new().var("PC_HYBRID_DAEMON", "never");
    let now = chrono::Utc::now();
    let lines: Vec<String> = (0..6)
        .map(|i| {
            json!({"execution_id": format!("e-{i}"), "timestamp": (now - chrono::Duration::minutes(i * 5)).to_rfc3339(),
                "agent_id": "tax", "tool": "search", "user_id": "bob", "latency_ms": 100.0 + i as f64,
                "status": "success"})
            .to_string()
        })
        .collect();
    let f = env.work.join("in.jsonl");
    std::fs::write(&f, lines.join("\n")).unwrap();
    env.ok(&["executions", "import", f.to_str().unwrap()]);
    let before = insights(&env, &["--time-range", "7d"]);
    assert_eq!(before["data"]["summary"]["user_satisfaction"], Value::Null);
    assert_eq!(before["data"]["summary"]["agent_accuracy"], Value::Null);
    env.ok(&["feedback", "e-0", "--rating", "5", "--correct", "true"]);
    env.ok(&["feedback", "e-1", "--rating", "2", "--correct", "false"]);
    env.ok(&["feedback", "e-2", "--rating", "1"]);
    env.ok(&["feedback", "e-2", "--rating", "4", "--correct", "true"]);
    for extra in [&[][..], &["--exact"][..]] {
        let mut a = vec!["--time-range", "7d"];
        a.extend_from_slice(extra);
        let s = insights(&env, &a);
        let sum = &s["data"]["summary"];
        assert_eq!(sum["user_satisfaction"], json!(3.667), "{extra:?}");
        assert_eq!(sum["agent_accuracy"], json!(0.667), "{extra:?}");
        assert_eq!(
            s["data"]["agent_performance"][0]["user_rating"],
            json!(3.667)
        );
    }
}

/// Bad requests are refused with what is wrong and what to do, exit 2, nothing changed; an
/// empty period is a valid empty answer.
#[test]
fn bad_input_is_named_and_an_empty_period_is_an_empty_answer() {
    let env = Env::new().var("PC_HYBRID_DAEMON", "never");
    let empty = insights(&env, &["--time-range", "90d"]);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/insights.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&empty), "{empty}");
    let s = &empty["data"]["summary"];
    assert_eq!(s["total_queries"], 0);
    assert_eq!(s["avg_response_time_ms"], Value::Null);
    assert_eq!(s["total_cost"], 0.0);
    assert_eq!(
        empty["data"]["trends"]["query_volume"]
            .as_array()
            .unwrap()
            .len(),
        90
    );
    assert_eq!(empty["data"]["trends"]["response_times"], json!([]));
    assert_eq!(empty["data"]["agent_performance"], json!([]));
    assert_eq!(
        empty["metadata"]["data_freshness"],
        "no executions recorded yet"
    );

    let refused = |args: &[&str], says: &str| {
        let mut a = vec!["analytics", "insights"];
        a.extend_from_slice(args);
        let o = env.run(&a);
        assert_eq!(o.code, 2, "{args:?}: {o:?}");
        assert!(o.stderr.contains(says), "{args:?}: {o:?}");
        assert!(o.stdout.is_empty(), "{o:?}");
    };
    refused(&["--time-range", "2w"], "possible values: 7d, 30d, 90d, 1y");
    refused(
        &["--granularity", "minute"],
        "possible values: hour, day, week, month",
    );
    refused(
        &["--metrics", "usage,speed"],
        "possible values: usage, performance, costs, quality",
    );
    refused(
        &["--time-range", "1y", "--granularity", "hour"],
        "hourly trends cover at most 31 days (744 points); 1y would be 8760 points",
    );
    refused(
        &["--granularity", "hour", "--user-filter", "bob"],
        "--exact",
    );
    refused(
        &["--agent-filter", "nobody"],
        "unknown agent `nobody` in --agent-filter",
    );
    let bad_config = env.home.join("config.yaml");
    std::fs::write(
        &bad_config,
        "analytics:\n  prices:\n    - model: gpt-4o\n      per_call: -1\n",
    )
    .unwrap();
    let o = env.run(&["analytics", "insights"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr
            .contains("analytics.prices[0].per_call: -1 is not a price"),
        "{o:?}"
    );
}

/// Headless Chromium: Debian's `chromium` (or PC_HYBRID_TEST_CHROMIUM).
fn chromium() -> String {
    if let Ok(c) = std::env::var("PC_HYBRID_TEST_CHROMIUM") {
        return c;
    }
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return c.into();
        }
    }
    panic!("headless Chromium is needed to render the report: apt-get install chromium (or set PC_HYBRID_TEST_CHROMIUM)");
}

/// The report is one page that needs nothing from anywhere (no script, no link, no
/// stylesheet or image fetched), written whole; Chromium, offline, draws its charts (the
/// chart colours cover many pixels) and their axis text.
#[test]
fn report_is_one_offline_page_with_its_charts_drawn() {
    let env = with_prices(Env::new().var("PC_HYBRID_DAEMON", "never"));
    let data = tempfile::tempdir().unwrap();
    let (_, jsonl) = generate(data.path(), 30_000, 30);
    env.ok(&["executions", "import", jsonl.to_str().unwrap()]);
    let page = env.work.join("report.html");
    let o = env.ok(&[
        "analytics",
        "report",
        "--time-range",
        "30d",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(o.stderr.contains("report written to"), "{o:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    for banned in [
        "<script", "src=", "href=", "url(", "@import", "<link", "<img",
    ] {
        assert!(!html.contains(banned), "the page holds {banned}");
    }
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count(),
        "the only URL is the SVG namespace"
    );
    for label in [
        "queries",
        "milliseconds",
        "p95",
        "infrastructure",
        "agent-00",
    ] {
        assert!(html.contains(label), "no {label}");
    }
    let shot = env.work.join("report.png");
    let o = common::py(
        root()
            .join("tests/analytics/screenshot.py")
            .to_str()
            .unwrap(),
        &[&chromium(), page.to_str().unwrap(), shot.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stdout.contains("volume bars"), "{o:?}");

    // A page that cannot be written is refused before anything runs; the old one stays.
    let o = env.run(&[
        "analytics",
        "report",
        "--html",
        env.work.join("no/such/dir/r.html").to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("does not exist"), "{o:?}");
    let o = env.run(&["analytics", "report", "--html", env.work.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{o:?}");
    let o = env.run(&["analytics", "report", "--html", "/dev/null"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("is not a regular file"), "{o:?}");
    assert!(
        Path::new("/dev/null")
            .metadata()
            .unwrap()
            .file_type()
            .is_char_device()
            || cfg!(not(unix))
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);
}

/// A real HTTP receiver standing in for Slack: (its process, its port, the file it writes).
fn receiver(env: &Env, path: &str, fail: u32) -> (std::process::Child, u16, PathBuf) {
    use std::io::BufRead;
    let out = env.work.join(format!("hook-{}.jsonl", common::free_port()));
    let mut child = std::process::Command::new(common::python())
        .arg(root().join("tests/analytics/webhook_receiver.py"))
        .arg(&out)
        .arg(path)
        .arg(fail.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    (child, port.trim().parse().unwrap(), out)
}

fn received(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Executions that make each kind of rule fire: a slow agent, a failing one, one with no
/// success for two hours, a costly day, and a last hour far busier than the same hour of the
/// past four weeks.
fn alerting_executions(env: &Env) {
    let now = chrono::Utc::now();
    let mut lines = Vec::new();
    let mut add =
        |id: String, at: chrono::DateTime<chrono::Utc>, agent: &str, ms: f64, status: &str| {
            lines.push(
                json!({"execution_id": id, "timestamp": at.to_rfc3339(), "agent_id": agent,
            "tool": "t", "user_id": "bob", "latency_ms": ms, "status": status, "cost": 0.01})
                .to_string(),
            );
        };
    for i in 0..30 {
        add(
            format!("slow-{i}"),
            now - chrono::Duration::seconds(10 + i),
            "slow",
            900.0 + i as f64,
            "success",
        );
        add(
            format!("flaky-{i}"),
            now - chrono::Duration::seconds(10 + i),
            "flaky",
            20.0,
            if i % 3 == 0 { "error" } else { "success" },
        );
    }
    add(
        "gone-1".into(),
        now - chrono::Duration::hours(2),
        "gone",
        10.0,
        "success",
    );
    add(
        "gone-2".into(),
        now - chrono::Duration::minutes(5),
        "gone",
        10.0,
        "error",
    );
    // The last whole hour, and the same hour of the four weeks before.
    let last_hour = now - chrono::Duration::hours(1);
    for w in 1..=4 {
        for i in 0..10 {
            add(
                format!("past-{w}-{i}"),
                last_hour - chrono::Duration::weeks(w),
                "steady",
                30.0,
                "success",
            );
        }
    }
    for i in 0..200 {
        add(format!("burst-{i}"), last_hour, "steady", 30.0, "success");
    }
    let f = env.work.join("alerting.jsonl");
    std::fs::write(&f, lines.join("\n")).unwrap();
    env.ok(&["executions", "import", f.to_str().unwrap()]);
}

fn alert_config(env: &Env, throttle: u32, interval: u32) {
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        format!(
            "analytics:\n  alerts:\n    throttle_minutes: {throttle}\n    interval_seconds: {interval}\n    rules:\n\
             \x20     - {{kind: p95_latency, above: 500, window_minutes: 15}}\n\
             \x20     - {{kind: error_rate, above: 10, window_minutes: 15}}\n\
             \x20     - {{kind: no_success, agent: gone, window_minutes: 30}}\n\
             \x20     - {{name: daily-budget, kind: cost_per_day, above: 0.5}}\n\
             \x20     - {{kind: anomaly, agent: steady}}\n"
        ),
    )
    .unwrap();
}

/// `alerts check` fires each kind of rule, posts each alert (text and blocks) to a real
/// receiver, retrying through a 500 and a 429, exits 1; run again, the same alerts are held
/// back; every alert is audited and kept for the report; the webhook's URL (a credential)
/// shows nowhere. The daemon evaluates the rules by itself. An unreachable webhook is an
/// alert not delivered, said without the URL.
#[test]
fn alerts_fire_post_throttle_and_are_audited() {
    let env = Env::new().var("PC_HYBRID_DAEMON", "never");
    alert_config(&env, 60, 1);
    alerting_executions(&env);
    let (mut hook, port, file) = receiver(&env, "/services/T0/B0/s3cr3t-hook-token", 1);
    let url = format!("http://127.0.0.1:{port}/services/T0/B0/s3cr3t-hook-token");
    let env = env.var("ANALYTICS_ALERT_WEBHOOK_URL", &url);

    let o = env.run(&["analytics", "alerts", "check", "-o", "json"]);
    assert_eq!(o.code, 1, "{o:?}");
    let e = o.json();
    let mut rules: Vec<String> = e["firing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["rule"].as_str().unwrap(),
                f["agent"].as_str().unwrap_or("-")
            )
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "anomaly:steady/steady",
            "daily-budget/-",
            "error_rate/flaky",
            "no_success:gone/gone",
            "p95_latency/slow"
        ],
        "{e}"
    );
    assert!(
        e["firing"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["delivered"] == true),
        "{e}"
    );
    let got = received(&file);
    assert_eq!(
        got.iter().filter(|r| r["code"] == 200).count(),
        5,
        "{got:?}"
    );
    assert_eq!(got[0]["code"], 500);
    assert_eq!(got[1]["code"], 429);
    for r in got.iter().filter(|r| r["code"] == 200) {
        let b = &r["body"];
        assert!(
            b["text"].as_str().unwrap().starts_with("[pc-hybrid] "),
            "{b}"
        );
        assert_eq!(b["blocks"][0]["type"], "header");
        assert_eq!(b["blocks"][1]["text"]["type"], "mrkdwn");
    }
    let slow = got
        .iter()
        .find(|r| {
            r["body"]["text"]
                .as_str()
                .unwrap()
                .contains("p95 latency of `slow`")
        })
        .unwrap();
    assert!(slow["body"]["text"]
        .as_str()
        .unwrap()
        .contains("above 500 ms over the last 15 min (30 calls)"));

    // Again at once: still firing (exit 1), not sent again.
    let o = env.run(&["analytics", "alerts", "check", "-o", "json"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.json()["firing"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["throttled"] == true));
    assert_eq!(received(&file).len(), got.len());

    // Audited, kept for the report, the URL nowhere.
    let trail = env.ok(&["audit", "export", "-q"]).stdout;
    let alerts: Vec<Value> = trail
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["action"]["operation"] == "analytics.alert")
        .collect();
    assert_eq!(alerts.len(), 10, "two checks of five alerts");
    assert!(!trail.contains("s3cr3t-hook-token"));
    let shown = env.ok(&["config", "show"]);
    assert!(!shown.stdout.contains("s3cr3t") && !shown.stderr.contains("s3cr3t"));
    let page = env.work.join("r.html");
    env.ok(&[
        "analytics",
        "report",
        "--time-range",
        "7d",
        "--html",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("p95 latency of `slow`"),
        "the report lists the alerts fired"
    );

    // The daemon evaluates on its own (every second here; nothing held back).
    alert_config(&env, 0, 1);
    let before = received(&file).len();
    let daemon = env.var("PC_HYBRID_DAEMON", "auto");
    daemon.ok(&["daemon", "start"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while received(&file).len() < before + 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    daemon.ok(&["daemon", "stop"]);
    assert!(
        received(&file).len() >= before + 5,
        "the daemon sent the alerts again"
    );
    let _ = hook.kill();
    let _ = hook.wait();

    // Nothing listens: the alert is kept as not delivered; the message has no URL.
    let dead = format!(
        "http://127.0.0.1:{}/hook/an0ther-t0ken",
        common::free_port()
    );
    let env = daemon
        .var("PC_HYBRID_DAEMON", "never")
        .var("ANALYTICS_ALERT_WEBHOOK_URL", &dead);
    let o = env.run(&["analytics", "alerts", "check", "-o", "json"]);
    assert_eq!(o.code, 1, "{o:?}");
    let f = &o.json()["firing"][0];
    assert_eq!(f["delivered"], false);
    assert!(
        f["error"].as_str().unwrap().contains("could not connect"),
        "{f}"
    );
    assert!(!o.stdout.contains("an0ther") && !o.stderr.contains("an0ther"));
    let bad = env.var("ANALYTICS_ALERT_WEBHOOK_URL", "ftp://x/secret-value");
    let o = bad.run(&["analytics", "alerts", "check"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(!o.stderr.contains("secret-value"), "{o:?}");
}

/// The daemon serves Prometheus metrics at /metrics: calls per agent, tool and status
/// (equal to what was recorded), latency histograms, cost, the audit pipeline, never a user;
/// the Grafana dashboard in contrib/grafana uses only names it exports.
#[test]
fn metrics_are_exported_and_the_dashboard_uses_only_them() {
    let env = Env::new().var("PC_HYBRID_DAEMON", "auto");
    let now = chrono::Utc::now();
    let lines: Vec<String> = (0..12)
        .map(|i| {
            json!({"execution_id": format!("m-{i}"), "timestamp": (now - chrono::Duration::minutes(i)).to_rfc3339(),
                "agent_id": "tax", "tool": if i < 8 { "search" } else { "file" }, "user_id": "secret-user-bob",
                "latency_ms": 40.0 + 100.0 * i as f64, "status": if i % 4 == 0 { "error" } else { "success" },
                "cost": 0.5, "tokens_in": 10, "tokens_out": 5})
            .to_string()
        })
        .collect();
    let f = env.work.join("m.jsonl");
    std::fs::write(&f, lines.join("\n")).unwrap();
    env.ok(&["executions", "import", f.to_str().unwrap()]);
    env.ok(&["daemon", "start"]);
    let out = std::process::Command::new("curl")
        .args(["-s", "-D", "-", "--unix-socket"])
        .arg(env.home.join("run/daemon.sock"))
        .arg("http://localhost/metrics")
        .output()
        .unwrap();
    let post = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "--unix-socket",
        ])
        .arg(env.home.join("run/daemon.sock"))
        .arg("http://localhost/metrics")
        .output()
        .unwrap();
    env.ok(&["daemon", "stop"]);
    assert_eq!(String::from_utf8_lossy(&post.stdout), "405");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("content-type: text/plain; version=0.0.4"),
        "{text}"
    );
    for want in [
        "pc_hybrid_up 1",
        "pc_hybrid_tool_calls_total{agent=\"tax\",tool=\"search\",status=\"success\"} 6",
        "pc_hybrid_tool_calls_total{agent=\"tax\",tool=\"search\",status=\"error\"} 2",
        "pc_hybrid_tool_calls_total{agent=\"tax\",tool=\"file\",status=\"success\"} 3",
        "pc_hybrid_tool_call_failures_total{agent=\"tax\",tool=\"file\"} 1",
        "pc_hybrid_tool_call_duration_seconds_count{agent=\"tax\",tool=\"search\"} 8",
        "pc_hybrid_tool_call_duration_seconds_bucket{agent=\"tax\",tool=\"search\",le=\"+Inf\"} 8",
        "pc_hybrid_tool_call_duration_seconds_bucket{agent=\"tax\",tool=\"search\",le=\"0.05\"} 1",
        "pc_hybrid_tool_call_cost_total{agent=\"tax\",tool=\"file\"} 2.000000",
        "pc_hybrid_audit_queue_depth ",
        "# TYPE pc_hybrid_replicas_healthy gauge",
    ] {
        assert!(text.contains(want), "no `{want}` in\n{text}");
    }
    assert!(!text.contains("secret-user-bob"), "no metric is per user");
    let exported: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("contrib/grafana/pc-hybrid.json")).unwrap(),
    )
    .unwrap();
    let mut used = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for t in panel["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(i) = rest.find("pc_hybrid_") {
                let name: String = rest[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let base = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s))
                    .unwrap_or(&name);
                assert!(
                    exported.contains(base),
                    "the dashboard uses {name}, which /metrics does not export"
                );
                used += 1;
                rest = &rest[i + name.len()..];
            }
        }
    }
    assert!(used >= 12, "{used}");
}

/// With ANALYTICS_CACHE_TTL_MINUTES the daemon answers the same question again from memory
/// and says how old the answer is; another question is computed afresh. A bad value is
/// refused by name.
#[test]
fn a_cached_answer_says_how_old_it_is() {
    let env = Env::new()
        .var("PC_HYBRID_DAEMON", "always")
        .var("ANALYTICS_CACHE_TTL_MINUTES", "5");
    env.ok(&["daemon", "start"]);
    let first = insights(&env, &["--time-range", "7d"]);
    let again = insights(&env, &["--time-range", "7d"]);
    let other = insights(&env, &["--time-range", "30d"]);
    env.ok(&["daemon", "stop"]);
    let fresh = |v: &Value| v["metadata"]["data_freshness"].as_str().unwrap().to_owned();
    assert!(!fresh(&first).starts_with("cached"), "{first}");
    assert!(
        fresh(&again).starts_with("cached 0 s ago (ANALYTICS_CACHE_TTL_MINUTES=5); "),
        "{again}"
    );
    assert_eq!(again["data"], first["data"]);
    assert!(!fresh(&other).starts_with("cached"), "{other}");
    let bad = Env::new()
        .var("PC_HYBRID_DAEMON", "never")
        .var("ANALYTICS_CACHE_TTL_MINUTES", "soon");
    let o = bad.run(&["analytics", "insights"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("$ANALYTICS_CACHE_TTL_MINUTES"), "{o:?}");
}
