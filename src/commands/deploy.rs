//! `deploy-agent`, `undeploy`, `logs` and `restart`: flags into operation requests, and
//! their results as tables.

use serde::Serialize;

use crate::cli::{DeployAgentArgs, LogsArgs, RestartArgs, UndeployArgs};
use crate::deploy::DeployOutcome;
use crate::ops::{self, Request};
use crate::output::{Output, Tabular};
use crate::store::DeploymentRecord;

use super::when;

pub fn deploy_request(a: &DeployAgentArgs) -> Request {
    Request::Deploy(Box::new(ops::Deploy {
        name: a.name.clone(),
        environment: a.environment,
        replicas: a.replicas,
        target: a.target,
        wait: a.wait,
        timeout_seconds: a.timeout,
        skip_scan: a.skip_scan,
        port: a.port,
        memory: a.memory.clone(),
        cpu: a.cpu.clone(),
        manifests_dir: a
            .manifests_dir
            .as_deref()
            .map(super::create_agent::absolute),
        apply: a.apply,
        namespace: a.namespace.clone(),
    }))
}

pub fn undeploy_request(a: &UndeployArgs) -> Request {
    Request::Undeploy(ops::Undeploy {
        name: a.name.clone(),
        target: a.target,
    })
}

pub fn logs_request(a: &LogsArgs) -> Request {
    Request::Logs(ops::Logs {
        name: a.name.clone(),
        replica: a.replica,
        target: a.target,
        tail: a.tail,
        follow: a.follow,
    })
}

pub fn restart_request(a: &RestartArgs) -> Request {
    Request::Restart(ops::Restart {
        name: a.name.clone(),
        target: a.target,
        all: a.all,
        timeout_seconds: a.timeout,
    })
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Deployed<'a>(pub &'a DeployOutcome);

pub fn replicas_table(out: &Output, d: &DeploymentRecord) -> comfy_table::Table {
    let mut t = out.table(&["replica", "state", "endpoint", "process", "last check"]);
    for r in &d.replicas {
        t.add_row(vec![
            r.index.to_string(),
            r.state.to_string(),
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

impl Tabular for Deployed<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let d = &self.0.deployment;
        let mut rows = vec![
            ("agent", d.agent_name.clone()),
            ("target", d.target.to_string()),
            ("environment", d.environment.clone()),
            ("status", d.status.to_string()),
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
pub struct Removed<'a>(pub &'a [DeploymentRecord]);

impl Tabular for Removed<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["undeployed", "target", "replicas"]);
        for d in self.0 {
            t.add_row(vec![
                d.agent_name.clone(),
                d.target.to_string(),
                d.replicas.len().to_string(),
            ]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Restarted<'a>(pub &'a [DeploymentRecord]);

impl Tabular for Restarted<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        self.0.iter().map(|d| replicas_table(out, d)).collect()
    }
}
