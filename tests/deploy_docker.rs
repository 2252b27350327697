//! deploy-agent on the docker target against the real Docker Engine and image registry that
//! scripts/test.sh starts: replicas called over MCP, the hardening of every container, the
//! image pushed and pulled back, kill/restart, rolling redeploys that roll back, build
//! failures, and nothing left behind.

mod common;

use std::process::Command;

use common::Env;
use serde_json::Value;

fn need(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test.sh, which installs docker.io and docker-registry, starts them on private sockets and ports, and builds the Python base image")
    })
}

fn docker_env() -> Env {
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    Env::new()
        .var("DOCKER_HOST", &need("PC_HYBRID_TEST_DOCKER_HOST"))
        .var(
            "AGENT_FACTORY_REGISTRY_URL",
            &need("PC_HYBRID_TEST_REGISTRY"),
        )
        .var("AGENT_BASE_IMAGE", &need("PC_HYBRID_TEST_BASE_IMAGE"))
        .var(
            "PC_HYBRID_ENV_DIR",
            target.join("test-envs").to_str().unwrap(),
        )
}

fn docker(args: &[&str]) -> (bool, String) {
    let o = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", need("PC_HYBRID_TEST_DOCKER_HOST"))
        .output()
        .expect("docker CLI");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).trim().to_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

