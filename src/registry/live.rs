//! Live validation: start the server in a sandbox (a child process with a scrubbed
//! environment, or a locked-down Docker container), speak MCP to it, compare what it serves
//! with what it declares, and always tear the sandbox down.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

use super::client::{Client, ClientError, PROTOCOL_VERSIONS};
use super::model::{Remote, Server, Severity, Transport};
use crate::error::{Error, Result};
use crate::net::describe;

/// Which declared way of running the server to validate.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LaunchKind {
    Command,
    Image,
    Url,
}

impl LaunchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchKind::Command => "command",
            LaunchKind::Image => "image",
            LaunchKind::Url => "url",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Default: the command when there is one, else the image, else the URL.
    pub launch: Option<LaunchKind>,
    /// Default: the server's startup timeout.
    pub timeout: Option<Duration>,
    /// Where a command runs: the folder of the file that declares it.
    pub workdir: PathBuf,
    /// A private HOME for the command is made (and removed) under here.
    pub scratch: PathBuf,
    /// The PATH a command is looked up in; nothing else of the caller's environment passes.
    pub path_env: String,
    pub docker_host: String,
    pub client_version: String,
    /// Values for what a server.json leaves to whoever runs it (arguments, environment
    /// variables, URL variables), by name.
    pub inputs: BTreeMap<String, String>,
    /// Variables a command gets beside PATH: the trust store and proxy settings package
    /// runners (`npx`, `uvx`) need to download.
    pub passthrough_env: Vec<(String, String)>,
    /// Where `npx` and `uvx` keep what they download, so that a second check does not fetch
    /// it again.
    pub cache_dir: PathBuf,
    /// Cancelled when the caller stops waiting (Ctrl-C, a dropped request): the sandbox is
    /// torn down and the check fails.
    pub cancel: tokio_util::sync::CancellationToken,
}

