//! Live validation against real servers: the agent made by create-agent (real MCP SDK), SDK
//! servers that lack a tool or take other arguments, one that never answers, one that
//! crashes, and one in a real Docker container. Every sandbox is gone afterwards.

mod common;

use std::path::{Path, PathBuf};

use common::{processes_with, Env};
use serde_json::Value;

fn servers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/servers")
}

/// An environment whose PATH starts with the Python that has the MCP SDK, as `python3`.
fn live_env() -> Env {
    let bin = common::python().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Env::new().var("PATH", &path)
}

fn tag() -> String {
    format!("t{}", uuid::Uuid::new_v4().simple())
}

fn manifest(env: &Env, file: &str, body: &str) -> String {
    let p = env.work.join(file);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

fn forecast_manifest(command: &str, extra_caps: &str, extra_spec: &str) -> String {
    format!(
        r#"apiVersion: mcp.promptcraft.io/v1
kind: MCPServer
metadata: {{name: weather, version: 1.0.0}}
spec:
  command: {command}
{extra_spec}  capabilities:
    - name: forecast
      endpoint: /tools/forecast
      method: POST
      parameters: {{type: object, properties: {{city: {{type: string}}}}, required: [city]}}
{extra_caps}"#
    )
}

fn live(env: &Env, args: &[&str]) -> (i32, Value, String) {
    let mut a = vec!["mcp", "validate", "--live", "-o", "json"];
    a.extend_from_slice(args);
    let o = env.run(&a);
    let v = o.json()[0].clone();
    (o.code, v, o.stderr)
}

fn finding<'a>(r: &'a Value, rule: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {r:#}"))
}

#[test]
fn the_generated_agent_passes_live_validation() {
    let env = live_env();
    let name = format!("live_{}", &tag()[..10]);
    env.create(&name, &["--capability", "tax_law"]);
    let file = env.work.join(&name).join("mcp-manifest.yaml");
    let (code, r, err) = live(&env, &[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(r["phase"], "succeeded");
    let l = &r["live"];
    assert_eq!(l["launch"], "command");
    assert!(
        l["protocol_version"].as_str().unwrap().starts_with("20"),
        "{l}"
    );
    assert_eq!(l["server_info"]["name"], name.as_str());
    let mut tools: Vec<&str> = l["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tools.sort();
    assert_eq!(tools, vec!["get_agent_info", "search_knowledge", "tax_law"]);
    assert_eq!(l["health"]["status"], 200);
    assert!(l["health"]["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    let cond = r["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "LiveVerified")
        .unwrap();
    assert_eq!(cond["status"], "True");
    assert!(
        processes_with(&format!("-m {name}")).is_empty(),
        "the agent outlived the check"
    );
}

#[test]
fn a_missing_tool_fails_and_an_extra_one_warns() {
    let env = live_env();
    let t = tag();
    let cmd = format!(
        "[python3, {}/sdk_server.py, --tools, 'forecast,extra', --tag, {t}]",
        servers().display()
    );
    let alerts = "    - name: alerts\n      endpoint: /tools/alerts\n      method: POST\n";
    let file = manifest(&env, "m.yaml", &forecast_manifest(&cmd, alerts, ""));
    let (code, r, err) = live(&env, &[&file]);
    assert_eq!(code, 1, "{err}");
    let f = finding(&r, "live/missing-tool");
    assert_eq!(f["pointer"], "/spec/capabilities/1/name");
    assert_eq!(f["line"], 11);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("`alerts` is declared, but the server has no such tool"));
    let w = finding(&r, "live/undeclared-tool");
    assert_eq!(w["severity"], "warning");
    assert!(w["message"].as_str().unwrap().contains("`extra`"));
    assert!(
        err.contains("live validation of") && err.contains("[live/missing-tool]"),
        "{err}"
    );
    assert!(processes_with(&t).is_empty());
    // register --live stores nothing when the live stage fails.
    let o = env.run(&["mcp", "register", "--live", &file]);
    assert_eq!(o.code, 1, "{o:?}");
    assert_eq!(
        env.ok(&["mcp", "list", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn a_tool_that_requires_more_than_declared_fails_over_http() {
    let env = live_env();
    let t = tag();
    let cmd = format!(
        "[python3, {}/sdk_server.py, --strict-days, --transport, streamable-http, --port, '{{port}}', --tag, {t}]",
        servers().display()
    );
    let file = manifest(
        &env,
        "m.yaml",
        &forecast_manifest(&cmd, "", "  healthCheck: {path: /health}\n"),
    );
    let (code, r, err) = live(&env, &[&file]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(r["transport"], "streamable-http");
    assert_eq!(r["live"]["health"]["status"], 200);
    let f = finding(&r, "live/input-schema");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("requires /properties/days, which is not declared"),
        "{f}"
    );
    assert!(processes_with(&t).is_empty());
}

#[test]
fn a_good_server_registers_with_its_live_results() {
    let env = live_env();
    let t = tag();
    let cmd = format!(
        "[python3, {}/sdk_server.py, --tag, {t}]",
        servers().display()
    );
    let file = manifest(&env, "m.yaml", &forecast_manifest(&cmd, "", ""));
    let o = env.run(&["mcp", "register", "--live", "-o", "json", &file]);
    assert_eq!(o.code, 0, "{o:?}");
    let e = env.ok(&["mcp", "show", "weather", "-o", "json"]).json();
    let conds = e["manifest"]["status"]["conditions"].as_array().unwrap();
    let live = conds.iter().find(|c| c["type"] == "LiveVerified").unwrap();
    assert_eq!(live["status"], "True");
    assert_eq!(
        e["report"]["live"]["tools"],
        serde_json::json!(["forecast"])
    );
    assert!(processes_with(&t).is_empty());
}

#[test]
fn a_server_that_never_answers_initialize_times_out() {
    let env = live_env();
    let t = tag();
    let cmd = format!("[python3, {}/silent_server.py, {t}]", servers().display());
    let file = manifest(
        &env,
        "m.yaml",
        &forecast_manifest(&cmd, "", "  startupTimeoutSeconds: 2\n"),
    );
    let (code, r, _) = live(&env, &[&file]);
    assert_eq!(code, 1);
    let f = finding(&r, "live/no-initialize");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("did not answer `initialize` within 2s"),
        "{f}"
    );
    assert_eq!(f["pointer"], "/spec/command");
    assert!(
        processes_with(&t).is_empty(),
        "the silent server was not killed"
    );
    // --timeout overrides the declared startup timeout.
    let o = env.run(&[
        "mcp",
        "validate",
        "--live",
        "--timeout",
        "1",
        "-o",
        "json",
        &file,
    ]);
    assert!(o.json()[0]["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("within 1s"));
}

#[test]
fn an_interrupted_check_tears_its_sandbox_down() {
    let env = live_env();
    let t = tag();
    let cmd = format!("[python3, {}/silent_server.py, {t}]", servers().display());
    let file = manifest(
        &env,
        "m.yaml",
        &forecast_manifest(&cmd, "", "  startupTimeoutSeconds: 60\n"),
    );
    let child = env
        .cmd(&["mcp", "validate", "--live", &file])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the server runs, then interrupt the validator as Ctrl-C would.
    for _ in 0..100 {
        if !processes_with(&t).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!processes_with(&t).is_empty(), "the server never started");
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("interrupted"),
        "{o:?}"
    );
    assert!(
        processes_with(&t).is_empty(),
        "the server outlived the interrupted check"
    );
}

#[test]
fn a_server_that_crashes_at_start_shows_its_stderr() {
    let env = live_env();
    let cmd = format!("[python3, {}/crash_server.py]", servers().display());
    let file = manifest(&env, "m.yaml", &forecast_manifest(&cmd, "", ""));
    let (code, r, err) = live(&env, &[&file]);
    assert_eq!(code, 1);
    let f = finding(&r, "live/exited");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("exit status: 3"), "{m}");
    assert!(m.contains("cannot read config.yaml"), "{m}");
    assert!(err.contains("cannot read config.yaml"), "{err}");
    // A program that does not exist is a finding too, not a crash of the validator.
    let file = manifest(
        &env,
        "n.yaml",
        &forecast_manifest("[no-such-program-xyz]", "", ""),
    );
    let (code, r, _) = live(&env, &[&file]);
    assert_eq!(code, 1);
    assert!(finding(&r, "live/start-failed")["message"]
        .as_str()
        .unwrap()
        .contains("no-such-program-xyz"));
}

#[test]
fn the_sandbox_gets_a_scrubbed_environment() {
    let env = live_env().var("PC_HYBRID_SECRET_TEST", "hunter2");
    // The server prints its environment to stderr and exits: the tail shows what it saw.
    let cmd = r#"[python3, -c, "import os,sys; sys.stderr.write(repr(sorted(os.environ))); sys.exit(1)"]"#;
    let file = manifest(
        &env,
        "m.yaml",
        &forecast_manifest(cmd, "", "  env: {DECLARED: 'yes'}\n"),
    );
    let (_, r, _) = live(&env, &[&file]);
    let m = finding(&r, "live/exited")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        m.contains("'DECLARED'") && m.contains("'PATH'") && m.contains("'HOME'"),
        "{m}"
    );
    assert!(
        !m.contains("PC_HYBRID_SECRET_TEST") && !m.contains("PROMPTCRAFT_HOME"),
        "{m}"
    );
}

// ---- Docker ------------------------------------------------------------------------------

/// The docker CLI against the test Engine; it must succeed.
fn docker(args: &[&str]) -> String {
    let o = common::docker(args);
    assert_eq!(o.code, 0, "docker {args:?}: {o:?}");
    o.stdout
}

/// Build the busybox stdio server image (no registry: FROM scratch).
fn sh_server_image() -> String {
    build_sh_server("pc-hybrid-test/sh-server:1", "")
}

/// The sh server answering `initialize` only after `/tmp/go` appears in its container.
fn held_sh_server_image() -> String {
    build_sh_server("pc-hybrid-test/sh-server-held:1", "ENV HOLD=1\n")
}

fn build_sh_server(tag: &str, extra: &str) -> String {
    let ctx = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", ctx.path().join("busybox"))
        .expect("busybox-static (/bin/busybox) is installed by scripts/test.sh");
    std::fs::copy(
        servers().join("sh_server.sh"),
        ctx.path().join("sh_server.sh"),
    )
    .unwrap();
    let dockerfile = std::fs::read_to_string(servers().join("Dockerfile.sh-server")).unwrap();
    std::fs::write(ctx.path().join("Dockerfile"), dockerfile + extra).unwrap();
    docker(&["build", "-q", "-t", tag, ctx.path().to_str().unwrap()]);
    tag.into()
}

fn sandboxes_left() -> String {
    docker(&[
        "ps",
        "-a",
        "-q",
        "--filter",
        "label=promptcraft.sandbox=live-validation",
    ])
}

#[test]
fn an_image_runs_in_a_locked_down_container() {
    let image = sh_server_image();
    let env = live_env().var(
        "DOCKER_HOST",
        &common::service("PC_HYBRID_TEST_DOCKER_HOST"),
    );
    let body = format!(
        "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata: {{name: sh-weather, version: 1.0.0}}\nspec:\n  image: {image}\n  resources: {{limits: {{memory: 64Mi, cpu: '0.5'}}}}\n  capabilities:\n    - name: forecast\n      endpoint: /tools/forecast\n      method: POST\n      parameters: {{type: object, properties: {{city: {{type: string}}}}, required: [city]}}\n"
    );
    // The sandbox's hardening, read back from the Engine while it runs: the held image
    // waits for a go-ahead before it answers.
    let held = body.replace(&image, &held_sh_server_image());
    let file = manifest(&env, "held.yaml", &held);
    let check = env
        .cmd(&["mcp", "validate", "--live", "-o", "json", &file])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let id = loop {
        let id = sandboxes_left();
        if !id.is_empty() {
            break id;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no sandbox container appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let inspected: Value = serde_json::from_str(&docker(&["inspect", &id])).unwrap();
    let hc = &inspected[0]["HostConfig"];
    assert_eq!(hc["NetworkMode"], "none", "{hc:#}");
    assert_eq!(hc["ReadonlyRootfs"], true);
    assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]));
    assert!(
        hc["SecurityOpt"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "no-new-privileges"),
        "{hc:#}"
    );
    assert_eq!(hc["Privileged"], false);
    assert_eq!(hc["Memory"], 64 * 1024 * 1024);
    assert_eq!(hc["NanoCpus"], 500_000_000);
    assert!(hc["PidsLimit"].as_i64().unwrap() > 0, "{hc:#}");
    assert_eq!(inspected[0]["Config"]["User"], "65534:65534");
    docker(&["exec", &id, "/bin/busybox", "touch", "/tmp/go"]);
    let out = check.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(sandboxes_left(), "", "a sandbox container was left behind");

    let file = manifest(&env, "img.yaml", &body);
    let (code, r, err) = live(&env, &[&file]);
    assert_eq!(code, 0, "{err}\n{r:#}");
    let l = &r["live"];
    assert_eq!(l["launch"], "image");
    assert_eq!(l["server_info"]["name"], "sh-server");
    assert_eq!(l["protocol_version"], "2025-06-18");
    let sandbox = l["sandbox"].as_str().unwrap();
    for part in [
        "network none",
        "read-only root filesystem",
        "all capabilities dropped",
        "no-new-privileges",
        "memory 64 MiB",
        "0.5 CPU",
    ] {
        assert!(sandbox.contains(part), "{sandbox}");
    }
    assert_eq!(sandboxes_left(), "", "a sandbox container was left behind");

    // A declared tool the image does not serve fails, and the container still goes.
    let missing = body.replace("- name: forecast", "- name: alerts");
    let file = manifest(&env, "img2.yaml", &missing);
    let (code, r, _) = live(&env, &[&file]);
    assert_eq!(code, 1);
    finding(&r, "live/missing-tool");
    assert_eq!(sandboxes_left(), "");

    // An image that is not there is a finding; nothing is pulled.
    let absent = body.replace(&image, "pc-hybrid-test/absent:1");
    let file = manifest(&env, "img3.yaml", &absent);
    let (code, r, _) = live(&env, &[&file]);
    assert_eq!(code, 1);
    assert!(finding(&r, "live/image-missing")["message"]
        .as_str()
        .unwrap()
        .contains("not in the local Docker Engine"));
}

#[test]
fn docker_unreachable_exits_4_with_a_hint() {
    let env = live_env().var("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let file = manifest(
        &env,
        "img.yaml",
        "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata: {name: x, version: 1.0.0}\nspec:\n  image: alpine:3\n",
    );
    let o = env.run(&["mcp", "register", "--live", &file]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(
        o.stderr
            .contains("Docker Engine at unix:///nonexistent/docker.sock is not reachable"),
        "{o:?}"
    );
    assert!(o.stderr.contains("hint:"), "{o:?}");
    assert_eq!(
        env.ok(&["mcp", "list", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn a_python_without_the_sdk_is_named_and_the_projects_environment_is_used() {
    // `python3` on PATH is a Python that cannot import the MCP SDK (no site-packages).
    let env = Env::new();
    let bin = env.dir.path().join("bare-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shim = bin.join("python3");
    std::fs::write(
        &shim,
        format!("#!/bin/sh\nexec {} -S \"$@\"\n", common::python().display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = env.var(
        "PATH",
        &format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let name = format!("bare_{}", &tag()[..10]);
    env.create(&name, &[]);
    let project = env.work.join(&name);
    let file = project.join("mcp-manifest.yaml");
    let (code, r, _) = live(&env, &[file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let m = finding(&r, "live/exited")["message"].as_str().unwrap();
    assert!(m.contains("No module named"), "{m}");
    assert!(m.contains("lacks the MCP SDK"), "{m}");
    // With the project's own environment in place, `python3` means that one.
    std::fs::create_dir_all(project.join(".venv/bin")).unwrap();
    let venv_python = project.join(".venv/bin/python");
    std::fs::write(
        &venv_python,
        format!("#!/bin/sh\nexec {} \"$@\"\n", common::python().display()),
    )
    .unwrap();
    std::fs::set_permissions(&venv_python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, r, err) = live(&env, &[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert!(r["live"]["command"][0]
        .as_str()
        .unwrap()
        .ends_with(".venv/bin/python"));
}

#[test]
fn a_remote_gets_its_url_variables_and_secret_header() {
    let t = tag();
    let port = common::free_port();
    let mut server = std::process::Command::new(common::python())
        .arg(servers().join("sdk_server.py"))
        .args([
            "--transport",
            "streamable-http",
            "--port",
            &port.to_string(),
        ])
        .args([
            "--require-header",
            "Authorization=Bearer t0ken-abc",
            "--tag",
            &t,
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_for_port(port);
    let doc = serde_json::json!({
        "name": "io.github.example/remote-weather",
        "description": "A remote behind a token",
        "version": "1.0.0",
        "remotes": [{
            "type": "streamable-http",
            "url": "http://127.0.0.1:{port}/mcp",
            "variables": {"port": {"description": "Port", "isRequired": true}},
            "headers": [{"name": "Authorization", "value": "Bearer {api_token}", "isSecret": true,
                         "variables": {"api_token": {"isRequired": true, "isSecret": true}}}]
        }]
    });
    // The secret variable comes from the environment variable of its own name.
    let env = live_env().var("api_token", "t0ken-abc");
    let file = manifest(&env, "remote.json", &doc.to_string());
    let port_input = format!("port={port}");
    let o = env.run(&[
        "mcp",
        "validate",
        "--live",
        "-o",
        "json",
        "--input",
        &port_input,
        &file,
    ]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(o.code, 0, "{o:?}");
    let r = &o.json()[0];
    assert_eq!(r["live"]["tools"], serde_json::json!(["forecast"]));
    assert!(!o.stdout.contains("t0ken-abc") && !o.stderr.contains("t0ken-abc"));
    // Without the variable the URL cannot be made, and the check says which one.
    let o = env.run(&["mcp", "validate", "--live", "-o", "json", &file]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("needs values for port"), "{o:?}");
}
