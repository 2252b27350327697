//! Deployment of agents: one `DeployBackend` trait (local processes, Docker containers,
//! Kubernetes manifests), the deployment record kept in the store from before anything
//! starts, health checks, and the pre-deploy scan.

pub mod docker;
pub mod kubernetes;
pub mod local;
pub mod lock;
pub mod scan;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::AgentStatus;
use crate::progress::Progress;
use crate::store::{
    AgentRecord, DeploymentRecord, DeploymentStatus, DomainStore, ReplicaRecord, ReplicaState,
};

pub use crate::model::Target;

/// The environment an agent is deployed to.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
}
pub const MAX_REPLICAS: u32 = 20;
/// Where agents answer their health check.
pub const HEALTH_PATH: &str = "/health";

/// What `deploy-agent` was asked to do, settings resolved.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub agent: String,
    pub target: Target,
    pub environment: String,
    pub replicas: u32,
    /// Wait until every replica is healthy, rolling back when one is not.
    pub wait: bool,
    pub startup_timeout: Duration,
    pub skip_scan: bool,
    /// The first replica's port (then one up for each next replica); free ports otherwise.
    pub port: Option<u16>,
    /// Overrides of the agent's memory and CPU limits.
    pub memory: Option<String>,
    pub cpu: Option<String>,
    /// Filled in by `deploy`: the port of each replica.
    pub ports: Vec<u16>,
    pub local: local::LocalOptions,
    pub docker: docker::DockerOptions,
    pub kubernetes: kubernetes::KubernetesOptions,
}

/// The agent's name, project and resource limits, as its record says.
#[derive(Debug, Clone)]
pub struct AgentShape {
    pub name: String,
    pub slug: String,
    pub project_dir: PathBuf,
    pub memory: String,
    pub cpu: String,
    pub port: u16,
    pub commit: Option<String>,
}

impl AgentShape {
    pub fn of(a: &AgentRecord) -> AgentShape {
        let limits = &a.spec["deployment_config"]["resource_limits"];
        AgentShape {
            name: a.name.clone(),
            slug: a.name.replace('_', "-"),
            project_dir: PathBuf::from(&a.project_dir),
            memory: limits["memory"].as_str().unwrap_or("512M").to_owned(),
            cpu: limits["cpu"].as_str().unwrap_or("0.5").to_owned(),
            port: crate::model::AGENT_PORT,
            commit: a.commit.clone(),
        }
    }
}

/// One backend per target.
#[allow(async_fn_in_trait)]
pub trait DeployBackend {
    /// Start `req.replicas` replicas, recording each in `record` (and the store) as it
    /// starts; replicas of an earlier deployment are replaced only once the new ones are up.
    async fn deploy(
        &self,
        store: &dyn DomainStore,
        shape: &AgentShape,
        req: &DeployRequest,
        record: &mut DeploymentRecord,
        progress: &dyn Progress,
    ) -> Result<()>;
    /// Look at every replica and record what it is doing now.
    async fn status(&self, record: &mut DeploymentRecord) -> Result<()>;
    /// The log of one replica: its last `tail` lines.
    async fn logs(&self, record: &DeploymentRecord, replica: u32, tail: usize) -> Result<String>;
    /// Stop and remove everything of this deployment.
    async fn undeploy(&self, record: &DeploymentRecord) -> Result<()>;
}

/// What `deploy-agent` reports.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DeployOutcome {
    pub deployment: DeploymentRecord,
    pub endpoints: Vec<String>,
    pub scan: Option<scan::ScanReport>,
    pub warnings: Vec<String>,
}

/// The ports the replicas will listen on: `first` and up when given (each must be free),
/// else free ones.
pub fn ports(first: Option<u16>, n: u32) -> Result<Vec<u16>> {
    match first {
        Some(p) => {
            let mut out = Vec::new();
            for i in 0..n {
                let port = p
                    .checked_add(i as u16)
                    .filter(|x| *x >= 1024)
                    .ok_or_else(|| {
                        Error::invalid(
                            "--port",
                            format!("{p} + {i} is not a usable port (1024 to 65535)"),
                        )
                    })?;
                if !crate::net::port_free(port) {
                    return Err(Error::invalid(
                        "--port",
                        format!("port {port} on 127.0.0.1 is already in use (replica {i} would listen there); pick another --port, or leave it out to use free ports"),
                    ));
                }
                out.push(port);
            }
            Ok(out)
        }
        None => (0..n).map(|_| crate::net::free_port()).collect(),
    }
}

