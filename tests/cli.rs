//! Global behaviour of the binary: settings precedence and `config show`, doctor,
//! completions, exit codes.

mod common;

use common::Env;

fn setting<'a>(rows: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn version_and_help() {
    let env = Env::new();
    let out = env.ok(&["--version"]);
    assert_eq!(
        out.stdout.trim(),
        format!("pc-hybrid {}", env!("CARGO_PKG_VERSION"))
    );
    let help = env.ok(&["create-agent", "--help"]).stdout;
    assert!(help.contains("--from-spec") && help.contains("--knowledge-source"));
    assert_eq!(env.run(&["no-such-command"]).code, 2);
}

#[test]
fn config_show_pins_precedence_and_redacts_secrets() {
    let env = Env::new();
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        "agent_factory:\n  registry_url: registry.from-file:5000\n  base_image: from/file:1\n  template: default\nlog_level: info\n",
    )
    .unwrap();
    let env = env.var("AGENT_BASE_IMAGE", "from/env:1").var(
        "ANALYTICS_DB_URL",
        "postgresql://analytics_user:s3cret-pw@localhost:5432/promptcraft_analytics",
    );
    let out = env.ok(&["config", "show", "-o", "json"]);
    assert!(
        !out.stdout.contains("s3cret-pw"),
        "secret leaked: {}",
        out.stdout
    );
    let rows = out.json();
    assert_eq!(
        setting(&rows, "store.database")["value"],
        "postgresql://analytics_user:***@localhost:5432/promptcraft_analytics"
    );
    assert_eq!(
        setting(&rows, "store.database")["source"],
        "env ANALYTICS_DB_URL"
    );
    assert_eq!(
        setting(&rows, "agent_factory.base_image")["value"],
        "from/env:1"
    );
    assert_eq!(
        setting(&rows, "agent_factory.registry_url")["value"],
        "registry.from-file:5000"
    );
    assert!(setting(&rows, "agent_factory.registry_url")["source"]
        .as_str()
        .unwrap()
        .starts_with("config "));
    assert_eq!(
        setting(&rows, "agent_factory.auto_push")["source"],
        "default"
    );
    assert_eq!(setting(&rows, "log_level")["value"], "INFO");
    let data_dir = setting(&rows, "paths.data_dir")["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(data_dir, env.home.join("data").display().to_string());

    // The table shows the same values with their sources.
    let table = env.ok(&["config", "show"]).stdout;
    assert!(table.contains("agent_factory.base_image") && table.contains("env AGENT_BASE_IMAGE"));
}

#[test]
fn the_reference_design_config_file_is_read_without_promptcraft_home() {
    let env = Env::new();
    let legacy = env.user_home.join(".promptcraft");
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::write(
        legacy.join("config.yaml"),
        "agent_factory_url: http://localhost:8000\ngit_base_url: https://git.example.com/your-org\nregistry_url: localhost:5000\n",
    )
    .unwrap();
    let mut cmd = env.cmd(&["config", "show", "-o", "json"]);
    cmd.env_remove("PROMPTCRAFT_HOME")
        .env("XDG_CONFIG_HOME", env.user_home.join(".config"))
        .env("XDG_DATA_HOME", env.user_home.join(".local/share"));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        setting(&rows, "agent_factory.git_base_url")["value"],
        "https://git.example.com/your-org"
    );
    assert!(setting(&rows, "agent_factory.git_base_url")["source"]
        .as_str()
        .unwrap()
        .contains(".promptcraft/config.yaml"));
}

#[test]
fn bad_settings_are_clear_errors() {
    let env = Env::new();
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        "agent_factory:\n  auto_push: true\n  git_base_ur: x\n",
    )
    .unwrap();
    let out = env.run(&["list-agents"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("config.yaml:3:3: /agent_factory/git_base_ur: unknown field"),
        "{out:?}"
    );
    std::fs::write(env.home.join("config.yaml"), "").unwrap();
    let out = Env { ..env }
        .var("AGENT_FACTORY_AUTO_PUSH", "perhaps")
        .run(&["list-agents"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("$AGENT_FACTORY_AUTO_PUSH") && out.stderr.contains("perhaps"),
        "{out:?}"
    );
}

#[test]
fn doctor_reports_every_check() {
    let env = Env::new().var("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let out = env.run(&["doctor", "-o", "json"]);
    let checks = out.json();
    let names: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "git identity",
            "docker engine",
            "keyring",
            "python + mcp sdk",
            "store",
            "audit store",
            "executions store",
            "daemon",
            "data directory",
            "audit keys",
            "sso"
        ]
    );
    let by = |n: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by("docker engine")["status"], "warn");
    assert!(by("docker engine")["hint"]
        .as_str()
        .unwrap()
        .contains("dockerd"));
    // Both databases are checked, each at the schema of its own concern.
    assert_eq!(by("store")["status"], "ok");
    let store = by("store")["detail"].as_str().unwrap().to_owned();
    assert!(
        store.contains("pc-hybrid.db (schema 10, integrity ok)"),
        "{store}"
    );
    assert_eq!(by("audit store")["status"], "ok");
    let trail = by("audit store")["detail"].as_str().unwrap().to_owned();
    assert!(
        trail.contains("audit.db (schema 8, integrity ok)"),
        "{trail}"
    );
    assert_eq!(by("daemon")["status"], "ok");
    assert!(by("daemon")["detail"]
        .as_str()
        .unwrap()
        .contains("commands run in-process"));
    assert_eq!(by("python + mcp sdk")["status"], "ok", "{out:?}");
    assert_eq!(
        by("git identity")["status"],
        "warn",
        "HOME is empty, so no git identity"
    );
    for c in checks.as_array().unwrap() {
        assert!(["ok", "warn", "fail"].contains(&c["status"].as_str().unwrap()));
    }
    let broken = Env::new().var("PC_HYBRID_PYTHON", "/nonexistent/python3");
    let mut cmd = broken.cmd(&["doctor"]);
    cmd.env("PC_HYBRID_PYTHON", "/nonexistent/python3");
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("fail"));
}

#[test]
fn completions_match_the_committed_scripts() {
    let env = Env::new();
    let out = env.ok(&["completions", "bash"]);
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/pc-hybrid.bash"),
    )
    .unwrap();
    assert_eq!(out.stdout, committed);
    assert!(out.stdout.contains("create-agent"));
}

#[test]
fn unknown_creation_id_is_a_usage_error() {
    let env = Env::new();
    let out = env.run(&["status", "00000000-0000-0000-0000-000000000000"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no creation with id"));
}
