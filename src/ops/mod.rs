//! The operation layer: every user-visible operation declared once (id, audit event type
//! and category, whether it acts or only reads, the permission it needs) with a typed
//! request and response, and `execute`, which every entry point goes through: authorise,
//! record the request, run the domain, record the outcome, deliver to the audit sinks.

pub mod analytics;
pub mod auth;
pub mod context;
pub mod executions;
pub mod mcp;
pub mod sink;
pub mod tools;

mod agents;
mod registry;
mod system;
mod trail;

use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::event::{Category, EventType, Severity, Status};
use crate::error::{Error, Result};

pub use crate::auth::Caller;
pub use agents::{AgentRow, CreateAgent, CreateFlags, Deploy, Logs, Restart, Undeploy};
pub use context::Context;
pub use registry::{
    declared_environment, Export, LiveRequest, Named, RegisterServer, ServerSource, ValidateServers,
};
pub use sink::{Cancel, Sink, Step, Steps};
pub use trail::{AuditFilter, Ingest, IngestSource, Input};

pub use crate::auth::roles::Permission;

impl Permission {
    /// Whether the operation reads the audit trail itself.
    pub fn reads_trail(self) -> bool {
        matches!(self, Permission::AuditRead | Permission::AuditExport)
    }
}

/// Whether an operation changes something (recorded before it starts, refused when that
/// record cannot be made under fail-closed) or only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Acts,
    Reads,
    /// Appends events to the trail itself: those events are its record, and its outcome is
    /// recorded after them.
    Appends,
    /// A tool call: recorded once, when it ends (one event and one execution row), however
    /// it ends; a requested-event would double the trail at thousands of calls a second.
    Calls,
}

/// Where an operation runs when a daemon serves the others: in the caller's own process
/// when it needs the caller's terminal, stdin, environment or keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Runs {
    Anywhere,
    Caller,
}

/// The declaration of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Spec {
    pub id: &'static str,
    pub event_type: EventType,
    pub category: Category,
    pub effect: Effect,
    pub permission: Permission,
    pub runs: Runs,
}

const fn spec(
    id: &'static str,
    event_type: EventType,
    category: Category,
    effect: Effect,
    permission: Permission,
    runs: Runs,
) -> Spec {
    Spec {
        id,
        event_type,
        category,
        effect,
        permission,
        runs,
    }
}

use Category as C;
use Effect::{Acts, Appends, Calls, Reads};
use EventType as T;
use Permission as P;
use Runs::{Anywhere, Caller as Here};

