//! The registry against servers and clients nobody here wrote: the official reference
//! servers (npm `@modelcontextprotocol/server-everything` and `server-memory`, PyPI
//! `mcp-server-time` and `mcp-server-fetch`) run from their server.json through `npx` and
//! `uvx`, right and wrong declarations of their tools, secrets given only through the
//! environment, export round trips, and client configurations used by the MCP Inspector.

mod common;

use common::Env;
use serde_json::{json, Value};

const SCHEMA: &str = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
const NPM_VERSION: &str = "2026.8.31";

fn write(env: &Env, file: &str, v: &Value) -> String {
    let p = env.work.join(file);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

fn npm_server(
    name: &str,
    package: &str,
    args: Value,
    env_vars: Value,
    meta: Option<Value>,
) -> Value {
    let mut v = json!({
        "$schema": SCHEMA,
        "name": format!("io.github.modelcontextprotocol/{name}"),
        "description": format!("The reference {name} server"),
        "version": NPM_VERSION,
        "packages": [{
            "registryType": "npm",
            "identifier": package,
            "version": NPM_VERSION,
            "transport": {"type": "stdio"},
            "packageArguments": args,
            "environmentVariables": env_vars,
        }]
    });
    if let Some(m) = meta {
        v["_meta"] = json!({"io.modelcontextprotocol.registry/publisher-provided": {"io.promptcraft/server": m}});
    }
    v
}

fn everything(meta: Option<Value>) -> Value {
    npm_server(
        "server-everything",
        "@modelcontextprotocol/server-everything",
        json!([{"type": "positional", "valueHint": "transport", "default": "stdio"}]),
        json!([]),
        meta,
    )
}

fn memory(env: &Env, extra_env: Value) -> Value {
    let mut vars = vec![json!({
        "name": "MEMORY_FILE_PATH",
        "description": "Where the knowledge graph is kept",
        "default": env.work.join("memory.jsonl").display().to_string()
    })];
    if let Value::Array(a) = extra_env {
        vars.extend(a);
    }
    npm_server(
        "server-memory",
        "@modelcontextprotocol/server-memory",
        json!([]),
        Value::Array(vars),
        None,
    )
}

fn pypi_server(name: &str, package: &str, version: &str, args: Value) -> Value {
    json!({
        "$schema": SCHEMA,
        "name": format!("io.github.modelcontextprotocol/{name}"),
        "description": format!("The reference {name} server"),
        "version": version,
        "packages": [{
            "registryType": "pypi",
            "identifier": package,
            "version": version,
            "transport": {"type": "stdio"},
            "packageArguments": args,
        }]
    })
}

fn live(env: &Env, files: &[&str], extra: &[&str]) -> (i32, Vec<Value>, String) {
    let mut args = vec![
        "mcp",
        "validate",
        "--live",
        "--timeout",
        "120",
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    let o = env.run(&args);
    let v = o.json();
    (o.code, v.as_array().unwrap().clone(), o.stderr)
}

fn tools(r: &Value) -> Vec<String> {
    r["live"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

fn errors(r: &Value) -> Vec<&Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

#[test]
fn the_reference_servers_pass_live_validation_from_their_server_json() {
    let env = common::ecosystem_env();
    let files = [
        write(&env, "everything.json", &everything(None)),
        write(&env, "memory.json", &memory(&env, json!([]))),
        write(
            &env,
            "time.json",
            &pypi_server(
                "server-time",
                "mcp-server-time",
                "2026.10.19",
                json!([{"type": "named", "name": "--local-timezone", "default": "UTC"}]),
            ),
        ),
        write(
            &env,
            "fetch.json",
            &pypi_server(
                "server-fetch",
                "mcp-server-fetch",
                "2026.10.24",
                json!([{"type": "named", "name": "--ignore-robots-txt"}]),
            ),
        ),
    ];
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let (code, reports, stderr) = live(&env, &refs, &[]);
    assert_eq!(code, 0, "{stderr}\n{reports:#?}");
    for r in &reports {
        assert_eq!(r["phase"], "succeeded", "{r:#}");
        assert!(errors(r).is_empty(), "{r:#}");
    }
    assert!(tools(&reports[0]).contains(&"get-sum".to_string()));
    assert!(tools(&reports[1]).contains(&"create_entities".to_string()));
    assert!(tools(&reports[2]).contains(&"convert_time".to_string()));
    assert!(tools(&reports[3]).contains(&"fetch".to_string()));
    // The command lines carry the definitions' arguments, defaults included.
    // An npm package is installed once per version under the cache and started by its own
    // executable, with the definition's arguments.
    let cmd = reports[0]["live"]["command"].as_array().unwrap();
    let exe = cmd[0].as_str().unwrap();
    assert!(
        exe.ends_with(&format!(
            "npm-packages/@modelcontextprotocol+server-everything@{NPM_VERSION}/node_modules/.bin/mcp-server-everything"
        )),
        "{exe}"
    );
    assert_eq!(&cmd[1..], &[json!("stdio")]);
    assert_eq!(
        reports[2]["live"]["command"],
        json!([
            "uvx",
            "mcp-server-time==2026.10.19",
            "--local-timezone",
            "UTC"
        ])
    );
    // The memory server wrote where its environment variable's default said.
    assert_eq!(reports[1]["live"]["server_info"]["name"], "memory-server");
}

/// Capabilities declared under the server.json extension, checked against the live tools.
fn declared(caps: Value) -> Option<Value> {
    Some(json!({"capabilities": caps}))
}

#[test]
fn wrong_declarations_of_real_tools_fail_at_their_json_pointer() {
    let env = common::ecosystem_env();
    let obj = |props: Value, required: Value| json!({"type": "object", "properties": props, "required": required});
    let cases = [
        (
            "missing.json",
            everything(declared(
                json!([{"name": "no-such-tool", "parameters": obj(json!({}), json!([]))}]),
            )),
            "live/missing-tool",
            "/capabilities/0/name",
            "no such tool",
        ),
        (
            "top-type.json",
            everything(declared(
                json!([{"name": "get-sum", "parameters": obj(json!({"a": {"type": "string"}, "b": {"type": "number"}}), json!(["a", "b"]))}]),
            )),
            "live/input-schema",
            "/capabilities/0/parameters/properties/a",
            "declared as string, but the tool takes number",
        ),
        (
            "enum.json",
            everything(declared(
                json!([{"name": "get-annotated-message", "parameters": obj(json!({"messageType": {"type": "string", "enum": ["error", "info"]}}), json!(["messageType"]))}]),
            )),
            "live/input-schema",
            "/capabilities/0/parameters/properties/messageType",
            "\"info\"",
        ),
    ];
    let mut files = Vec::new();
    for (file, doc, ..) in &cases {
        files.push(write(&env, file, doc));
    }
    // A nested type: create_entities takes entities[].observations[] as strings.
    let mut nested = memory(&env, json!([]));
    nested["_meta"] = json!({"io.modelcontextprotocol.registry/publisher-provided": {"io.promptcraft/server": {"capabilities": [{
        "name": "create_entities",
        "parameters": obj(json!({"entities": {"type": "array", "items": obj(json!({
            "name": {"type": "string"},
            "entityType": {"type": "string"},
            "observations": {"type": "array", "items": {"type": "integer"}}
        }), json!(["name", "entityType", "observations"]))}}), json!(["entities"]))
    }]}}});
    files.push(write(&env, "nested.json", &nested));
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let (code, reports, stderr) = live(&env, &refs, &[]);
    assert_eq!(code, 1, "{stderr}");
    let meta = "/_meta/io.modelcontextprotocol.registry~1publisher-provided/io.promptcraft~1server";
    for ((file, _, rule, pointer, needle), r) in cases.iter().zip(&reports) {
        let errs = errors(r);
        let hit = errs
            .iter()
            .find(|f| f["rule"] == *rule && f["pointer"] == format!("{meta}{pointer}"))
            .unwrap_or_else(|| panic!("{file}: no {rule} at {pointer}: {errs:#?}"));
        assert!(
            hit["message"].as_str().unwrap().contains(needle),
            "{file}: {hit}"
        );
        assert!(hit["line"].as_u64().unwrap() > 1, "{file}: {hit}");
    }
    let errs = errors(&reports[3]);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0]["pointer"],
        format!("{meta}/capabilities/0/parameters/properties/entities/items/properties/observations/items")
    );
    assert!(errs[0]["message"]
        .as_str()
        .unwrap()
        .contains("declared as integer, but the tool takes string"));
}

#[test]
fn a_required_secret_comes_only_from_the_environment() {
    let env = common::ecosystem_env();
    let doc = memory(
        &env,
        json!([{"name": "MEMORY_API_TOKEN", "description": "A token the server is given", "isRequired": true, "isSecret": true}]),
    );
    let file = write(&env, "memory.json", &doc);
    // Without it, the check says what is missing and how to give it.
    let (code, reports, _) = live(&env, &[&file], &[]);
    assert_eq!(code, 1);
    let m = errors(&reports[0])[0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        m.contains("MEMORY_API_TOKEN (secret environment variable)"),
        "{m}"
    );
    // Never on the command line.
    let o = env.run(&[
        "mcp",
        "validate",
        "--live",
        "--input",
        "MEMORY_API_TOKEN=s3cr3t-value",
        &file,
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("is a secret"), "{o:?}");
    assert!(!o.stderr.contains("s3cr3t-value"), "{o:?}");
    // From the environment it is passed on, and shown nowhere.
    let env = env.var("MEMORY_API_TOKEN", "s3cr3t-value");
    let o = env.run(&[
        "mcp",
        "validate",
        "--live",
        "--timeout",
        "120",
        "-o",
        "json",
        &file,
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(!o.stdout.contains("s3cr3t-value") && !o.stderr.contains("s3cr3t-value"));
    let o = env.ok(&["mcp", "register", &file]);
    assert!(!o.stdout.contains("s3cr3t-value"));
    let shown = env
        .ok(&[
            "mcp",
            "show",
            "io.github.modelcontextprotocol/server-memory",
            "-o",
            "json",
        ])
        .stdout;
    assert!(!shown.contains("s3cr3t-value"));
    assert!(
        shown.contains("MEMORY_API_TOKEN"),
        "the declaration is kept whole"
    );
}

#[test]
fn an_export_validates_again_and_registers_as_the_same_server() {
    let env = Env::new();
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/valid");
    env.ok(&[
        "mcp",
        "register",
        fixtures
            .join("manifest-stdio-command.json")
            .to_str()
            .unwrap(),
    ]);
    env.ok(&[
        "mcp",
        "register",
        fixtures.join("server-brave.json").to_str().unwrap(),
    ]);
    for (name, local) in [
        ("local-tool", true),
        ("io.github.example/brave-search", false),
    ] {
        let o = env.ok(&[
            "mcp",
            "export",
            name,
            "--format",
            "server-json",
            "--namespace",
            "io.github.you",
        ]);
        let doc: Value = serde_json::from_str(&o.stdout).unwrap();
        let ext = &doc["_meta"]["io.modelcontextprotocol.registry/publisher-provided"]
            ["io.promptcraft/server"];
        if local {
            assert!(o.stderr.contains("server.json cannot describe"), "{o:?}");
            assert!(
                ext["note"].as_str().unwrap().contains("local command"),
                "{ext}"
            );
            assert_eq!(ext["command"], json!(["python3", "server.py"]));
        } else {
            // A server.json keeps every package field as it was.
            assert_eq!(
                doc["packages"][0]["environmentVariables"][0]["name"],
                "BRAVE_API_KEY"
            );
            assert!(ext.get("command").is_none(), "{ext}");
        }
        let file = env.work.join("export.json");
        std::fs::write(&file, &o.stdout).unwrap();
        let v = env
            .ok(&["mcp", "validate", "-o", "json", file.to_str().unwrap()])
            .json();
        assert_eq!(v[0]["phase"], "succeeded", "{v:#}");
        assert!(v[0]["findings"].as_array().unwrap().is_empty(), "{v:#}");
        let again = env
            .ok(&[
                "mcp",
                "register",
                "-o",
                "json",
                "--replace",
                file.to_str().unwrap(),
            ])
            .json();
        let new_name = again[0]["name"].as_str().unwrap().to_owned();
        let a = env.ok(&["mcp", "show", name, "-o", "json"]).json();
        let b = env.ok(&["mcp", "show", &new_name, "-o", "json"]).json();
        for key in [
            "command",
            "env",
            "transport",
            "capabilities",
            "security",
            "replicas",
        ] {
            assert_eq!(
                a["manifest"]["spec"][key], b["manifest"]["spec"][key],
                "{name}: {key}"
            );
        }
        // The live check's command line is the same too.
        let la = env.ok(&["mcp", "list", "-o", "json"]).json();
        let runs: Vec<&Value> = la
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == name || e["name"] == new_name.as_str())
            .map(|e| &e["manifest"]["spec"]["command"])
            .collect();
        // A server.json keeps its own name, so its export is the same entry again.
        if new_name == name {
            assert_eq!(runs.len(), 1);
        } else {
            assert_eq!(new_name, format!("io.github.you/{name}"));
            assert_eq!(runs.len(), 2);
            assert_eq!(runs[0], runs[1], "{name}");
            env.ok(&["mcp", "remove", &new_name]);
        }
    }
}

#[test]
fn client_configs_start_the_server_in_the_mcp_inspector() {
    let env = common::ecosystem_env();
    let file = write(&env, "memory.json", &memory(&env, json!([])));
    env.ok(&["mcp", "register", &file]);
    for client in ["claude", "cursor"] {
        let o = env.ok(&[
            "mcp",
            "client-config",
            "io.github.modelcontextprotocol/server-memory",
            "--client",
            client,
        ]);
        let cfg = env.work.join(format!("{client}.json"));
        std::fs::write(&cfg, &o.stdout).unwrap();
        // The Inspector runs the client's entry with the user's environment.
        let i = common::inspector(&cfg, "server-memory", &["--method", "tools/list"]);
        assert_eq!(i.code, 0, "{client}: {i:?}");
        assert!(i.stdout.contains("create_entities"), "{client}: {i:?}");
    }
    // VS Code's own format: `servers`, `type`, and no `mcpServers`.
    let v = env
        .ok(&[
            "mcp",
            "client-config",
            "io.github.modelcontextprotocol/server-memory",
            "--client",
            "vscode",
        ])
        .json();
    assert_eq!(v["servers"]["server-memory"]["type"], "stdio");
    assert!(v.get("mcpServers").is_none());
}

#[test]
fn a_missing_runner_gets_an_install_hint_and_unrunnable_servers_are_skipped() {
    // uvx is not on this PATH.
    let env = Env::new().var("PATH", "/usr/bin:/bin");
    let file = write(
        &env,
        "time.json",
        &pypi_server("server-time", "mcp-server-time", "2026.10.19", json!([])),
    );
    let (code, reports, _) = live(&env, &[&file], &[]);
    assert_eq!(code, 1);
    let f = errors(&reports[0])[0];
    assert_eq!(f["rule"], "live/start-failed");
    let m = f["message"].as_str().unwrap();
    assert!(
        m.contains("`uvx` is not on PATH") && m.contains("install uv"),
        "{m}"
    );
    // A NuGet package cannot run here: validated, stored, and its live check skipped with why.
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/valid");
    let nuget = fixtures.join("server-nuget.json");
    let (code, reports, _) = live(&env, &[nuget.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    let r = &reports[0];
    assert_eq!(r["phase"], "succeeded");
    assert!(r["not_launchable"].as_str().unwrap().contains("NuGet"));
    assert_eq!(r["findings"][0]["rule"], "live/not-launchable");
    let o = env.ok(&["mcp", "register", "--live", nuget.to_str().unwrap()]);
    assert!(o.stderr.contains("cannot be started here"), "{o:?}");
    let list = env.ok(&["mcp", "list"]).stdout;
    assert!(list.contains("not launchable here"), "{list}");
}
