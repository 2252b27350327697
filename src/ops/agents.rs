//! Operations on agents: create, creation status, list, deploy, undeploy, logs, restart.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::auth::token_store::{TokenStore, GIT_TOKEN};
use crate::deploy::{self, Environment, Target};
use crate::error::{Error, Result};
use crate::factory::spec::AgentRequest;
use crate::factory::{self, git::Author, CreateOptions, GitOptions};
use crate::model::StepStatus;
use crate::settings::Settings;
use crate::store::{AgentRecord, DeploymentRecord, DomainStore, StepRecord};

use super::{Cancel, Context, Reply, Response, Sink, Steps};

/// `agent.create`: the reference design's request body, and how to carry it out.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgent {
    pub request: AgentRequest,
    #[serde(default)]
    pub flags: CreateFlags,
}

/// How a creation is carried out; what is not given comes from the settings of the process
/// that runs it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFlags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dir: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_deploy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub keep_on_failure: bool,
    /// Handed out by the daemon's API before the creation runs; never taken from a body.
    #[serde(skip)]
    pub creation_id: Option<String>,
}

impl CreateFlags {
    /// Whether this creation pushes to a remote, with these settings.
    pub fn pushes(&self, s: &Settings) -> bool {
        (self.git_base_url.is_some() || s.git_base_url.value.is_some())
            && self.push.unwrap_or(s.auto_push.value)
            && !self.dry_run
    }
}

/// `agent.deploy`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    pub name: String,
    #[serde(default)]
    pub environment: Environment,
    #[serde(default = "one")]
    pub replicas: u32,
    #[serde(default)]
    pub target: Target,
    /// Wait until every replica is healthy; roll back when one is not.
    #[serde(default)]
    pub wait: bool,
    /// Seconds a replica may take to become healthy.
    #[serde(default = "sixty")]
    pub timeout_seconds: u32,
    #[serde(default)]
    pub skip_scan: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests_dir: Option<PathBuf>,
    #[serde(default)]
    pub apply: bool,
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

fn one() -> u32 {
    1
}

fn sixty() -> u32 {
    60
}

fn default_namespace() -> String {
    "default".into()
}

impl Deploy {
    /// What `create-agent --auto-deploy` asks: one replica on the local target, development
    /// environment, waited for.
    pub fn auto(name: &str) -> Deploy {
        Deploy {
            name: name.into(),
            environment: Environment::Development,
            replicas: 1,
            target: Target::Local,
            wait: true,
            timeout_seconds: 60,
            skip_scan: false,
            port: None,
            memory: None,
            cpu: None,
            manifests_dir: None,
            apply: false,
            namespace: default_namespace(),
        }
    }
}

/// `agent.undeploy`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Undeploy {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// `agent.logs`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    pub name: String,
    #[serde(default)]
    pub replica: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    pub tail: usize,
    #[serde(default)]
    pub follow: bool,
}

/// `agent.restart`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Restart {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    #[serde(default)]
    pub all: bool,
    #[serde(default = "sixty")]
    pub timeout_seconds: u32,
}

/// An agent with its deployments, as `list-agents` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgentRow {
    #[serde(flatten)]
    pub agent: AgentRecord,
    pub deployments: Vec<DeploymentRecord>,
}