/// Every operation, in the order `pc-hybrid --help` lists the commands.
#[rustfmt::skip]
pub const SPECS: &[Spec] = &[
    spec("agent.create", T::Execution, C::Operational, Acts, P::AgentCreate, Anywhere),
    spec("creation.status", T::DataAccess, C::Operational, Reads, P::AgentRead, Anywhere),
    // Listing probes the deployments' health and stores nothing: a read.
    spec("agent.list", T::DataAccess, C::Operational, Reads, P::AgentRead, Anywhere),
    spec("agent.deploy", T::Execution, C::Operational, Acts, P::AgentDeploy, Anywhere),
    spec("agent.undeploy", T::Execution, C::Operational, Acts, P::AgentDeploy, Anywhere),
    spec("agent.logs", T::DataAccess, C::Operational, Reads, P::AgentRead, Anywhere),
    spec("agent.restart", T::Execution, C::Operational, Acts, P::AgentDeploy, Anywhere),
    spec("mcp.register", T::ConfigurationChange, C::Security, Acts, P::McpRegister, Anywhere),
    spec("mcp.validate", T::Execution, C::Security, Reads, P::McpValidate, Anywhere),
    spec("mcp.list", T::DataAccess, C::Operational, Reads, P::McpRead, Anywhere),
    spec("mcp.show", T::DataAccess, C::Operational, Reads, P::McpRead, Anywhere),
    spec("mcp.remove", T::ConfigurationChange, C::Security, Acts, P::McpRemove, Anywhere),
    spec("mcp.export", T::DataAccess, C::Operational, Reads, P::McpRead, Anywhere),
    // Preparing a client's configuration may build the agent's environment: it acts.
    spec("mcp.client_config", T::DataAccess, C::Operational, Acts, P::McpRead, Anywhere),
    spec("mcp.rules", T::DataAccess, C::Operational, Reads, P::McpRead, Anywhere),
    // Reads stdin or a file of the caller.
    spec("audit.ingest", T::DataAccess, C::Compliance, Appends, P::AuditIngest, Here),
    spec("audit.query", T::DataAccess, C::Compliance, Reads, P::AuditRead, Anywhere),
    spec("audit.tail", T::DataAccess, C::Compliance, Reads, P::AuditRead, Anywhere),
    spec("audit.export", T::DataAccess, C::Compliance, Reads, P::AuditExport, Anywhere),
    spec("audit.verify", T::Execution, C::Compliance, Reads, P::AuditRead, Anywhere),
    spec("tool.call", T::Execution, C::Operational, Calls, P::ToolsCall, Anywhere),
    spec("gateway.status", T::DataAccess, C::Operational, Reads, P::ToolsCall, Anywhere),
    spec("mcp.approve", T::ConfigurationChange, C::Security, Acts, P::ToolsApprove, Anywhere),
    spec("executions.list", T::DataAccess, C::Performance, Reads, P::AnalyticsRead, Anywhere),
    // Reads stdin or a file of the caller.
    spec("executions.import", T::ConfigurationChange, C::Performance, Acts, P::ExecutionsImport, Here),
    spec("execution.feedback", T::ConfigurationChange, C::Performance, Acts, P::Feedback, Anywhere),
    spec("analytics.insights", T::DataAccess, C::Performance, Reads, P::AnalyticsRead, Anywhere),
    spec("analytics.report", T::DataAccess, C::Performance, Reads, P::AnalyticsRead, Anywhere),
    // Posts to the webhook and keeps what fired.
    spec("analytics.alerts_check", T::Execution, C::Performance, Acts, P::AnalyticsRead, Anywhere),
    // Runs the flow where the user is (a browser, a terminal, stdin).
    spec("auth.login", T::Authentication, C::Security, Acts, P::Session, Here),
    spec("auth.logout", T::Authentication, C::Security, Acts, P::Session, Anywhere),
    spec("auth.whoami", T::DataAccess, C::Security, Reads, P::Session, Anywhere),
    spec("auth.token", T::DataAccess, C::Security, Reads, P::Session, Anywhere),
    spec("auth.status", T::DataAccess, C::Security, Reads, P::Session, Anywhere),
    // The caller's own settings, and which path its commands take.
    spec("config.show", T::DataAccess, C::Security, Reads, P::ConfigRead, Here),
    // The caller's keyring, and a token read from the caller's stdin.
    spec("config.git_token.set", T::ConfigurationChange, C::Security, Acts, P::ConfigWrite, Here),
    spec("config.git_token.clear", T::ConfigurationChange, C::Security, Acts, P::ConfigWrite, Here),
    // The caller's environment.
    spec("doctor", T::Execution, C::Operational, Reads, P::SystemCheck, Here),
];

/// The declaration of the operation `id`.
pub fn spec_of(id: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.id == id)
}

