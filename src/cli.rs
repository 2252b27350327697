//! Command-line definitions (clap derive). Every doc comment here is help text, and the
//! committed completions and man pages are generated from these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::audit::event::{EventType, Severity, Status};
pub use crate::audit::trail::ExportFormat as AuditFormat;
pub use crate::deploy::{Environment, Target};
use crate::output::Format;
pub use crate::registry::client_config::Client;
pub use crate::registry::export::Format as ExportFormat;
pub use crate::registry::live::LaunchKind;

/// A parser that takes one of the names an event spells a field with, so that a misspelt
/// filter is refused (and completed) instead of matching nothing.
fn names<const N: usize>(names: [&'static str; N]) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(names)
}

/// PromptCraft-Hybrid: create, register, deploy and govern MCP agents.
#[derive(Debug, Parser)]
#[command(
    name = "pc-hybrid",
    version,
    propagate_version = true,
    max_term_width = 100,
    args_override_self = true
)]
pub struct Cli {
    /// Output format of data written to stdout.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Print only data and errors; no progress or notes on stderr.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More detail on stderr (-v for info, -vv for debug).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The SSO profile (provider and client) to use [env: PC_HYBRID_PROFILE].
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an agent project from a template, commit it to git, push and register it.
    CreateAgent(Lazy<Box<CreateAgentArgs>>),
    /// Show the steps of an agent creation.
    Status(Lazy<StatusArgs>),
    /// List the agents with their deployments: target, environment, replicas wanted and
    /// healthy, endpoints, artifact and last health check.
    ListAgents,
    /// Deploy an agent: local processes (default), Docker containers or Kubernetes manifests.
    DeployAgent(Lazy<DeployAgentArgs>),
    /// Stop and remove an agent's deployments.
    Undeploy(Lazy<UndeployArgs>),
    /// Show the log of one replica of a deployed agent.
    Logs(Lazy<LogsArgs>),
    /// Start again the replicas of a deployment that are not healthy.
    Restart(Lazy<RestartArgs>),
    /// The MCP registry: register, validate, list, show, remove and export MCP servers.
    #[command(subcommand)]
    Mcp(Lazy<McpCommand>),
    /// The audit trail: ingest, query, tail, export and verify events.
    #[command(subcommand)]
    Audit(Lazy<AuditCommand>),
    /// Call a tool of a deployed agent or registered server through the gateway: governed,
    /// audited and recorded as an execution like any MCP client's call.
    Invoke(Lazy<InvokeArgs>),
    /// The MCP gateway: one MCP endpoint in front of every deployed agent and registered
    /// server (the daemon serves it at /mcp).
    #[command(subcommand)]
    Gateway(Lazy<GatewayCommand>),
    /// Tool calls (executions) recorded here or imported: list them, or import JSON Lines.
    Executions(Lazy<ExecutionsArgs>),
    /// Judge an execution: a rating from 1 to 5, and whether its answer was correct.
    Feedback(Lazy<FeedbackArgs>),
    /// Analytics over the executions: insights of a period, from rollups kept as calls are
    /// recorded.
    #[command(subcommand)]
    Analytics(Lazy<AnalyticsCommand>),
    /// Log in to the SSO provider: device code, browser, client credentials or a token.
    ///
    /// Without a flag, the device flow is used over SSH, in a container or without a
    /// display, and the browser flow otherwise.
    Login(Lazy<LoginArgs>),
    /// Log out: revoke the session at the provider, then forget its tokens here.
    Logout,
    /// Who the session says you are: user, organization, roles, token expiries, where the
    /// tokens are kept and which operations your roles allow.
    Whoami,
    /// Tokens for scripts: print a valid access token, or check whether you are logged in.
    #[command(subcommand)]
    Auth(Lazy<AuthCommand>),
    /// Inspect the resolved configuration.
    #[command(subcommand)]
    Config(Lazy<ConfigCommand>),
    /// Check the environment: git identity, Docker Engine, keyring, Python and MCP SDK, store.
    Doctor,
    /// The background daemon: one store handle and one audit pipeline for every command.
    #[command(subcommand)]
    Daemon(Lazy<DaemonCommand>),
    /// Print a shell completion script.
    Completions(Lazy<CompletionsArgs>),
}

/// A command's arguments or subcommands, which clap builds only when that command is the
/// one on the command line (`clap::Command::defer`). Building every command's arguments to
/// parse one was a third of the instructions of a command answered by the daemon; help,
/// completions and man pages build them all as before.
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Lazy)
    }

    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }

    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