pub use crate::docker::Tail;

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct Timings {
    /// From launch until the server could be spoken to (health check passed or port open).
    pub ready_ms: f64,
    pub initialize_ms: f64,
    pub list_ms: f64,
    pub teardown_ms: f64,
    pub total_ms: f64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct HealthResult {
    pub url: String,
    pub status: u16,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LiveReport {
    pub launch: LaunchKind,
    /// How the server was confined.
    pub sandbox: String,
    pub protocol_version: Option<String>,
    pub server_info: Option<Value>,
    pub server_capabilities: Option<Value>,
    pub tools: Vec<String>,
    /// The tools in full, as listed: pinned for the gateway when the server is registered.
    #[serde(skip)]
    pub tool_definitions: Vec<Value>,
    pub resources: Option<usize>,
    pub prompts: Option<usize>,
    pub health: Option<HealthResult>,
    pub timings: Timings,
    /// The command line that was run, secrets shown as `<NAME>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
}

/// (severity, rule, pointer, message)
pub type LiveFinding = (Severity, &'static str, String, String);

pub struct Outcome {
    pub report: LiveReport,
    pub findings: Vec<LiveFinding>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// What is running and how to stop it.
enum Running {
    Process {
        child: tokio::process::Child,
        home: PathBuf,
    },
    Container {
        docker: bollard::Docker,
        id: String,
    },
    Remote,
}

impl Running {
    async fn exited(&mut self) -> Option<String> {
        match self {
            Running::Process { child, .. } => match child.try_wait() {
                Ok(Some(st)) => Some(format!("exited with {st}")),
                _ => None,
            },
            Running::Container { docker, id } => {
                let info = docker.inspect_container(id, None).await.ok()?;
                let state = info.state?;
                if state.running == Some(true) {
                    None
                } else {
                    Some(format!(
                        "exited with code {}",
                        state.exit_code.unwrap_or(-1)
                    ))
                }
            }
            Running::Remote => None,
        }
    }

    async fn teardown(self) {
        match self {
            Running::Process { mut child, home } => {
                if let Some(pid) = child.id() {
                    // The whole process group: a server's own children go too.
                    unsafe {
                        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
                    }
                }
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                let _ = std::fs::remove_dir_all(home);
            }
            Running::Container { docker, id } => crate::docker::remove(&docker, &id).await,
            Running::Remote => {}
        }
    }
}

/// Run the live stage against `s`. Errors are only for what stops the check from being made
/// at all (Docker unreachable, a launch that was not declared); problems of the server are
/// findings.
pub async fn run(s: &Server, o: &LiveOptions) -> Result<Outcome> {
    let started = Instant::now();
    let launch = choose(s, o.launch)?;
    let timeout = o.timeout.unwrap_or(Duration::from_secs(
        s.deployment.startup_timeout_seconds as u64,
    ));
    let deadline = tokio::time::Instant::now() + timeout;
    let mut report = LiveReport {
        launch,
        sandbox: String::new(),
        protocol_version: None,
        server_info: None,
        server_capabilities: None,
        tools: Vec::new(),
        tool_definitions: Vec::new(),
        resources: None,
        prompts: None,
        health: None,
        timings: Timings::default(),
        command: None,
        stderr_tail: None,
    };
    let mut findings: Vec<LiveFinding> = Vec::new();
    let stderr = Arc::new(Mutex::new(Tail::default()));

    let http_needed = s.transport != Transport::Stdio || launch == LaunchKind::Url;
    let http = if http_needed {
        Some(crate::net::client()?)
    } else {
        None
    };

    let start = start(s, o, launch, &stderr, &mut report).await?;
    let (mut running, mut client, base) = match start {
        Started::Failed(f) => {
            findings.push(f);
            report.timings.total_ms = ms(started.elapsed());
            report.stderr_tail = nonempty(stderr.lock().map(|t| t.text()).unwrap_or_default());
            return Ok(Outcome { report, findings });
        }
        Started::Lines(r, c) => (r, Some(c), None),
        Started::Http(r, base) => (r, None, Some(base)),
    };

    let handshake_done = async {
        if let Some(base) = &base {
            let http = http.as_ref().expect("built for http");
            wait_ready(http, s, base, &mut running, deadline, &mut report).await?;
            report.timings.ready_ms = ms(started.elapsed());
            let url = match (&s.url, launch) {
                (Some(_), LaunchKind::Url) => base.clone(),
                _ => format!("{base}{}", s.mcp_path),
            };
            let headers = match launch {
                LaunchKind::Url => remote_headers(s, o),
                _ => Vec::new(),
            };
            client = Some(Client::http(http.clone(), url, headers));
        } else {
            report.timings.ready_ms = ms(started.elapsed());
        }
        let c = client.as_mut().expect("client made above");
        handshake(c, s, o, deadline, &mut report, &mut findings).await
    };
    // An interrupted check still tears its sandbox down before the error is returned.
    let mut interrupted = false;
    let outcome = tokio::select! {
        r = handshake_done => r,
        _ = o.cancel.cancelled() => {
            interrupted = true;
            Ok(())
        }
    };

    if let Err(step) = outcome {
        // A server that closed its output is usually exiting: give it a moment, so that the
        // message can say how it ended.
        let mut exited = running.exited().await;
        if exited.is_none() && matches!(step, Step::Client(_, ClientError::Closed)) {
            for _ in 0..50 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                exited = running.exited().await;
                if exited.is_some() {
                    break;
                }
            }
        }
        if exited.is_some() {
            // Let the stderr reader drain what the process wrote before it ended.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let tail = stderr.lock().map(|t| t.text()).unwrap_or_default();
        let at = s.pointer(launch.as_str());
        findings.push(failure(step, exited, &tail, timeout, at));
    }
    if let Some(c) = client.as_mut() {
        if c.stray_lines > 0 {
            findings.push((
                Severity::Warning,
                "live/stray-output",
                s.pointer("command"),
                format!("the server wrote {} line(s) to stdout that are not MCP messages; stdio servers must log to stderr", c.stray_lines),
            ));
        }
        c.close().await;
    }
    drop(client);
    let t = Instant::now();
    running.teardown().await;
    report.timings.teardown_ms = ms(t.elapsed());
    if interrupted {
        return Err(Error::failed(
            "interrupted: the live check was stopped and its sandbox torn down",
            None,
        ));
    }
    report.timings.total_ms = ms(started.elapsed());
    report.stderr_tail = nonempty(stderr.lock().map(|t| t.text()).unwrap_or_default());
    if !findings.iter().any(|f| f.0 == Severity::Error) {
        report.stderr_tail = None;
    }
    Ok(Outcome { report, findings })
}

fn nonempty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn choose(s: &Server, wanted: Option<LaunchKind>) -> Result<LaunchKind> {
    let has = |k: LaunchKind| match k {
        LaunchKind::Command => s.command.is_some(),
        LaunchKind::Image => s.image.is_some(),
        LaunchKind::Url => s.url.is_some(),
    };
    match wanted {
        Some(k) if has(k) => Ok(k),
        Some(k) => Err(Error::usage(
            format!(
                "{} declares no {}, so it cannot be validated with --launch {}",
                s.name,
                k.as_str(),
                k.as_str()
            ),
            None,
        )),
        None => [LaunchKind::Command, LaunchKind::Image, LaunchKind::Url]
            .into_iter()
            .find(|k| has(*k))
            .ok_or_else(|| Error::Internal("a validated server declares how it runs".into())),
    }
}

/// Which step failed, for the message.
enum Step {
    Ready(LiveFinding),
    Timeout(&'static str),
    Client(&'static str, ClientError),
    Finding(LiveFinding),
}

fn failure(
    step: Step,
    exited: Option<String>,
    tail: &str,
    timeout: Duration,
    at: String,
) -> LiveFinding {
    let with_tail = |m: String| {
        let m = if tail.is_empty() {
            m
        } else {
            let last: Vec<&str> = tail.lines().rev().take(8).collect();
            let last: Vec<&str> = last.into_iter().rev().collect();
            format!(
                "{m}; its stderr ends with:\n      {}",
                last.join("\n      ")
            )
        };
        match stderr_hint(tail) {
            Some(h) => format!("{m}\n      hint: {h}"),
            None => m,
        }
    };
    match (step, exited) {
        (Step::Ready((sev, rule, ptr, msg)), _) => (sev, rule, ptr, with_tail(msg)),
        (Step::Finding(f), _) => f,
        (_, Some(how)) => (
            Severity::Error,
            "live/exited",
            at,
            with_tail(format!("the server {how} before the handshake finished")),
        ),
        (Step::Timeout(what), None) => (
            Severity::Error,
            if what == "initialize" {
                "live/no-initialize"
            } else {
                "live/timeout"
            },
            at,
            with_tail(format!(
                "the server did not answer `{what}` within {}s (the startup timeout)",
                timeout.as_secs_f64()
            )),
        ),
        (Step::Client(what, ClientError::Closed), None) => (
            Severity::Error,
            "live/exited",
            at,
            with_tail(format!("the server closed the connection during `{what}`")),
        ),
        (Step::Client(what, e), None) => (
            Severity::Error,
            if what == "initialize" {
                "live/initialize"
            } else {
                "live/protocol"
            },
            at,
            with_tail(format!("`{what}` failed: {e}")),
        ),
    }
}

/// The headers a remote's definition gives: fixed values with their `{variables}` filled in
/// from the inputs (secrets from the environment), or the input named like the header.
pub(crate) fn remote_headers(s: &Server, o: &LiveOptions) -> Vec<(String, String)> {
    let Some(r) = s.remotes.iter().find(|r| Some(&r.url) == s.url.as_ref()) else {
        return Vec::new();
    };
    let given = |k: &str| o.inputs.get(k).cloned();
    let mut missing = Vec::new();
    r.headers
        .iter()
        .filter_map(|h| {
            super::server_json::resolve(&h.input, &h.name, &given, &mut missing, "header")
                .map(|v| (h.name.clone(), v))
        })
        .collect()
}

/// What a server's last words usually mean, and what to do about it.
fn stderr_hint(tail: &str) -> Option<String> {
    if tail.contains("No module named 'mcp'") || tail.contains("No module named mcp") {
        return Some("the Python that ran the server lacks the MCP SDK: give the project its own environment (`python3 -m venv .venv && .venv/bin/pip install -e .` in its folder), which the live check then uses for `python3`; or put a Python with the SDK first on PATH".into());
    }
    if let Some(i) = tail.find("No module named '") {
        let rest = &tail[i + 17..];
        let module = rest.split('\'').next().unwrap_or("");
        return Some(format!("the Python that ran the server cannot import `{module}`: run it with the project's own environment, where its dependencies are installed"));
    }
    if tail.contains("Address already in use") {
        return Some("the port it was given is taken: free it, or let the check pick one with a `{port}` argument".into());
    }
    if tail.contains("E404") || tail.contains("404 Not Found") {
        return Some("the package or version was not found in its registry: check `identifier` and `version`".into());
    }
    if tail.contains("ENOTFOUND") || tail.contains("EAI_AGAIN") || tail.contains("Failed to fetch")
    {
        return Some("the package could not be downloaded: the registry is unreachable from here (a proxy? set HTTPS_PROXY and SSL_CERT_FILE for pc-hybrid, which passes them on)".into());
    }
    None
}

/// How to get a program a command needs, when it is not on PATH.
fn install_hint(program: &str) -> Option<&'static str> {
    match program {
        "npx" | "npm" | "node" => Some("install Node.js with npm (Debian: `apt install npm`; elsewhere https://nodejs.org), which provides `npx`"),
        "uvx" | "uv" => Some("install uv, which provides `uvx` (`pip install uv`, or https://docs.astral.sh/uv/getting-started/installation/)"),
        "docker" => Some("install Docker (Debian: `apt install docker.io`)"),
        "dnx" | "dotnet" => Some("install the .NET 10 SDK, which provides `dnx`"),
        "python3" | "python" => Some("install Python 3.10 or newer, or use the project's own environment (`.venv/bin/python`)"),
        _ => None,
    }
}

/// argv, argv as shown (secrets masked), environment, port.
pub(crate) type Plan = (Vec<String>, Vec<String>, BTreeMap<String, String>, u16);

/// The argv and environment of the command to start, and the base URL of an HTTP server;
/// or the finding that says what is missing. `{port}` is a free loopback port.
pub(crate) fn command_plan(
    s: &Server,
    o: &LiveOptions,
) -> Result<std::result::Result<Plan, LiveFinding>> {
    let http = s.transport != Transport::Stdio;
    let package = s
        .launch_package
        .and_then(|i| s.packages.get(i))
        .filter(|p| p.registry_type != "oci");
    if let Some(p) = package {
        let port = if http { crate::net::free_port()? } else { 0 };
        let given = |k: &str| {
            o.inputs
                .get(k)
                .cloned()
                .or_else(|| (http && k == "port").then(|| port.to_string()))
        };
        let line = super::server_json::command_line(p, &given);
        if !line.missing.is_empty() {
            let what: Vec<String> = line
                .missing
                .iter()
                .map(|m| {
                    format!(
                        "{} ({}{})",
                        m.label,
                        if m.secret { "secret " } else { "" },
                        m.kind
                    )
                })
                .collect();
            return Ok(Err((
                Severity::Error,
                "live/missing-input",
                s.pointer("command"),
                format!(
                    "the server needs values that its definition leaves to whoever runs it: {}; give each with `--input NAME=VALUE`, secrets only through the environment variable of that name",
                    what.join(", ")
                ),
            )));
        }
        let port = match (&p.transport_url, http) {
            (Some(u), true) => super::server_json::remote_url(
                &Remote {
                    transport: p.transport,
                    url: u.clone(),
                    headers: Vec::new(),
                    variables: BTreeMap::new(),
                },
                &given,
            )
            .ok()
            .and_then(|u| url::Url::parse(&u).ok())
            .and_then(|u| u.port())
            .unwrap_or(port),
            _ => port,
        };
        return Ok(Ok((line.argv, line.shown, line.env, port)));
    }
    let mut argv = s.command.clone().expect("chosen because declared");
    // A bare `python3` of a project that has its own environment means that environment:
    // the system Python usually lacks the project's dependencies (the MCP SDK among them).
    let venv = o.workdir.join(".venv/bin/python");
    if matches!(argv[0].as_str(), "python3" | "python") && venv.is_file() {
        argv[0] = venv.display().to_string();
    }
    let port = if http {
        if argv.iter().any(|a| a.contains("{port}")) {
            crate::net::free_port()?
        } else {
            s.port.unwrap_or(8000)
        }
    } else {
        0
    };
    let argv: Vec<String> = argv
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    Ok(Ok((argv.clone(), argv, s.env.clone(), port)))
}

enum Started {
    Failed(LiveFinding),
    Lines(Running, Client),
    /// Speak HTTP at this base URL (`http://127.0.0.1:PORT`, or the remote URL).
    Http(Running, String),
}

async fn start(
    s: &Server,
    o: &LiveOptions,
    launch: LaunchKind,
    stderr: &Arc<Mutex<Tail>>,
    report: &mut LiveReport,
) -> Result<Started> {
    match launch {
        LaunchKind::Url => {
            report.sandbox = "none: a remote server, reached over HTTP".into();
            let mut url = s.url.clone().expect("chosen because declared");
            if let Some(r) = s.remotes.iter().find(|r| r.url == url) {
                let given = |k: &str| o.inputs.get(k).cloned();
                match super::server_json::remote_url(r, &given) {
                    Ok(u) => url = u,
                    Err(missing) => {
                        let names: Vec<&str> = missing.iter().map(|m| m.label.as_str()).collect();
                        return Ok(Started::Failed((
                            Severity::Error,
                            "live/missing-input",
                            s.pointer("url"),
                            format!(
                                "the URL needs values for {}; give each with `--input NAME=VALUE`",
                                names.join(", ")
                            ),
                        )));
                    }
                }
            }
            Ok(Started::Http(Running::Remote, url))
        }
        LaunchKind::Command => start_command(s, o, stderr, report).await,
        LaunchKind::Image => start_container(s, o, stderr, report).await,
    }
}

async fn start_command(
    s: &Server,
    o: &LiveOptions,
    stderr: &Arc<Mutex<Tail>>,
    report: &mut LiveReport,
) -> Result<Started> {
    let http = s.transport != Transport::Stdio;
    let (mut argv, mut shown, env, port) = match command_plan(s, o)? {
        Ok(plan) => plan,
        Err(f) => return Ok(Started::Failed(f)),
    };
    let npm_cache = o.cache_dir.join("npm");
    let uv_cache = o.cache_dir.join("uv");
    for d in [&npm_cache, &uv_cache] {
        std::fs::create_dir_all(d)
            .map_err(|e| Error::io(format!("creating {}", d.display()), e))?;
    }
    if let Some(p) = s
        .launch_package
        .and_then(|i| s.packages.get(i))
        .filter(|p| super::packages::installs(p))
    {
        // Installed once per version and started by its own executable: what `npx` does,
        // without resolving the package and loading npm again on every check.
        // A first install downloads the package and its dependencies: more than a start.
        let install_limit = o
            .timeout
            .unwrap_or(Duration::from_secs(
                s.deployment.startup_timeout_seconds as u64,
            ))
            .max(Duration::from_secs(300));
        let npm_env: Vec<(String, String)> = [
            ("PATH".to_string(), o.path_env.clone()),
            (
                "HOME".to_string(),
                o.cache_dir.join("npm-home").display().to_string(),
            ),
            (
                "npm_config_cache".to_string(),
                npm_cache.display().to_string(),
            ),
            (
                "npm_config_update_notifier".to_string(),
                "false".to_string(),
            ),
        ]
        .into_iter()
        .chain(o.passthrough_env.iter().cloned())
        .collect();
        match super::packages::ensure_installed(p, &o.cache_dir, &npm_env, install_limit).await {
            Ok(bin) => {
                let spec = format!("{}@{}", p.identifier, p.version.as_deref().unwrap_or(""));
                if let Some(i) = argv.iter().position(|a| *a == spec) {
                    let j = shown.iter().position(|a| *a == spec).unwrap_or(i);
                    argv = std::iter::once(bin.display().to_string())
                        .chain(argv[i + 1..].iter().cloned())
                        .collect();
                    shown = std::iter::once(bin.display().to_string())
                        .chain(shown[j + 1..].iter().cloned())
                        .collect();
                }
            }
            Err(msg) => {
                let hint = if msg.contains("could not run `npm") {
                    format!("\n      hint: {}", install_hint("npm").unwrap_or_default())
                } else {
                    stderr_hint(&msg)
                        .map(|h| format!("\n      hint: {h}"))
                        .unwrap_or_default()
                };
                return Ok(Started::Failed((
                    Severity::Error,
                    "live/start-failed",
                    s.pointer("command"),
                    format!("{msg}{hint}"),
                )));
            }
        }
    }
    report.command = Some(shown);
    let home = o
        .scratch
        .join(format!("live-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&home)
        .map_err(|e| Error::io(format!("creating {}", home.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700));
    }
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(&o.workdir)
        .env_clear()
        .env("PATH", &o.path_env)
        .env("HOME", &home)
        .env("TMPDIR", &home)
        .env("LANG", "C.UTF-8")
        .env("npm_config_cache", &npm_cache)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("UV_CACHE_DIR", &uv_cache)
        .envs(o.passthrough_env.iter().map(|(k, v)| (k, v)))
        .envs(&env)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    report.sandbox = format!(
        "child process in its own process group, scrubbed environment (PATH, private HOME{}), killed after the check",
        if env.is_empty() { String::new() } else { format!(", {} declared variable(s)", env.len()) }
    );
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&home);
            let hint = match (e.kind(), install_hint(&argv[0])) {
                (std::io::ErrorKind::NotFound, Some(h)) => {
                    format!("\n      hint: `{}` is not on PATH: {h}", argv[0])
                }
                (std::io::ErrorKind::NotFound, None) => {
                    format!("\n      hint: `{}` is not on PATH", argv[0])
                }
                _ => String::new(),
            };
            return Ok(Started::Failed((
                Severity::Error,
                "live/start-failed",
                s.pointer("command"),
                format!(
                    "could not start `{}` in {}: {e}{hint}",
                    argv[0],
                    o.workdir.display()
                ),
            )));
        }
    };
    let mut err = child.stderr.take().expect("piped");
    let tail = stderr.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if let Ok(mut t) = tail.lock() {
                t.push(&buf[..n]);
            }
        }
    });
    let stdout = child.stdout.take().expect("piped");
    let stdin = child.stdin.take().expect("piped");
    let running = Running::Process { child, home };
    if http {
        // An HTTP server's stdout is only log output.
        let tail = stderr.clone();
        tokio::spawn(async move {
            let mut r = BufReader::new(stdout);
            let mut buf = Vec::new();
            while let Ok(n) = r.read_until(b'\n', &mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut t) = tail.lock() {
                    t.push(&buf);
                }
                buf.clear();
            }
        });
        drop(stdin);
        return Ok(Started::Http(running, format!("http://127.0.0.1:{port}")));
    }
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    Ok(Started::Lines(running, Client::lines(Box::pin(stdin), rx)))
}