fn containers_of(agent: &str) -> Vec<String> {
    let (_, out) = docker(&[
        "ps",
        "-a",
        "-q",
        "--filter",
        &format!("label=promptcraft.agent={agent}"),
    ]);
    out.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn name() -> String {
    format!("dk_{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

fn call(url: &str) -> Value {
    let o = common::py("mcp_http_call.py", &[url, "questions"], &[]);
    assert_eq!(o.code, 0, "{o:?}");
    serde_json::from_str(&o.stdout).unwrap()
}

fn deployment(env: &Env, agent: &str) -> Option<Value> {
    let list = env.ok(&["list-agents", "-o", "json"]).json();
    list.as_array()?.iter().find(|a| a["name"] == agent)?["deployments"]
        .as_array()?
        .iter()
        .find(|d| d["target"] == "docker")
        .cloned()
}

#[test]
fn two_containers_serve_mcp_locked_down_and_the_image_round_trips_the_registry() {
    let env = docker_env();
    let agent = name();
    env.create(&agent, &["--memory", "256Mi", "--cpu", "0.5"]);
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "docker",
        "--replicas",
        "2",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(o.code, 0, "{o:?}");
    let d = o.json();
    let image = d["deployment"]["artifact"].as_str().unwrap().to_owned();
    let registry = need("PC_HYBRID_TEST_REGISTRY");
    assert!(
        image.starts_with(&format!("{registry}/{}:", agent.replace('_', "-"))),
        "{image}"
    );
    assert_eq!(d["deployment"]["detail"]["pushed"], image.as_str());
    let endpoints: Vec<String> = d["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(endpoints.len(), 2);
    for url in &endpoints {
        assert!(url.starts_with("http://127.0.0.1:"));
        let r = call(url);
        assert_eq!(r["is_error"], false);
        assert!(!r["result"]["results"].as_array().unwrap().is_empty());
    }

    // Every container is locked down as the issue asks.
    let ids = containers_of(&agent);
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let (_, out) = docker(&["inspect", id]);
        let info: Value = serde_json::from_str(&out).unwrap();
        let c = &info[0];
        let hc = &c["HostConfig"];
        assert_eq!(hc["ReadonlyRootfs"], true);
        assert_eq!(hc["CapDrop"], serde_json::json!(["ALL"]));
        assert_eq!(hc["SecurityOpt"], serde_json::json!(["no-new-privileges"]));
        assert_eq!(hc["Memory"], 256u64 << 20);
        assert_eq!(hc["NanoCpus"], 500_000_000u64);
        assert_eq!(hc["RestartPolicy"]["Name"], "unless-stopped");
        assert_eq!(hc["NetworkMode"], "host");
        assert_eq!(c["Config"]["User"], "10001:10001");
        assert_eq!(c["Config"]["Labels"]["promptcraft.agent"], agent.as_str());
        assert_eq!(
            c["Config"]["Labels"]["promptcraft.environment"],
            "development"
        );
        assert!(
            c["Config"]["Healthcheck"]["Test"].is_array(),
            "the image's health check applies"
        );
    }

    // Kill one: list-agents reports it, restart brings it back.
    docker(&["kill", &ids[0]]);
    let dep = deployment(&env, &agent).unwrap();
    let states: Vec<&str> = dep["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"dead"), "{states:?}");
    env.ok(&["restart", &agent, "--target", "docker"]);
    let dep = deployment(&env, &agent).unwrap();
    for r in dep["replicas"].as_array().unwrap() {
        assert_eq!(r["state"], "healthy", "{dep}");
    }
    let logs = env
        .ok(&["logs", &agent, "--target", "docker", "--replica", "1"])
        .stdout;
    assert!(
        logs.contains("Uvicorn running") || logs.contains("GET /health"),
        "{logs}"
    );

    // Undeploy leaves no container; the image comes back from the registry.
    env.ok(&["undeploy", &agent]);
    assert!(containers_of(&agent).is_empty());
    let (ok, out) = docker(&["rmi", &image]);
    assert!(ok, "{out}");
    let (ok, out) = docker(&["pull", &image]);
    assert!(ok, "pulling {image} back from the registry: {out}");
}

#[test]
fn a_broken_redeploy_rolls_back_to_the_running_image() {
    let env = docker_env();
    let agent = name();
    env.create(&agent, &[]);
    let first = env
        .ok(&[
            "deploy-agent",
            &agent,
            "--target",
            "docker",
            "--wait",
            "-o",
            "json",
        ])
        .json();
    let good_image = first["deployment"]["artifact"].as_str().unwrap().to_owned();
    let good_url = first["endpoints"][0].as_str().unwrap().to_owned();
    // A change that crashes at start: a new (dirty) image that never becomes healthy.
    let server = env
        .work
        .join(&agent)
        .join("src")
        .join(&agent)
        .join("server.py");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        format!("{text}\nraise SystemExit('broken on purpose')\n"),
    )
    .unwrap();
    let o = env.run(&[
        "deploy-agent",
        &agent,
        "--target",
        "docker",
        "--wait",
        "--timeout",
        "30",
    ]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(&format!("rolled back to {good_image}")),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("broken on purpose"),
        "the container's log is shown: {o:?}"
    );
    // The old replica still serves, and it is the only container.
    call(&good_url);
    assert_eq!(containers_of(&agent).len(), 1);
    let dep = deployment(&env, &agent).unwrap();
    assert_eq!(dep["artifact"], good_image.as_str());
    env.ok(&["undeploy", &agent]);
    assert!(containers_of(&agent).is_empty());
}

#[test]
fn an_image_that_fails_to_build_shows_the_build_log() {
    let env = docker_env();
    let agent = name();
    env.create(&agent, &[]);
    let dockerfile = env.work.join(&agent).join("Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    std::fs::write(
        &dockerfile,
        text.replace(
            "WORKDIR /app",
            "WORKDIR /app\nRUN echo 'step that fails' && false",
        ),
    )
    .unwrap();
    let o = env.run(&["deploy-agent", &agent, "--target", "docker", "--wait"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("did not build"), "{o:?}");
    assert!(
        o.stderr.contains("step that fails"),
        "the build log tail is shown: {o:?}"
    );
    assert!(containers_of(&agent).is_empty());
    assert!(deployment(&env, &agent).is_none());
}

#[test]
fn docker_unreachable_exits_4() {
    let env = docker_env().var("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let agent = name();
    env.create(&agent, &[]);
    let o = env.run(&["deploy-agent", &agent, "--target", "docker"]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(
        o.stderr.contains("is not reachable") && o.stderr.contains("hint:"),
        "{o:?}"
    );
    assert!(deployment(&env, &agent).is_none());
}