impl<T: Args> Args for Lazy<T> {
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }

    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_args_for_update)
    }
}

impl<T: Subcommand> Subcommand for Lazy<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_subcommands)
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_subcommands_for_update)
    }

    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

#[derive(Debug, Args)]
pub struct CreateAgentArgs {
    /// Agent name, snake_case (e.g. tax_advisor).
    #[arg(long)]
    pub name: Option<String>,

    /// Domain area (e.g. security, finance, web_development, data_analysis).
    #[arg(long)]
    pub domain: Option<String>,

    /// What the agent does.
    #[arg(long)]
    pub description: Option<String>,

    /// Human-readable name (default: the name in title case).
    #[arg(long)]
    pub display_name: Option<String>,

    /// A capability; each becomes an MCP tool scoped to its knowledge (repeatable).
    #[arg(long = "capability", value_name = "NAME")]
    pub capabilities: Vec<String>,

    /// A keyword (repeatable; default: the domain and the name).
    #[arg(long = "keyword", value_name = "K")]
    pub keywords: Vec<String>,

    /// A knowledge source TYPE:SOURCE[:FREQUENCY]; TYPE is markdown|json|api|database,
    /// FREQUENCY daily|weekly|monthly; a database source takes `URL#SQL QUERY` (repeatable).
    #[arg(long = "knowledge-source", value_name = "TYPE:SOURCE[:FREQUENCY]")]
    pub knowledge_sources: Vec<String>,

    /// Read the whole request (reference design 2.1 body) from a JSON or YAML file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "domain", "description", "display_name", "capabilities", "keywords", "knowledge_sources", "interactive"])]
    pub from_spec: Option<PathBuf>,

    /// Template: a built-in name (`default`), a folder in the templates directory, or a path.
    #[arg(long, value_name = "NAME|PATH")]
    pub template: Option<String>,

    /// Directory the project folder is created in.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Target environment recorded in the agent's deployment config.
    #[arg(long, value_enum)]
    pub environment: Option<Environment>,

    /// Memory limit, e.g. 512M.
    #[arg(long)]
    pub memory: Option<String>,

    /// CPU limit, e.g. 0.5.
    #[arg(long)]
    pub cpu: Option<String>,

    /// Base image of the generated Dockerfile.
    #[arg(long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// Git base URL; origin becomes <URL>/<name>.git.
    #[arg(long, value_name = "URL")]
    pub git_base_url: Option<String>,

    /// Push to origin (default: AGENT_FACTORY_AUTO_PUSH, true).
    #[arg(long, overrides_with = "no_push")]
    pub push: bool,

    /// Do not push, even when a remote is configured.
    #[arg(long, overrides_with = "push")]
    pub no_push: bool,

    /// Show what would be created; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Ask for the specification step by step (needs a terminal).
    #[arg(long, short = 'i')]
    pub interactive: bool,

    /// Deploy to the development environment after creation.
    #[arg(long)]
    pub auto_deploy: bool,

    /// Replace an existing agent of the same name.
    #[arg(long)]
    pub force: bool,

    /// Keep what earlier steps made when a step fails, for inspection.
    #[arg(long)]
    pub keep_on_failure: bool,

    /// Answer yes to the confirmation of the interactive summary.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct DeployAgentArgs {
    /// The agent's name.
    pub name: String,

    /// The environment deployed to.
    #[arg(long, value_enum, default_value_t = Environment::Development)]
    pub environment: Environment,

    /// How many replicas (1 to 20).
    #[arg(long, default_value_t = 1)]
    pub replicas: u32,

    /// Where it runs.
    #[arg(long, value_enum, default_value_t = Target::Local)]
    pub target: Target,

    /// Wait until every replica is healthy; roll back when one is not.
    #[arg(long)]
    pub wait: bool,

    /// Seconds a replica may take to become healthy.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,

    /// Skip the pre-deploy scan (recorded with the deployment).
    #[arg(long)]
    pub skip_scan: bool,

    /// Port of the first replica on 127.0.0.1, one up for each next one (default: free ports).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1024..))]
    pub port: Option<u16>,

    /// Memory limit instead of the agent's own, e.g. 512M or 1Gi.
    #[arg(long)]
    pub memory: Option<String>,

    /// CPU limit instead of the agent's own, e.g. 0.5 or 500m.
    #[arg(long)]
    pub cpu: Option<String>,

    /// Kubernetes: where the manifests are written (default: <data>/manifests/<agent>).
    #[arg(long, value_name = "DIR")]
    pub manifests_dir: Option<PathBuf>,

