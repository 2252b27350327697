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

/// Run one parsed command line; `env` is the process environment.
pub async fn run(cli: Cli, env: &dyn Fn(&str) -> Option<String>, out: &Output) -> Result<()> {
    if let Command::Completions(args) = &cli.command {
        commands::completions::run(args, out);
        return Ok(());
    }
    let settings = Settings::resolve(env, &overrides(&cli))?;
    output::init_logging(&settings.log_level.value, cli.verbose, cli.quiet);
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
