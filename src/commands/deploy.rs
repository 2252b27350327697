//! `deploy-agent`, `undeploy`, `logs` and `restart`: settings resolved into a request for
//! the deploy module, its result rendered.

use std::io::{Read, Seek, SeekFrom};
use std::time::Duration;

use serde::Serialize;

use crate::cli::{DeployAgentArgs, LogsArgs, RestartArgs, UndeployArgs};
use crate::deploy::docker::DockerOptions;
use crate::deploy::{
    self, kubernetes::KubernetesOptions, local::LocalOptions, DeployOutcome, DeployRequest,
};
use crate::error::Result;
use crate::output::{Output, Tabular};
use crate::settings::Settings;
use crate::store::DeploymentRecord;

use super::{open_store, when};

pub fn local_options(s: &Settings) -> LocalOptions {
    LocalOptions {
        python: s.python.value.clone(),
        envs_dir: s.envs_dir.clone(),
        logs_dir: s.paths.data_dir.join("logs"),
    }
}

/// The request `deploy-agent` (and `create-agent --auto-deploy`) makes.
pub fn request(a: &DeployAgentArgs, s: &Settings) -> DeployRequest {
    DeployRequest {
        agent: a.name.clone(),
        target: a.target.as_str().into(),
        environment: a.environment.as_str().into(),
        replicas: a.replicas,
        wait: a.wait,
        startup_timeout: Duration::from_secs(a.timeout as u64),
        skip_scan: a.skip_scan,
        port: a.port,
        memory: a.memory.clone(),
        cpu: a.cpu.clone(),
        ports: Vec::new(),
        local: local_options(s),
        docker: DockerOptions {
            host: s.docker_host.value.clone(),
            registry: s.registry_url.value.clone(),
            base_image: (s.base_image.source != crate::settings::Source::Default)
                .then(|| s.base_image.value.clone()),
        },
        kubernetes: KubernetesOptions {
            manifests_dir: a
                .manifests_dir
                .clone()
                .unwrap_or_else(|| s.paths.data_dir.join("manifests").join(&a.name)),
            apply: a.apply,
            kubeconfig: s.kubeconfig.clone(),
            registry: s.registry_url.value.clone(),
            namespace: a.namespace.clone(),
        },
    }
}

pub async fn deploy(a: &DeployAgentArgs, s: &Settings, out: &Output) -> Result<()> {
    let store = open_store(s)?;
    let req = request(a, s);
    let outcome = {
        let progress = out.progress(&format!("deploy {}", a.name));
        deploy::deploy(store.as_ref(), &req, &progress).await?
    };
    for w in &outcome.warnings {
        out.warn(w);
    }
    out.data(&Deployed(outcome))
}

struct Deployed(DeployOutcome);

impl Serialize for Deployed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

pub fn replicas_table(out: &Output, d: &DeploymentRecord) -> comfy_table::Table {
    let mut t = out.table(&["replica", "state", "endpoint", "process", "last check"]);
    for r in &d.replicas {
        t.add_row(vec![
            r.index.to_string(),
            r.state.clone(),
            r.endpoint.clone(),
            r.pid
                .map(|p| format!("pid {p}"))
                .or_else(|| {
                    r.container_id
                        .as_ref()
                        .map(|c| c[..c.len().min(12)].to_string())
                })
                .unwrap_or_default(),
            r.last_check.as_ref().map(when).unwrap_or_default(),
        ]);
    }
    t
}

impl Tabular for Deployed {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let d = &self.0.deployment;
        let mut rows = vec![
            ("agent", d.agent_name.clone()),
            ("target", d.target.clone()),
            ("environment", d.environment.clone()),
            ("status", d.status.clone()),
            ("replicas", d.replicas_wanted.to_string()),
            ("artifact", d.artifact.clone().unwrap_or_default()),
        ];
        if let Some(dir) = d.detail.get("manifests_dir").and_then(|v| v.as_str()) {
            rows.push(("manifests", dir.to_owned()));
        }
        let mut v = vec![out.record(&rows)];
        if !d.replicas.is_empty() {
            v.push(replicas_table(out, d));
        }
        v
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Removed(Vec<DeploymentRecord>);

impl Tabular for Removed {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["undeployed", "target", "replicas"]);
        for d in &self.0 {
            t.add_row(vec![
                d.agent_name.clone(),
                d.target.clone(),
                d.replicas.len().to_string(),
            ]);
        }
        vec![t]
    }
}

pub async fn undeploy(a: &UndeployArgs, s: &Settings, out: &Output) -> Result<()> {
    let store = open_store(s)?;
    let removed = deploy::undeploy(store.as_ref(), &a.name, a.target.map(|t| t.as_str())).await?;
    out.data(&Removed(removed))
}

pub async fn restart(a: &RestartArgs, s: &Settings, out: &Output) -> Result<()> {
    let store = open_store(s)?;
    let done = deploy::restart(
        store.as_ref(),
        &a.name,
        a.target.map(|t| t.as_str()),
        a.all,
        &local_options(s),
        Duration::from_secs(a.timeout as u64),
    )
    .await?;
    out.data(&Restarted(done))
}

#[derive(Serialize)]
#[serde(transparent)]
struct Restarted(Vec<DeploymentRecord>);

impl Tabular for Restarted {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        self.0.iter().map(|d| replicas_table(out, d)).collect()
    }
}

pub async fn logs(a: &LogsArgs, s: &Settings, out: &Output) -> Result<()> {
    let store = open_store(s)?;
    let (d, text) = deploy::logs(
        store.as_ref(),
        &a.name,
        a.target.map(|t| t.as_str()),
        a.replica,
        a.tail,
    )
    .await?;
    out.raw(text.as_bytes());
    if !text.is_empty() && !text.ends_with('\n') {
        out.raw(b"\n");
    }
    if !a.follow {
        return Ok(());
    }
    if d.target == "docker" {
        tokio::select! {
            r = deploy::docker::follow(&d, a.replica, |b| out.raw(b)) => return r,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
    let Some(path) = d
        .replicas
        .iter()
        .find(|r| r.index == a.replica)
        .and_then(|r| r.log.clone())
    else {
        return Ok(());
    };
    let mut f = std::fs::File::open(&path).map_err(|e| crate::error::Error::io(path.clone(), e))?;
    let mut pos = f
        .seek(SeekFrom::End(0))
        .map_err(|e| crate::error::Error::io(path.clone(), e))?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        let len = f.metadata().map(|m| m.len()).unwrap_or(pos);
        if len < pos {
            // The log was replaced (a redeploy): start from its beginning.
            f = std::fs::File::open(&path).map_err(|e| crate::error::Error::io(path.clone(), e))?;
            pos = 0;
        }
        let mut buf = Vec::new();
        f.seek(SeekFrom::Start(pos))
            .map_err(|e| crate::error::Error::io(path.clone(), e))?;
        f.read_to_end(&mut buf)
            .map_err(|e| crate::error::Error::io(path.clone(), e))?;
        pos += buf.len() as u64;
        out.raw(&buf);
    }
}
