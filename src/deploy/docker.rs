//! The docker target (bollard, real Docker Engine): the image built from the agent's
//! Dockerfile (tar context, build output streamed to the progress display), tagged
//! `<registry>/<name>:<git short sha>` and pushed when a registry is configured, replicas as
//! locked-down containers on loopback ports, rolled out new-before-old.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use bollard::models::{ContainerCreateBody, HostConfig, RestartPolicy, RestartPolicyNameEnum};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, LogsOptionsBuilder,
    PushImageOptionsBuilder,
};
use chrono::Utc;
use futures_util::StreamExt;

use super::{AgentShape, DeployBackend, DeployRequest};
use crate::error::{Error, Result};
use crate::model::StepStatus;
use crate::progress::Progress;
use crate::store::{DeploymentRecord, DomainStore, ReplicaRecord, ReplicaState};

#[derive(Debug, Clone, Default)]
pub struct DockerOptions {
    pub host: String,
    /// Image registry (`localhost:5000`); empty for none.
    pub registry: String,
    /// Build argument BASE_IMAGE, when set.
    pub base_image: Option<String>,
}

pub struct Docker;

const SKIP: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    "node_modules",
];

/// The build context: the project folder as a tar, without VCS and caches.
pub fn context(project: &Path) -> Result<Vec<u8>> {
    fn add(b: &mut tar::Builder<Vec<u8>>, root: &Path, dir: &Path) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let ft = e.file_type()?;
            if ft.is_dir() {
                if SKIP.contains(&name.as_str()) || rel == Path::new("knowledge/pulled") {
                    continue;
                }
                b.append_dir(rel, &path)?;
                add(b, root, &path)?;
            } else if ft.is_file() {
                b.append_path_with_name(&path, rel)?;
            }
        }
        Ok(())
    }
    let mut b = tar::Builder::new(Vec::new());
    b.mode(tar::HeaderMode::Deterministic);
    add(&mut b, project, project)
        .map_err(|e| Error::io(format!("packing {}", project.display()), e))?;
    b.into_inner()
        .map_err(|e| Error::io("packing the build context", e))
}

/// The image an agent runs as, `<registry>/<slug>:<tag>`, and the build context when
/// working out the tag needed it. The tag is the git short sha; when the project has
/// changes that are not committed, a hash of them too, so that a cached image is never stale.
pub fn image(shape: &AgentShape, registry: &str) -> (String, Option<Vec<u8>>) {
    let repo = git2::Repository::open(&shape.project_dir).ok();
    let head = repo
        .as_ref()
        .and_then(|r| r.head().ok())
        .and_then(|h| h.target())
        .map(|o| o.to_string()[..12].to_owned())
        .or_else(|| {
            shape
                .commit
                .as_deref()
                .map(|c| c[..c.len().min(12)].to_owned())
        })
        .unwrap_or_else(|| crate::model::AGENT_VERSION.into());
    let dirty = repo.as_ref().is_none_or(|r| {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true);
        r.statuses(Some(&mut opts))
            .map(|s| !s.is_empty())
            .unwrap_or(true)
    });
    let (tag, packed) = if !dirty {
        (head, None)
    } else {
        match context(&shape.project_dir) {
            Ok(bytes) => {
                use sha2::Digest;
                let d = sha2::Sha256::digest(&bytes);
                let h: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
                (format!("{head}-dirty-{h}"), Some(bytes))
            }
            Err(_) => (format!("{head}-dirty"), None),
        }
    };
    let registry = registry.trim_end_matches('/');
    let reference = if registry.is_empty() {
        format!("{}:{tag}", shape.slug)
    } else {
        format!("{registry}/{}:{tag}", shape.slug)
    };
    (reference, packed)
}

