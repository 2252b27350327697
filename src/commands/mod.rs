//! Command glue: each command is parsed into an operation request, executed through the
//! operation layer, and its response rendered by the single output path.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod completions;
pub mod config;
pub mod create_agent;
pub mod daemon;
pub mod deploy;
pub mod doctor;
pub mod executions;
pub mod gateway;
pub mod list_agents;
pub mod mcp;
pub mod status;
mod wizard;

use std::sync::Mutex;

use serde_json::Value;

use crate::cli::{Cli, Command, ConfigCommand, Lazy};
use crate::error::Result;
use crate::ops::{self, Caller, Cancel, Context, Request, Response, Sink, Step};
use crate::output::{Format, Output, StepProgress};
use crate::settings::{Settings, TokenStorage};

/// Format a timestamp for tables.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Run one parsed command line; `env` is the process environment.
pub async fn run(cli: Cli, env: &dyn Fn(&str) -> Option<String>, out: &Output) -> Result<()> {
    if let Command::Completions(args) = &cli.command {
        completions::run(args, out);
        return Ok(());
    }
    let mut overrides = create_agent::overrides(&cli.command);
    overrides.profile = cli.profile.clone();
    let settings = Settings::resolve(env, &overrides)?;
    crate::output::init_logging(&settings.log_level.value, cli.verbose, cli.quiet);
    if let Command::Daemon(d) = &cli.command {
        return daemon::run(d, settings, env, out).await;
    }
    if let Command::Gateway(Lazy(crate::cli::GatewayCommand::Stdio)) = &cli.command {
        return gateway::stdio(settings).await;
    }
    let (request, origin) = request(&cli.command, &settings, env, out)?;
    // Where a report goes, checked before anything is computed.
    let page = match &cli.command {
        Command::Analytics(Lazy(crate::cli::AnalyticsCommand::Report(r))) => {
            analytics::check_destination(&r.html)?;
            Some(r.html.clone())
        }
        _ => None,
    };
    let is_create = matches!(request, Request::CreateAgent(_));
    let status_only = matches!(request, Request::AuthStatus);
    let daemon_sessions = settings.auth.token_storage.value == TokenStorage::Daemon;
    let mut ctx = Context::new(settings, crate::audit::event::Component::Cli)
        .with_daemon_probe(std::sync::Arc::new(crate::daemon::Probe));
    // A login's own operations run here unless the daemon holds the sessions.
    let session_op = matches!(
        request,
        Request::Logout | Request::WhoAmI | Request::AuthToken | Request::AuthStatus
    );
    let delegable = (request.spec().runs == ops::Runs::Anywhere
        || matches!(request, Request::Ingest(_)))
        && (!session_op || daemon_sessions);
    if delegable {
        if let Some(reply) = delegate(&ctx, &request, out).await? {
            if matches!(request, Request::Logout) {
                forget_handle(&ctx);
            }
            return finish(reply, &origin, is_create, status_only, page.as_deref(), out);
        }
    }
    if matches!(request, Request::Login(_)) && daemon_sessions {
        let socket = crate::settings::DaemonPaths::of(&ctx.settings.paths).socket;
        if crate::daemon::status(&socket).await?.is_some() {
            let handles = ops::auth::credentials_dir(&ctx);
            ctx = ctx.with_keeper(std::sync::Arc::new(crate::daemon::client::SessionKeeper {
                socket,
                handles,
            }));
        }
    }
    let caller = Caller::local(&ctx.settings.audit.user);
    // Logging in needs no session of its own.
    let caller = if matches!(request, Request::Login(_)) {
        caller
    } else {
        ops::auth::identify(&ctx, caller, ops::auth::Credential::Local).await?
    };
    let cancel = Cancel::new();
    // What runs long or waits on something outside (a creation, a deploy, a follow, a live
    // check, a login) is cancelled by Ctrl-C; anything else keeps Ctrl-C's usual meaning.
    let watcher = cancellable(&request).then(|| interrupts(cancel.clone()));
    let is_logout = matches!(request, Request::Logout);
    let sink = OutputSink::new(out);
    let result = ops::execute(&ctx, &caller, request, &sink, &cancel).await;
    if let Some(w) = watcher {
        w.abort();
    }
    // Upstreams this command started (stdio servers, their containers) end with it.
    if let Some(g) = ctx.gateway_built() {
        g.shutdown().await;
    }
    if is_logout && daemon_sessions {
        forget_handle(&ctx);
    }
    finish(
        result,
        &origin,
        is_create,
        status_only,
        page.as_deref(),
        out,
    )
}