async fn start_container(
    s: &Server,
    o: &LiveOptions,
    stderr: &Arc<Mutex<Tail>>,
    report: &mut LiveReport,
) -> Result<Started> {
    let image = s.image.clone().expect("chosen because declared");
    let docker = crate::docker::connect(&o.docker_host).await?;
    if !crate::docker::has_image(&docker, &image).await? {
        return Ok(Started::Failed((
            Severity::Error,
            "live/image-missing",
            s.pointer("image"),
            format!("image {image} is not in the local Docker Engine; build or pull it first (no registry is contacted during validation)"),
        )));
    }
    let http = s.transport != Transport::Stdio;
    let limits = s.limits();
    let memory = limits
        .and_then(|l| l.memory.as_deref())
        .and_then(|m| crate::quantity::parse_bytes(m).ok())
        .unwrap_or(512 << 20) as i64;
    let nano_cpus = limits
        .and_then(|l| l.cpu.as_deref())
        .and_then(|c| crate::quantity::parse_millicpu(c).ok())
        .unwrap_or(1000) as i64
        * 1_000_000;
    let mut env: Vec<String> = s.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let port = s.port.unwrap_or(8000);
    if http {
        env.push(format!("PORT={port}"));
    }
    // stdio servers get no network at all. An HTTP server has to be reached, and a bridge
    // address must not be: it shares the host's network, bound to loopback by its config.
    let network = if http { "host" } else { "none" };
    let spec = crate::docker::SandboxSpec {
        image: image.clone(),
        cmd: None,
        env,
        network: network.into(),
        memory_bytes: memory,
        nano_cpus,
        pids_limit: 256,
        labels: HashMap::from([
            (
                "promptcraft.sandbox".to_string(),
                "live-validation".to_string(),
            ),
            ("promptcraft.server".to_string(), s.name.clone()),
        ]),
        interactive: !http,
    };
    report.sandbox = format!(
        "docker container: network {network}, read-only root filesystem, all capabilities dropped, no-new-privileges, memory {} MiB, {} CPU, 256 pids, removed after the check",
        memory >> 20,
        nano_cpus as f64 / 1e9
    );
    let name = format!("pc-hybrid-live-{}", uuid::Uuid::new_v4().simple());
    let sandbox = crate::docker::start_sandbox(&docker, &name, &spec).await?;
    let running = Running::Container {
        docker: docker.clone(),
        id: sandbox.id.clone(),
    };
    let (tx, rx) = mpsc::channel(64);
    if let Some(out) = sandbox.output {
        crate::docker::pump_output(out, tx, stderr.clone());
    }
    if http {
        return Ok(Started::Http(running, format!("http://127.0.0.1:{port}")));
    }
    let input = sandbox.input.expect("interactive sandbox has stdin");
    Ok(Started::Lines(running, Client::lines(input, rx)))
}