/// One operation with its arguments.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "op", content = "args", deny_unknown_fields)]
pub enum Request {
    #[serde(rename = "agent.create")]
    CreateAgent(Box<CreateAgent>),
    #[serde(rename = "creation.status")]
    CreationStatus { creation_id: String },
    #[serde(rename = "agent.list")]
    ListAgents,
    #[serde(rename = "agent.deploy")]
    Deploy(Box<Deploy>),
    #[serde(rename = "agent.undeploy")]
    Undeploy(Undeploy),
    #[serde(rename = "agent.logs")]
    Logs(Logs),
    #[serde(rename = "agent.restart")]
    Restart(Restart),
    #[serde(rename = "mcp.register")]
    RegisterServer(Box<RegisterServer>),
    #[serde(rename = "mcp.validate")]
    ValidateServers(Box<ValidateServers>),
    #[serde(rename = "mcp.list")]
    ListServers,
    #[serde(rename = "mcp.show")]
    ShowServer(Named),
    #[serde(rename = "mcp.remove")]
    RemoveServer(Named),
    #[serde(rename = "mcp.export")]
    ExportServer(Export),
    #[serde(rename = "mcp.client_config")]
    ClientConfig {
        server: Named,
        client: crate::registry::client_config::Client,
    },
    #[serde(rename = "mcp.rules")]
    Rules,
    #[serde(rename = "audit.ingest")]
    Ingest(Ingest),
    #[serde(rename = "audit.query")]
    AuditQuery(AuditFilter),
    #[serde(rename = "audit.tail")]
    AuditTail { lines: usize, follow: bool },
    #[serde(rename = "audit.export")]
    AuditExport {
        format: crate::audit::trail::ExportFormat,
        since: Option<String>,
    },
    #[serde(rename = "audit.verify")]
    AuditVerify,
    #[serde(rename = "tool.call")]
    CallTool(Box<tools::CallTool>),
    #[serde(rename = "gateway.status")]
    GatewayStatus,
    #[serde(rename = "mcp.approve")]
    ApproveTools(tools::Approve),
    #[serde(rename = "executions.list")]
    Executions(executions::ExecutionFilter),
    #[serde(rename = "executions.import")]
    ImportExecutions(executions::ImportSource),
    #[serde(rename = "execution.feedback")]
    Feedback(executions::GiveFeedback),
    #[serde(rename = "analytics.insights")]
    Insights(crate::analytics::insights::InsightsRequest),
    #[serde(rename = "analytics.report")]
    Report(crate::analytics::insights::InsightsRequest),
    #[serde(rename = "analytics.alerts_check")]
    CheckAlerts,
    #[serde(rename = "auth.login")]
    Login(Box<auth::Login>),
    #[serde(rename = "auth.logout")]
    Logout,
    #[serde(rename = "auth.whoami")]
    WhoAmI,
    #[serde(rename = "auth.token")]
    AuthToken,
    #[serde(rename = "auth.status")]
    AuthStatus,
    #[serde(rename = "config.show")]
    ConfigShow,
    #[serde(rename = "config.git_token.set")]
    SetGitToken {
        #[serde(skip)]
        token: crate::secret::Secret,
    },
    #[serde(rename = "config.git_token.clear")]
    ClearGitToken,
    #[serde(rename = "doctor")]
    Doctor,
}

