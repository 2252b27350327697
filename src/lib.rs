//! pc-hybrid: the PromptCraft-Hybrid command-line tool as a library; `main.rs` is a thin shell.

pub mod audit; // audit trail: events, hash chain, signed checkpoints
pub mod auth; // OIDC, token store (keyring), roles
pub mod cli; // clap definitions: the command-line surface
pub mod commands; // glue: settings -> one domain call -> output
pub mod deploy; // DeployBackend: local processes, Docker, Kubernetes; pre-deploy scan
pub mod docker; // the one Docker Engine client; sandbox containers
pub mod doctor; // environment checks
pub mod document; // JSON/YAML with line/column by JSON pointer, bounded parsing
pub mod env_vars; // every environment variable the tool reads
pub mod error; // typed errors, exit codes, hints
pub mod factory; // agent factory: spec, templates, escaping, git
pub mod net; // the one HTTP client, loopback ports
pub mod output; // the one output path: table/json/yaml, progress, logging
pub mod quantity; // memory and CPU quantities
pub mod registry; // MCP registry: formats, staged validation, live checks, export
pub mod secret; // redacted secret strings
pub mod settings; // flags > env > config file > defaults
pub mod store; // the one storage interface; SQLite

use cli::{Cli, Command, ConfigCommand};
use error::Result;
use output::Output;
use settings::{Overrides, Settings};

/// Settings given on the command line for this command.
fn overrides(cli: &Cli) -> Overrides {
    match &cli.command {
        Command::CreateAgent(a) => Overrides {
            git_base_url: a.git_base_url.clone(),
            push: if a.no_push {
                Some(false)
            } else if a.push {
                Some(true)
            } else {
                None
            },
            auto_deploy: a.auto_deploy.then_some(true),
            output_dir: a.output_dir.clone(),
            template: a.template.clone(),
            base_image: a.base_image.clone(),
            log_level: None,
        },
        _ => Overrides::default(),
    }
}

/// The agent or server a command acts on, for the events' `agent_id`.
fn target_agent(c: &Command) -> Option<&str> {
    match c {
        Command::CreateAgent(a) => a.name.as_deref(),
        Command::DeployAgent(a) => Some(&a.name),
        Command::Undeploy(a) => Some(&a.name),
        Command::Restart(a) => Some(&a.name),
        Command::Logs(a) => Some(&a.name),
        _ => None,
    }
}

/// With data classification on, what an event touching `agent` says about its data: the
/// agent's declared compliance frameworks, and whether its data is confidential or
/// restricted. Unknown agents and unclassified servers flag nothing.
fn data_flags(settings: &Settings, agent: Option<&str>) -> audit::event::Data {
    let found = agent
        .filter(|_| settings.audit.data_classification)
        .and_then(|name| {
            let store = commands::open_store(settings).ok()?;
            registry::classification(store.as_ref(), name)
        });
    match found {
        Some((level, frameworks)) => audit::event::Data {
            sensitive_data_accessed: matches!(level.as_str(), "confidential" | "restricted"),
            compliance_flags: frameworks,
            ..Default::default()
        },
        None => Default::default(),
    }
}

/// What a command does, for its audit events: (type, category, operation, resource, acts).
fn describe(
    c: &Command,
) -> (
    audit::event::EventType,
    audit::event::Category,
    String,
    String,
    bool,
) {
    use audit::event::{Category as C, EventType as T};
    match c {
        Command::CreateAgent(a) => (
            T::Execution,
            C::Operational,
            "agent.create".into(),
            a.name.clone().unwrap_or_else(|| "agent".into()),
            true,
        ),
        Command::DeployAgent(a) => (
            T::Execution,
            C::Operational,
            "agent.deploy".into(),
            a.name.clone(),
            true,
        ),
        Command::Undeploy(a) => (
            T::Execution,
            C::Operational,
            "agent.undeploy".into(),
            a.name.clone(),
            true,
        ),
        Command::Restart(a) => (
            T::Execution,
            C::Operational,
            "agent.restart".into(),
            a.name.clone(),
            true,
        ),
        Command::Logs(a) => (
            T::DataAccess,
            C::Operational,
            "agent.logs".into(),
            a.name.clone(),
            false,
        ),
        Command::Status(a) => (
            T::DataAccess,
            C::Operational,
            "creation.status".into(),
            a.creation_id.clone(),
            false,
        ),
        Command::ListAgents => (
            T::DataAccess,
            C::Operational,
            "agent.list".into(),
            "agents".into(),
            false,
        ),
        Command::Mcp(m) => {
            use cli::McpCommand as M;
            match m {
                M::Register(a) => (
                    T::ConfigurationChange,
                    C::Security,
                    "mcp.register".into(),
                    a.file.display().to_string(),
                    true,
                ),
                M::Remove(a) => (
                    T::ConfigurationChange,
                    C::Security,
                    "mcp.remove".into(),
                    a.name.clone(),
                    true,
                ),
                M::Validate(_) => (
                    T::Execution,
                    C::Security,
                    "mcp.validate".into(),
                    "mcp_servers".into(),
                    false,
                ),
                M::List | M::Rules => (
                    T::DataAccess,
                    C::Operational,
                    "mcp.list".into(),
                    "mcp_servers".into(),
                    false,
                ),
                M::Show(a) => (
                    T::DataAccess,
                    C::Operational,
                    "mcp.show".into(),
                    a.name.clone(),
                    false,
                ),
                M::Export(a) => (
                    T::DataAccess,
                    C::Operational,
                    "mcp.export".into(),
                    a.name.clone(),
                    false,
                ),
                M::ClientConfig(a) => (
                    T::DataAccess,
                    C::Operational,
                    "mcp.client_config".into(),
                    a.name.clone(),
                    false,
                ),
            }
        }
        Command::Config(ConfigCommand::Show) => (
            T::DataAccess,
            C::Security,
            "config.show".into(),
            "settings".into(),
            false,
        ),
        Command::Config(_) => (
            T::ConfigurationChange,
            C::Security,
            "config.git_token".into(),
            "keyring".into(),
            true,
        ),
        Command::Doctor => (
            T::Execution,
            C::Operational,
            "doctor".into(),
            "environment".into(),
            false,
        ),
        Command::Audit(_) | Command::Completions(_) => (
            T::DataAccess,
            C::Compliance,
            "audit".into(),
            "audit_trail".into(),
            false,
        ),
    }
}