pub fn check_replicas(n: u32) -> Result<()> {
    if n == 0 || n > MAX_REPLICAS {
        return Err(Error::invalid(
            "--replicas",
            format!("{n} is out of range: a deployment has 1 to {MAX_REPLICAS} replicas"),
        ));
    }
    Ok(())
}

pub fn agent(store: &dyn DomainStore, name: &str) -> Result<AgentRecord> {
    store.agent(name)?.ok_or_else(|| {
        Error::not_found(
            format!("no agent named `{name}`"),
            Some("`pc-hybrid list-agents` shows the agents; `pc-hybrid create-agent` makes one"),
        )
    })
}

/// Deploy an agent: the one entry point behind `deploy-agent`, `create-agent --auto-deploy`
/// and, later, the daemon.
pub async fn deploy(
    store: &dyn DomainStore,
    req: &DeployRequest,
    progress: &dyn Progress,
) -> Result<DeployOutcome> {
    check_replicas(req.replicas)?;
    let a = agent(store, &req.agent)?;
    let mut shape = AgentShape::of(&a);
    if let Some(m) = &req.memory {
        crate::quantity::parse_bytes(m).map_err(|e| Error::invalid("--memory", e))?;
        shape.memory = m.clone();
    }
    if let Some(c) = &req.cpu {
        crate::quantity::parse_millicpu(c).map_err(|e| Error::invalid("--cpu", e))?;
        shape.cpu = c.clone();
    }
    let mut req = req.clone();
    req.ports = ports(req.port, req.replicas)?;
    let req = &req;
    if !shape.project_dir.is_dir() {
        return Err(Error::failed(
            format!(
                "the project of {} is gone from {}",
                a.name,
                shape.project_dir.display()
            ),
            Some("recreate it with `pc-hybrid create-agent --force`"),
        ));
    }
    crate::quantity::parse_bytes(&shape.memory)
        .map_err(|m| Error::invalid("/agent_spec/deployment_config/resource_limits/memory", m))?;
    crate::quantity::parse_millicpu(&shape.cpu)
        .map_err(|m| Error::invalid("/agent_spec/deployment_config/resource_limits/cpu", m))?;

    let mut warnings = Vec::new();
    let scan = if req.target == Target::Local {
        None
    } else if req.skip_scan {
        warnings.push(
            "the pre-deploy scan was skipped (--skip-scan); this is recorded with the deployment"
                .into(),
        );
        None
    } else {
        let report = scan::scan(&shape.project_dir, req.environment == "production");
        if !report.findings.is_empty() {
            if req.environment == "production" {
                return Err(Error::failed(
                    format!(
                        "the pre-deploy scan found {} problem(s); production deploys are blocked:\n{}",
                        report.findings.len(),
                        report.lines().join("\n")
                    ),
                    Some("fix them, or deploy to development/staging where they are warnings"),
                ));
            }
            for l in report.lines() {
                warnings.push(format!("pre-deploy scan: {l}"));
            }
        }
        Some(report)
    };

    let now = Utc::now();
    let previous = store.deployment(&a.name, req.target)?;
    let mut record = DeploymentRecord {
        agent_name: a.name.clone(),
        target: req.target,
        environment: req.environment.clone(),
        status: DeploymentStatus::Deploying,
        replicas_wanted: req.replicas,
        artifact: previous.as_ref().and_then(|p| p.artifact.clone()),
        created_at: previous.as_ref().map(|p| p.created_at).unwrap_or(now),
        updated_at: now,
        // Replicas an interrupted deploy was about to retire are old replicas too.
        replicas: previous.as_ref().map(all_replicas).unwrap_or_default(),
        detail: serde_json::json!({"skip_scan": req.skip_scan}),
    };
    if req.target == Target::Docker {
        record.detail["docker_host"] = serde_json::json!(req.docker.host);
    }
    store.save_deployment(&record)?;
    let result = match req.target {
        Target::Local => {
            local::Local
                .deploy(store, &shape, req, &mut record, progress)
                .await
        }
        Target::Docker => {
            docker::Docker
                .deploy(store, &shape, req, &mut record, progress)
                .await
        }
        Target::Kubernetes => {
            kubernetes::Kubernetes
                .deploy(store, &shape, req, &mut record, progress)
                .await
        }
    };
    if let Some(w) = record.detail.get("warnings").and_then(|w| w.as_array()) {
        warnings.extend(w.iter().filter_map(|x| x.as_str().map(str::to_owned)));
    }
    match result {
        Ok(()) => {
            record.status = DeploymentStatus::Running;
            record.updated_at = Utc::now();
            store.save_deployment(&record)?;
        }
        Err(e) => {
            // What was running before (if anything) still runs; record that.
            match previous {
                Some(mut p) => {
                    p.updated_at = Utc::now();
                    store.save_deployment(&p)?;
                }
                None => {
                    store.remove_deployment(&record.agent_name, record.target)?;
                }
            }
            return Err(e);
        }
    }
    let endpoints = record.replicas.iter().map(|r| r.endpoint.clone()).collect();
    Ok(DeployOutcome {
        deployment: record,
        endpoints,
        scan,
        warnings,
    })
}