/// Wait until an HTTP server answers: its health check when declared, else its port.
async fn wait_ready(
    http: &reqwest::Client,
    s: &Server,
    base: &str,
    running: &mut Running,
    deadline: tokio::time::Instant,
    report: &mut LiveReport,
) -> std::result::Result<(), Step> {
    let health_url = s.health_check.as_ref().map(|h| {
        let origin = url::Url::parse(base)
            .ok()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| base.to_owned());
        format!("{origin}{}", h.path)
    });
    let mut last = String::from("no answer yet");
    loop {
        if let Some(u) = &health_url {
            match http.get(u).timeout(Duration::from_secs(2)).send().await {
                Ok(r) if r.status().is_success() => {
                    report.health = Some(HealthResult {
                        url: u.clone(),
                        status: r.status().as_u16(),
                    });
                    return Ok(());
                }
                Ok(r) => last = format!("answered {}", r.status()),
                Err(e) => last = describe(&e),
            }
        } else {
            let addr = url::Url::parse(base)
                .ok()
                .and_then(|u| u.socket_addrs(|| Some(80)).ok())
                .and_then(|a| a.into_iter().next());
            if let Some(addr) = addr {
                if tokio::net::TcpStream::connect(addr).await.is_ok() {
                    return Ok(());
                }
            }
        }
        if let Some(how) = running.exited().await {
            return Err(Step::Ready((
                Severity::Error,
                "live/exited",
                String::new(),
                format!("the server {how} before it became ready"),
            )));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Step::Ready(match &health_url {
                Some(u) => (
                    Severity::Error,
                    "live/health-check",
                    s.pointer("health_check"),
                    format!("the health check {u} did not answer 2xx within the startup timeout ({last})"),
                ),
                None => (
                    Severity::Error,
                    "live/not-listening",
                    String::new(),
                    format!("nothing listened at {base} within the startup timeout"),
                ),
            }));
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

async fn timed<T>(
    deadline: tokio::time::Instant,
    what: &'static str,
    fut: impl std::future::Future<Output = std::result::Result<T, ClientError>>,
) -> std::result::Result<T, Step> {
    match tokio::time::timeout_at(deadline, fut).await {
        Err(_) => Err(Step::Timeout(what)),
        Ok(Err(e)) => Err(Step::Client(what, e)),
        Ok(Ok(v)) => Ok(v),
    }
}

async fn handshake(
    c: &mut Client,
    s: &Server,
    o: &LiveOptions,
    deadline: tokio::time::Instant,
    report: &mut LiveReport,
    findings: &mut Vec<LiveFinding>,
) -> std::result::Result<(), Step> {
    let t = Instant::now();
    let init = timed(
        deadline,
        "initialize",
        c.request(
            "initialize",
            json!({
                "protocolVersion": PROTOCOL_VERSIONS[0],
                "capabilities": {},
                "clientInfo": {"name": "pc-hybrid", "version": o.client_version}
            }),
        ),
    )
    .await?;
    report.timings.initialize_ms = ms(t.elapsed());
    let version = init
        .get("protocolVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    report.server_info = init.get("serverInfo").cloned();
    report.server_capabilities = init.get("capabilities").cloned();
    match &version {
        Some(v) if PROTOCOL_VERSIONS.contains(&v.as_str()) => {}
        other => {
            return Err(Step::Finding((
                Severity::Error,
                "live/protocol-version",
                String::new(),
                format!(
                    "the server negotiated protocol version {}, which is none of {}",
                    other.as_deref().unwrap_or("(none)"),
                    PROTOCOL_VERSIONS.join(", ")
                ),
            )))
        }
    }
    report.protocol_version = version.clone();
    c.protocol_version = version;
    timed(
        deadline,
        "notifications/initialized",
        c.notify("notifications/initialized", json!({})),
    )
    .await?;

    let t = Instant::now();
    let caps = report.server_capabilities.clone().unwrap_or(Value::Null);
    let mut tools: Vec<Value> = Vec::new();
    if caps.get("tools").is_some() || !s.capabilities.is_empty() {
        tools = list_all(c, deadline, "tools/list", "tools").await?;
    }
    if caps.get("resources").is_some() {
        report.resources = Some(
            list_all(c, deadline, "resources/list", "resources")
                .await?
                .len(),
        );
    }
    if caps.get("prompts").is_some() {
        report.prompts = Some(
            list_all(c, deadline, "prompts/list", "prompts")
                .await?
                .len(),
        );
    }
    report.timings.list_ms = ms(t.elapsed());
    report.tools = tools
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    compare(s, &tools, findings);
    report.tool_definitions = tools;
    Ok(())
}

async fn list_all(
    c: &mut Client,
    deadline: tokio::time::Instant,
    method: &'static str,
    key: &str,
) -> std::result::Result<Vec<Value>, Step> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let page = timed(deadline, method, c.request(method, params)).await?;
        match page.get(key).and_then(Value::as_array) {
            Some(items) => out.extend(items.iter().cloned()),
            None => {
                return Err(Step::Client(
                    method,
                    ClientError::Protocol(format!("the result has no `{key}` list")),
                ))
            }
        }
        cursor = page
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Every declared capability must be served as a tool whose input schema accepts what the
/// declaration says; undeclared tools are worth a warning.
pub fn compare(s: &Server, tools: &[Value], findings: &mut Vec<LiveFinding>) {
    let by_name: HashMap<&str, &Value> = tools
        .iter()
        .filter_map(|t| Some((t.get("name")?.as_str()?, t)))
        .collect();
    let base = s.pointer("capabilities");
    for (i, c) in s.capabilities.iter().enumerate() {
        let at = format!("{base}/{i}");
        let Some(tool) = by_name.get(c.name.as_str()) else {
            let mut served: Vec<&str> = by_name.keys().copied().collect();
            served.sort_unstable();
            findings.push((
                Severity::Error,
                "live/missing-tool",
                format!("{at}/name"),
                format!(
                    "capability `{}` is declared, but the server has no such tool (it serves: {})",
                    c.name,
                    if served.is_empty() {
                        "none".to_string()
                    } else {
                        served.join(", ")
                    }
                ),
            ));
            continue;
        };
        let actual = tool
            .get("inputSchema")
            .cloned()
            .unwrap_or(json!({"type": "object"}));
        let key = super::contract::schema_keys(s.format).0;
        for (inner, problem) in input_mismatch(&c.input_schema, &actual) {
            findings.push((
                Severity::Error,
                "live/input-schema",
                format!("{at}/{key}{inner}"),
                format!("capability `{}`: {problem}", c.name),
            ));
        }
    }
    if s.capabilities.is_empty() {
        // Nothing was declared (a server.json lists no tools): what it serves is reported,
        // not held against it.
        return;
    }
    let declared: std::collections::HashSet<&str> =
        s.capabilities.iter().map(|c| c.name.as_str()).collect();
    let mut extra: Vec<&str> = by_name
        .keys()
        .copied()
        .filter(|n| !declared.contains(n))
        .collect();
    extra.sort_unstable();
    for name in extra {
        findings.push((
            Severity::Warning,
            "live/undeclared-tool",
            base.clone(),
            format!("the server serves tool `{name}`, which is not declared as a capability"),
        ));
    }
}

/// `schema` with a local `$ref` (`#/$defs/X`, as Pydantic writes nested models) followed
/// through `root`.
fn resolved<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => match root.pointer(&r[1..]) {
                Some(target) => schema = target,
                None => break,
            },
            _ => break,
        }
    }
    schema
}