impl Request {
    pub fn id(&self) -> &'static str {
        match self {
            Request::CreateAgent(_) => "agent.create",
            Request::CreationStatus { .. } => "creation.status",
            Request::ListAgents => "agent.list",
            Request::Deploy(_) => "agent.deploy",
            Request::Undeploy(_) => "agent.undeploy",
            Request::Logs(_) => "agent.logs",
            Request::Restart(_) => "agent.restart",
            Request::RegisterServer(_) => "mcp.register",
            Request::ValidateServers(_) => "mcp.validate",
            Request::ListServers => "mcp.list",
            Request::ShowServer(_) => "mcp.show",
            Request::RemoveServer(_) => "mcp.remove",
            Request::ExportServer(_) => "mcp.export",
            Request::ClientConfig { .. } => "mcp.client_config",
            Request::Rules => "mcp.rules",
            Request::Ingest(_) => "audit.ingest",
            Request::AuditQuery(_) => "audit.query",
            Request::AuditTail { .. } => "audit.tail",
            Request::AuditExport { .. } => "audit.export",
            Request::AuditVerify => "audit.verify",
            Request::CallTool(_) => "tool.call",
            Request::GatewayStatus => "gateway.status",
            Request::ApproveTools(_) => "mcp.approve",
            Request::Executions(_) => "executions.list",
            Request::ImportExecutions(_) => "executions.import",
            Request::Feedback(_) => "execution.feedback",
            Request::Insights(_) => "analytics.insights",
            Request::Report(_) => "analytics.report",
            Request::CheckAlerts => "analytics.alerts_check",
            Request::Login(_) => "auth.login",
            Request::Logout => "auth.logout",
            Request::WhoAmI => "auth.whoami",
            Request::AuthToken => "auth.token",
            Request::AuthStatus => "auth.status",
            Request::ConfigShow => "config.show",
            Request::SetGitToken { .. } => "config.git_token.set",
            Request::ClearGitToken => "config.git_token.clear",
            Request::Doctor => "doctor",
        }
    }

    pub fn spec(&self) -> &'static Spec {
        spec_of(self.id()).expect("every request has a declaration")
    }

    /// The permission this request needs: its operation's, or more for production.
    pub fn permission(&self) -> Permission {
        match self {
            Request::Deploy(d) if d.environment == crate::deploy::Environment::Production => {
                Permission::AgentDeployProduction
            }
            _ => self.spec().permission,
        }
    }

    /// What the request is about, for the events' `action.resource`.
    pub fn resource(&self) -> String {
        match self {
            Request::CreateAgent(c) => {
                let n = &c.request.agent_spec.name;
                if n.is_empty() {
                    "agent".into()
                } else {
                    n.clone()
                }
            }
            Request::CreationStatus { creation_id } => creation_id.clone(),
            Request::ListAgents => "agents".into(),
            Request::Deploy(d) => d.name.clone(),
            Request::Undeploy(u) => u.name.clone(),
            Request::Logs(l) => l.name.clone(),
            Request::Restart(r) => r.name.clone(),
            Request::RegisterServer(r) => match &r.source {
                registry::ServerSource::File(f) => f.path.display().to_string(),
                registry::ServerSource::Body(_) => "request body".into(),
            },
            Request::ValidateServers(_) | Request::ListServers | Request::Rules => {
                "mcp_servers".into()
            }
            Request::ShowServer(n) | Request::RemoveServer(n) => n.name.clone(),
            Request::ExportServer(e) => e.server.name.clone(),
            Request::ClientConfig { server, .. } => server.name.clone(),
            Request::Ingest(_)
            | Request::AuditQuery(_)
            | Request::AuditTail { .. }
            | Request::AuditExport { .. }
            | Request::AuditVerify => "audit_trail".into(),
            Request::CallTool(c) => match &c.server {
                Some(s) => format!("{s}/{}", c.tool),
                None => c.tool.clone(),
            },
            Request::GatewayStatus => "gateway".into(),
            Request::ApproveTools(a) => a.server.clone(),
            Request::Executions(_) | Request::ImportExecutions(_) => "executions".into(),
            Request::Feedback(f) => f.execution_id.clone(),
            Request::Insights(_) | Request::Report(_) => "insights".into(),
            Request::CheckAlerts => "alerts".into(),
            Request::Login(_)
            | Request::Logout
            | Request::WhoAmI
            | Request::AuthToken
            | Request::AuthStatus => "session".into(),
            Request::ConfigShow => "settings".into(),
            Request::SetGitToken { .. } | Request::ClearGitToken => "keyring".into(),
            Request::Doctor => "environment".into(),
        }
    }

    /// The agent the request acts on, for the events' `context.agent_id`.
    pub fn agent(&self) -> Option<&str> {
        match self {
            Request::CreateAgent(c) => {
                Some(c.request.agent_spec.name.as_str()).filter(|n| !n.is_empty())
            }
            Request::Deploy(d) => Some(&d.name),
            Request::Undeploy(u) => Some(&u.name),
            Request::Logs(l) => Some(&l.name),
            Request::Restart(r) => Some(&r.name),
            Request::CallTool(c) => c.server.as_deref(),
            Request::ApproveTools(a) => Some(&a.server),
            _ => None,
        }
    }
}

/// What an operation gives back: the data its command prints.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Response {
    Created(Box<crate::factory::CreateOutcome>),
    Creation(crate::store::CreationRecord),
    Agents(Vec<AgentRow>),
    Deployed(Box<crate::deploy::DeployOutcome>),
    Undeployed(Vec<crate::store::DeploymentRecord>),
    Restarted(Vec<crate::store::DeploymentRecord>),
    Reports(Vec<crate::registry::Report>),
    Servers(Vec<crate::store::RegistryEntry>),
    Server(Box<crate::store::RegistryEntry>),
    Removed(Vec<crate::registry::Removed>),
    /// A document for another tool (a server.json, a manifest, a client's configuration);
    /// printed as JSON unless YAML is asked for, or as YAML when `json` is false.
    Document {
        document: Value,
        json: bool,
    },
    Rules(Vec<crate::registry::policy::RuleInfo>),
    Ingested(crate::audit::trail::IngestReport),
    Events(Vec<Value>),
    Verified(crate::audit::trail::VerifyReport),
    Settings(Vec<crate::settings::ShownSetting>),
    Called(Box<tools::Called>),
    Gateway(Box<tools::GatewayView>),
    /// The tools whose definitions were approved.
    Approved(Vec<String>),
    Executions(Vec<crate::store::ExecutionRecord>),
    ExecutionsImported(crate::analytics::executions::ImportReport),
    Insights(Box<crate::analytics::insights::Insights>),
    Alerts(Box<crate::analytics::alerts::Evaluation>),
    /// A self-contained HTML page.
    Report {
        html: String,
    },
    LoggedIn(Box<auth::LoggedIn>),
    LoggedOut(auth::LoggedOut),
    WhoAmI(Box<auth::WhoAmI>),
    Token(auth::AccessToken),
    Checks(Vec<crate::doctor::Check>),
    /// The data went out as a stream (logs, a follow, an export); nothing more to print.
    Streamed,
    /// Done; a note said what.
    Done,
}