    /// Kubernetes: pipe the manifests to `kubectl apply` (needs a kubeconfig).
    #[arg(long)]
    pub apply: bool,

    /// Kubernetes: the namespace.
    #[arg(long, default_value = "default")]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct UndeployArgs {
    /// The agent's name.
    pub name: String,

    /// Only this target (default: every target it is deployed to).
    #[arg(long, value_enum)]
    pub target: Option<Target>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The agent's name.
    pub name: String,

    /// The replica, from 0.
    #[arg(long, default_value_t = 0)]
    pub replica: u32,

    /// Only this target (default: the first deployment).
    #[arg(long, value_enum)]
    pub target: Option<Target>,

    /// Lines from the end.
    #[arg(long, default_value_t = 100)]
    pub tail: usize,

    /// Keep printing what is appended.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The agent's name.
    pub name: String,

    /// Only this target.
    #[arg(long, value_enum)]
    pub target: Option<Target>,

    /// Restart every replica, healthy or not.
    #[arg(long)]
    pub all: bool,

    /// Seconds a replica may take to become healthy.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: u32,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The creation id printed by create-agent.
    pub creation_id: String,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every resolved setting with where it came from (secrets redacted).
    Show,
    /// Store a git token for HTTPS pushes in the OS keyring, read from stdin.
    SetGitToken,
    /// Remove the git token from the OS keyring.
    ClearGitToken,
}

#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    /// Serve in the foreground, logging to stderr (for systemd and containers).
    Run(DaemonRunArgs),
    /// Start in the background; returns once it answers.
    Start,
    /// Stop gracefully: running operations finish and every acknowledged event is durable.
    Stop,
    /// Pid, version, protocol, uptime, socket, stores, audit queue and requests served.
    Status,
    /// Stop, then start (after an upgrade, or when the protocol does not match).
    Restart,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExecutionsArgs {
    #[command(subcommand)]
    pub command: Option<ExecutionsCommand>,
    /// Only this agent's (or registered server's).
    #[arg(long)]
    pub agent: Option<String>,
    /// Only this user's.
    #[arg(long)]
    pub user: Option<String>,
    /// From this time on: RFC 3339, or a duration back from now (30m, 24h, 7d).
    #[arg(long)]
    pub since: Option<String>,
    /// Before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Only those that ended so.
    #[arg(long, value_parser = names(["success", "error", "timeout", "denied"]))]
    pub status: Option<String>,
    /// The newest N that match.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum ExecutionsCommand {
    /// Import executions recorded elsewhere: one JSON object per line (`-` or no FILE for
    /// stdin). Each line is checked; those already stored (by id) are counted, not stored
    /// again.
    Import {
        /// The file, or `-` for stdin.
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// The summary, trends (volume, p50/p95/p99 latency, model and infrastructure cost),
    /// agent performance and recommendations of a period; `-o json` prints the insights
    /// API's body.
    Insights(InsightsArgs),
    /// One self-contained HTML page of a period (charts drawn as inline SVG, nothing
    /// fetched from anywhere): volume, latency percentiles, cost by kind, the agents, the
    /// recommendations and the alerts that fired.
    Report(ReportArgs),
    /// The alert rules (`analytics.alerts` in the config file).
    #[command(subcommand)]
    Alerts(AlertsCommand),
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Evaluate every rule once: each firing alert is posted to
    /// ANALYTICS_ALERT_WEBHOOK_URL (unless it was sent within the throttle), kept and
    /// audited. Exit 1 when one fires: fit for cron. The daemon evaluates them
    /// continuously.
    Check,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How far back: whole UTC days, the last one today.
    #[arg(long, default_value = "30d", value_parser = names(["7d", "30d", "90d", "1y"]))]
    pub time_range: String,
    /// The length of one point of the charts (hourly covers at most 31 days).
    #[arg(long, default_value = "day", value_parser = names(["hour", "day", "week", "month"]))]
    pub granularity: String,
    /// Only these agents (or registered servers), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "AGENTS")]
    pub agent_filter: Vec<String>,
    /// Where to write the page (replaced whole, never left half-written).
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
}

#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// How far back: whole UTC days, the last one today.
    #[arg(long, default_value = "30d", value_parser = names(["7d", "30d", "90d", "1y"]))]
    pub time_range: String,
    /// Which parts, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_parser = names(["usage", "performance", "costs", "quality"]))]
    pub metrics: Vec<String>,
    /// The length of one point of the trends (hourly covers at most 31 days).
    #[arg(long, default_value = "day", value_parser = names(["hour", "day", "week", "month"]))]
    pub granularity: String,
    /// Only these agents (or registered servers), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "AGENTS")]
    pub agent_filter: Vec<String>,
    /// Only these users' calls, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "USERS")]
    pub user_filter: Vec<String>,
    /// Compute from the executions themselves instead of the rollups: percentiles exact
    /// rather than within 1 %; slower on large stores.
    #[arg(long)]
    pub exact: bool,
}

