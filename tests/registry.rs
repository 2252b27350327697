//! The MCP registry from the command line: the fixture corpus (every schema, policy and
//! contract rule with the message it must produce), hostile input, and what is stored,
//! listed, shown, removed and exported.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::Env;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn files_in(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .unwrap()
        .map(|e| format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    v.sort();
    v
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

/// Validate files (relative to the fixture folder) in one run, as JSON reports.
fn validate(env: &Env, files: &[String]) -> (i32, Vec<Value>, String) {
    let mut args = vec!["mcp", "validate", "-o", "json"];
    let abs: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    args.extend(abs.iter().map(String::as_str));
    let o = env.run(&args);
    let reports = o.json().as_array().unwrap().clone();
    (o.code, reports, o.stderr)
}

#[test]
fn every_valid_fixture_passes_in_every_format() {
    let env = Env::new();
    let files = files_in("valid");
    let (code, reports, stderr) = validate(&env, &files);
    assert_eq!(code, 0, "{stderr}\n{reports:#?}");
    let formats: BTreeSet<&str> = reports
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        BTreeSet::from(["manifest", "registration", "server-json"])
    );
    let exts: BTreeSet<&str> = files
        .iter()
        .map(|f| f.rsplit('.').next().unwrap())
        .collect();
    assert!(exts.contains("json") && exts.contains("yaml"));
    for r in &reports {
        assert_eq!(r["phase"], "succeeded", "{r:#}");
        assert!(r["findings"].as_array().unwrap().is_empty(), "{r:#}");
        let conds: Vec<(&str, &str)> = r["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["type"].as_str().unwrap(), c["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            conds,
            vec![
                ("SchemaValid", "True"),
                ("PolicyCompliant", "True"),
                ("ContractValid", "True"),
                ("LiveVerified", "Unknown")
            ]
        );
        for c in r["conditions"].as_array().unwrap() {
            chrono::DateTime::parse_from_rfc3339(c["lastTransitionTime"].as_str().unwrap())
                .unwrap();
        }
    }
}

#[test]
fn every_invalid_fixture_fails_with_its_rule_pointer_line_and_message() {
    let env = Env::new();
    let expected = expected();
    let files: Vec<String> = files_in("invalid");
    assert_eq!(
        files.iter().collect::<BTreeSet<_>>(),
        expected
            .keys()
            .filter(|k| k.starts_with("invalid/"))
            .collect::<BTreeSet<_>>(),
        "every invalid fixture has an expectation and every expectation a fixture"
    );
    let (code, reports, stderr) = validate(&env, &files);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("{0} of {0} files failed validation", files.len())),
        "{stderr}"
    );
    for (file, r) in files.iter().zip(&reports) {
        let e = &expected[file.as_str()];
        assert_eq!(r["phase"], "failed", "{file}");
        // A row that fails its schema still names the server when the file says its name.
        if file.contains("server-description-size") {
            assert!(r["name"].as_str().is_some(), "{file}: {r}");
            assert!(r["version"].as_str().is_some(), "{file}: {r}");
        }
        let findings = r["findings"].as_array().unwrap();
        let hit = findings.iter().find(|f| {
            f["rule"] == e["rule"]
                && f["pointer"] == e["pointer"]
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains(e["message"].as_str().unwrap())
        });
        let hit = hit.unwrap_or_else(|| panic!("{file}: expected {e}, found {findings:#?}"));
        assert_eq!(hit["severity"], "error", "{file}");
        // Every finding is located in its file, down to the line.
        assert!(
            hit["file"].as_str().unwrap().ends_with(file.as_str()),
            "{file}: {hit}"
        );
        if e["rule"] != "schema/format" {
            assert!(hit["line"].as_u64().unwrap() >= 1, "{file}: {hit}");
            assert!(hit["column"].as_u64().unwrap() >= 1, "{file}: {hit}");
        }
        // Nothing unrelated is reported beside the expected problem.
        for f in findings {
            assert_eq!(f["rule"], e["rule"], "{file}: unexpected {f}");
        }
        // The stage's condition is False and names the rule; later stages were not run
        // after a schema failure.
        let stage = e["rule"].as_str().unwrap().split('/').next().unwrap();
        let kind = match stage {
            "schema" => "SchemaValid",
            "policy" => "PolicyCompliant",
            _ => "ContractValid",
        };
        let cond = r["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap();
        assert_eq!(cond["status"], "False", "{file}");
        assert!(cond["message"]
            .as_str()
            .unwrap()
            .contains(e["rule"].as_str().unwrap()));
        if stage == "schema" {
            for later in ["PolicyCompliant", "ContractValid"] {
                let c = r["conditions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["type"] == later)
                    .unwrap();
                assert_eq!(c["status"], "Unknown", "{file}");
            }
        }
    }
}

#[test]
fn every_policy_and_contract_rule_has_a_failing_fixture() {
    let env = Env::new();
    let rules = env.ok(&["mcp", "rules", "-o", "json"]).json();
    let covered: BTreeSet<String> = expected()
        .values()
        .map(|e| e["rule"].as_str().unwrap().to_owned())
        .collect();
    let rules: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.len() >= 10, "{rules:?}");
    for r in &rules {
        assert!(covered.contains(*r), "policy rule {r} has no fixture");
    }
    for r in [
        "contract/json-schema",
        "contract/input-object",
        "contract/unique-capability",
        "contract/unique-endpoint",
    ] {
        assert!(covered.contains(r), "{r} has no fixture");
    }
    // The table shows each rule's id and what it requires.
    let table = env.ok(&["mcp", "rules"]).stdout;
    assert!(table.contains("policy/strict-network") && table.contains("sandbox_level strict"));
}