/// An operation's result: its data, and the failure to report after printing it (a
/// validation's findings, a creation whose auto-deploy failed, a doctor check).
#[derive(Debug)]
pub struct Reply {
    pub response: Response,
    pub error: Option<Error>,
}

impl From<Response> for Reply {
    fn from(response: Response) -> Reply {
        Reply {
            response,
            error: None,
        }
    }
}

/// A path as the caller gave it, and where it is: read at `base.join(path)` by whichever
/// process runs the operation, shown as given.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct CallerPath {
    pub path: PathBuf,
    /// The caller's working directory when `path` is relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<PathBuf>,
}

impl CallerPath {
    /// A path of this process's caller, relative to its working directory.
    pub fn here(path: PathBuf) -> CallerPath {
        let base = if path.is_absolute() {
            None
        } else {
            std::env::current_dir().ok()
        };
        CallerPath { path, base }
    }

    pub fn resolved(&self) -> PathBuf {
        match &self.base {
            Some(b) => b.join(&self.path),
            None => self.path.clone(),
        }
    }
}

/// The one way any entry point runs an operation: authorise `caller`, record the request
/// (before acting, fail-closed), run the domain, record the outcome, deliver to the sinks.
pub async fn execute(
    ctx: &Context,
    caller: &Caller,
    request: Request,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    let spec = request.spec();
    if spec.effect == Effect::Calls {
        return tools::call(ctx, caller, request, sink, cancel).await;
    }
    let resource = request.resource();
    let agent = request.agent().map(str::to_owned);
    let recorder = ctx.recorder()?;
    let warned = std::sync::atomic::AtomicBool::new(false);
    // `outcome`: the event after the operation ran, which need not delay its answer.
    let record = |operation: String,
                  status: Status,
                  error: Option<String>,
                  ms: f64,
                  outcome: bool,
                  who: &Caller,
                  kind: Option<(EventType, Category, Severity)>|
     -> Result<()> {
        let severity = match status {
            Status::Failure => Severity::Error,
            _ => Severity::Info,
        };
        let (event_type, category, severity) =
            kind.unwrap_or((spec.event_type, spec.category, severity));
        let data = ctx.data_flags(agent.as_deref())?;
        let action = crate::audit::Action {
            event_type,
            category,
            severity,
            operation,
            resource: resource.clone(),
            resource_id: None,
            status,
            error,
            response_time_ms: ms,
            agent_id: agent.clone(),
            data,
            method: None,
            status_code: None,
        };
        // A sink is sent what is durable: with sinks, this command's outcome is waited for,
        // so that this command delivers it.
        let recorded = if outcome && ctx.settings.audit.sinks.is_empty() {
            recorder.record_outcome(action, who)?
        } else {
            recorder.record(action, who)?
        };
        if let crate::audit::recorder::Recorded::Lost(why) = recorded {
            if !warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
                sink.warn(&format!(
                    "the audit trail cannot be written ({why}); going on because audit is fail-open"
                ));
            }
        }
        Ok(())
    };
    if let Err(e) = ctx.authorise(caller, &request) {
        record(
            spec.id.into(),
            Status::Failure,
            Some(e.to_string()),
            0.0,
            false,
            caller,
            Some((
                EventType::Authorization,
                Category::Security,
                Severity::Warning,
            )),
        )?;
        return Err(e);
    }
    if spec.effect == Effect::Acts {
        record(
            format!("{}.requested", spec.id),
            Status::Partial,
            None,
            0.0,
            false,
            caller,
            None,
        )?;
    }
    if spec.permission.reads_trail() {
        recorder.flush();
    }
    let started = Instant::now();
    let result = run(ctx, caller, request, sink, cancel).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let failure = match &result {
        Ok(Reply { error: Some(e), .. }) | Err(e) => Some(e.to_string()),
        Ok(_) => None,
    };
    let status = if failure.is_some() {
        Status::Failure
    } else {
        Status::Success
    };
    // A login's outcome is recorded as the user it authenticated, in its new session.
    let who = match &result {
        Ok(Reply {
            response: Response::LoggedIn(l),
            ..
        }) => caller
            .clone()
            .authenticated(l.identity.clone(), Some(l.session.clone())),
        _ => caller.clone(),
    };
    let recorded = record(spec.id.into(), status, failure, ms, true, &who, None);
    if recorded.is_ok() {
        // An ingest may have stored many events for the sinks: it waits longer for them.
        let budget = if spec.effect == Effect::Appends {
            10
        } else {
            2
        };
        ctx.deliver(sink, std::time::Duration::from_secs(budget))
            .await;
    }
    let reply = result?;
    recorded?;
    Ok(reply)
}

