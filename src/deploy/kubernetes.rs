//! The kubernetes target: Deployment, Service, ConfigMap, NetworkPolicy and (from 2
//! replicas) PodDisruptionBudget, with resources, probes and a restricted security context;
//! written to a folder and applied with `kubectl` when a kubeconfig is given.

use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;
use serde_json::{json, Value};

use super::{AgentShape, DeployBackend, DeployRequest};
use crate::error::{Error, Result};
use crate::model::StepStatus;
use crate::progress::Progress;
use crate::store::{DeploymentRecord, DomainStore};

#[derive(Debug, Clone, Default)]
pub struct KubernetesOptions {
    /// Where the manifests are written (default: the data directory).
    pub manifests_dir: PathBuf,
    pub apply: bool,
    pub kubeconfig: Option<PathBuf>,
    /// Image registry (`localhost:5000`).
    pub registry: String,
    pub namespace: String,
}

pub struct Kubernetes;

/// Kubernetes wants `512M`-style quantities as they are; Docker-style `512m` (mebibytes)
/// would read as milli-bytes there, so memory is always written in bytes.
fn k8s_memory(m: &str) -> String {
    crate::quantity::parse_bytes(m)
        .map(|b| b.to_string())
        .unwrap_or_else(|_| m.to_owned())
}

fn k8s_cpu(c: &str) -> String {
    crate::quantity::parse_millicpu(c)
        .map(|m| format!("{m}m"))
        .unwrap_or_else(|_| c.to_owned())
}

/// The manifests of a deployment, as (file name, object).
/// What the pods may reach: from the agent's sandbox level in the registry, and whether it
/// pulls knowledge from APIs or databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Egress {
    /// DNS only (sandbox `strict`, or nothing to pull).
    DnsOnly,
    /// DNS, HTTPS and PostgreSQL (sandbox `standard` with API or database sources).
    Sources,
    /// Anything (sandbox `permissive`).
    Any,
}

pub fn egress(sandbox_level: &str, pulls: bool) -> Egress {
    match (sandbox_level, pulls) {
        ("strict", _) => Egress::DnsOnly,
        ("permissive", _) => Egress::Any,
        (_, true) => Egress::Sources,
        _ => Egress::DnsOnly,
    }
}

pub fn render(
    shape: &AgentShape,
    req: &DeployRequest,
    image: &str,
    egress: Egress,
) -> Vec<(String, Value)> {
    let name = &shape.slug;
    let ns = if req.kubernetes.namespace.is_empty() {
        "default"
    } else {
        &req.kubernetes.namespace
    };
    let labels = json!({
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "promptcraft",
        "app.kubernetes.io/managed-by": "pc-hybrid",
        "promptcraft.agent": shape.name,
        "promptcraft.environment": req.environment,
    });
    let selector =
        json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "promptcraft"});
    let config =
        std::fs::read_to_string(shape.project_dir.join("config/config.yaml")).unwrap_or_default();
    let resources = json!({
        "limits": {"memory": k8s_memory(&shape.memory), "cpu": k8s_cpu(&shape.cpu)},
        "requests": {"memory": k8s_memory(&shape.memory), "cpu": k8s_cpu(&shape.cpu)},
    });
    let probe = |initial: u32| {
        json!({
            "httpGet": {"path": super::HEALTH_PATH, "port": "http"},
            "initialDelaySeconds": initial,
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        })
    };
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": req.replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "automountServiceAccountToken": false,
                    "securityContext": {
                        "runAsNonRoot": true,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "fsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [{
                        "name": "agent",
                        "image": image,
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "http", "containerPort": shape.port, "protocol": "TCP"}],
                        "env": [
                            {"name": "AGENT_TRANSPORT", "value": "streamable-http"},
                            {"name": "AGENT_HOST", "value": "0.0.0.0"},
                            {"name": "AGENT_PORT", "value": shape.port.to_string()},
                        ],
                        "resources": resources,
                        "readinessProbe": probe(5),
                        "livenessProbe": probe(20),
                        "startupProbe": {
                            "httpGet": {"path": super::HEALTH_PATH, "port": "http"},
                            "periodSeconds": 2,
                            "failureThreshold": 30,
                        },
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "privileged": false,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [
                            {"name": "config", "mountPath": "/app/config", "readOnly": true},
                            {"name": "pulled", "mountPath": "/app/knowledge/pulled"},
                            {"name": "tmp", "mountPath": "/tmp"},
                        ],
                    }],
                    "volumes": [
                        {"name": "config", "configMap": {"name": format!("{name}-config")}},
                        {"name": "pulled", "emptyDir": {}},
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                },
            },
        },
    });
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "type": "ClusterIP",
            "selector": selector,
            "ports": [{"name": "http", "port": shape.port, "targetPort": "http", "protocol": "TCP"}],
        },
    });
    let configmap = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": format!("{name}-config"), "namespace": ns, "labels": labels},
        "data": {"config.yaml": config},
    });
    // Ingress from the platform's pods only; egress as the sandbox level allows.
    let mut egress_rules = vec![json!({
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    })];
    match egress {
        Egress::DnsOnly => {}
        Egress::Sources => egress_rules.push(json!({
            "ports": [
                {"protocol": "TCP", "port": 443},
                {"protocol": "TCP", "port": 5432},
            ],
        })),
        Egress::Any => egress_rules = vec![json!({})],
    }
    let netpol = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "podSelector": {"matchLabels": selector},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{
                "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "promptcraft"}}}],
                "ports": [{"protocol": "TCP", "port": shape.port}],
            }],
            "egress": egress_rules,
        },
    });
    let mut out = vec![
        ("configmap.yaml".to_string(), configmap),
        ("deployment.yaml".to_string(), deployment),
        ("service.yaml".to_string(), service),
        ("networkpolicy.yaml".to_string(), netpol),
    ];
    if req.replicas >= 2 {
        out.push((
            "poddisruptionbudget.yaml".into(),
            json!({
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": name, "namespace": ns, "labels": labels},
                "spec": {"minAvailable": req.replicas - 1, "selector": {"matchLabels": selector}},
            }),
        ));
    }
    out
}