pub async fn create(
    ctx: &Context,
    c: CreateAgent,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    let s = &ctx.settings;
    let f = &c.flags;
    let git_base_url = f.git_base_url.clone().or(s.git_base_url.value.clone());
    let push = f.push.unwrap_or(s.auto_push.value);
    // The keyring is asked only when a push will happen: it may prompt or be slow.
    let token = if f.pushes(s) {
        TokenStore::new().get(GIT_TOKEN).unwrap_or_else(|e| {
            log::info!("no git token from the keyring: {e}");
            None
        })
    } else {
        None
    };
    let opts = CreateOptions {
        auto_deploy: f.auto_deploy.unwrap_or(s.auto_deploy.value)
            || c.request.deployment_config.auto_deploy,
        request: c.request,
        template: f
            .template
            .clone()
            .unwrap_or_else(|| s.template.value.clone()),
        user_template_dir: s.paths.templates_dir.clone(),
        output_dir: f
            .output_dir
            .clone()
            .unwrap_or_else(|| s.output_dir.value.clone()),
        dry_run: f.dry_run,
        force: f.force,
        keep_on_failure: f.keep_on_failure,
        git: GitOptions {
            remote_base: git_base_url,
            push,
            author: Author {
                name: s.git_author_name.value.clone(),
                email: s.git_author_email.value.clone(),
            },
            token,
        },
        image_registry: s.registry_url.value.clone(),
        base_image: f
            .base_image
            .clone()
            .unwrap_or_else(|| s.base_image.value.clone()),
        organization: s.organization.value.clone(),
        generator_version: env!("CARGO_PKG_VERSION").into(),
        creation_id: f.creation_id.clone(),
        locks_dir: Some(super::context::creation_locks(s)),
    };
    let store = ctx.store()?;
    // An earlier creation of this name whose process died must not stand in the way.
    ctx.recover_creations()?;
    let result = {
        let progress = Steps::new(sink, "create-agent").cancelled_by(cancel);
        factory::create_agent(store.as_ref(), &opts, &progress)
    };
    let mut outcome = result?;
    for w in &outcome.warnings {
        sink.warn(w);
    }
    let error = if opts.auto_deploy && !outcome.dry_run {
        auto_deploy(ctx, &mut outcome, store.as_ref(), sink, cancel)
            .await
            .err()
    } else {
        None
    };
    if let (None, false, Some(id)) = (&error, outcome.dry_run, &outcome.creation_id) {
        sink.note(&format!(
            "agent `{}` created in {}; steps: `pc-hybrid status {id}`",
            outcome.agent_name, outcome.project_dir
        ));
    }
    Ok(Reply {
        response: Response::Created(Box::new(outcome)),
        error,
    })
}