#[derive(Debug, Args)]
pub struct InvokeArgs {
    /// The deployed agent or registered server.
    pub agent: String,
    /// The tool, by the name the agent gives it.
    pub tool: String,
    /// An argument: `key=value` for a string, `key:=json` for any JSON value (a number,
    /// true, an object); repeatable.
    #[arg(long = "arg", value_name = "KEY=VALUE", conflicts_with = "json")]
    pub args: Vec<String>,
    /// All arguments as one JSON object.
    #[arg(long, value_name = "OBJECT")]
    pub json: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// The tools offered (by the name clients see), those withheld and why, and every
    /// upstream replica with its health.
    Status,
    /// Serve the gateway over stdio, for a desktop MCP client (`mcp client-config gateway`
    /// prints its configuration).
    Stdio,
}

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// The execution's id (`pc-hybrid executions` shows them).
    pub execution_id: String,
    /// From 1 (bad) to 5 (good).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub rating: u8,
    /// Whether the answer was correct.
    #[arg(long)]
    pub correct: Option<bool>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Device authorization: open a URL on any device and confirm the code shown here.
    #[arg(long, conflicts_with_all = ["browser", "client_credentials", "with_token", "port"])]
    pub device: bool,
    /// Authorization code with PKCE: a browser on this machine comes back to a loopback port.
    #[arg(long, conflicts_with_all = ["client_credentials", "with_token"])]
    pub browser: bool,
    /// The client's own credentials, for CI: KEYCLOAK_CLIENT_ID with the secret from
    /// KEYCLOAK_CLIENT_SECRET or stdin (never from a flag).
    #[arg(long, conflicts_with_all = ["with_token", "port"])]
    pub client_credentials: bool,
    /// Read an access token from stdin; it is verified before it is stored.
    #[arg(long, conflicts_with = "port")]
    pub with_token: bool,
    /// The loopback port of the browser flow, e.g. to forward it with `ssh -L`.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Print a valid access token (refreshed first when it is about to expire).
    Token,
    /// Exit 0 when logged in, 3 when not.
    Status,
}

#[derive(Debug, Args)]
pub struct DaemonRunArgs {
    /// Also serve the API over TCP on ADDR:PORT for other machines' CLIs and scripts; every
    /// request needs `Authorization: Bearer <JWT>` of the SSO provider. TLS is required on
    /// any address but loopback.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// PEM certificate chain of the TCP listener.
    #[arg(long, value_name = "FILE", requires = "listen")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the TCP listener.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Validate a server definition and store it in the registry.
    ///
    /// FILE is JSON or YAML in any of three formats, told apart by content: the registration
    /// body (`mcp_spec`, `security_config`, `deployment_config`), an MCPServer manifest
    /// (`apiVersion: mcp.promptcraft.io/v1`) or an official MCP Registry server.json. Nothing
    /// is stored unless every stage passes.
    Register(McpRegisterArgs),
    /// Run the same checks as `register` on one or more files; store nothing.
    Validate(McpValidateArgs),
    /// List the registered servers, agents and custom ones.
    List,
    /// Show one registered server: manifest, conditions and findings.
    #[command(disable_version_flag = true)]
    Show(McpNameArgs),
    /// Remove a custom server (one version, or all of them).
    #[command(disable_version_flag = true)]
    Remove(McpNameArgs),
    /// Print a registered server as a server.json (to publish it) or an MCPServer manifest.
    #[command(disable_version_flag = true)]
    Export(McpExportArgs),
    /// Print the configuration that connects an MCP client to a registered server.
    #[command(disable_version_flag = true)]
    ClientConfig(McpClientConfigArgs),
    /// List the security policy rules every server is checked against.
    Rules,
    /// Approve the tool definitions a server presents now that differ from those pinned
    /// (the gateway withholds such tools until then).
    Approve(McpApproveArgs),
}