/// Run one parsed command line; `env` is the process environment.
pub async fn run(cli: Cli, env: &dyn Fn(&str) -> Option<String>, out: &Output) -> Result<()> {
    if let Command::Completions(args) = &cli.command {
        commands::completions::run(args, out);
        return Ok(());
    }
    let settings = Settings::resolve(env, &overrides(&cli))?;
    output::init_logging(&settings.log_level.value, cli.verbose, cli.quiet);
    // The trail's own commands read or write it directly; every other command is recorded.
    if matches!(cli.command, Command::Audit(_)) {
        return dispatch(&cli, &settings, out).await;
    }
    let a = &settings.audit;
    let recorder = audit::recorder::Recorder::open(&audit::recorder::RecorderOptions {
        store: &a.store,
        data_dir: &settings.paths.data_dir,
        fail_closed: a.fail_closed,
        min_severity: a.min_severity,
        user: &a.user,
        organization: &settings.organization.value,
    })?;
    let warned = std::cell::Cell::new(false);
    let record = |a: audit::Action| -> Result<()> {
        if let audit::recorder::Recorded::Lost(why) = recorder.record(a)? {
            if !warned.replace(true) {
                out.warn(&format!(
                    "the audit trail cannot be written ({why}); going on because audit is fail-open"
                ));
            }
        }
        Ok(())
    };
    let (event_type, category, operation, resource, acts) = describe(&cli.command);
    use audit::event::{Severity, Status};
    let agent = target_agent(&cli.command);
    let event =
        |operation: &str, status: Status, severity: Severity, error: Option<String>, ms: f64| {
            audit::Action {
                event_type,
                category,
                severity,
                operation: operation.to_owned(),
                resource: resource.clone(),
                resource_id: None,
                status,
                error,
                response_time_ms: ms,
                agent_id: agent.map(str::to_owned),
                // Looked up per event: create-agent registers the agent it is about.
                data: data_flags(&settings, agent),
            }
        };
    if acts {
        // Recorded before acting: under fail-closed an action that cannot be audited never starts.
        record(event(
            &format!("{operation}.requested"),
            Status::Partial,
            Severity::Info,
            None,
            0.0,
        ))?;
    }
    let started = std::time::Instant::now();
    let result = dispatch(&cli, &settings, out).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let recorded = match &result {
        Ok(()) => record(event(&operation, Status::Success, Severity::Info, None, ms)),
        Err(e) => record(event(
            &operation,
            Status::Failure,
            Severity::Error,
            Some(e.to_string()),
            ms,
        )),
    };
    // The recorder's own store: opening the trail a second time would check its schema again.
    if let (Ok(()), Some(trail)) = (&recorded, recorder.store()) {
        let _ = commands::audit::deliver(trail, &settings, out, std::time::Duration::from_secs(2))
            .await;
    }
    result.and(recorded)
}

async fn dispatch(cli: &Cli, settings: &Settings, out: &Output) -> Result<()> {
    let settings = settings.clone();
    match &cli.command {
        Command::CreateAgent(args) => commands::create_agent::run(args, &settings, out).await,
        Command::Status(args) => commands::status::run(&args.creation_id, &settings, out),
        Command::ListAgents => commands::list_agents::run(&settings, out).await,
        Command::DeployAgent(a) => commands::deploy::deploy(a, &settings, out).await,
        Command::Undeploy(a) => commands::deploy::undeploy(a, &settings, out).await,
        Command::Logs(a) => commands::deploy::logs(a, &settings, out).await,
        Command::Restart(a) => commands::deploy::restart(a, &settings, out).await,
        Command::Mcp(cmd) => commands::mcp::run(cmd, &settings, out).await,
        Command::Audit(cmd) => commands::audit::run(cmd, &settings, out).await,
        Command::Config(ConfigCommand::Show) => commands::config::show(&settings, out),
        Command::Config(ConfigCommand::SetGitToken) => commands::config::set_git_token(out),
        Command::Config(ConfigCommand::ClearGitToken) => commands::config::clear_git_token(out),
        Command::Doctor => commands::doctor::run(&settings, out).await,
        Command::Completions(_) => Ok(()),
    }
}
