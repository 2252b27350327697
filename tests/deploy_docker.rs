//! deploy-agent on the docker target against the real Docker Engine and image registry that
//! scripts/test.sh starts: replicas called over MCP, the hardening of every container, the
//! image pushed and pulled back, kill/restart, rolling redeploys that roll back, build
//! failures, and nothing left behind.

mod common;

use common::{docker, service, Env};
use serde_json::Value;

fn docker_env() -> Env {
    common::deploy_env()
        .var("DOCKER_HOST", &service("PC_HYBRID_TEST_DOCKER_HOST"))
        .var(
            "AGENT_FACTORY_REGISTRY_URL",
            &service("PC_HYBRID_TEST_REGISTRY"),
        )
        .var("AGENT_BASE_IMAGE", &service("PC_HYBRID_TEST_BASE_IMAGE"))
}

fn containers_of(agent: &str) -> Vec<String> {
    let o = docker(&[
        "ps",
        "-a",
        "-q",
        "--filter",
        &format!("label=promptcraft.agent={agent}"),
    ]);
    o.stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn name() -> String {
    common::unique_name("dk")
}

fn deployment(env: &Env, agent: &str) -> Option<Value> {
    common::deployments(env, agent)
        .into_iter()
        .find(|d| d["target"] == "docker")
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
    let registry = service("PC_HYBRID_TEST_REGISTRY");
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
        let r = common::mcp_call(url);
        assert_eq!(r["is_error"], false);
        assert!(!r["result"]["results"].as_array().unwrap().is_empty());
    }

    // Every container is locked down as the issue asks.
    let ids = containers_of(&agent);
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let out = docker(&["inspect", id]).stdout;
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
    let o = docker(&["rmi", &image]);
    let (ok, out) = (o.code == 0, format!("{o:?}"));
    assert!(ok, "{out}");
    let o = docker(&["pull", &image]);
    let (ok, out) = (o.code == 0, format!("{o:?}"));
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
    common::break_agent_server(&env, &agent, "broken on purpose");
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
    common::mcp_call(&good_url);
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