#[derive(Debug, Args)]
pub struct McpApproveArgs {
    /// The server (or agent).
    pub name: String,
    /// Only this tool (by the server's name for it).
    #[arg(long)]
    pub tool: Option<String>,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Also start the server in a sandbox and check it over MCP (initialize, tools/list).
    #[arg(long)]
    pub live: bool,

    /// Which declared way of running the server to check live (default: command, else
    /// image, else url).
    #[arg(long, value_enum, requires = "live")]
    pub launch: Option<LaunchKind>,

    /// Seconds the live check may take from start to handshake (default: the server's
    /// startup timeout).
    #[arg(long, value_name = "SECONDS", requires = "live", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: Option<u32>,

    /// A value the definition leaves to whoever runs the server (an argument's valueHint or
    /// flag name, an environment variable, a URL variable); repeatable. Secrets are taken
    /// only from the environment variable of the same name, never from the command line.
    #[arg(long = "input", value_name = "NAME=VALUE", requires = "live")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct McpRegisterArgs {
    /// The server definition (JSON or YAML).
    pub file: PathBuf,

    #[command(flatten)]
    pub live: LiveArgs,

    /// Overwrite a custom server already registered with this name and version.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct McpValidateArgs {
    /// Server definitions (JSON or YAML).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct McpNameArgs {
    /// The server's name.
    pub name: String,

    /// One version (default: show the highest; remove all).
    #[arg(long)]
    pub version: Option<String>,
}

#[derive(Debug, Args)]
pub struct McpExportArgs {
    /// The server's name.
    pub name: String,

    /// The version (default: the highest).
    #[arg(long)]
    pub version: Option<String>,

    /// What to print.
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// Reverse-DNS namespace of the server.json name, e.g. io.github.your-user.
    #[arg(long, default_value = "io.promptcraft")]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct McpClientConfigArgs {
    /// The server's name.
    pub name: String,

    /// The version (default: the highest).
    #[arg(long)]
    pub version: Option<String>,

    /// The MCP client.
    #[arg(long, value_enum)]
    pub client: Client,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Store events (JSONL in the audit schema) from a file or stdin; bad lines are reported
    /// with their numbers and the others stored.
    Ingest(AuditIngestArgs),
    /// Events matching every filter given, oldest first.
    Query(AuditQueryArgs),
    /// The newest events; with --follow, keep printing new ones.
    Tail(AuditTailArgs),
    /// Every event (or those since a time) as JSONL or CSV.
    Export(AuditExportArgs),
    /// Check every hash and checkpoint signature; exit 1 naming the first bad sequence.
    Verify,
}

#[derive(Debug, Args)]
pub struct AuditIngestArgs {
    /// A JSONL file, or `-` (the default) for stdin.
    #[arg(default_value = "-")]
    pub file: String,

    /// Print each event's id (and sequence) only once it is durable.
    #[arg(long)]
    pub ack: bool,
}

#[derive(Debug, Args)]
pub struct AuditQueryArgs {
    /// From this time (RFC 3339, or a duration back from now such as 24h or 7d).
    #[arg(long)]
    pub since: Option<String>,
    /// Before this time (RFC 3339 or a duration back from now).
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub user: Option<String>,
    /// The event type.
    #[arg(long = "type", value_parser = names(EventType::ALL.map(EventType::as_str)))]
    pub event_type: Option<String>,
    /// The severity.
    #[arg(long, value_parser = names(Severity::ALL.map(Severity::as_str)))]
    pub severity: Option<String>,
    /// The outcome's status.
    #[arg(long, value_parser = names(Status::ALL.map(Status::as_str)))]
    pub outcome: Option<String>,
    /// The action's resource (document, agent, ...).
    #[arg(long)]
    pub resource: Option<String>,
    /// The agent the event names (context.agent_id).
    #[arg(long)]
    pub agent: Option<String>,
    /// Events holding this sensitive value (compared by its HMAC, never stored in clear).
    #[arg(long, value_name = "VALUE")]
    pub match_hmac: Option<String>,
    /// Show at most this many: the newest that match, oldest first.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct AuditTailArgs {
    /// How many of the newest events to show first.
    #[arg(long, short = 'n', default_value_t = 20)]
    pub lines: usize,
    /// Keep printing events as they are stored, one line each (JSON Lines with -o json,
    /// YAML documents with -o yaml), until interrupted.
    #[arg(long, short = 'f')]
    pub follow: bool,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    #[arg(long, value_enum, default_value_t = AuditFormat::Jsonl)]
    pub format: AuditFormat,
    /// From this time (RFC 3339 or a duration back from now).
    #[arg(long)]
    pub since: Option<String>,
}
