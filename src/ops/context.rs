//! The context operations run in, built once per process (by the CLI or the daemon): the
//! resolved settings and the shared services (the domain store, the audit recorder), each
//! opened once when first needed.

use crate::auth::Caller;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::audit::event::Component;
use crate::audit::recorder::{Recorder, RecorderOptions};
use crate::error::Result;
use crate::settings::Settings;
use crate::store::{self, AuditStore, DomainStore};

use super::{Request, Sink};

pub struct Context {
    pub settings: Settings,
    /// Who writes the events: the CLI, or the daemon on a caller's behalf.
    component: Component,
    store: Mutex<Option<Arc<dyn DomainStore>>>,
    executions: Mutex<Option<Arc<dyn crate::store::ExecutionStore>>>,
    recorder: Mutex<Option<Arc<Recorder>>>,
    /// How `doctor` asks the daemon, where the process can (the CLI's).
    daemon_probe: Option<Arc<dyn crate::doctor::DaemonProbe>>,
    /// The profile's OpenID provider, discovered on first use.
    provider: tokio::sync::OnceCell<Arc<crate::auth::oidc::Provider>>,
    /// The sessions the daemon holds (the daemon's context only).
    agent: Option<Arc<crate::auth::agent::Agent>>,
    /// Who keeps a new session when the daemon does (the CLI's context).
    keeper: Option<Arc<dyn crate::auth::Keeper>>,
    /// The MCP gateway, built on first use.
    gateway: tokio::sync::OnceCell<Arc<crate::gateway::Gateway>>,
    /// Whether a refresh of the gateway's catalog has run (the gateway serialises them).
    gateway_refreshed: std::sync::atomic::AtomicBool,
    /// The first refresh, which concurrent first calls wait for together.
    gateway_first: tokio::sync::OnceCell<()>,
    writer: std::sync::OnceLock<Arc<crate::store::executions::Writer>>,
    /// Serves many calls over a long life (the daemon, a stdio gateway).
    long_lived: bool,
    exporter: std::sync::OnceLock<Option<crate::gateway::trace::Exporter>>,
    /// Insights answered, by question, while ANALYTICS_CACHE_TTL_MINUTES keeps them.
    pub(super) insights_cache: Mutex<
        Vec<(
            String,
            std::time::Instant,
            crate::analytics::insights::Insights,
        )>,
    >,
}

impl Context {
    pub fn new(settings: Settings, component: Component) -> Context {
        Context {
            settings,
            component,
            store: Mutex::new(None),
            executions: Mutex::new(None),
            recorder: Mutex::new(None),
            daemon_probe: None,
            provider: tokio::sync::OnceCell::new(),
            agent: None,
            keeper: None,
            gateway: tokio::sync::OnceCell::new(),
            gateway_refreshed: std::sync::atomic::AtomicBool::new(false),
            gateway_first: tokio::sync::OnceCell::new(),
            writer: std::sync::OnceLock::new(),
            long_lived: component == Component::Daemon,
            exporter: std::sync::OnceLock::new(),
            insights_cache: Mutex::new(Vec::new()),
        }
    }

    /// Mark a context that serves many calls over a long life: executions are written in
    /// groups, not each before its answer.
    pub fn long_lived(mut self) -> Context {
        self.long_lived = true;
        self
    }

    /// Keep sessions in `agent` (the daemon).
    pub fn with_agent(mut self, agent: Arc<crate::auth::agent::Agent>) -> Context {
        self.agent = Some(agent);
        self
    }

    pub fn agent(&self) -> Option<&crate::auth::agent::Agent> {
        self.agent.as_deref()
    }

    /// Hand new sessions to `keeper` (the daemon, for `token_storage: daemon`).
    pub fn with_keeper(mut self, keeper: Arc<dyn crate::auth::Keeper>) -> Context {
        self.keeper = Some(keeper);
        self
    }

    pub fn keeper(&self) -> Option<&dyn crate::auth::Keeper> {
        self.keeper.as_deref()
    }