/// `--auto-deploy`, recorded as the creation's deploy step.
async fn auto_deploy(
    ctx: &Context,
    outcome: &mut factory::CreateOutcome,
    store: &dyn DomainStore,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<()> {
    let req = deploy_request(&ctx.settings, &Deploy::auto(&outcome.agent_name));
    let started = chrono::Utc::now();
    let result = {
        let progress = Steps::new(sink, "deploy").cancelled_by(cancel);
        deploy::deploy(store, &req, &progress).await
    };
    let (status, message) = match &result {
        Ok(d) => (
            StepStatus::Succeeded,
            format!("deployed locally: {}", d.endpoints.join(", ")),
        ),
        Err(e) => (StepStatus::Failed, e.to_string()),
    };
    let step = StepRecord {
        name: factory::STEP_DEPLOY.into(),
        status,
        started_at: Some(started),
        finished_at: Some(chrono::Utc::now()),
        message: Some(message),
    };
    if let Some(i) = outcome.steps.iter().position(|s| s.name == step.name) {
        if let Some(id) = &outcome.creation_id {
            store.update_step(id, i, &step)?;
        }
        outcome.steps[i] = step;
    }
    outcome.deployed = result.is_ok();
    result.map(|_| ()).map_err(|e| {
        Error::failed(
            format!("the agent was created, but deploying it failed: {e}"),
            Some("fix the problem and run `pc-hybrid deploy-agent NAME --wait`"),
        )
    })
}

pub fn status(ctx: &Context, creation_id: &str) -> Result<Reply> {
    ctx.recover_creations()?;
    match ctx.store()?.creation(creation_id)? {
        Some(c) => Ok(Response::Creation(c).into()),
        None => Err(Error::not_found(
            format!("no creation with id `{}`", creation_id.escape_debug()),
            Some("create-agent prints the id; `pc-hybrid list-agents -o json` shows each agent's creation_id"),
        )),
    }
}

pub async fn list(ctx: &Context) -> Result<Reply> {
    let store = ctx.store()?;
    let agents = store.list_agents()?;
    let locks = super::context::deployment_locks(&ctx.settings);
    let deployments = deploy::observe(store.as_ref(), None, &locks).await?;
    let rows = agents
        .into_iter()
        .map(|mut a| {
            let mine: Vec<DeploymentRecord> = deployments
                .iter()
                .filter(|d| d.agent_name == a.name)
                .cloned()
                .collect();
            a.status = deploy::agent_status(a.status, &mine);
            AgentRow {
                deployments: mine,
                agent: a,
            }
        })
        .collect();
    Ok(Response::Agents(rows).into())
}

pub fn local_options(s: &Settings) -> deploy::local::LocalOptions {
    deploy::local::LocalOptions {
        python: s.python.value.clone(),
        envs_dir: s.envs_dir.clone(),
        logs_dir: s.paths.data_dir.join("logs"),
    }
}

/// The deploy module's request, settings resolved.
fn deploy_request(s: &Settings, a: &Deploy) -> deploy::DeployRequest {
    deploy::DeployRequest {
        agent: a.name.clone(),
        target: a.target,
        environment: a.environment.as_str().into(),
        replicas: a.replicas,
        wait: a.wait,
        startup_timeout: Duration::from_secs(a.timeout_seconds as u64),
        skip_scan: a.skip_scan,
        port: a.port,
        memory: a.memory.clone(),
        cpu: a.cpu.clone(),
        ports: Vec::new(),
        local: local_options(s),
        docker: deploy::docker::DockerOptions {
            host: s.docker_host.value.clone(),
            registry: s.registry_url.value.clone(),
            base_image: (s.base_image.source != crate::settings::Source::Default)
                .then(|| s.base_image.value.clone()),
        },
        kubernetes: deploy::kubernetes::KubernetesOptions {
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

/// Hold `agent`'s deployment lock, saying so when another change goes first.
async fn one_at_a_time(
    ctx: &Context,
    agent: &str,
    sink: &dyn Sink,
) -> Result<deploy::lock::AgentLock> {
    let dir = super::context::deployment_locks(&ctx.settings);
    deploy::lock::take(&dir, agent, || {
        sink.note(&format!(
            "waiting for another change of {agent}'s deployments to finish"
        ))
    })
    .await
}

pub async fn deploy(ctx: &Context, a: &Deploy, sink: &dyn Sink, cancel: &Cancel) -> Result<Reply> {
    let store = ctx.store()?;
    let _lock = one_at_a_time(ctx, &a.name, sink).await?;
    let req = deploy_request(&ctx.settings, a);
    let outcome = {
        let progress = Steps::new(sink, format!("deploy {}", a.name)).cancelled_by(cancel);
        deploy::deploy(store.as_ref(), &req, &progress).await?
    };
    for w in &outcome.warnings {
        sink.warn(w);
    }
    record_replicas(
        ctx,
        &outcome.deployment.agent_name,
        outcome.deployment.target,
        outcome.deployment.replicas_wanted,
    );
    // Its tools as deployed are the definitions the gateway holds it to.
    if let Err(e) = ctx.gateway_changed(&a.name, true).await {
        sink.warn(&format!(
            "the gateway could not list the tools of {}: {e}",
            a.name
        ));
    }
    Ok(Response::Deployed(Box::new(outcome)).into())
}

/// Note the replicas a deployment now runs: what its infrastructure cost is computed from.
/// The deployment stands either way; a failure to note it is logged.
fn record_replicas(ctx: &Context, agent: &str, target: crate::model::Target, replicas: u32) {
    let change = crate::store::executions::ReplicaChange {
        agent_id: agent.to_string(),
        target: target.as_str().to_string(),
        at: chrono::Utc::now(),
        replicas,
    };
    if let Err(e) = ctx.executions().and_then(|s| s.record_replicas(&change)) {
        log::warn!("recording the replicas of {agent}: {e}");
    }
}

pub async fn undeploy(ctx: &Context, a: &Undeploy, sink: &dyn Sink) -> Result<Reply> {
    let store = ctx.store()?;
    let _lock = one_at_a_time(ctx, &a.name, sink).await?;
    let removed = deploy::undeploy(store.as_ref(), &a.name, a.target).await?;
    for d in &removed {
        record_replicas(ctx, &d.agent_name, d.target, 0);
    }
    if let Err(e) = ctx.gateway_changed(&a.name, false).await {
        log::warn!("refreshing the gateway: {e}");
    }
    Ok(Response::Undeployed(removed).into())
}

pub async fn restart(ctx: &Context, a: &Restart, sink: &dyn Sink) -> Result<Reply> {
    let store = ctx.store()?;
    let _lock = one_at_a_time(ctx, &a.name, sink).await?;
    let done = deploy::restart(
        store.as_ref(),
        &a.name,
        a.target,
        a.all,
        &local_options(&ctx.settings),
        Duration::from_secs(a.timeout_seconds as u64),
    )
    .await?;
    // A replica may come back on another port.
    if let Err(e) = ctx.gateway_changed(&a.name, false).await {
        log::warn!("refreshing the gateway: {e}");
    }
    Ok(Response::Restarted(done).into())
}

pub async fn logs(ctx: &Context, a: &Logs, sink: &dyn Sink, cancel: &Cancel) -> Result<Reply> {
    let store = ctx.store()?;
    let (d, text) = deploy::logs(store.as_ref(), &a.name, a.target, a.replica, a.tail).await?;
    let mut text = text.into_bytes();
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    sink.bytes(&text);
    if a.follow {
        let write = |b: &[u8]| sink.bytes(b);
        tokio::select! {
            r = deploy::follow(&d, a.replica, &write) => r?,
            _ = cancel.cancelled() => {}
        }
    }
    Ok(Response::Streamed.into())
}
