//! The agent factory: from a creation request to a rendered, committed, pushed and
//! registered agent project, each step recorded and rolled back on failure.

pub mod escape;
pub mod git;
mod gitfile;
pub mod recover;
pub mod spec;
pub mod template;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::FieldError;
use crate::model::{AgentStatus, CreationStatus, EntryKind, StepStatus};
use crate::registry;
use crate::secret::Secret;
use crate::store::{AgentRecord, CreationRecord, DomainStore, StepRecord};
use spec::{AgentRequest, ValidSpec};
use template::RenderedFile;

/// Name of the manifest file every agent project carries.
pub const MANIFEST_FILE: &str = "mcp-manifest.yaml";

#[derive(Debug, thiserror::Error)]
pub enum FactoryError {
    #[error("invalid agent specification")]
    Invalid(Vec<FieldError>),
    #[error("{message}")]
    Conflict { message: String, hint: String },
    #[error("template: {0}")]
    Template(String),
    #[error("git: {0}")]
    Git(String),
    #[error("push: {0}")]
    Push(String),
    #[error("{0}")]
    Store(#[from] crate::error::Error),
    #[error("interrupted (Ctrl-C, or the daemon's client went away)")]
    Interrupted,
    /// A step failed after the creation was recorded; earlier steps were rolled back
    /// unless `kept` names what was left for inspection.
    #[error("creation {creation_id} failed at step `{step}`: {message}")]
    StepFailed {
        creation_id: String,
        step: String,
        message: String,
        kept: Option<PathBuf>,
    },
}

/// How a factory failure reads to its user: the class of error, and the hint that says
/// what to do next.
impl From<FactoryError> for crate::error::Error {
    fn from(e: FactoryError) -> Self {
        use crate::error::Error;
        use FactoryError as F;
        match e {
            F::Invalid(errs) => Error::Invalid(errs),
            F::Conflict { message, hint } => Error::Usage {
                message,
                hint: Some(hint),
            },
            F::Template(m) => Error::Usage {
                message: format!("template: {m}"),
                hint: Some(
                    "see the README section `Templates` for the variables and helpers".into(),
                ),
            },
            F::Git(m) => Error::failed(format!("git: {m}"), None),
            F::Push(m) => Error::failed(format!("push: {m}"), None),
            F::Store(e) => e,
            F::Interrupted => Error::failed(e.to_string(), None),
            F::StepFailed {
                creation_id,
                step,
                message,
                kept,
            } => {
                let hint = match kept {
                    Some(p) => format!(
                        "kept for inspection at {} (--keep-on-failure); `pc-hybrid status {creation_id}` shows the steps",
                        p.display()
                    ),
                    None => format!(
                        "everything the earlier steps made was rolled back; `pc-hybrid status {creation_id}` shows the steps"
                    ),
                };
                let hint = if step == "push" {
                    format!("{hint}; check that the remote repository exists and that your git credentials (credential helper, ssh-agent, or `pc-hybrid config set-git-token`) reach it")
                } else {
                    hint
                };
                Error::Failed {
                    message: format!("creation {creation_id} failed at step `{step}`: {message}"),
                    hint: Some(hint),
                }
            }
        }
    }
}

/// The steps of a creation, in order.
pub const STEPS: &[&str] = &["validate", "render", "git", "push", "register", STEP_DEPLOY];
/// The step `--auto-deploy` fills in after the factory is done.
pub const STEP_DEPLOY: &str = "deploy";

pub use crate::progress::{NoProgress, Progress};

#[derive(Debug, Clone, Default)]
pub struct GitOptions {
    /// `<base>/<name>.git` becomes `origin`.
    pub remote_base: Option<String>,
    pub push: bool,
    pub author: git::Author,
    pub token: Option<Secret>,
}

#[derive(Debug, Clone)]
pub struct CreateOptions {
    pub request: AgentRequest,
    /// A built-in template name or a folder.
    pub template: String,
    /// Where named user templates live.
    pub user_template_dir: PathBuf,
    /// The project is created at `<output_dir>/<name>`.
    pub output_dir: PathBuf,
    pub dry_run: bool,
    pub force: bool,
    pub keep_on_failure: bool,
    pub git: GitOptions,
    pub auto_deploy: bool,
    /// Image registry (`localhost:5000`), used to name the agent's image.
    pub image_registry: String,
    pub base_image: String,
    pub organization: String,
    pub generator_version: String,
    /// The creation's id, when the caller has handed it out already (an API that answers
    /// before the creation ends); else a new one.
    pub creation_id: Option<String>,
    /// Where running creations keep their locks (see `recover`); none for no lock.
    pub locks_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FileEntry {
    pub path: String,
    pub bytes: usize,
}

/// What `create-agent` reports.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CreateOutcome {
    pub creation_id: Option<String>,
    pub agent_name: String,
    pub display_name: String,
    pub domain: String,
    pub status: CreationStatus,
    pub dry_run: bool,
    pub project_dir: String,
    pub template: String,
    pub repository_url: Option<String>,
    pub commit: Option<String>,
    pub pushed: bool,
    pub registered: bool,
    pub deployed: bool,
    pub files: Vec<FileEntry>,
    pub steps: Vec<StepRecord>,
    pub warnings: Vec<String>,
    pub duration_ms: f64,
}

fn image_ref(registry: &str, spec: &ValidSpec) -> String {
    let registry = registry.trim_end_matches('/');
    if registry.is_empty() {
        format!("{}:{}", spec.slug(), registry::AGENT_VERSION)
    } else {
        format!("{registry}/{}:{}", spec.slug(), registry::AGENT_VERSION)
    }
}

/// The variables every template sees (documented in the README).
pub fn template_vars(
    spec: &ValidSpec,
    opts: &CreateOptions,
    created_at: DateTime<Utc>,
) -> serde_json::Value {
    let class_name: String = spec::title_case(&spec.name).replace(' ', "");
    serde_json::json!({
        "name": spec.name,
        "slug": spec.slug(),
        "class_name": class_name,
        "display_name": spec.display_name,
        "description": spec.description,
        "domain": spec.domain,
        "keywords": spec.keywords,
        "capabilities": spec.capabilities,
        "knowledge_sources": spec.knowledge_sources,
        "version": registry::AGENT_VERSION,
        "port": registry::AGENT_PORT,
        "environment": spec.deployment.environment,
        "resources": spec.deployment.resource_limits,
        "integration": spec.integration,
        "base_image": opts.base_image,
        "image": image_ref(&opts.image_registry, spec),
        "registry_url": opts.image_registry,
        "organization": opts.organization,
        "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "generator": {"name": "pc-hybrid", "version": opts.generator_version},
    })
}

/// What a creation will write, worked out before anything touches the disk.
pub struct Plan {
    pub spec: ValidSpec,
    /// `default`, or the template folder.
    pub template_origin: String,
    pub files: Vec<RenderedFile>,
    /// The manifest written as `mcp-manifest.yaml` and stored in the registry.
    pub manifest: registry::Manifest,
    /// The registry's static validation of that manifest: agents go through the same checks
    /// as any other server.
    pub registration: registry::Report,
}

/// Validate and render, touching nothing on disk: what `--dry-run` shows and what a
/// real creation writes.
pub fn plan(opts: &CreateOptions, now: DateTime<Utc>) -> Result<Plan, FactoryError> {
    let spec = spec::validate(&opts.request).map_err(FactoryError::Invalid)?;
    let tpl = template::load(&opts.template, &opts.user_template_dir)?;
    let vars = template_vars(&spec, opts, now);
    let mut files = template::render(&tpl, &vars, &spec.name)?;
    if files.iter().any(|f| f.path == MANIFEST_FILE) {
        return Err(FactoryError::Template(format!(
            "{MANIFEST_FILE} is written by pc-hybrid itself; remove it from the template"
        )));
    }
    let manifest = agent_manifest(
        &spec,
        &image_ref(&opts.image_registry, &spec),
        &opts.organization,
        now,
    );
    let registration = registry::check_value(
        &serde_json::to_value(&manifest).map_err(|e| FactoryError::Template(e.to_string()))?,
        None,
    );
    if !registration.passed() {
        return Err(FactoryError::Invalid(
            registration.errors().map(|f| f.to_field_error()).collect(),
        ));
    }
    let yaml =
        serde_yaml_ng::to_string(&manifest).map_err(|e| FactoryError::Template(e.to_string()))?;
    files.push(RenderedFile {
        path: MANIFEST_FILE.into(),
        contents: format!(
            "# MCP registry manifest (mcp.promptcraft.io/v1), generated by pc-hybrid\n{yaml}"
        )
        .into_bytes(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan {
        spec,
        template_origin: tpl.origin,
        files,
        manifest,
        registration,
    })
}

struct Run<'a> {
    store: &'a dyn DomainStore,
    progress: &'a dyn Progress,
    id: String,
    steps: Vec<StepRecord>,
}

impl Run<'_> {
    fn set(
        &mut self,
        i: usize,
        status: StepStatus,
        message: Option<String>,
    ) -> Result<(), FactoryError> {
        if status == StepStatus::Running && self.progress.cancelled() {
            return Err(FactoryError::Interrupted);
        }
        let now = Utc::now();
        let s = &mut self.steps[i];
        if status == StepStatus::Running {
            s.started_at = Some(now);
        } else if s.started_at.is_some() || status != StepStatus::Skipped {
            s.finished_at = Some(now);
        }
        s.status = status;
        s.message = message;
        self.progress
            .step(i, STEPS.len(), &s.name, status, s.message.as_deref());
        self.store.update_step(&self.id, i, s)?;
        Ok(())
    }
}

/// Where the project goes and whether an existing one may be replaced.
fn check_target(
    store: &dyn DomainStore,
    spec: &ValidSpec,
    opts: &CreateOptions,
) -> Result<PathBuf, FactoryError> {
    let target = opts.output_dir.join(&spec.name);
    let existing = store.agent(&spec.name)?;
    if existing.is_some() && !opts.force {
        return Err(FactoryError::Conflict {
            message: format!("an agent named `{}` already exists", spec.name),
            hint: "choose another name, or pass --force to replace it".into(),
        });
    }
    if target.exists() {
        let is_empty_dir = target.is_dir()
            && std::fs::read_dir(&target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        let is_recorded_project = existing
            .as_ref()
            .is_some_and(|a| same_path(Path::new(&a.project_dir), &target));
        if !opts.force {
            return Err(FactoryError::Conflict {
                message: format!("{} already exists", target.display()),
                hint: "choose another name or --output-dir, or pass --force to replace it".into(),
            });
        }
        if !is_empty_dir && !is_recorded_project {
            return Err(FactoryError::Conflict {
                message: format!(
                    "refusing to replace {}: it is not the project of a registered agent",
                    target.display()
                ),
                hint: "move it away or choose another --output-dir".into(),
            });
        }
    }
    Ok(target)
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn write_files(dir: &Path, files: &[RenderedFile]) -> std::io::Result<()> {
    std::fs::create_dir(dir)?;
    for f in files {
        let p = dir.join(&f.path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, &f.contents)?;
    }
    Ok(())
}

/// Create an agent: the one entry point behind `create-agent`, in the CLI and the daemon.
pub fn create_agent(
    store: &dyn DomainStore,
    opts: &CreateOptions,
    progress: &dyn Progress,
) -> Result<CreateOutcome, FactoryError> {
    let t0 = Instant::now();
    let now = Utc::now();
    let Plan {
        spec,
        template_origin,
        files,
        manifest: _,
        registration,
    } = plan(opts, now)?;
    let target = check_target(store, &spec, opts)?;
    let remote_url = opts
        .git
        .remote_base
        .as_ref()
        .map(|b| format!("{}/{}.git", b.trim_end_matches('/'), spec.name));
    let file_entries: Vec<FileEntry> = files
        .iter()
        .map(|f| FileEntry {
            path: f.path.clone(),
            bytes: f.contents.len(),
        })
        .collect();
    let warnings = Vec::new();
    let step = |name: &str, status: StepStatus| StepRecord {
        name: name.into(),
        status,
        started_at: None,
        finished_at: None,
        message: None,
    };

    if opts.dry_run {
        let mut steps: Vec<StepRecord> =
            STEPS.iter().map(|s| step(s, StepStatus::Planned)).collect();
        steps[0].status = StepStatus::Succeeded;
        steps[1].status = StepStatus::Succeeded;
        return Ok(CreateOutcome {
            creation_id: None,
            agent_name: spec.name.clone(),
            display_name: spec.display_name.clone(),
            domain: spec.domain.clone(),
            status: CreationStatus::DryRun,
            dry_run: true,
            project_dir: target.display().to_string(),
            template: template_origin,
            repository_url: remote_url,
            commit: None,
            pushed: false,
            registered: false,
            deployed: false,
            files: file_entries,
            steps,
            warnings,
            duration_ms: t0.elapsed().as_secs_f64() * 1000.0,
        });
    }

    let id = opts
        .creation_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let short = &id[id.len() - 8..];
    let staging = opts
        .output_dir
        .join(format!(".{}.pc-hybrid-{short}", spec.name));
    let backup = opts
        .output_dir
        .join(format!(".{}.pc-hybrid-old-{short}", spec.name));
    // Taken before the creation is recorded as running, so that a process killed at any
    // later moment leaves what `recover` needs to undo it.
    let _lock = match &opts.locks_dir {
        Some(dir) => Some(
            recover::lock(dir, &id, &spec.name, &staging, &backup, &target)
                .map_err(FactoryError::Store)?,
        ),
        None => None,
    };
    let mut steps: Vec<StepRecord> = STEPS.iter().map(|s| step(s, StepStatus::Pending)).collect();
    steps[0] = StepRecord {
        status: StepStatus::Succeeded,
        started_at: Some(now),
        finished_at: Some(Utc::now()),
        ..steps[0].clone()
    };
    store.insert_creation(&CreationRecord {
        id: id.clone(),
        agent_name: spec.name.clone(),
        status: CreationStatus::Running,
        started_at: now,
        finished_at: None,
        failed_step: None,
        error: None,
        steps: steps.clone(),
    })?;
    let mut run = Run {
        store,
        progress,
        id: id.clone(),
        steps,
    };
    progress.step(0, STEPS.len(), "validate", StepStatus::Succeeded, None);

    let mut pushed_new = false;
    let mut placed = false;

    let result = (|| -> Result<(Option<String>, bool), (usize, String)> {
        // render
        run.set(1, StepStatus::Running, None)
            .map_err(|e| (1, e.to_string()))?;
        if let Err(e) = std::fs::create_dir_all(&opts.output_dir) {
            return Err((1, format!("creating {}: {e}", opts.output_dir.display())));
        }
        write_files(&staging, &files)
            .map_err(|e| (1, format!("writing {}: {e}", staging.display())))?;
        run.set(
            1,
            StepStatus::Succeeded,
            Some(format!("{} files", files.len())),
        )
        .map_err(|e| (1, e.to_string()))?;

        // git
        run.set(2, StepStatus::Running, None)
            .map_err(|e| (2, e.to_string()))?;
        let message = format!(
            "Create agent {}\n\nGenerated by pc-hybrid {} from template {}.\nCreation: {}\n",
            spec.name, opts.generator_version, template_origin, id
        );
        let committed = git::init_and_commit(
            &staging,
            &files,
            &message,
            &opts.git.author,
            remote_url.as_deref(),
        )
        .map_err(|e| (2, e.to_string()))?;
        run.set(
            2,
            StepStatus::Succeeded,
            Some(format!(
                "commit {} on {}",
                &committed.commit[..12],
                git::BRANCH
            )),
        )
        .map_err(|e| (2, e.to_string()))?;

        // push
        match (&remote_url, opts.git.push) {
            (Some(url), true) => {
                run.set(3, StepStatus::Running, None)
                    .map_err(|e| (3, e.to_string()))?;
                pushed_new =
                    git::push(&staging, opts.git.token.as_ref()).map_err(|e| (3, e.to_string()))?;
                run.set(
                    3,
                    StepStatus::Succeeded,
                    Some(format!("pushed to {}", crate::secret::redact_url(url))),
                )
                .map_err(|e| (3, e.to_string()))?;
            }
            (Some(_), false) => run
                .set(3, StepStatus::Skipped, Some("auto-push is off".into()))
                .map_err(|e| (3, e.to_string()))?,
            (None, _) => run
                .set(
                    3,
                    StepStatus::Skipped,
                    Some("no git remote configured (AGENT_FACTORY_GIT_BASE_URL)".into()),
                )
                .map_err(|e| (3, e.to_string()))?,
        }

        // register: place the project, then record it; a store failure puts the old one back
        run.set(4, StepStatus::Running, None)
            .map_err(|e| (4, e.to_string()))?;
        if target.exists() {
            std::fs::rename(&target, &backup)
                .map_err(|e| (4, format!("moving aside {}: {e}", target.display())))?;
        }
        if let Err(e) = std::fs::rename(&staging, &target) {
            let _ = std::fs::rename(&backup, &target);
            return Err((4, format!("placing {}: {e}", target.display())));
        }
        placed = true;
        let project_dir = target.canonicalize().unwrap_or_else(|_| target.clone());
        let record = AgentRecord {
            name: spec.name.clone(),
            display_name: spec.display_name.clone(),
            domain: spec.domain.clone(),
            description: spec.description.clone(),
            status: AgentStatus::Created,
            created_at: now,
            updated_at: Utc::now(),
            project_dir: project_dir.display().to_string(),
            repository_url: remote_url.clone(),
            commit: Some(committed.commit.clone()),
            template: template_origin.clone(),
            creation_id: id.clone(),
            spec: serde_json::to_value(spec.to_request()).unwrap_or_default(),
        };
        let entry = registry::entry(
            &registration,
            EntryKind::Agent,
            Some(&spec.name),
            Utc::now(),
        )
        .map_err(|e| (4, e.to_string()))?;
        store
            .register_agent(&record, &entry, opts.force)
            .map_err(|e| (4, e.to_string()))?;
        if backup.exists() {
            let _ = std::fs::remove_dir_all(&backup);
        }
        run.set(
            4,
            StepStatus::Succeeded,
            Some(format!("registered {} {}", entry.name, entry.version)),
        )
        .map_err(|e| (4, e.to_string()))?;

        // deploy
        let deployed = false;
        if opts.auto_deploy {
            // Deploying is the deploy module's job; the caller runs it and records the
            // outcome in this step.
            run.set(
                5,
                StepStatus::Pending,
                Some("handed to deploy-agent (local, development)".into()),
            )
            .map_err(|e| (5, e.to_string()))?;
        } else {
            run.set(5, StepStatus::Skipped, Some("not requested".into()))
                .map_err(|e| (5, e.to_string()))?;
        }
        Ok((Some(committed.commit), deployed))
    })();

    match result {
        Ok((commit, deployed)) => {
            store.finish_creation(&id, CreationStatus::Succeeded, Utc::now(), None, None)?;
            Ok(CreateOutcome {
                creation_id: Some(id),
                agent_name: spec.name.clone(),
                display_name: spec.display_name.clone(),
                domain: spec.domain.clone(),
                status: CreationStatus::Succeeded,
                dry_run: false,
                project_dir: target
                    .canonicalize()
                    .unwrap_or(target)
                    .display()
                    .to_string(),
                template: template_origin,
                repository_url: remote_url,
                commit,
                pushed: run.steps[3].status == StepStatus::Succeeded,
                registered: true,
                deployed,
                files: file_entries,
                steps: run.steps,
                warnings,
                duration_ms: t0.elapsed().as_secs_f64() * 1000.0,
            })
        }
        Err((failed, message)) => {
            let _ = run.set(failed, StepStatus::Failed, Some(message.clone()));
            let mut kept = None;
            if opts.keep_on_failure {
                let at = if placed {
                    target.clone()
                } else {
                    staging.clone()
                };
                if at.exists() {
                    kept = Some(at);
                }
            } else {
                if pushed_new {
                    let dir = if placed { &target } else { &staging };
                    let _ = git::unpush(dir, opts.git.token.as_ref());
                }
                if placed {
                    let _ = std::fs::remove_dir_all(&target);
                    if backup.exists() {
                        let _ = std::fs::rename(&backup, &target);
                    }
                }
                let _ = std::fs::remove_dir_all(&staging);
                for i in (1..failed).rev() {
                    if run.steps[i].status == StepStatus::Succeeded {
                        let _ = run.set(i, StepStatus::RolledBack, run.steps[i].message.clone());
                    }
                }
            }
            for i in failed + 1..STEPS.len() {
                let _ = run.set(
                    i,
                    StepStatus::Skipped,
                    Some(format!("not run: `{}` failed", STEPS[failed])),
                );
            }
            let _ = store.finish_creation(
                &id,
                CreationStatus::Failed,
                Utc::now(),
                Some(STEPS[failed]),
                Some(&message),
            );
            Err(FactoryError::StepFailed {
                creation_id: id,
                step: STEPS[failed].into(),
                message,
                kept,
            })
        }
    }
}

/// The manifest of an agent made by the factory: one capability per MCP tool it serves.
fn agent_manifest(
    spec: &ValidSpec,
    image: &str,
    organization: &str,
    created_at: DateTime<Utc>,
) -> registry::Manifest {
    use registry::manifest::*;
    use registry::{AGENT_PORT, AGENT_VERSION};
    let query_params = serde_json::json!({
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "maxLength": 1000},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}
        },
        "required": ["query"]
    });
    let search_response = serde_json::json!({
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "results": {"type": "array", "items": {"type": "object"}}
        },
        "required": ["query", "results"]
    });
    let tool = |name: &str,
                description: String,
                params: &serde_json::Value,
                response: &serde_json::Value| Capability {
        name: name.to_owned(),
        description: Some(description),
        endpoint: None,
        method: None,
        parameters: params.clone(),
        response: response.clone(),
    };
    let mut capabilities = vec![
        tool(
            "search_knowledge",
            "Search the agent's knowledge base".into(),
            &query_params,
            &search_response,
        ),
        tool(
            "get_agent_info",
            "Describe the agent".into(),
            &serde_json::json!({"type": "object", "properties": {}}),
            &serde_json::json!({"type": "object"}),
        ),
    ];
    for c in &spec.capabilities {
        capabilities.push(tool(
            c,
            format!("Knowledge for the {c} capability"),
            &query_params,
            &search_response,
        ));
    }
    let limits = ResourceList {
        memory: Some(spec.deployment.resource_limits.memory.clone()),
        cpu: Some(spec.deployment.resource_limits.cpu.clone()),
    };
    registry::Manifest {
        api_version: API_VERSION.into(),
        kind: KIND.into(),
        metadata: Metadata {
            name: spec.slug(),
            version: AGENT_VERSION.into(),
            title: Some(spec.display_name.clone()),
            description: Some(spec.description.clone()),
            created_at: Some(created_at),
            organization: Some(organization.to_owned()),
            contact_email: None,
        },
        spec: ServerSpec {
            image: Some(image.to_owned()),
            port: Some(AGENT_PORT),
            transport: Some("streamable-http".into()),
            // Run from the project folder (the manifest's own) with its sources on the path,
            // installed or not, on a port the validator picks.
            command: Some(vec![
                "python3".into(),
                "-m".into(),
                spec.name.clone(),
                "--transport".into(),
                "streamable-http".into(),
                "--host".into(),
                "127.0.0.1".into(),
                "--port".into(),
                "{port}".into(),
            ]),
            env: std::collections::BTreeMap::from([("PYTHONPATH".to_string(), "src".to_string())]),
            path: Some("/mcp".into()),
            resources: Some(Resources {
                limits: Some(limits.clone()),
                requests: Some(limits),
                storage: None,
            }),
            capabilities,
            health_check: Some(HealthCheck {
                path: "/health".into(),
                interval_seconds: 30,
                timeout_seconds: 5,
            }),
            ..Default::default()
        },
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cancels once the step `after` has succeeded, as Ctrl-C between two steps would.
    struct CancelAfter {
        after: &'static str,
        seen: std::sync::atomic::AtomicBool,
    }

    impl Progress for CancelAfter {
        fn step(&self, _: usize, _: usize, name: &str, status: StepStatus, _: Option<&str>) {
            if name == self.after && status == StepStatus::Succeeded {
                self.seen.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        fn cancelled(&self) -> bool {
            self.seen.load(std::sync::atomic::Ordering::Relaxed)
        }
    }

    #[test]
    fn a_cancelled_creation_stops_at_its_next_step_and_undoes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let remotes = dir.path().join("remotes");
        let remote = git2::Repository::init_bare(remotes.join("tax_advisor.git")).unwrap();
        let store = crate::store::SqliteStore::open_for(
            &dir.path().join("pc-hybrid.db"),
            &[crate::store::Concern::Domain],
        )
        .unwrap();
        let request: AgentRequest = serde_json::from_value(serde_json::json!({
            "agent_spec": {"name": "tax_advisor", "domain": "finance", "description": "d"}
        }))
        .unwrap();
        let output_dir = dir.path().join("agents");
        let opts = CreateOptions {
            request,
            template: "default".into(),
            user_template_dir: dir.path().join("templates"),
            output_dir: output_dir.clone(),
            dry_run: false,
            force: false,
            keep_on_failure: false,
            git: GitOptions {
                remote_base: Some(format!("file://{}", remotes.display())),
                push: true,
                author: git::Author {
                    name: Some("T".into()),
                    email: Some("t@example.com".into()),
                },
                token: None,
            },
            auto_deploy: false,
            image_registry: "localhost:5000".into(),
            base_image: "python:3.11-slim".into(),
            organization: "promptcraft".into(),
            generator_version: "test".into(),
            creation_id: None,
            locks_dir: Some(dir.path().join("locks")),
        };
        let progress = CancelAfter {
            after: "push",
            seen: Default::default(),
        };
        let Err(FactoryError::StepFailed {
            creation_id,
            step,
            message,
            kept,
        }) = create_agent(&store, &opts, &progress)
        else {
            panic!("a cancelled creation succeeded");
        };
        assert_eq!(step, "register");
        assert!(message.contains("interrupted"), "{message}");
        assert_eq!(kept, None);
        // Undone: the pushed branch, the project, the agent.
        assert!(remote.find_reference("refs/heads/main").is_err());
        assert_eq!(std::fs::read_dir(&output_dir).unwrap().count(), 0);
        assert_eq!(store.agent("tax_advisor").unwrap(), None);
        let c = store.creation(&creation_id).unwrap().unwrap();
        assert_eq!(c.status, CreationStatus::Failed);
        assert_eq!(c.failed_step.as_deref(), Some("register"));
        let status: Vec<StepStatus> = c.steps.iter().map(|s| s.status).collect();
        assert_eq!(
            status,
            [
                StepStatus::Succeeded,
                StepStatus::RolledBack,
                StepStatus::RolledBack,
                StepStatus::RolledBack,
                StepStatus::Failed,
                StepStatus::Skipped
            ]
        );
    }
}