async fn run(
    ctx: &Context,
    caller: &Caller,
    request: Request,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    match request {
        Request::CreateAgent(c) => agents::create(ctx, *c, sink, cancel).await,
        Request::CreationStatus { creation_id } => agents::status(ctx, &creation_id),
        Request::ListAgents => agents::list(ctx).await,
        Request::Deploy(d) => agents::deploy(ctx, &d, sink, cancel).await,
        Request::Undeploy(u) => agents::undeploy(ctx, &u, sink).await,
        Request::Logs(l) => agents::logs(ctx, &l, sink, cancel).await,
        Request::Restart(r) => agents::restart(ctx, &r, sink).await,
        Request::RegisterServer(r) => registry::register(ctx, &r, sink, cancel).await,
        Request::ValidateServers(v) => registry::validate(ctx, &v, cancel).await,
        Request::ListServers => registry::list(ctx),
        Request::ShowServer(n) => registry::show(ctx, &n),
        Request::RemoveServer(n) => registry::remove(ctx, &n, sink),
        Request::ExportServer(e) => registry::export(ctx, &e, sink),
        Request::ClientConfig { server, client } => {
            registry::client_config(ctx, &server, client, sink).await
        }
        Request::Rules => Ok(Response::Rules(crate::registry::policy::rules()).into()),
        Request::Ingest(i) => trail::ingest(ctx, i, sink).await,
        Request::AuditQuery(q) => trail::query(ctx, &q, sink),
        Request::AuditTail { lines, follow } => trail::tail(ctx, lines, follow, sink, cancel).await,
        Request::AuditExport { format, since } => trail::export(ctx, format, since, sink),
        Request::AuditVerify => trail::verify(ctx),
        Request::CallTool(_) => Err(Error::Internal(
            "a tool call is run by tools::call, not here".into(),
        )),
        Request::GatewayStatus => tools::status(ctx, caller).await,
        Request::ApproveTools(a) => tools::approve(ctx, &a, sink).await,
        Request::Executions(f) => executions::list(ctx, &f),
        Request::ImportExecutions(s) => executions::import(ctx, &s, sink),
        Request::Feedback(f) => executions::feedback(ctx, caller, &f, sink),
        Request::Insights(r) => analytics::insights(ctx, &r),
        Request::Report(r) => analytics::report(ctx, &r),
        Request::CheckAlerts => analytics::check_alerts(ctx, caller, sink).await,
        Request::Login(l) => auth::login(ctx, &l, sink, cancel).await,
        Request::Logout => auth::logout(ctx, caller, sink).await,
        Request::WhoAmI | Request::AuthStatus => auth::whoami(ctx, caller),
        Request::AuthToken => auth::token(ctx, caller),
        Request::ConfigShow => Ok(Response::Settings(ctx.settings.show()).into()),
        Request::SetGitToken { token } => system::set_git_token(ctx, &token, sink),
        Request::ClearGitToken => system::clear_git_token(ctx, sink),
        Request::Doctor => system::doctor(ctx, caller).await,
    }
}
