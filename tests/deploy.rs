//! deploy-agent on the local target (real processes, real MCP over streamable HTTP) and the
//! kubernetes target (manifests validated against the Kubernetes OpenAPI schemas), the
//! pre-deploy scan, and bad input. Nothing is left running afterwards.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn name() -> String {
    common::unique_name("dep")
}

/// Processes serving this agent.
fn replicas_running(agent: &str) -> Vec<u32> {
    common::processes_with(&format!("-m {agent} --transport"))
}

#[test]
fn two_local_replicas_serve_mcp_survive_a_kill_and_leave_nothing_behind() {
    let env = common::deploy_env();
    let agent = name();
    env.create(&agent, &[]);
    let d = env
        .ok(&[
            "deploy-agent",
            &agent,
            "--replicas",
            "2",
            "--wait",
            "-o",
            "json",
        ])
        .json();
    assert_eq!(d["deployment"]["status"], "running");
    assert_eq!(d["deployment"]["target"], "local");
    let endpoints: Vec<String> = d["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(endpoints.len(), 2);
    assert_ne!(endpoints[0], endpoints[1]);
    for url in &endpoints {
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let r = common::mcp_call(url);
        assert_eq!(r["is_error"], false);
        assert!(r["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "search_knowledge"));
        assert!(
            !r["result"]["results"].as_array().unwrap().is_empty(),
            "{r}"
        );
    }
    assert_eq!(replicas_running(&agent).len(), 2);

    // The processes outlive the CLI; list-agents sees both healthy.
    let deps = common::deployments(&env, &agent);
    assert_eq!(deps.len(), 1);
    let states: Vec<&str> = deps[0]["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["healthy", "healthy"]);
    let table = env.ok(&["list-agents"]).stdout;
    assert!(
        table.contains("2/2") && table.contains(&endpoints[0]),
        "{table}"
    );

    // Kill replica 1: list-agents reports it, restart brings it back.
    let pid = deps[0]["replicas"][1]["pid"].as_u64().unwrap() as i32;
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    // Dead once the kernel has taken the process: until then a check may still reach it.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let deps = loop {
        let deps = common::deployments(&env, &agent);
        if deps[0]["replicas"][1]["state"] == "dead" {
            break deps;
        }
        assert!(
            std::time::Instant::now() < until,
            "a killed replica is not reported dead: {deps:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(deps[0]["replicas"][0]["state"], "healthy");
    assert!(env.ok(&["list-agents"]).stdout.contains("1/2 (#1 dead)"));
    env.ok(&["restart", &agent]);
    let deps = common::deployments(&env, &agent);
    assert_eq!(deps[0]["replicas"][1]["state"], "healthy");
    common::mcp_call(deps[0]["replicas"][1]["endpoint"].as_str().unwrap());
    let listed = env.ok(&["list-agents", "-o", "json"]).json();
    assert_eq!(listed[0]["status"], "deployed", "{listed:#}");

    // A client connects to what is serving, by the agent's own name or its registry name.
    let cfg = env
        .ok(&["mcp", "client-config", &agent, "--client", "cursor"])
        .json();
    let key = agent.replace('_', "-");
    let url = cfg["mcpServers"][&key]["url"].as_str().unwrap().to_owned();
    assert!(
        endpoints.contains(&url),
        "{url} is not one of {endpoints:?}"
    );
    assert_eq!(
        env.ok(&["mcp", "client-config", &key, "--client", "cursor"])
            .json(),
        cfg
    );
    // Claude Desktop's file starts stdio servers only: its snippet bridges with mcp-remote.
    let claude = env
        .ok(&["mcp", "client-config", &agent, "--client", "claude"])
        .json();
    assert_eq!(claude["mcpServers"][&key]["args"][2], url.as_str());
    let file = env.work.join("claude.json");
    std::fs::write(&file, claude.to_string()).unwrap();
    let i = common::inspector(&file, &key, &["--method", "tools/list"]);
    assert_eq!(i.code, 0, "{i:?}");
    assert!(i.stdout.contains("search_knowledge"), "{i:?}");

    // Logs of a replica: uvicorn's startup lines and the health checks.
    let logs = env.ok(&["logs", &agent, "--replica", "0"]).stdout;
    assert!(logs.contains("GET /health"), "{logs}");

    // A redeploy is rolling: new replicas on new ports, the old ones gone.
    let d2 = env
        .ok(&["deploy-agent", &agent, "--replicas", "2", "-o", "json"])
        .json();
    assert_eq!(d2["deployment"]["replicas"].as_array().unwrap().len(), 2);
    assert_eq!(replicas_running(&agent).len(), 2);
    for r in d2["deployment"]["replicas"].as_array().unwrap() {
        assert_eq!(r["state"], "healthy");
    }

    let o = env.ok(&["undeploy", &agent, "-o", "json"]).json();
    assert_eq!(o[0]["target"], "local");
    assert!(
        replicas_running(&agent).is_empty(),
        "replicas left after undeploy"
    );
    assert!(common::deployments(&env, &agent).is_empty());
    let listed = env.ok(&["list-agents", "-o", "json"]).json();
    assert_eq!(listed[0]["status"], "created");

    // Not deployed: the client starts it from its project, in the project's environment.
    let o = env.ok(&["mcp", "client-config", &agent, "--client", "claude"]);
    let cfg = o.json();
    let entry = &cfg["mcpServers"][&key];
    let python = entry["command"].as_str().unwrap();
    assert!(
        python.ends_with("/bin/python") && python.contains("test-envs"),
        "{entry}"
    );
    assert_eq!(entry["args"], serde_json::json!(["-m", agent]));
    std::fs::write(&file, cfg.to_string()).unwrap();
    let i = common::inspector(&file, &key, &["--method", "tools/list"]);
    assert_eq!(i.code, 0, "{i:?}");
    assert!(i.stdout.contains("get_agent_info"), "{i:?}");
    assert!(replicas_running(&agent).is_empty());
}

#[test]
fn auto_deploy_runs_the_agent_after_creating_it() {
    let env = common::deploy_env();
    let agent = name();
    let v = env.create(&agent, &["--auto-deploy"]);
    assert_eq!(v["deployed"], true);
    assert_eq!(v["steps"][5]["name"], "deploy");
    assert_eq!(v["steps"][5]["status"], "succeeded");
    let url = v["steps"][5]["message"]
        .as_str()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    common::mcp_call(&url);
    let deps = common::deployments(&env, &agent);
    assert_eq!(deps[0]["environment"], "development");
    env.ok(&["undeploy", &agent]);
    assert!(replicas_running(&agent).is_empty());
}

#[test]
fn an_agent_that_never_becomes_healthy_is_rolled_back_with_its_log() {
    let env = common::deploy_env();
    let agent = name();
    env.create(&agent, &[]);
    common::break_agent_server(&env, &agent, "broken on purpose: config missing");
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--replicas",
        "2",
        "--wait",
        "--timeout",
        "20",
    ]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("rolled back"), "{o:?}");
    assert!(
        o.stderr.contains("broken on purpose"),
        "the log tail is shown: {o:?}"
    );
    assert!(replicas_running(&agent).is_empty());
    assert!(
        common::deployments(&env, &agent).is_empty(),
        "a failed first deploy leaves no record"
    );
}

#[test]
fn bad_deploy_requests_are_refused() {
    let env = common::deploy_env();
    let o = env.run(&["deploy-agent", "no_such_agent"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("no agent named `no_such_agent`"), "{o:?}");
    let agent = name();
    env.create(&agent, &[]);
    for n in ["0", "21"] {
        let o = env.run(&["deploy-agent", &agent, "--replicas", n]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("a deployment has 1 to 20 replicas"),
            "{o:?}"
        );
    }
    let o = env.run(&["deploy-agent", &agent, "--replicas", "-3"]);
    assert_eq!(o.code, 2, "{o:?}");
    for (flag, value, msg) in [
        ("--memory", "512Q", "unknown unit `Q`"),
        ("--memory", "lots", "must start with a number"),
        ("--cpu", "-1", "is not a CPU quantity"),
    ] {
        let arg = format!("{flag}={value}");
        let o = env.run(&["deploy-agent", &agent, &arg]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(o.stderr.contains(flag) && o.stderr.contains(msg), "{o:?}");
    }
    // A port already taken is refused before anything starts.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let o = env.run(&["deploy-agent", &agent, "--port", &port, "--wait"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr
            .contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{o:?}"
    );
    assert!(common::deployments(&env, &agent).is_empty());
    let o = env.run(&["undeploy", &agent]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("is not deployed"), "{o:?}");
    let o = env.run(&["logs", &agent]);
    assert_eq!(o.code, 2);
    assert!(replicas_running(&agent).is_empty());
}

fn kubernetes_validate(dir: &Path) -> String {
    let exe = common::python()
        .parent()
        .unwrap()
        .join("kubernetes-validate");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let o = Command::new(exe)
        .args(["--strict", "--kubernetes-version", "1.29.0"])
        .args(&files)
        .output()
        .expect("kubernetes-validate is installed by scripts/test.sh (tests/requirements.txt)");
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "kubernetes-validate: {text}");
    text
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn kubernetes_manifests_validate_and_carry_the_spec() {
    let env = common::deploy_env();
    let agent = name();
    env.create(&agent, &["--memory", "768Mi", "--cpu", "250m"]);
    let dir = env.dir.path().join("k8s");
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--replicas",
        "3",
        "--environment",
        "staging",
        "--manifests-dir",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    let out = kubernetes_validate(&dir);
    assert!(!out.contains("ERROR"), "{out}");
    let slug = agent.replace('_', "-");
    let dep = yaml(&dir.join("deployment.yaml"));
    assert_eq!(dep["spec"]["replicas"], 3);
    let c = &dep["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["resources"]["limits"]["memory"],
        (768u64 << 20).to_string()
    );
    assert_eq!(c["resources"]["limits"]["cpu"], "250m");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
    assert_eq!(
        dep["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
        true
    );
    assert_eq!(
        dep["metadata"]["labels"]["promptcraft.environment"],
        "staging"
    );
    assert!(
        c["image"]
            .as_str()
            .unwrap()
            .starts_with(&format!("localhost:5000/{slug}:")),
        "{c}"
    );
    let pdb = yaml(&dir.join("poddisruptionbudget.yaml"));
    assert_eq!(pdb["spec"]["minAvailable"], 2);
    let np = yaml(&dir.join("networkpolicy.yaml"));
    assert_eq!(
        np["spec"]["policyTypes"],
        serde_json::json!(["Ingress", "Egress"])
    );
    let cm = yaml(&dir.join("configmap.yaml"));
    assert!(cm["data"]["config.yaml"]
        .as_str()
        .unwrap()
        .contains("transport"));
    let deps = common::deployments(&env, &agent);
    assert_eq!(deps[0]["target"], "kubernetes");

    // One replica: no PodDisruptionBudget.
    let dir1 = env.dir.path().join("k8s1");
    env.ok(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--manifests-dir",
        dir1.to_str().unwrap(),
    ]);
    assert!(!dir1.join("poddisruptionbudget.yaml").exists());
    kubernetes_validate(&dir1);

    // --apply without a kubeconfig: a service is missing, exit 4 with a hint.
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--apply",
        "--manifests-dir",
        dir1.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(o.stderr.contains("kubeconfig"), "{o:?}");
    env.ok(&["undeploy", &agent]);
    assert!(!dir1.join("deployment.yaml").exists());
}

#[test]
fn the_pre_deploy_scan_blocks_production_and_warns_elsewhere() {
    let env = common::deploy_env();
    let agent = name();
    env.create(&agent, &[]);
    let project = env.work.join(&agent);
    std::fs::write(
        project.join("src").join("leak.py"),
        "AWS_KEY = 'AKIAABCDEFGHIJKLMNOP'\n",
    )
    .unwrap();
    let dir = env.dir.path().join("k8s");
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--environment",
        "production",
        "--replicas",
        "2",
        "--manifests-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("production deploys are blocked"), "{o:?}");
    assert!(
        o.stderr.contains("src/leak.py:1: [secret/aws-access-key]"),
        "{o:?}"
    );
    assert!(o.stderr.contains("[dockerfile/unpinned-base]"), "{o:?}");
    assert!(
        !o.stderr.contains("AKIAABCDEFGHIJKLMNOP"),
        "the secret is never shown: {o:?}"
    );
    assert!(!dir.exists(), "nothing is rendered for a blocked deploy");
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--environment",
        "staging",
        "--manifests-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stderr.contains("warning: pre-deploy scan:"), "{o:?}");
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "kubernetes",
        "--environment",
        "production",
        "--replicas",
        "2",
        "--skip-scan",
        "--manifests-dir",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    assert_eq!(o.json()["deployment"]["detail"]["skip_scan"], true);
}

#[test]
fn a_deploy_killed_midway_can_be_finished_by_undeploy() {
    let env = common::deploy_env();
    let agent = name();
    env.create(&agent, &[]);
    // Warm the environment so that the kill lands while replicas are starting.
    env.ok(&["deploy-agent", &agent]);
    env.ok(&["undeploy", &agent]);
    let mut child = env
        .cmd(&["deploy-agent", &agent, "--replicas", "2", "--wait"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if replicas_running(&agent).len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    child.wait().unwrap();
    assert_eq!(
        replicas_running(&agent).len(),
        2,
        "the replicas outlive the killed CLI"
    );
    // The record written before the replicas started says what to stop.
    let deps = common::deployments(&env, &agent);
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0]["replicas"].as_array().unwrap().len(), 2);
    env.ok(&["undeploy", &agent]);
    assert!(replicas_running(&agent).is_empty());
}

/// Ctrl-C on `deploy-agent` while its replica waits to become healthy (the agent hangs at
/// start): the deploy stops, its replica is stopped and no deployment is recorded, in the
/// CLI's own process and, through the daemon, in the daemon.
#[test]
fn ctrl_c_during_a_deploy_rolls_it_back_in_process_and_in_the_daemon() {
    for through_daemon in [false, true] {
        let mode = if through_daemon { "always" } else { "never" };
        let env = common::deploy_env();
        let agent = name();
        // Made in this process, into the working directory, where the test can break it.
        env.create(&agent, &[]);
        let server = env
            .work
            .join(&agent)
            .join("src")
            .join(&agent)
            .join("server.py");
        let text = std::fs::read_to_string(&server).unwrap();
        std::fs::write(&server, format!("{text}\nimport time\ntime.sleep(3600)\n")).unwrap();
        if through_daemon {
            env.ok(&["daemon", "start"]);
        }
        let mut child = env
            .cmd(&["deploy-agent", &agent, "--timeout", "600"])
            .env("PC_HYBRID_DAEMON", mode)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The replica has started and cannot become healthy: the deploy waits.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
        while replicas_running(&agent).is_empty() {
            assert!(
                std::time::Instant::now() < until,
                "{mode}: the replica never started"
            );
            assert!(child.try_wait().unwrap().is_none(), "{mode}: deploy ended");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // SAFETY: the child this test started.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{mode}: {stderr}");
        assert!(stderr.contains("interrupted"), "{mode}: {stderr}");
        // The daemon undoes it on its side once the client has gone.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !replicas_running(&agent).is_empty() {
            assert!(
                std::time::Instant::now() < until,
                "{mode}: the replica still runs"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let deployments = common::deployments(&env, &agent);
            if deployments.is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < until,
                "{mode}: a deployment is still recorded: {deployments:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // The deploy's outcome is on the trail as a failure.
        let events = env
            .ok(&["audit", "query", "--agent", &agent, "-o", "json"])
            .json();
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"]["operation"] == "agent.deploy"
                    && e["outcome"]["status"] == "failure"),
            "{mode}: {events}"
        );
        if through_daemon {
            env.ok(&["daemon", "stop"]);
        }
    }
}