    /// The configured profile's provider: discovered once per process (its metadata and
    /// keys cached on disk for an hour).
    pub async fn provider(&self) -> Result<Arc<crate::auth::oidc::Provider>> {
        let profile = self.settings.auth.profile.as_ref().ok_or_else(|| {
            crate::error::Error::usage(
                "no SSO provider is configured",
                Some("set OIDC_ISSUER_URL (or KEYCLOAK_SERVER_URL and KEYCLOAK_REALM), or add auth.profiles to the config file"),
            )
        })?;
        self.provider
            .get_or_try_init(|| async {
                let http = crate::net::client()?;
                crate::auth::oidc::Provider::discover(
                    profile,
                    &http,
                    Some(&self.settings.paths.data_dir),
                )
                .await
                .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// Let `doctor` ask the daemon through `probe`.
    pub fn with_daemon_probe(mut self, probe: Arc<dyn crate::doctor::DaemonProbe>) -> Context {
        self.daemon_probe = Some(probe);
        self
    }

    pub fn daemon_probe(&self) -> Option<&dyn crate::doctor::DaemonProbe> {
        self.daemon_probe.as_deref()
    }

    /// The domain store (agents, creations, registry, deployments), opened on first use.
    pub fn store(&self) -> Result<Arc<dyn DomainStore>> {
        let mut slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let s: Arc<dyn DomainStore> = Arc::from(store::open_domain(&self.settings.database.value)?);
        *slot = Some(s.clone());
        Ok(s)
    }

    /// The executions store, opened on first use.
    pub fn executions(&self) -> Result<Arc<dyn crate::store::ExecutionStore>> {
        let mut slot = self.executions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let s: Arc<dyn crate::store::ExecutionStore> =
            Arc::from(store::open_executions(&self.settings.executions_store)?);
        *slot = Some(s.clone());
        Ok(s)
    }

    /// Where calls leave their executions (group commit), started on first use.
    pub fn execution_writer(&self) -> Result<Arc<crate::store::executions::Writer>> {
        if let Some(w) = self.writer.get() {
            return Ok(w.clone());
        }
        let store = self.executions()?;
        Ok(self
            .writer
            .get_or_init(|| Arc::new(crate::store::executions::Writer::new(store)))
            .clone())
    }

    /// The gateway, built on first use (its catalog still empty).
    async fn gateway_handle(&self) -> Result<Arc<crate::gateway::Gateway>> {
        Ok(self
            .gateway
            .get_or_try_init(|| async {
                let opts = crate::gateway::catalog::Options {
                    http: crate::net::client()?,
                    config: self.settings.gateway.clone(),
                    connect_timeout: Duration::from_secs(30),
                    recorded: Some(self.executions()?),
                };
                Ok::<_, crate::error::Error>(Arc::new(crate::gateway::Gateway::new(opts)))
            })
            .await?
            .clone())
    }

    /// The gateway, with its catalog made once (of `only` that server, or of all).
    pub async fn gateway(&self, only: Option<&str>) -> Result<Arc<crate::gateway::Gateway>> {
        let g = self.gateway_handle().await?;
        // Checked without a lock: every call passes here, and a refresh in progress (the
        // daemon's periodic one) must not hold calls up.
        if !self
            .gateway_refreshed
            .load(std::sync::atomic::Ordering::Acquire)
        {
            self.gateway_first
                .get_or_try_init(|| self.refresh_gateway(only, &[]))
                .await?;
        }
        Ok(g)
    }

    /// What the gateway fronts changed: `server` was deployed, undeployed, registered or
    /// removed. Its tools are listed (and, when `pin`, their definitions pinned) now, in
    /// this process; a long-lived one makes its whole catalog anew.
    pub async fn gateway_changed(&self, server: &str, pin: bool) -> Result<()> {
        if !self.long_lived && !pin {
            return Ok(());
        }
        self.gateway_handle().await?;
        let only = (!self.long_lived).then_some(server);
        let pins = if pin {
            vec![server.to_owned()]
        } else {
            Vec::new()
        };
        self.refresh_gateway(only, &pins).await
    }

    /// Where spans of calls go, when a collector is configured (started on first use, in
    /// the runtime of the caller).
    pub fn exporter(&self) -> Option<crate::gateway::trace::Exporter> {
        self.exporter
            .get_or_init(|| {
                let o = self.settings.otlp.clone()?;
                let http = crate::net::client()
                    .map_err(|e| log::warn!("no OpenTelemetry export: {e}"))
                    .ok()?;
                Some(crate::gateway::trace::Exporter::start(http, o))
            })
            .clone()
    }

    /// Export what spans are pending, when an exporter was started.
    pub async fn flush_spans(&self) {
        if let Some(Some(e)) = self.exporter.get() {
            e.flush().await;
        }
    }

    /// Whether this context serves many calls over a long life.
    /// The execution writer, when this process has started one.
    pub fn execution_writer_built(&self) -> Option<Arc<crate::store::executions::Writer>> {
        self.writer.get().cloned()
    }

    pub fn is_long_lived(&self) -> bool {
        self.long_lived
    }

    /// The gateway, when this process has built one.
    pub fn gateway_built(&self) -> Option<Arc<crate::gateway::Gateway>> {
        self.gateway.get().cloned()
    }

    /// Make the gateway's catalog anew from what is deployed and registered now, pinning
    /// the definitions of `pin`; changed definitions are audited as warnings.
    pub async fn refresh_gateway(&self, only: Option<&str>, pin: &[String]) -> Result<()> {
        let Some(g) = self.gateway.get().cloned() else {
            return Ok(());
        };
        let s = &self.settings;
        let run = crate::gateway::sources::RunOptions {
            dir: s.paths.data_dir.join("gateway"),
            path_env: s.sandbox_path.clone(),
            passthrough_env: s.sandbox_passthrough.clone(),
            cache_dir: s.cache_dir.clone(),
            docker_host: s.docker_host.value.clone(),
        };
        let store = self.store()?;
        let (mut sources, _) = crate::gateway::sources::sources(store.as_ref(), &run)?;
        if let Some(one) = only {
            sources.retain(|s| s.server == one);
        }
        let warnings = g.refresh(sources, store.as_ref(), pin).await?;
        self.gateway_refreshed
            .store(true, std::sync::atomic::Ordering::Release);
        if warnings.is_empty() {
            return Ok(());
        }
        let recorder = self.recorder()?;
        let caller = Caller::local(&s.audit.user);
        for w in warnings {
            log::warn!("{}", w.message);
            recorder.record(
                crate::audit::Action {
                    event_type: crate::audit::event::EventType::ConfigurationChange,
                    category: crate::audit::event::Category::Security,
                    severity: crate::audit::event::Severity::Warning,
                    operation: "gateway.tool_withheld".into(),
                    resource: format!("{}/{}", w.server, w.tool),
                    resource_id: None,
                    status: crate::audit::event::Status::Partial,
                    error: Some(w.message),
                    response_time_ms: 0.0,
                    agent_id: Some(w.server),
                    data: Default::default(),
                    method: None,
                    status_code: None,
                },
                &caller,
            )?;
        }
        Ok(())
    }

    /// The audit recorder, opened on first use. Under fail-closed a trail that cannot be
    /// opened is an error each time (it is tried again next time); under fail-open the
    /// recorder counts what it loses.
    pub fn recorder(&self) -> Result<Arc<Recorder>> {
        let mut slot = self.recorder.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let s = &self.settings;
        let r = Arc::new(Recorder::open(&RecorderOptions {
            store: &s.audit.store,
            data_dir: &s.paths.data_dir,
            fail_closed: s.audit.fail_closed,
            min_severity: s.audit.min_severity,
            organization: &s.organization.value,
            component: self.component,
        })?);
        *slot = Some(r.clone());
        Ok(r)
    }

    /// The audit trail's store, opened on first use (through the recorder, so that the
    /// trail is opened once).
    pub fn trail(&self) -> Result<Arc<dyn AuditStore>> {
        let r = self.recorder()?;
        match r.store() {
            Some(s) => Ok(s),
            None => Ok(Arc::from(store::open_audit(&self.settings.audit.store)?)),
        }
    }

    /// Whether `caller` may make `request`. Roles are enforced when SSO is required here,
    /// and always for callers over the network; what concerns only the caller's own
    /// machine and session (`doctor`, `config`, login) needs no role.
    pub fn authorise(&self, caller: &Caller, request: &Request) -> Result<()> {
        let p = request.permission();
        if p.is_personal() || !(self.settings.auth.required.value || caller.remote) {
            return Ok(());
        }
        let Some(identity) = &caller.identity else {
            return Err(crate::error::Error::Unauthenticated {
                message: format!(
                    "{} needs a login: single sign-on is required here",
                    request.id()
                ),
                hint: Some("run `pc-hybrid login`".into()),
            });
        };
        let roles = identity.roles();
        if self.settings.auth.roles.allows(&roles, p) {
            Ok(())
        } else {
            Err(self
                .settings
                .auth
                .roles
                .denial(&identity.username, &roles, request.id(), p))
        }
    }

    /// With data classification on, what an event touching `agent` says about its data:
    /// the agent's declared compliance frameworks, and whether its data is confidential or
    /// restricted. Unknown agents and unclassified servers flag nothing.
    pub fn data_flags(&self, agent: Option<&str>) -> Result<crate::audit::event::Data> {
        Ok(data_of(self.classified(agent)?.as_ref()))
    }

    /// With data classification on, `agent`'s declared classification level and compliance
    /// frameworks; `None` when it is off, or `agent` is unknown or unclassified.
    pub fn classified(&self, agent: Option<&str>) -> Result<Option<(String, Vec<String>)>> {
        match agent.filter(|_| self.settings.audit.data_classification) {
            Some(name) => crate::registry::classification(self.store()?.as_ref(), name),
            None => Ok(None),
        }
    }

    /// Hand new events to the configured sinks within `budget`; a sink that fails is a
    /// warning (it gets them on the next delivery).
    pub async fn deliver(&self, sink: &dyn Sink, budget: Duration) {
        if self.settings.audit.sinks.is_empty() {
            return;
        }
        let trail = match self.trail() {
            Ok(t) => t,
            Err(e) => {
                sink.warn(&format!("audit sinks: {e}"));
                return;
            }
        };
        match crate::audit::sinks::deliver(trail.as_ref(), &self.settings.audit.sinks, 1000, budget)
            .await
        {
            Ok(done) => {
                for d in done {
                    if let Some(e) = d.error {
                        sink.warn(&format!(
                            "audit sink {}: {e}; its events will be sent again on the next delivery",
                            d.sink
                        ));
                    }
                }
            }
            Err(e) => sink.warn(&format!("audit sinks: {e}")),
        }
    }

    /// Undo what creations of processes that died left, and mark them failed.
    pub fn recover_creations(&self) -> Result<Vec<String>> {
        crate::factory::recover::recover(self.store()?.as_ref(), &creation_locks(&self.settings))
    }
}

/// Where changes of deployments keep their per-agent locks.
pub fn deployment_locks(s: &Settings) -> std::path::PathBuf {
    s.paths.data_dir.join("deployments")
}

/// Where running creations keep their locks.
pub fn creation_locks(s: &Settings) -> std::path::PathBuf {
    s.paths.data_dir.join("creations")
}

/// What an event says about the data of a server classified `found` (level, frameworks).
pub fn data_of(found: Option<&(String, Vec<String>)>) -> crate::audit::event::Data {
    match found {
        Some((level, frameworks)) => crate::audit::event::Data {
            sensitive_data_accessed: matches!(level.as_str(), "confidential" | "restricted"),
            compliance_flags: frameworks.clone(),
            ..Default::default()
        },
        None => Default::default(),
    }
}