/// The live health of every deployment (of one agent, or all), as probed now. Nothing is
/// stored: a listing stays a read (audited as one), and the next look probes again; what
/// is recorded changes only by the operations that act (deploy, undeploy, restart).
pub async fn observe(
    store: &dyn DomainStore,
    agent: Option<&str>,
    locks: &std::path::Path,
) -> Result<Vec<DeploymentRecord>> {
    let mut out = Vec::new();
    for mut d in store.deployments(agent)? {
        // A deployment being changed is shown as recorded: a probe half-way through a
        // change would show replicas that are about to be replaced or removed.
        let Some(_lock) = lock::try_take(locks, &d.agent_name)? else {
            out.push(d);
            continue;
        };
        let Some(current) = store.deployment(&d.agent_name, d.target)? else {
            continue;
        };
        d = current;
        match d.target {
            Target::Local => local::Local.status(&mut d).await?,
            Target::Docker => docker::Docker.status(&mut d).await?,
            Target::Kubernetes => kubernetes::Kubernetes.status(&mut d).await?,
        }
        out.push(d);
    }
    Ok(out)
}

fn targets_of(
    store: &dyn DomainStore,
    agent: &str,
    target: Option<Target>,
) -> Result<Vec<DeploymentRecord>> {
    let all = store.deployments(Some(agent))?;
    let chosen: Vec<DeploymentRecord> = all
        .into_iter()
        .filter(|d| target.is_none_or(|t| d.target == t))
        .collect();
    if chosen.is_empty() {
        return Err(Error::not_found(
            format!(
                "{agent} is not deployed{}",
                target.map(|t| format!(" to {t}")).unwrap_or_default()
            ),
            Some("`pc-hybrid list-agents` shows the deployments"),
        ));
    }
    Ok(chosen)
}

/// Stop and forget the deployments of an agent (to one target, or all).
pub async fn undeploy(
    store: &dyn DomainStore,
    agent: &str,
    target: Option<Target>,
) -> Result<Vec<DeploymentRecord>> {
    let chosen = targets_of(store, agent, target)?;
    for d in &chosen {
        let mut removing = d.clone();
        removing.status = DeploymentStatus::Removing;
        removing.updated_at = Utc::now();
        store.save_deployment(&removing)?;
        match d.target {
            Target::Local => local::Local.undeploy(d).await?,
            Target::Docker => docker::Docker.undeploy(d).await?,
            Target::Kubernetes => kubernetes::Kubernetes.undeploy(d).await?,
        }
        store.remove_deployment(&d.agent_name, d.target)?;
    }
    Ok(chosen)
}

/// Bring back replicas that are not healthy (or all of them).
pub async fn restart(
    store: &dyn DomainStore,
    agent_name: &str,
    target: Option<Target>,
    all: bool,
    req_local: &local::LocalOptions,
    timeout: Duration,
) -> Result<Vec<DeploymentRecord>> {
    let a = agent(store, agent_name)?;
    let shape = AgentShape::of(&a);
    let mut out = Vec::new();
    for mut d in targets_of(store, agent_name, target)? {
        match d.target {
            Target::Local => {
                local::Local.status(&mut d).await?;
                local::restart(store, &shape, &mut d, req_local, all, timeout).await?;
            }
            Target::Docker => {
                docker::Docker.status(&mut d).await?;
                docker::restart(&mut d, all, timeout).await?;
            }
            other @ Target::Kubernetes => {
                return Err(Error::usage(
                    format!("restart is not available for the {other} target"),
                    None,
                ))
            }
        }
        d.status = DeploymentStatus::Running;
        d.updated_at = Utc::now();
        out.push(d);
    }
    Ok(out)
}

pub async fn logs(
    store: &dyn DomainStore,
    agent: &str,
    target: Option<Target>,
    replica: u32,
    tail: usize,
) -> Result<(DeploymentRecord, String)> {
    let d = targets_of(store, agent, target)?.remove(0);
    if !d.replicas.iter().any(|r| r.index == replica) {
        return Err(Error::not_found(
            format!("{agent} has no replica {replica} on {}", d.target),
            Some("replicas are numbered from 0; `pc-hybrid list-agents` shows them"),
        ));
    }
    let text = match d.target {
        Target::Local => local::Local.logs(&d, replica, tail).await?,
        Target::Docker => docker::Docker.logs(&d, replica, tail).await?,
        other @ Target::Kubernetes => {
            return Err(Error::usage(
                format!("logs are not available for the {other} target"),
                None,
            ))
        }
    };
    Ok((d, text))
}