/// The handle of this profile's daemon-held session, when there is one.
fn session_handle(ctx: &Context) -> Option<String> {
    let profile = ctx.settings.auth.profile.as_ref()?;
    crate::auth::token_store::TokenStore::file(ops::auth::credentials_dir(ctx))
        .get(&crate::daemon::client::handle_key(&profile.name))
        .ok()
        .flatten()
        .map(|s| s.expose().trim().to_owned())
}

fn forget_handle(ctx: &Context) {
    if let Some(profile) = &ctx.settings.auth.profile {
        let _ = crate::auth::token_store::TokenStore::file(ops::auth::credentials_dir(ctx))
            .delete(&crate::daemon::client::handle_key(&profile.name));
    }
}

/// What requests to the daemon present: the handle of the session it holds, or the access
/// token of this process's token store (refreshed first when it is about to expire).
async fn credential(ctx: &Context) -> Result<ops::auth::Credential> {
    use ops::auth::Credential;
    if ctx.settings.auth.profile.is_none() {
        return Ok(Credential::Nothing);
    }
    if ctx.settings.auth.token_storage.value == TokenStorage::Daemon {
        return Ok(session_handle(ctx).map_or(Credential::Nothing, Credential::Session));
    }
    match ops::auth::local_token(ctx).await {
        Ok(Some(t)) => Ok(Credential::Bearer(t)),
        Ok(None) => Ok(Credential::Nothing),
        Err(e) if ctx.settings.auth.required.value => Err(e),
        Err(e) => {
            log::debug!("no SSO token for the daemon: {e}");
            Ok(Credential::Nothing)
        }
    }
}

