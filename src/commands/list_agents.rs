//! `pc-hybrid list-agents`: agents with domain, status and repository, and each deployment
//! with its replicas wanted and healthy, endpoints, artifact and last health check.

use serde::Serialize;

use crate::deploy;
use crate::ops::AgentRow;
use crate::output::{Output, Tabular};

use super::when;

#[derive(Serialize)]
#[serde(transparent)]
pub struct Agents<'a>(pub &'a [AgentRow]);

impl Tabular for Agents<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "name",
            "display name",
            "domain",
            "status",
            "created",
            "repository",
        ]);
        let mut d = out.table(&[
            "agent",
            "target",
            "environment",
            "replicas (healthy/wanted)",
            "endpoints",
            "artifact",
            "last check",
        ]);
        let mut any = false;
        for row in self.0 {
            let a = &row.agent;
            t.add_row(vec![
                a.name.clone(),
                a.display_name.clone(),
                a.domain.clone(),
                a.status.to_string(),
                when(&a.created_at),
                a.repository_url
                    .clone()
                    .unwrap_or_else(|| a.project_dir.clone()),
            ]);
            for dep in &row.deployments {
                any = true;
                let healthy = dep
                    .replicas
                    .iter()
                    .filter(|r| deploy::replica_healthy(r))
                    .count();
                let states: Vec<String> = dep
                    .replicas
                    .iter()
                    .filter(|r| !deploy::replica_healthy(r))
                    .map(|r| format!("#{} {}", r.index, r.state))
                    .collect();
                let replicas = if dep.target == deploy::Target::Kubernetes {
                    format!("{} (rendered)", dep.replicas_wanted)
                } else if states.is_empty() {
                    format!("{healthy}/{}", dep.replicas_wanted)
                } else {
                    format!("{healthy}/{} ({})", dep.replicas_wanted, states.join(", "))
                };
                d.add_row(vec![
                    a.name.clone(),
                    dep.target.to_string(),
                    dep.environment.clone(),
                    replicas,
                    dep.replicas
                        .iter()
                        .map(|r| r.endpoint.clone())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    dep.artifact.clone().unwrap_or_default(),
                    dep.replicas
                        .iter()
                        .filter_map(|r| r.last_check)
                        .max()
                        .map(|t| when(&t))
                        .unwrap_or_default(),
                ]);
            }
        }
        if any {
            vec![t, d]
        } else {
            vec![t]
        }
    }
}