async fn build(
    docker: &bollard::Docker,
    shape: &AgentShape,
    tag: &str,
    packed: Option<Vec<u8>>,
    opts: &DockerOptions,
    progress: &dyn Progress,
) -> Result<()> {
    let body = match packed {
        Some(b) => b,
        None => context(&shape.project_dir)?,
    };
    let mut args: HashMap<String, String> = HashMap::new();
    if let Some(b) = &opts.base_image {
        args.insert("BASE_IMAGE".into(), b.clone());
    }
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(tag)
        .rm(true)
        .forcerm(true)
        .buildargs(&args)
        // The Engine here has no bridge network; pip reaches its index through the host's.
        .networkmode("host")
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(body.into())));
    let mut log = String::new();
    while let Some(item) = stream.next().await {
        let problem = match item {
            Ok(info) => {
                if let Some(s) = info.stream {
                    let line = s.trim_end();
                    if !line.is_empty() {
                        progress.step(0, 3, "build", StepStatus::Running, Some(line));
                    }
                    log.push_str(&s);
                }
                info.error_detail.and_then(|d| d.message)
            }
            Err(e) => Some(e.to_string()),
        };
        if let Some(e) = problem {
            return Err(Error::failed(
                format!(
                    "the image of {} did not build: {e}\nthe build log ends with:\n{}",
                    shape.name,
                    super::tail_lines(&log, 15)
                ),
                Some("fix the Dockerfile or the project, then deploy again"),
            ));
        }
    }
    Ok(())
}