/// The types a schema allows: its `type`, or those of its `anyOf`/`oneOf` branches
/// (`Optional[int]` is `anyOf: [integer, null]`).
fn types_of(root: &Value, schema: &Value) -> Vec<String> {
    let schema = resolved(root, schema);
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_array))
            .flatten()
            .flat_map(|b| types_of(root, b))
            .collect(),
    }
}

/// The branch of an `anyOf`/`oneOf` schema that has type `t`, or the schema itself.
fn branch<'a>(root: &'a Value, schema: &'a Value, t: &str) -> &'a Value {
    let schema = resolved(root, schema);
    if schema.get("type").is_some() {
        return schema;
    }
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .map(|b| resolved(root, b))
        .find(|b| types_of(root, b).iter().any(|x| x == t))
        .unwrap_or(schema)
}

fn required_of(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn type_ok(declared: &str, actual: &[String]) -> bool {
    actual.iter().any(|a| a == declared)
        || (declared == "integer" && actual.iter().any(|a| a == "number"))
}

/// The lower and upper bounds a tool may set on a value; the declaration must be at least as
/// tight, or a caller following it sends values the tool rejects.
const LOWER: &[&str] = &[
    "minLength",
    "minimum",
    "exclusiveMinimum",
    "minItems",
    "minProperties",
];
const UPPER: &[&str] = &[
    "maxLength",
    "maximum",
    "exclusiveMaximum",
    "maxItems",
    "maxProperties",
];

struct Compare<'a> {
    droot: &'a Value,
    aroot: &'a Value,
    problems: Vec<(String, String)>,
}