fn pulls_from_network(project: &std::path::Path) -> bool {
    let cfg = std::fs::read_to_string(project.join("config/config.yaml")).unwrap_or_default();
    cfg.contains("type: api") || cfg.contains("type: database")
}

impl DeployBackend for Kubernetes {
    async fn deploy(
        &self,
        store: &dyn DomainStore,
        shape: &AgentShape,
        req: &DeployRequest,
        record: &mut DeploymentRecord,
        progress: &dyn Progress,
    ) -> Result<()> {
        let dir = &req.kubernetes.manifests_dir;
        let sandbox = store
            .registry_entries()?
            .into_iter()
            .find(|e| e.agent_name.as_deref() == Some(shape.name.as_str()))
            .and_then(|e| {
                e.manifest.value()["spec"]["security"]["sandboxLevel"]
                    .as_str()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "standard".into());
        progress.step(
            0,
            2,
            "render",
            StepStatus::Running,
            Some(&format!("writing manifests to {}", dir.display())),
        );
        let (image, _) = super::docker::image(shape, &req.kubernetes.registry);
        let docs = render(
            shape,
            req,
            &image,
            egress(&sandbox, pulls_from_network(&shape.project_dir)),
        );
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let mut all = String::new();
        for (file, doc) in &docs {
            let yaml = serde_yaml_ng::to_string(doc).map_err(|e| Error::Internal(e.to_string()))?;
            let path = dir.join(file);
            std::fs::write(&path, &yaml)
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            all.push_str("---\n");
            all.push_str(&yaml);
        }
        record.artifact = Some(image);
        record.detail["manifests_dir"] = json!(dir.display().to_string());
        record.detail["files"] = json!(docs.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>());
        record.replicas.clear();
        if req.kubernetes.apply {
            let Some(kubeconfig) = req.kubernetes.kubeconfig.as_ref().filter(|k| k.is_file())
            else {
                return Err(Error::unavailable(
                    "--apply needs a kubeconfig, and none was found",
                    Some("set KUBECONFIG or create ~/.kube/config; the manifests were written and can be applied by hand"),
                ));
            };
            progress.step(1, 2, "apply", StepStatus::Running, Some("kubectl apply"));
            let mut child = std::process::Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(kubeconfig)
                .args(["apply", "-f", "-"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| {
                    Error::unavailable(format!("running kubectl: {e}"), Some("install kubectl"))
                })?;
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(all.as_bytes());
            }
            let out = child
                .wait_with_output()
                .map_err(|e| Error::io("kubectl", e))?;
            if !out.status.success() {
                return Err(Error::failed(
                    format!(
                        "kubectl apply failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                    None,
                ));
            }
            record.detail["applied_at"] = json!(Utc::now());
        }
        Ok(())
    }

    async fn status(&self, _record: &mut DeploymentRecord) -> Result<()> {
        // No cluster is watched: the record says what was rendered or applied.
        Ok(())
    }

    async fn logs(
        &self,
        _record: &DeploymentRecord,
        _replica: u32,
        _tail: usize,
    ) -> Result<String> {
        Err(Error::usage(
            "logs of kubernetes deployments come from the cluster: kubectl logs",
            None,
        ))
    }

    async fn undeploy(&self, record: &DeploymentRecord) -> Result<()> {
        if let Some(dir) = record.detail.get("manifests_dir").and_then(Value::as_str) {
            for f in record
                .detail
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(f) = f.as_str() {
                    let _ = std::fs::remove_file(PathBuf::from(dir).join(f));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egress_follows_the_sandbox_level() {
        assert_eq!(egress("strict", true), Egress::DnsOnly);
        assert_eq!(egress("standard", true), Egress::Sources);
        assert_eq!(egress("standard", false), Egress::DnsOnly);
        assert_eq!(egress("permissive", false), Egress::Any);
    }
}