async fn push(docker: &bollard::Docker, tag: &str) -> std::result::Result<(), String> {
    let (name, t) = tag.rsplit_once(':').unwrap_or((tag, "latest"));
    let options = PushImageOptionsBuilder::default().tag(t).build();
    let mut stream = docker.push_image(name, Some(options), None);
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(e) = info.error_detail.and_then(|d| d.message) {
                    return Err(e);
                }
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

fn container_body(
    shape: &AgentShape,
    req: &DeployRequest,
    image: &str,
    port: u16,
) -> Result<ContainerCreateBody> {
    let memory = crate::quantity::parse_bytes(&shape.memory)
        .map_err(|m| Error::invalid("memory", m))? as i64;
    let nano = crate::quantity::parse_millicpu(&shape.cpu).map_err(|m| Error::invalid("cpu", m))?
        as i64
        * 1_000_000;
    let labels = HashMap::from([
        ("promptcraft.agent".to_string(), shape.name.clone()),
        (
            "promptcraft.environment".to_string(),
            req.environment.clone(),
        ),
        (
            "promptcraft.managed-by".to_string(),
            "pc-hybrid".to_string(),
        ),
    ]);
    Ok(ContainerCreateBody {
        image: Some(image.to_owned()),
        env: Some(vec![
            "AGENT_TRANSPORT=streamable-http".into(),
            "AGENT_HOST=127.0.0.1".into(),
            format!("AGENT_PORT={port}"),
        ]),
        labels: Some(labels),
        user: Some("10001:10001".into()),
        host_config: Some(HostConfig {
            // Replicas are reached over loopback; a bridge address is never used.
            network_mode: Some("host".into()),
            memory: Some(memory),
            memory_swap: Some(memory),
            nano_cpus: Some(nano),
            pids_limit: Some(256),
            readonly_rootfs: Some(true),
            cap_drop: Some(vec!["ALL".into()]),
            security_opt: Some(vec!["no-new-privileges".into()]),
            privileged: Some(false),
            tmpfs: Some(HashMap::from([
                (
                    "/tmp".to_string(),
                    "rw,noexec,nosuid,nodev,size=64m".to_string(),
                ),
                (
                    "/app/knowledge/pulled".to_string(),
                    "rw,noexec,nosuid,nodev,size=64m,uid=10001,gid=10001".to_string(),
                ),
            ])),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                maximum_retry_count: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    })
}

async fn container_logs(docker: &bollard::Docker, id: &str, tail: usize) -> String {
    let options = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .tail(&tail.to_string())
        .build();
    let mut stream = docker.logs(id, Some(options));
    let mut out = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        out.push_str(&chunk.to_string());
    }
    out
}

async fn running(docker: &bollard::Docker, id: String) -> bool {
    docker
        .inspect_container(&id, None)
        .await
        .ok()
        .and_then(|i| i.state)
        .and_then(|s| s.running)
        .unwrap_or(false)
}

async fn remove_all(docker: &bollard::Docker, replicas: &[ReplicaRecord]) {
    for r in replicas {
        if let Some(id) = &r.container_id {
            crate::docker::remove(docker, id).await;
        }
    }
}

impl DeployBackend for Docker {
    async fn deploy(
        &self,
        store: &dyn DomainStore,
        shape: &AgentShape,
        req: &DeployRequest,
        record: &mut DeploymentRecord,
        progress: &dyn Progress,
    ) -> Result<()> {
        let opts = &req.docker;
        let docker = crate::docker::connect(&opts.host).await?;
        let (tag, packed) = image(shape, &opts.registry);
        if crate::docker::has_image(&docker, &tag).await? {
            progress.step(
                0,
                3,
                "build",
                StepStatus::Succeeded,
                Some(&format!("{tag} is already built")),
            );
        } else {
            progress.step(
                0,
                3,
                "build",
                StepStatus::Running,
                Some(&format!("building {tag}")),
            );
            build(&docker, shape, &tag, packed, opts, progress).await?;
        }
        let mut warnings = Vec::new();
        if !opts.registry.is_empty() {
            progress.step(
                1,
                3,
                "push",
                StepStatus::Running,
                Some(&format!("pushing {tag}")),
            );
            match push(&docker, &tag).await {
                Ok(()) => record.detail["pushed"] = serde_json::json!(tag),
                Err(e) => warnings.push(format!("{tag} was not pushed to {}: {e}", opts.registry)),
            }
        }
        record.detail["warnings"] = serde_json::json!(warnings);
        let previous_image = record.artifact.clone();
        record.artifact = Some(tag.clone());
        record.detail["previous_image"] = serde_json::json!(previous_image);

        progress.step(
            2,
            3,
            "start",
            StepStatus::Running,
            Some(&format!("starting {} container(s)", req.replicas)),
        );
        let old = std::mem::take(&mut record.replicas);
        record.detail["retiring"] = serde_json::to_value(&old).unwrap_or_default();
        let old_indices: Vec<u32> = old.iter().map(|r| r.index).collect();
        let mut next = 0u32;
        for &port in &req.ports {
            while old_indices.contains(&next) {
                next += 1;
            }
            let body = container_body(shape, req, &tag, port)?;
            let name = format!(
                "pc-{}-{}-{}",
                shape.slug,
                next,
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            );
            // Recorded by name before it exists: a deploy killed in between still leaves
            // what undeploy needs to remove it.
            record.replicas.push(ReplicaRecord {
                index: next,
                pid: None,
                container_id: Some(name.clone()),
                port,
                endpoint: format!("http://127.0.0.1:{port}/mcp"),
                started_at: Utc::now(),
                state: ReplicaState::Starting,
                last_check: None,
                log: None,
            });
            store.save_deployment(record)?;
            let created = docker
                .create_container(
                    Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                    body,
                )
                .await;
            let id = match created {
                Ok(_) => name.clone(),
                Err(e) => {
                    remove_all(&docker, &record.replicas).await;
                    record.replicas = old;
                    return Err(Error::failed(
                        format!("creating a container of {tag}: {e}"),
                        None,
                    ));
                }
            };
            store.save_deployment(record)?;
            if let Err(e) = docker.start_container(&id, None).await {
                remove_all(&docker, &record.replicas).await;
                record.replicas = old;
                return Err(Error::failed(
                    format!("starting a container of {tag}: {e}"),
                    None,
                ));
            }
            next += 1;
        }
        if req.wait || !old.is_empty() {
            progress.step(
                2,
                3,
                "health",
                StepStatus::Running,
                Some("waiting for /health"),
            );
            let deadline = Instant::now() + req.startup_timeout;
            let alive =
                |r: &ReplicaRecord| running(&docker, r.container_id.clone().unwrap_or_default());
            if let Err((index, why)) =
                super::wait_healthy(&mut record.replicas, deadline, alive, progress).await
            {
                let id = container_of(record, index).unwrap_or_default();
                let logs = container_logs(&docker, &id, 15).await;
                remove_all(&docker, &record.replicas).await;
                record.replicas = old;
                return Err(Error::failed(
                    format!(
                        "replica {index} of {} {why}; rolled back to {}. Its log ends with:\n{}",
                        shape.name,
                        previous_image.as_deref().unwrap_or("nothing (first deploy)"),
                        logs.trim_end()
                    ),
                    Some("fix the agent and deploy again; `pc-hybrid list-agents` shows what still runs"),
                ));
            }
        }
        remove_all(&docker, &old).await;
        for (i, r) in record.replicas.iter_mut().enumerate() {
            r.index = i as u32;
        }
        if let Some(o) = record.detail.as_object_mut() {
            o.remove("retiring");
        }
        Ok(())
    }

    async fn status(&self, record: &mut DeploymentRecord) -> Result<()> {
        let Ok(docker) = engine(record).await else {
            for r in &mut record.replicas {
                r.state = ReplicaState::Unknown;
                r.last_check = Some(Utc::now());
            }
            return Ok(());
        };
        let http = crate::net::client()?;
        for r in &mut record.replicas {
            let up = running(&docker, r.container_id.clone().unwrap_or_default()).await;
            super::check_replica(&http, r, up).await;
        }
        Ok(())
    }

    async fn logs(&self, record: &DeploymentRecord, replica: u32, tail: usize) -> Result<String> {
        let docker = engine(record).await?;
        let id = container_of(record, replica)?;
        Ok(container_logs(&docker, &id, tail).await)
    }

    async fn undeploy(&self, record: &DeploymentRecord) -> Result<()> {
        let docker = engine(record).await?;
        remove_all(&docker, &super::all_replicas(record)).await;
        Ok(())
    }
}

/// The Engine a deployment was made on, as its record says.
async fn engine(record: &DeploymentRecord) -> Result<bollard::Docker> {
    let host = record
        .detail
        .get("docker_host")
        .and_then(|h| h.as_str())
        .unwrap_or("");
    crate::docker::connect(host).await
}

fn container_of(record: &DeploymentRecord, replica: u32) -> Result<String> {
    record
        .replicas
        .iter()
        .find(|r| r.index == replica)
        .and_then(|r| r.container_id.clone())
        .ok_or_else(|| Error::usage(format!("no replica {replica}"), None))
}

/// Stream a replica's log as it grows, to `sink`, until the container stops.
pub async fn follow(
    record: &DeploymentRecord,
    replica: u32,
    write: &(dyn Fn(&[u8]) -> bool + Sync),
) -> Result<()> {
    let docker = engine(record).await?;
    let id = container_of(record, replica)?;
    let options = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .follow(true)
        .since(Utc::now().timestamp() as i32)
        .build();
    let mut stream = docker.logs(&id, Some(options));
    while let Some(Ok(chunk)) = stream.next().await {
        if !write(&chunk.into_bytes()) {
            break;
        }
    }
    Ok(())
}

/// Start again the containers that are not healthy (or all), then wait for their health.
pub async fn restart(record: &mut DeploymentRecord, all: bool, timeout: Duration) -> Result<()> {
    let docker = engine(record).await?;
    let mut restarted = Vec::new();
    for (i, r) in record.replicas.iter().enumerate() {
        if r.state == ReplicaState::Healthy && !all {
            continue;
        }
        let id = r.container_id.clone().unwrap_or_default();
        docker
            .restart_container(&id, None)
            .await
            .map_err(|e| Error::failed(format!("restarting replica {}: {e}", r.index), None))?;
        restarted.push(i);
    }
    let mut subset: Vec<ReplicaRecord> = restarted
        .iter()
        .map(|&i| record.replicas[i].clone())
        .collect();
    let alive = |r: &ReplicaRecord| running(&docker, r.container_id.clone().unwrap_or_default());
    let result = super::wait_healthy(
        &mut subset,
        Instant::now() + timeout,
        alive,
        &crate::progress::NoProgress,
    )
    .await;
    for (k, &i) in restarted.iter().enumerate() {
        record.replicas[i] = subset[k].clone();
    }
    if let Err((index, why)) = result {
        let logs = container_logs(
            &docker,
            &container_of(record, index).unwrap_or_default(),
            15,
        )
        .await;
        return Err(Error::failed(
            format!(
                "replica {index} did not come back: {why}. Its log ends with:\n{}",
                logs.trim_end()
            ),
            None,
        ));
    }
    Ok(())
}