/// Render an operation's result: its data, then its failure.
fn finish(
    result: Result<ops::Reply>,
    origin: &create_agent::Origin,
    is_create: bool,
    status_only: bool,
    page: Option<&std::path::Path>,
    out: &Output,
) -> Result<()> {
    let reply = match result {
        Ok(r) => r,
        Err(crate::error::Error::Invalid(errs)) if is_create => {
            return Err(crate::error::Error::Invalid(create_agent::locate(
                errs, origin,
            )))
        }
        Err(e) => return Err(e),
    };
    match (&reply.response, status_only) {
        // `auth status` is for scripts: its exit code is the answer; a line for people.
        (Response::WhoAmI(w), true) if out.format == Format::Table => out.note(&format!(
            "logged in as {} at {}",
            w.identity.username, w.identity.issuer
        )),
        (Response::Report { html }, _) => match page {
            Some(path) => {
                analytics::write_page(path, html)?;
                out.note(&format!("report written to {}", path.display()));
            }
            None => {
                out.write(html.as_bytes());
            }
        },
        _ => render(&reply.response, out)?,
    }
    // The process ends once this is printed: freeing a listing's thousands of blocks one
    // by one takes longer than rendering them.
    std::mem::forget(reply.response);
    match reply.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Run `request` in the daemon when the settings say so and one answers: None when it is
/// to run in this process.
async fn delegate(
    ctx: &Context,
    request: &Request,
    out: &Output,
) -> Result<Option<Result<ops::Reply>>> {
    use crate::daemon::{client, Mode};
    let s = &ctx.settings;
    let mode = s.daemon.value;
    if mode == Mode::Never {
        return Ok(None);
    }
    // A team API named outright is where every command goes: running here instead would
    // act on another store.
    let conn = if let Some(url) = &s.auth.daemon_url {
        let Some(token) = ops::auth::local_token(ctx).await? else {
            return Err(crate::error::Error::Unauthenticated {
                message: format!("{url} needs a login: this machine holds no access token"),
                hint: Some(
                    "run `pc-hybrid login` (with auth.token_storage `keyring` or `file`)".into(),
                ),
            });
        };
        client::connect_url(url)
            .await?
            .with_credential(&ops::auth::Credential::Bearer(token))?
    } else {
        let socket = crate::settings::DaemonPaths::of(&s.paths).socket;
        let conn = match client::connect(&socket).await {
            Ok(c) => c,
            Err(client::ConnectError::NotRunning) if mode == Mode::Auto => return Ok(None),
            Err(client::ConnectError::NotRunning) => {
                return Err(crate::error::Error::unavailable(
                    format!(
                        "no daemon answers on {} (PC_HYBRID_DAEMON=always)",
                        socket.display()
                    ),
                    Some("start it with `pc-hybrid daemon start`, or set PC_HYBRID_DAEMON=auto"),
                ))
            }
            Err(client::ConnectError::Failed(e)) => return Err(e),
        };
        conn.with_credential(&credential(ctx).await?)?
    };
    let cancel = Cancel::new();
    // As in-process: what runs long (and an ingest, whose acknowledgements should reach the
    // caller) ends cleanly on Ctrl-C. Anything else dies as usual, and the daemon, seeing
    // the connection close, cancels what it was doing for it.
    let watcher = (cancellable(request) || matches!(request, Request::Ingest(_)))
        .then(|| interrupts(cancel.clone()));
    let sink = OutputSink::new(out);
    let result = match request {
        // The input is the caller's: read here and streamed to the daemon's pipeline.
        Request::Ingest(i) => {
            let (input, name): (Box<dyn std::io::Read + Send>, String) = match &i.source {
                ops::IngestSource::File(f) => {
                    let shown = f.path.display().to_string();
                    let file = std::fs::File::open(f.resolved())
                        .map_err(|e| crate::error::Error::io(shown.clone(), e))?;
                    (Box::new(file), shown)
                }
                _ => (Box::new(std::io::stdin()), "-".into()),
            };
            conn.ingest(input, &name, i.ack, &sink, &cancel).await
        }
        _ => conn.execute(request.clone(), &sink, &cancel).await,
    };
    if let Some(w) = watcher {
        w.abort();
    }
    Ok(Some(result))
}

/// Ctrl-C cancels: the operation stops at its next step or wait and undoes what it made. A
/// second Ctrl-C, for work stuck where it cannot look (a push to a remote that never
/// answers), quits at once; the next command undoes what is left.
fn interrupts(cancel: Cancel) -> tokio::task::JoinHandle<()> {
    use tokio::signal::unix::{signal, SignalKind};
    // Installed now, not when the task first runs: the operation may block this thread
    // before it does, and a Ctrl-C then would kill the process as if nothing listened.
    let sigint = signal(SignalKind::interrupt());
    tokio::spawn(async move {
        let Ok(mut sigint) = sigint else { return };
        if sigint.recv().await.is_some() {
            cancel.cancel();
            if sigint.recv().await.is_some() {
                std::process::exit(crate::error::exit::INTERRUPTED);
            }
        }
    })
}

fn cancellable(r: &Request) -> bool {
    match r {
        Request::CreateAgent(_) | Request::Deploy(_) => true,
        Request::Logs(l) => l.follow,
        Request::AuditTail { follow, .. } => *follow,
        Request::RegisterServer(r) => r.live.live,
        Request::ValidateServers(v) => v.live.live,
        Request::Login(_) => true,
        _ => false,
    }
}

/// The operation request of a command line.
fn request(
    c: &Command,
    s: &Settings,
    env: &dyn Fn(&str) -> Option<String>,
    out: &Output,
) -> Result<(Request, create_agent::Origin)> {
    let plain = |r: Request| Ok((r, create_agent::Origin::Flags));
    match c {
        Command::CreateAgent(a) => create_agent::request(a, s, out),
        Command::Status(a) => plain(Request::CreationStatus {
            creation_id: a.creation_id.clone(),
        }),
        Command::ListAgents => plain(Request::ListAgents),
        Command::DeployAgent(a) => plain(deploy::deploy_request(a)),
        Command::Undeploy(a) => plain(deploy::undeploy_request(a)),
        Command::Logs(a) => plain(deploy::logs_request(a)),
        Command::Restart(a) => plain(deploy::restart_request(a)),
        Command::Mcp(m) => plain(mcp::request(m, env)?),
        Command::Audit(a) => plain(audit::request(a)),
        Command::Invoke(a) => plain(gateway::invoke_request(a)?),
        Command::Gateway(g) => plain(gateway::request(g)),
        Command::Executions(a) => plain(executions::request(a)?),
        Command::Feedback(a) => plain(executions::feedback_request(a)),
        Command::Analytics(a) => plain(analytics::request(a)),
        Command::Login(a) => plain(auth::login_request(a, env)?),
        Command::Logout => plain(Request::Logout),
        Command::Whoami => plain(Request::WhoAmI),
        Command::Auth(a) => plain(auth::request(a)),
        Command::Config(Lazy(ConfigCommand::Show)) => plain(Request::ConfigShow),
        Command::Config(Lazy(ConfigCommand::SetGitToken)) => {
            plain(config::set_git_token_request()?)
        }
        Command::Config(Lazy(ConfigCommand::ClearGitToken)) => plain(Request::ClearGitToken),
        Command::Doctor => plain(Request::Doctor),
        Command::Completions(_) | Command::Daemon(_) => {
            unreachable!("completions and the daemon's lifecycle are not operations")
        }
    }
}

/// Print a response's data.
pub fn render(r: &Response, out: &Output) -> Result<()> {
    match r {
        Response::Created(c) => out.data(c.as_ref()),
        Response::Creation(c) => out.data(c),
        Response::Agents(rows) => {
            if rows.is_empty() && out.format == Format::Table {
                out.note("no agents yet: create one with `pc-hybrid create-agent --name NAME --domain DOMAIN --description TEXT`");
            }
            out.data(&list_agents::Agents(rows))
        }
        Response::Deployed(d) => out.data(&deploy::Deployed(d)),
        Response::Undeployed(d) => out.data(&deploy::Removed(d)),
        Response::Restarted(d) => out.data(&deploy::Restarted(d)),
        Response::Reports(r) => out.data(&mcp::Reports(r)),
        Response::Servers(e) => {
            if e.is_empty() && out.format == Format::Table {
                out.note("no MCP servers registered yet: `pc-hybrid mcp register FILE` adds one");
            }
            out.data(&mcp::Entries(e))
        }
        Response::Server(e) => out.data(&mcp::Shown(e)),
        Response::Removed(r) => out.data(&mcp::Removed(r)),
        Response::Document { document, json } => mcp::document(out, document, *json),
        Response::Rules(r) => out.data(&mcp::Rules(r)),
        Response::Ingested(r) => out.data(&audit::Ingested(r)),
        Response::Events(e) => out.data(&audit::Events(e)),
        Response::Verified(v) => out.data(&audit::Verified(v)),
        Response::Settings(s) => out.data(&config::View(s)),
        Response::Checks(c) => out.data(&doctor::Report(c)),
        Response::Executions(e) => {
            if e.is_empty() && out.format == Format::Table {
                out.note("no executions match");
            }
            out.data(&executions::Listed(e))
        }
        Response::ExecutionsImported(r) => out.data(&executions::Imported(r)),
        Response::Insights(i) => out.data(&analytics::Shown(i)),
        Response::Alerts(a) => out.data(&analytics::Alerts(a)),
        Response::Report { html } => {
            out.write(html.as_bytes());
            Ok(())
        }
        Response::Called(c) => match out.format {
            Format::Table => {
                out.write(gateway::Answer(c).text().as_bytes());
                out.note(&format!(
                    "execution {} ({}, {:.1} ms)",
                    c.execution_id,
                    c.status.as_str(),
                    c.latency_ms
                ));
                Ok(())
            }
            _ => out.data(&gateway::Answer(c)),
        },
        Response::Gateway(v) => out.data(&gateway::View(v)),
        Response::Approved(_) => Ok(()),
        Response::LoggedIn(l) => {
            out.note(&format!(
                "logged in as {} at {}{}",
                l.identity.username,
                l.identity.issuer,
                if l.concurrent {
                    " (by a login that finished while this one waited)"
                } else {
                    ""
                }
            ));
            out.data(&auth::In(l))
        }
        Response::LoggedOut(l) => out.data(&auth::Out(l)),
        Response::WhoAmI(w) => out.data(&auth::Who(w)),
        Response::Token(t) => match out.format {
            Format::Table => {
                out.write(format!("{}\n", t.token.expose()).as_bytes());
                Ok(())
            }
            _ => out.data(&auth::Token(t)),
        },
        Response::Streamed | Response::Done => Ok(()),
    }
}

/// The sink of an operation run for this terminal: notes and warnings to stderr, steps as
/// progress bars, streams to stdout.
pub struct OutputSink<'a> {
    out: &'a Output,
    bars: Mutex<Vec<(String, StepProgress)>>,
}