impl Compare<'_> {
    fn problem(&mut self, at: &str, msg: String) {
        self.problems.push((at.to_owned(), msg));
    }

    fn schema(&mut self, declared: &Value, actual: &Value, at: &str, depth: usize) {
        if depth > 32 {
            return;
        }
        let (droot, aroot) = (self.droot, self.aroot);
        let shown = if at.is_empty() { "/" } else { at };
        let dt = types_of(droot, declared);
        let at_types = types_of(aroot, actual);
        if !dt.is_empty() && !at_types.is_empty() {
            for t in &dt {
                if !type_ok(t, &at_types) {
                    self.problem(
                        at,
                        format!(
                            "{shown} is declared as {t}, but the tool takes {}",
                            at_types.join(" or ")
                        ),
                    );
                    return;
                }
            }
        }
        let main = dt
            .iter()
            .find(|t| t.as_str() != "null")
            .cloned()
            .unwrap_or_default();
        let declared = branch(droot, declared, &main);
        let actual = branch(aroot, actual, &main);
        if let Some(allowed) = actual.get("enum").and_then(Value::as_array) {
            match declared.get("enum").and_then(Value::as_array) {
                Some(d) => {
                    let extra: Vec<String> = d
                        .iter()
                        .filter(|v| !allowed.contains(v))
                        .map(Value::to_string)
                        .collect();
                    if !extra.is_empty() {
                        self.problem(
                            at,
                            format!(
                                "{shown} declares {}, which the tool does not accept (it takes {})",
                                extra.join(", "),
                                Value::Array(allowed.clone())
                            ),
                        );
                    }
                }
                None if declared.get("const").is_none() => self.problem(
                    at,
                    format!(
                        "{shown} is declared without an enum, but the tool accepts only {}",
                        Value::Array(allowed.clone())
                    ),
                ),
                None => {}
            }
        }
        for (keys, lower) in [(LOWER, true), (UPPER, false)] {
            for key in keys {
                let Some(a) = actual.get(*key).and_then(Value::as_f64) else {
                    continue;
                };
                match declared.get(*key).and_then(Value::as_f64) {
                    Some(d) if (lower && d >= a) || (!lower && d <= a) => {}
                    Some(d) => self.problem(
                        at,
                        format!("{shown} declares {key} {d}, but the tool requires {key} {a}"),
                    ),
                    None => self.problem(
                        at,
                        format!("{shown} declares no {key}, but the tool requires {key} {a}"),
                    ),
                }
            }
        }
        if main == "array" || (main.is_empty() && declared.get("items").is_some()) {
            if let (Some(di), Some(ai)) = (declared.get("items"), actual.get("items")) {
                if di.is_object() && ai.is_object() {
                    self.schema(di, ai, &format!("{at}/items"), depth + 1);
                }
            }
        }
        if main == "object" || (main.is_empty() && declared.get("properties").is_some()) {
            self.object(declared, actual, at, depth);
        }
    }

    fn object(&mut self, declared: &Value, actual: &Value, at: &str, depth: usize) {
        let empty = serde_json::Map::new();
        let dprops = declared
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let aprops = actual
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let closed = actual.get("additionalProperties") == Some(&Value::Bool(false));
        for (name, dschema) in dprops {
            let p = format!("{at}/properties/{}", crate::document::escape_token(name));
            match aprops.get(name) {
                None if closed || !aprops.is_empty() => {
                    self.problem(&p, format!("declares {p}, which the tool does not take"))
                }
                None => {}
                Some(aschema) => self.schema(dschema, aschema, &p, depth + 1),
            }
        }
        let drequired = required_of(declared);
        for r in required_of(actual) {
            let p = format!("{at}/properties/{}", crate::document::escape_token(r));
            if !dprops.contains_key(r) {
                self.problem(&p, format!("the tool requires {p}, which is not declared"));
            } else if !drequired.contains(&r) {
                self.problem(
                    &p,
                    format!("the tool requires {p}, which the declaration makes optional"),
                );
            }
        }
    }
}