/// Hand what is appended to a replica's log to `write` until it returns false; it is
/// called with nothing while no new output comes, so that it can say its reader has gone.
pub async fn follow(
    d: &DeploymentRecord,
    replica: u32,
    write: &(dyn Fn(&[u8]) -> bool + Sync),
) -> Result<()> {
    match d.target {
        Target::Docker => docker::follow(d, replica, write).await,
        _ => match d
            .replicas
            .iter()
            .find(|r| r.index == replica)
            .and_then(|r| r.log.clone())
        {
            Some(path) => local::follow(std::path::Path::new(&path), write).await,
            None => Ok(()),
        },
    }
}

/// One GET of a health URL: Ok(status) or a reason.
pub async fn probe(http: &reqwest::Client, url: &str) -> std::result::Result<u16, String> {
    match http.get(url).timeout(Duration::from_secs(2)).send().await {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(crate::net::describe(&e)),
    }
}

/// A record's replicas, and those an interrupted redeploy was about to retire.
pub fn all_replicas(record: &DeploymentRecord) -> Vec<ReplicaRecord> {
    let mut all = record.replicas.clone();
    if let Some(retiring) = record.detail.get("retiring") {
        all.extend(
            serde_json::from_value::<Vec<ReplicaRecord>>(retiring.clone()).unwrap_or_default(),
        );
    }
    all
}

fn health_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}{HEALTH_PATH}")
}

/// Record what a replica is doing now: `dead` unless `alive`, else its health check says.
pub async fn check_replica(http: &reqwest::Client, r: &mut ReplicaRecord, alive: bool) {
    r.state = if !alive {
        ReplicaState::Dead
    } else {
        match probe(http, &health_url(r.port)).await {
            Ok(200..=299) => ReplicaState::Healthy,
            _ => ReplicaState::Unhealthy,
        }
    };
    r.last_check = Some(Utc::now());
}

/// Wait until every replica answers its health check. `alive` says whether a replica still
/// runs; the first that dies, or is not healthy by `deadline`, is named with the reason.
pub async fn wait_healthy<F, Fut>(
    replicas: &mut [ReplicaRecord],
    deadline: std::time::Instant,
    alive: F,
    progress: &dyn Progress,
) -> std::result::Result<(), (u32, String)>
where
    F: Fn(&ReplicaRecord) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let http = crate::net::client().map_err(|e| (0, e.to_string()))?;
    let mut pending: Vec<usize> = (0..replicas.len()).collect();
    let mut last = String::new();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for &i in &pending {
            let url = health_url(replicas[i].port);
            match probe(&http, &url).await {
                Ok(200..=299) => {
                    replicas[i].state = ReplicaState::Healthy;
                    replicas[i].last_check = Some(Utc::now());
                }
                other => {
                    if !alive(&replicas[i]).await {
                        replicas[i].state = ReplicaState::Dead;
                        return Err((replicas[i].index, "exited before it became healthy".into()));
                    }
                    last = match other {
                        Ok(code) => format!("{url} answered {code}"),
                        Err(e) => format!("{url}: {e}"),
                    };
                    still.push(i);
                }
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if std::time::Instant::now() >= deadline {
            return Err((
                replicas[pending[0]].index,
                format!("did not become healthy within the startup timeout ({last})"),
            ));
        }
        if progress.cancelled() {
            return Err((
                replicas[pending[0]].index,
                "was interrupted before it became healthy (Ctrl-C, or the daemon's client went away)".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(())
}

/// The last `n` lines of a text.
pub fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

pub fn replica_healthy(r: &ReplicaRecord) -> bool {
    r.state == ReplicaState::Healthy
}

/// What an agent is, seen with its deployments: `deployed` when a deployment serves it (a
/// healthy replica, or rendered manifests), `degraded` when it is deployed but nothing of
/// it is healthy, else what its record says (`created`).
pub fn agent_status(recorded: AgentStatus, deployments: &[DeploymentRecord]) -> AgentStatus {
    if deployments.is_empty() {
        return recorded;
    }
    let serving = deployments.iter().any(|d| {
        (d.target == Target::Kubernetes && d.status == DeploymentStatus::Running)
            || d.replicas.iter().any(replica_healthy)
    });
    if serving {
        AgentStatus::Deployed
    } else {
        AgentStatus::Degraded
    }
}