#[test]
fn a_warning_does_not_fail_validation() {
    let env = Env::new();
    let expected = expected();
    let files = files_in("warn");
    assert!(files.len() >= 6, "{files:?}");
    let (code, reports, stderr) = validate(&env, &files);
    assert_eq!(code, 0, "{stderr}");
    for (file, r) in files.iter().zip(&reports) {
        let e = &expected[file.as_str()];
        let findings = r["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{file}: {findings:#?}");
        let f = &findings[0];
        assert_eq!(f["severity"], "warning", "{file}");
        assert_eq!(f["rule"], e["rule"], "{file}");
        assert_eq!(f["pointer"], e["pointer"], "{file}");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(e["message"].as_str().unwrap()),
            "{file}: {f}"
        );
        assert!(f["line"].as_u64().unwrap() >= 1, "{file}: {f}");
        assert_eq!(r["phase"], "succeeded", "{file}");
    }
}

#[test]
fn single_file_errors_name_file_line_and_rule_on_stderr() {
    let env = Env::new();
    let o = env.run(&[
        "mcp",
        "validate",
        &fixture("invalid/policy-production-replicas.yaml"),
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("policy-production-replicas.yaml:"),
        "{o:?}"
    );
    assert!(
        o.stderr
            .contains("[policy/production-replicas] production needs at least 2 replicas, not 1"),
        "{o:?}"
    );
    assert!(o.stdout.contains("FAILED"), "{o:?}");
    // The table lists the finding with its line and column.
    let line_col = regex::Regex::new(r"/spec/replicas \(\d+:\d+\)").unwrap();
    assert!(line_col.is_match(&o.stdout), "{o:?}");
}

fn write(env: &Env, name: &str, bytes: &[u8]) -> String {
    let p = env.work.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn hostile_files_fail_fast_with_a_clear_message() {
    let env = Env::new();
    // An alias bomb: nine levels of nine references each.
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..9u8 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        bomb.push_str(&format!("{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let cases: Vec<(String, &str)> = vec![
        (write(&env, "bomb.yaml", bomb.as_bytes()), "alias"),
        (
            write(&env, "deep.json", "[".repeat(100_000).as_bytes()),
            "nested too deeply",
        ),
        (
            write(
                &env,
                "junk.bin",
                &(0..4096u32)
                    .map(|i| (i * 7919 % 251) as u8)
                    .collect::<Vec<u8>>(),
            ),
            "UTF-8",
        ),
        (write(&env, "nul.yaml", b"mcp_spec:\0\0\0"), "NUL"),
    ];
    let huge = env.work.join("huge.json");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let mut all = cases.clone();
    all.push((huge.display().to_string(), "more than the limit"));
    for (path, needle) in &all {
        let o = env.run(&["mcp", "validate", "-o", "json", path]);
        assert_eq!(o.code, 2, "{path}: {o:?}");
        let r = &o.json()[0];
        let msg = r["findings"][0]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{path}: {msg}");
        assert_eq!(r["findings"][0]["rule"], "schema/parse", "{path}");
    }
    // Register refuses them too, and stores nothing.
    let o = env.run(&["mcp", "register", &all[0].0]);
    assert_eq!(o.code, 2, "{o:?}");
    assert_eq!(
        env.ok(&["mcp", "list", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn register_list_show_export_and_remove() {
    let env = Env::new();
    for f in files_in("valid") {
        if f.contains("registration.json") {
            continue; // the same server as registration.yaml
        }
        let o = env.run(&["mcp", "register", "-o", "json", &fixture(&f)]);
        assert_eq!(o.code, 0, "{f}: {o:?}");
        assert!(o.stderr.contains("registered"), "{o:?}");
    }
    let list = env.ok(&["mcp", "list", "-o", "json"]).json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "com.example.acme/tenant-search",
            "com.example/search",
            "io.github.acme/files",
            "io.github.acme/notes",
            "io.github.example/brave-search",
            "io.github.example/database",
            "io.github.example/editor-tools",
            "io.github.example/legacy-files",
            "io.github.example/mind-map",
            "io.github.example/time-http",
            "io.github.example/weather-dotnet",
            "ledger",
            "local-tool",
            "weather-service"
        ]
    );
    for e in list.as_array().unwrap() {
        assert_eq!(e["kind"], "custom");
        assert_eq!(e["phase"], "succeeded");
        assert_eq!(e["manifest"]["apiVersion"], "mcp.promptcraft.io/v1");
        assert_eq!(e["manifest"]["status"]["phase"], "succeeded");
        assert_eq!(
            e["manifest"]["status"]["conditions"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
    let table = env.ok(&["mcp", "list"]).stdout;
    assert!(
        table.contains("weather-service") && table.contains("registration"),
        "{table}"
    );
    let yaml = env.ok(&["mcp", "list", "-o", "yaml"]).stdout;
    assert!(yaml.contains("name: ledger"), "{yaml}");

    // The same name and version again is refused unless --replace; nothing changes.
    let again = env.run(&["mcp", "register", &fixture("valid/registration.json")]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(
        again
            .stderr
            .contains("weather-service 1.2.0 is already registered"),
        "{again:?}"
    );
    let replaced = env.run(&[
        "mcp",
        "register",
        "--replace",
        &fixture("valid/registration.json"),
    ]);
    assert_eq!(replaced.code, 0, "{replaced:?}");
    let shown = env
        .ok(&["mcp", "show", "weather-service", "-o", "json"])
        .json();
    assert_eq!(shown["format"], "registration");
    assert_eq!(
        shown["manifest"]["spec"]["security"]["sandboxLevel"],
        "strict"
    );
    assert_eq!(shown["manifest"]["spec"]["replicas"], 2);
    let table = env.ok(&["mcp", "show", "weather-service"]).stdout;
    assert!(
        table.contains("forecast") && table.contains("PolicyCompliant"),
        "{table}"
    );

    // A second version; show picks the highest unless one is named.
    let v2 = env.work.join("weather-2.yaml");
    let text = std::fs::read_to_string(fixture("valid/registration.yaml"))
        .unwrap()
        .replace("version: 1.2.0", "version: 1.10.0");
    std::fs::write(&v2, text).unwrap();
    env.ok(&["mcp", "register", v2.to_str().unwrap()]);
    assert_eq!(
        env.ok(&["mcp", "show", "weather-service", "-o", "json"])
            .json()["version"],
        "1.10.0"
    );
    assert_eq!(
        env.ok(&[
            "mcp",
            "show",
            "weather-service",
            "--version",
            "1.2.0",
            "-o",
            "json"
        ])
        .json()["version"],
        "1.2.0"
    );

    // Export as a manifest and as server.json; both register again as the same server.
    let manifest = env
        .ok(&["mcp", "export", "ledger", "--format", "manifest"])
        .stdout;
    assert!(
        manifest.starts_with("apiVersion: mcp.promptcraft.io/v1"),
        "{manifest}"
    );
    assert!(!manifest.contains("status:"), "{manifest}");
    let sj = env
        .ok(&[
            "mcp",
            "export",
            "ledger",
            "--format",
            "server-json",
            "--namespace",
            "io.github.acme",
        ])
        .json();
    assert_eq!(sj["name"], "io.github.acme/ledger");
    assert_eq!(sj["packages"][0]["registryType"], "oci");
    assert_eq!(sj["packages"][0]["transport"]["type"], "streamable-http");
    let other = Env::new();
    let mpath = write(&other, "ledger.yaml", manifest.as_bytes());
    let spath = write(
        &other,
        "ledger.json",
        serde_json::to_string_pretty(&sj).unwrap().as_bytes(),
    );
    other.ok(&["mcp", "register", &mpath]);
    other.ok(&["mcp", "register", &spath]);
    let a = other.ok(&["mcp", "show", "ledger", "-o", "json"]).json();
    let b = other
        .ok(&["mcp", "show", "io.github.acme/ledger", "-o", "json"])
        .json();
    // Everything this registry checks survives the round trip through server.json.
    for key in [
        "capabilities",
        "security",
        "resources",
        "healthCheck",
        "replicas",
        "environment",
        "image",
        "port",
        "transport",
    ] {
        assert_eq!(
            a["manifest"]["spec"][key], b["manifest"]["spec"][key],
            "{key}"
        );
    }

    // Remove one version, then the rest; an unknown name is an error.
    let o = env
        .ok(&[
            "mcp",
            "remove",
            "weather-service",
            "--version",
            "1.2.0",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(
        o,
        serde_json::json!([{"name": "weather-service", "version": "1.2.0"}])
    );
    env.ok(&["mcp", "remove", "weather-service"]);
    let o = env.run(&["mcp", "show", "weather-service"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("no MCP server named `weather-service`"),
        "{o:?}"
    );
}

#[test]
fn a_failed_registration_changes_nothing() {
    let env = Env::new();
    env.ok(&["mcp", "register", &fixture("valid/manifest.yaml")]);
    let before = env.ok(&["mcp", "list", "-o", "json"]).stdout;
    for f in files_in("invalid") {
        let o = env.run(&["mcp", "register", &fixture(&f)]);
        assert_eq!(o.code, 2, "{f}: {o:?}");
        assert!(
            o.stderr.contains("nothing was stored") || o.stderr.contains("invalid"),
            "{f}: {o:?}"
        );
    }
    // Even --replace with an invalid new version of a stored server leaves the old one.
    let o = env.run(&[
        "mcp",
        "register",
        "--replace",
        &fixture("invalid/policy-production-replicas.yaml"),
    ]);
    assert_eq!(o.code, 2);
    assert_eq!(env.ok(&["mcp", "list", "-o", "json"]).stdout, before);
}

#[test]
fn agents_are_registered_through_the_same_path() {
    let env = Env::new();
    env.create("tax_advisor", &[]);
    let e = env.ok(&["mcp", "show", "tax-advisor", "-o", "json"]).json();
    assert_eq!(e["kind"], "agent");
    assert_eq!(e["agent_name"], "tax_advisor");
    assert_eq!(e["format"], "manifest");
    assert_eq!(e["phase"], "succeeded");
    let tools: Vec<&str> = e["manifest"]["spec"]["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        vec!["search_knowledge", "get_agent_info", "general_assistance"]
    );
    // The manifest in the project validates as a file too.
    let file = env.work.join("tax_advisor/mcp-manifest.yaml");
    env.ok(&["mcp", "validate", file.to_str().unwrap()]);
    // A custom server cannot take an agent's name, nor be removed in its place.
    let text = std::fs::read_to_string(&file).unwrap();
    let custom = write(
        &env,
        "custom.yaml",
        text.replace("version: 0.1.0", "version: 0.2.0").as_bytes(),
    );
    let o = env.run(&["mcp", "register", &custom]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("registry entry of an agent"), "{o:?}");
    let o = env.run(&["mcp", "remove", "tax-advisor"]);
    assert_eq!(o.code, 2, "{o:?}");
    // MCP tools need no REST routes; the agent's own name finds its entry too.
    assert!(e["manifest"]["spec"]["capabilities"][0]
        .get("endpoint")
        .is_none());
    assert_eq!(
        env.ok(&["mcp", "show", "tax_advisor", "-o", "json"]).json()["name"],
        "tax-advisor"
    );
    // Its export says that its image is built by a docker deployment, not by the registry.
    let o = env.ok(&["mcp", "export", "tax_advisor", "--format", "server-json"]);
    assert!(o.stderr.contains("deploy-agent --target docker"), "{o:?}");
    let doc: Value = serde_json::from_str(&o.stdout).unwrap();
    let ext = &doc["_meta"]["io.modelcontextprotocol.registry/publisher-provided"]
        ["io.promptcraft/server"];
    assert!(
        ext["note"].as_str().unwrap().contains("build and push it"),
        "{ext}"
    );
    let exported = write(&env, "exported.json", o.stdout.as_bytes());
    env.ok(&["mcp", "validate", &exported]);
    // A name that is close to a registered one is suggested.
    let o = env.run(&["mcp", "show", "io.github.x/tax-advisor"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("did you mean `tax-advisor`"), "{o:?}");
}

#[test]
fn client_configs_for_each_client() {
    let env = Env::new();
    env.ok(&[
        "mcp",
        "register",
        &fixture("valid/manifest-stdio-command.json"),
    ]);
    env.ok(&["mcp", "register", &fixture("valid/server-remote.yaml")]);
    env.ok(&["mcp", "register", &fixture("valid/server.json")]);
    let c = env
        .ok(&["mcp", "client-config", "local-tool", "--client", "claude"])
        .json();
    assert_eq!(c["mcpServers"]["local-tool"]["command"], "python3");
    assert_eq!(
        c["mcpServers"]["local-tool"]["args"],
        serde_json::json!(["server.py"])
    );
    assert_eq!(c["mcpServers"]["local-tool"]["env"]["LOG_LEVEL"], "debug");
    let v = env
        .ok(&[
            "mcp",
            "client-config",
            "com.example/search",
            "--client",
            "vscode",
        ])
        .json();
    // The secret header is asked for with a hidden prompt, never filled in.
    assert_eq!(
        v["servers"]["search"],
        serde_json::json!({"type": "http", "url": "https://mcp.search.example/mcp", "headers": {"Authorization": "${input:authorization}"}})
    );
    assert_eq!(v["inputs"][0]["id"], "authorization");
    assert_eq!(v["inputs"][0]["password"], true);
    let cur = env
        .ok(&[
            "mcp",
            "client-config",
            "com.example/search",
            "--client",
            "cursor",
        ])
        .json();
    assert_eq!(
        cur["mcpServers"]["search"]["url"],
        "https://mcp.search.example/mcp"
    );
    let cl = env
        .ok(&[
            "mcp",
            "client-config",
            "com.example/search",
            "--client",
            "claude",
        ])
        .json();
    assert_eq!(
        cl["mcpServers"]["search"]["args"][2],
        "https://mcp.search.example/mcp"
    );
    // A stdio image runs under docker with no network and a read-only root.
    let img = env
        .ok(&[
            "mcp",
            "client-config",
            "io.github.acme/files",
            "--client",
            "vscode",
        ])
        .json();
    let args: Vec<&str> = img["servers"]["files"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(img["servers"]["files"]["command"], "docker");
    assert!(
        args.windows(2).any(|w| w == ["--network", "none"]),
        "{args:?}"
    );
    assert_eq!(*args.last().unwrap(), "ghcr.io/acme/files-mcp:0.3.0");
    let o = env.run(&["mcp", "client-config", "nope", "--client", "claude"]);
    assert_eq!(o.code, 2);
}

#[test]
fn client_configs_carry_every_argument_and_ask_for_secrets() {
    let env = Env::new();
    for f in [
        "valid/server-brave.json",
        "valid/server-remote-variables.json",
        "valid/server-docker-args.json",
        "valid/server-nuget.json",
    ] {
        env.ok(&["mcp", "register", &fixture(f)]);
    }
    let cc = |name: &str, client: &str| {
        env.ok(&["mcp", "client-config", name, "--client", client])
            .json()
    };
    // VS Code: every missing value is an input; secrets have hidden prompts.
    let v = cc("io.github.example/brave-search", "vscode");
    let s = &v["servers"]["brave-search"];
    assert_eq!(s["type"], "stdio");
    assert_eq!(s["command"], "npx");
    assert_eq!(
        s["args"],
        serde_json::json!([
            "-y",
            "@example/server-brave-search@1.2.0",
            "--mode",
            "local",
            "${input:index-dir}",
            "--tag",
            "web"
        ])
    );
    assert_eq!(s["env"]["BRAVE_API_KEY"], "${input:brave-api-key}");
    assert_eq!(s["env"]["BRAVE_COUNTRY"], "us");
    let inputs = v["inputs"].as_array().unwrap();
    let key = inputs.iter().find(|i| i["id"] == "brave-api-key").unwrap();
    assert_eq!(key["type"], "promptString");
    assert_eq!(key["password"], true);
    let dir = inputs.iter().find(|i| i["id"] == "index-dir").unwrap();
    assert_eq!(dir["password"], false);
    // Cursor reads values from the environment; Claude gets placeholders and a note.
    let c = cc("io.github.example/brave-search", "cursor");
    assert_eq!(
        c["mcpServers"]["brave-search"]["env"]["BRAVE_API_KEY"],
        "${env:BRAVE_API_KEY}"
    );
    let o = env.ok(&[
        "mcp",
        "client-config",
        "io.github.example/brave-search",
        "--client",
        "claude",
    ]);
    let cl = o.json();
    assert_eq!(
        cl["mcpServers"]["brave-search"]["env"]["BRAVE_API_KEY"],
        "<BRAVE_API_KEY>"
    );
    assert!(o.stderr.contains("replace each <placeholder>"), "{o:?}");
    // A remote's URL variables and secret header.
    let v = cc("com.example.acme/tenant-search", "vscode");
    let s = &v["servers"]["tenant-search"];
    assert_eq!(s["url"], "https://${input:tenant-id}.mcp.example.com/mcp");
    assert_eq!(s["headers"]["Authorization"], "Bearer ${input:api-token}");
    let ids: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["tenant-id", "api-token"]);
    // An image: hardened docker run, the package's arguments after the image, secrets by name.
    let d = cc("io.github.example/database", "cursor");
    let args: Vec<&str> = d["mcpServers"]["database"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let at = args
        .iter()
        .position(|a| *a == "ghcr.io/example/database-mcp:3.1.0")
        .unwrap();
    assert_eq!(
        &args[at + 1..],
        ["--host", "localhost", "${env:DATABASE_NAME}"]
    );
    assert!(args.windows(2).any(|w| w == ["-e", "DB_PASSWORD"]));
    assert_eq!(
        d["mcpServers"]["database"]["env"]["DB_PASSWORD"],
        "${env:DB_PASSWORD}"
    );
    // A server that cannot run here says so.
    let o = env.ok(&[
        "mcp",
        "client-config",
        "io.github.example/weather-dotnet",
        "--client",
        "claude",
    ]);
    assert!(o.stderr.contains("NuGet"), "{o:?}");
}

#[test]
fn secrets_in_a_definition_are_refused_and_never_echoed() {
    let env = Env::new();
    for (f, secret) in [
        ("invalid/secret-env.yaml", "sk-live-123"),
        ("invalid/secret-header.json", "Bearer abc123"),
    ] {
        for fmt in ["table", "json"] {
            let o = env.run(&["mcp", "register", "-o", fmt, &fixture(f)]);
            assert_eq!(o.code, 2, "{o:?}");
            assert!(
                !o.stdout.contains(secret) && !o.stderr.contains(secret),
                "{f} leaked its secret: {o:?}"
            );
            assert!(o.stdout.contains("/secret-value"), "{o:?}");
        }
    }
    assert_eq!(
        env.ok(&["mcp", "list", "-o", "json"]).json(),
        serde_json::json!([])
    );
}