impl<'a> OutputSink<'a> {
    pub fn new(out: &'a Output) -> OutputSink<'a> {
        OutputSink {
            out,
            bars: Mutex::new(Vec::new()),
        }
    }
}

impl Sink for OutputSink<'_> {
    fn note(&self, msg: &str) {
        self.out.note(msg);
    }

    fn warn(&self, msg: &str) {
        self.out.warn(msg);
    }

    fn step(&self, title: &str, step: &Step) {
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        if !bars.iter().any(|(t, _)| t == title) {
            bars.push((title.to_owned(), self.out.progress(title)));
        }
        if let Some((_, bar)) = bars.iter().find(|(t, _)| t == title) {
            crate::progress::Progress::step(
                bar,
                step.index,
                step.total,
                &step.name,
                step.status,
                step.message.as_deref(),
            );
        }
    }

    fn steps_done(&self, title: &str) {
        self.bars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(t, _)| t != title);
    }

    fn item(&self, item: &Value, cells: &[String]) -> bool {
        self.out.line(item, cells).unwrap_or(false)
    }

    fn bytes(&self, data: &[u8]) -> bool {
        if data.is_empty() {
            return !self.out.stdout_closed();
        }
        self.out.write(data)
    }

    fn closed(&self) -> bool {
        self.out.stdout_closed()
    }
}