/// Why a tool whose input schema is `actual` would not accept calls made by the
/// declaration `declared`: (JSON pointer in the declared schema, message), compared
/// recursively (types, items, nested properties, required lists, enums, bounds).
pub fn input_mismatch(declared: &Value, actual: &Value) -> Vec<(String, String)> {
    let mut c = Compare {
        droot: declared,
        aroot: actual,
        problems: Vec::new(),
    };
    c.schema(declared, actual, "", 0);
    let mut problems = c.problems;
    if problems.is_empty() {
        // A call built from the declaration must pass the tool's own schema.
        let instance = sample(declared, 0);
        if let Ok(v) = jsonschema::validator_for(actual) {
            if let Some(e) = v.iter_errors(&instance).next() {
                problems.push((
                    e.instance_path().to_string(),
                    format!(
                        "a call that follows the declaration ({instance}) is rejected by the tool's input schema: {e}"
                    ),
                ));
            }
        }
    }
    problems
}

/// A value satisfying the simple parts of `schema`: what a caller reading it would send.
fn sample(schema: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    for key in ["const", "default"] {
        if let Some(v) = schema.get(key) {
            return v.clone();
        }
    }
    if let Some(v) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return v.clone();
    }
    if let Some(v) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return v.clone();
    }
    let t = types_of(schema, schema);
    let t = t
        .first()
        .map(String::as_str)
        .unwrap_or(if schema.get("properties").is_some() {
            "object"
        } else {
            "string"
        });
    match t {
        "object" => {
            let mut m = serde_json::Map::new();
            let props = schema.get("properties").and_then(Value::as_object);
            for r in required_of(schema) {
                let sub = props.and_then(|p| p.get(r)).cloned().unwrap_or(json!({}));
                m.insert(r.to_owned(), sample(&sub, depth + 1));
            }
            Value::Object(m)
        }
        "array" => {
            let n = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(4);
            let item = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..n).map(|_| sample(&item, depth + 1)).collect())
        }
        "integer" => json!(schema
            .get("minimum")
            .and_then(Value::as_i64)
            .unwrap_or(1)
            .max(1)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => {
            let n = schema
                .get("minLength")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 64);
            json!("x".repeat(n as usize))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_compatibility() {
        let declared = json!({"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["query"]});
        let same = declared.clone();
        assert!(input_mismatch(&declared, &same).is_empty());
        let wider = json!({"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "number"}, "extra": {"type": "boolean"}}, "required": ["query"]});
        assert!(input_mismatch(&declared, &wider).is_empty());
        let narrower = json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]});
        assert_eq!(input_mismatch(&declared, &narrower).len(), 1);
        let stricter = json!({"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["query", "limit"]});
        assert!(input_mismatch(&declared, &stricter)[0]
            .1
            .contains("makes optional"));
        let retyped = json!({"type": "object", "properties": {"query": {"type": "integer"}, "limit": {"type": "integer"}}, "required": ["query"]});
        assert!(input_mismatch(&declared, &retyped)[0]
            .1
            .contains("declared as string"));
        let long = json!({"type": "object", "properties": {"query": {"type": "string", "minLength": 5}, "limit": {"type": "integer"}}, "required": ["query"]});
        let long = &input_mismatch(&declared, &long)[0];
        assert_eq!(long.0, "/properties/query");
        assert!(long.1.contains("requires minLength 5"), "{long:?}");
    }

    #[test]
    fn nested_types_enums_and_bounds_are_compared() {
        let tool = json!({
            "type": "object",
            "$defs": {"Filter": {"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string"}},
                "mode": {"type": "string", "enum": ["any", "all"]},
                "depth": {"anyOf": [{"type": "integer", "maximum": 5}, {"type": "null"}]}
            }, "required": ["tags"]}},
            "properties": {"ids": {"type": "array", "items": {"type": "string"}}, "filter": {"$ref": "#/$defs/Filter"}},
            "required": ["filter"]
        });
        let good = json!({"type": "object", "properties": {
            "ids": {"type": "array", "items": {"type": "string"}},
            "filter": {"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string"}},
                "mode": {"type": "string", "enum": ["all"]},
                "depth": {"type": "integer", "maximum": 3}
            }, "required": ["tags"]}
        }, "required": ["filter"]});
        assert!(
            input_mismatch(&good, &tool).is_empty(),
            "{:?}",
            input_mismatch(&good, &tool)
        );
        let mut bad = good.clone();
        bad["properties"]["ids"]["items"]["type"] = json!("integer");
        let p = input_mismatch(&bad, &tool);
        assert_eq!(p[0].0, "/properties/ids/items", "{p:?}");
        assert!(p[0]
            .1
            .contains("declared as integer, but the tool takes string"));
        let mut bad = good.clone();
        bad["properties"]["filter"]["properties"]["tags"]["items"]["type"] = json!("boolean");
        assert_eq!(
            input_mismatch(&bad, &tool)[0].0,
            "/properties/filter/properties/tags/items"
        );
        let mut bad = good.clone();
        bad["properties"]["filter"]["properties"]["mode"]["enum"] = json!(["all", "some"]);
        let p = input_mismatch(&bad, &tool);
        assert!(p[0].1.contains("\"some\""), "{p:?}");
        let mut bad = good.clone();
        bad["properties"]["filter"]["properties"]["depth"]["maximum"] = json!(9);
        let p = input_mismatch(&bad, &tool);
        assert_eq!(p[0].0, "/properties/filter/properties/depth");
        assert!(
            p[0].1
                .contains("maximum 9, but the tool requires maximum 5"),
            "{p:?}"
        );
        let mut bad = good.clone();
        bad["properties"]["filter"]["required"] = json!([]);
        assert!(input_mismatch(&bad, &tool)[0].1.contains("makes optional"));
    }
}
