//! The optional background daemon: one per home, on a private Unix socket, serving the
//! operation layer over HTTP/1.1 (`/api/v4`) with one store handle and one audit pipeline
//! for every client. Its lifecycle (pidfile lock, stale sockets, start and stop) is here.

pub mod api;
pub mod client;
pub mod mcp;
pub mod openapi;
pub mod server;
pub mod tcp;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};

pub use crate::settings::{DaemonMode as Mode, DaemonPaths as Paths};

/// The runtime directory, made private to the user: created 0700, and refused when
/// another user owns it (its socket could then be someone else's).
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Error::failed(
            format!(
                "{} belongs to uid {}, not to this user (uid {me})",
                dir.display(),
                meta.uid()
            ),
            Some("set PROMPTCRAFT_HOME or XDG_RUNTIME_DIR to a directory of your own"),
        ));
    }
    if meta.permissions().mode() & 0o777 != 0o700 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir.display().to_string(), e))?;
    }
    Ok(())
}

/// The pidfile, locked for as long as the daemon runs: the lock, not the file's presence,
/// says that a daemon runs, so a pidfile left by a dead one is simply taken over.
pub struct PidLock {
    _file: File,
}

/// The pid in a locked pidfile: the daemon that runs, if any.
pub fn running_pid(pidfile: &Path) -> Option<u32> {
    let f = File::open(pidfile).ok()?;
    // SAFETY: a valid descriptor; LOCK_NB makes flock return at once.
    let free = unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&f),
            libc::LOCK_SH | libc::LOCK_NB,
        )
    } == 0;
    if free {
        return None;
    }
    let mut s = String::new();
    (&f).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

impl PidLock {
    /// Take the lock and write our pid, or say which daemon holds it.
    pub fn acquire(pidfile: &Path) -> Result<PidLock> {
        use std::os::unix::fs::OpenOptionsExt;
        let io = |e| Error::io(pidfile.display().to_string(), e);
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(pidfile)
            .map_err(io)?;
        // SAFETY: a valid descriptor; LOCK_NB makes flock return at once.
        let locked = unsafe {
            libc::flock(
                std::os::fd::AsRawFd::as_raw_fd(&f),
                libc::LOCK_EX | libc::LOCK_NB,
            )
        } == 0;
        if !locked {
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            return Err(Error::usage(
                format!(
                    "a daemon already runs for this home (pid {})",
                    s.trim()
                        .parse::<u32>()
                        .map(|p| p.to_string())
                        .unwrap_or_else(|_| "?".into())
                ),
                Some("`pc-hybrid daemon status` shows it; `pc-hybrid daemon stop` stops it"),
            ));
        }
        f.set_len(0).map_err(io)?;
        writeln!(f, "{}", std::process::id()).map_err(io)?;
        f.flush().map_err(io)?;
        Ok(PidLock { _file: f })
    }
}

/// Bind the socket at `path`, private to the user (0600). A socket already there is
/// replaced only when nothing answers on it (a daemon that died left it).
pub fn bind(path: &Path) -> Result<std::os::unix::net::UnixListener> {
    let io = |e| Error::io(path.display().to_string(), e);
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(Error::usage(
                format!("something already answers on {}", path.display()),
                Some("`pc-hybrid daemon stop`, or remove the process that holds it"),
            ));
        }
        std::fs::remove_file(path).map_err(io)?;
    }
    // The socket is made with the umask's mode before chmod: a tight umask closes that gap.
    // SAFETY: umask only changes this process's file creation mask.
    let old = unsafe { libc::umask(0o177) };
    let bound = std::os::unix::net::UnixListener::bind(path);
    // SAFETY: as above, restoring the previous mask.
    unsafe { libc::umask(old) };
    let l = bound.map_err(io)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    Ok(l)
}

/// Serve this home until `stop` is cancelled (a signal, `daemon stop`): take the pidfile
/// lock, bind the socket (or use `inherited`, from socket activation), open the store and
/// the audit trail once, serve, then wait for running operations, seal the trail and
/// remove the socket.
pub async fn serve(
    settings: crate::settings::Settings,
    inherited: Option<std::os::unix::net::UnixListener>,
    listen: Option<tcp::Listen>,
    stop: crate::ops::Cancel,
) -> Result<()> {
    use std::sync::Arc;
    let mut settings = settings;
    // A daemon's working directory is wherever it was started: agents created through its
    // API go under its data directory unless configured.
    if settings.output_dir.source == crate::settings::Source::Default {
        settings.output_dir.value = settings.paths.data_dir.join("agents");
    }
    let paths = Paths::of(&settings.paths);
    private_dir(&paths.dir)?;
    let _lock = PidLock::acquire(&paths.pidfile)?;
    let bound_here = inherited.is_none();
    let listener = match inherited {
        Some(l) => l,
        None => bind(&paths.socket)?,
    };
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io(paths.socket.display().to_string(), e))?;
    let listener = tokio::net::UnixListener::from_std(listener)
        .map_err(|e| Error::io(paths.socket.display().to_string(), e))?;
    // The daemon holds sessions (`token_storage: daemon`), in Redis when REDIS_URL is set;
    // a Redis that does not answer stops the start rather than every login.
    let agent = {
        let a = &settings.auth;
        crate::auth::agent::Agent::new(
            a.redis_url.as_ref(),
            a.encryption_key.as_ref(),
            a.idle_minutes,
        )?
    };
    agent.ping()?;
    let team = match &listen {
        Some(l) => Some(tcp::bind(l).await?),
        None => None,
    };
    let ctx = Arc::new(
        crate::ops::Context::new(settings, crate::audit::event::Component::Daemon)
            .with_agent(Arc::new(agent)),
    );
    // Opened before the first request: a trail that cannot be written stops the start
    // under fail-closed, instead of failing every request.
    let recorder = ctx.recorder()?;
    for id in ctx.recover_creations()? {
        log::warn!("creation {id} was interrupted when its process ended; it is marked failed and what it made was removed");
    }
    let caller = crate::ops::Caller::local(&ctx.settings.audit.user);
    let event = |operation: &str| crate::audit::Action {
        event_type: crate::audit::event::EventType::Execution,
        category: crate::audit::event::Category::Operational,
        severity: crate::audit::event::Severity::Info,
        operation: operation.into(),
        resource: "daemon".into(),
        resource_id: None,
        status: crate::audit::event::Status::Success,
        error: None,
        response_time_ms: 0.0,
        agent_id: None,
        data: Default::default(),
        method: None,
        status_code: None,
    };
    recorder.record(event("daemon.start"), &caller)?;
    let state = Arc::new(server::State::new(ctx.clone(), paths.socket.clone()));
    {
        let (state, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            stop.cancelled().await;
            state.stop.cancel();
        });
    }
    log::info!("serving on {}", paths.socket.display());
    if let (Some(team), Some(l)) = (team, listen) {
        log::info!(
            "serving the team API on {}://{}",
            if l.tls.is_some() { "https" } else { "http" },
            l.addr
        );
        tokio::spawn(tcp::serve(team, l.tls, state.clone()));
    }
    {
        let (ctx, stop) = (ctx.clone(), state.stop.clone());
        tokio::spawn(async move {
            crate::ops::mcp::watch(&ctx, std::time::Duration::from_secs(10), &stop).await;
        });
    }
    {
        let (ctx, stop) = (ctx.clone(), state.stop.clone());
        tokio::spawn(async move {
            crate::ops::analytics::watch_alerts(&ctx, &stop).await;
        });
    }
    let served = server::serve(listener, state, std::time::Duration::from_secs(60)).await;
    if let Some(g) = ctx.gateway_built() {
        g.shutdown().await;
    }
    if let Ok(w) = ctx.execution_writer() {
        w.flush();
    }
    ctx.flush_spans().await;
    let _ = recorder.record(event("daemon.stop"), &caller);
    let sealed = recorder.seal();
    if bound_here {
        let _ = std::fs::remove_file(&paths.socket);
    }
    served.and(sealed)
}

/// Whether a daemon answers on `socket`, and its status.
pub async fn status(socket: &Path) -> Result<Option<api::Status>> {
    match client::connect(socket).await {
        Ok(mut c) => Ok(Some(c.get("/daemon/status").await?)),
        Err(client::ConnectError::NotRunning) => Ok(None),
        Err(client::ConnectError::Failed(e)) => Err(e),
    }
}

/// The daemon's client asks for `doctor`.
pub struct Probe;

impl crate::doctor::DaemonProbe for Probe {
    fn probe<'a>(
        &'a self,
        socket: &'a Path,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Option<crate::doctor::DaemonAnswer>>>
                + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            Ok(status(socket).await?.map(|s| crate::doctor::DaemonAnswer {
                pid: s.pid,
                protocol: s.protocol,
            }))
        })
    }
}

/// Start a daemon for this home in the background (`exe daemon run`, in a session of its
/// own, stderr to the log) and return once it answers. Two starts at once give one daemon:
/// the second's child finds the pidfile locked and leaves, and both see the first answer.
pub async fn start(paths: &Paths, exe: &Path, timeout: std::time::Duration) -> Result<api::Status> {
    use std::os::unix::process::CommandExt;
    if let Some(s) = status(&paths.socket).await? {
        return Ok(s);
    }
    private_dir(&paths.dir)?;
    if let Some(parent) = paths.log.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display().to_string(), e))?;
    }
    let log = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&paths.log)
            .map_err(|e| Error::io(paths.log.display().to_string(), e))?
    };
    let spawn = || {
        let log = log
            .try_clone()
            .map_err(|e| Error::io(paths.log.display().to_string(), e))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["daemon", "run"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log);
        // SAFETY: setsid is async-signal-safe; the child only calls it before exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        cmd.spawn()
            .map_err(|e| Error::io(format!("starting {}", exe.display()), e))
    };
    let mut child = spawn()?;
    let deadline = std::time::Instant::now() + timeout;
    let mut exited = None;
    // The daemon whose lock made ours give up: one that was stopping or had been killed,
    // and no longer answered.
    let mut blocked_by = None;
    loop {
        if let Some(s) = status(&paths.socket).await? {
            return Ok(s);
        }
        if exited.is_none() {
            // Who held the lock before ours ended: not ours, which may have taken it and
            // failed for another reason.
            let holder = running_pid(&paths.pidfile).filter(|p| *p != child.id());
            exited = child.try_wait().ok().flatten();
            if exited.is_some_and(|s| !s.success()) {
                blocked_by = holder;
            }
        }
        // That one has gone without another taking its place: start ours again.
        if blocked_by.is_some() && running_pid(&paths.pidfile).is_none() {
            child = spawn()?;
            (exited, blocked_by) = (None, None);
            continue;
        }
        if std::time::Instant::now() > deadline
            || (exited.is_some_and(|s| !s.success()) && running_pid(&paths.pidfile).is_none())
        {
            let tail = std::fs::read_to_string(&paths.log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(Error::failed(
                format!(
                    "the daemon did not start{}",
                    if tail.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; its log ({}) ends with:\n{}",
                            paths.log.display(),
                            tail.join("\n")
                        )
                    }
                ),
                Some("run `pc-hybrid daemon run` to see it fail in the foreground"),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Ask the daemon to stop and wait until it has (its pidfile lock released); false when
/// none was running.
pub async fn stop(paths: &Paths, timeout: std::time::Duration) -> Result<bool> {
    let mut c = match client::connect(&paths.socket).await {
        Ok(c) => c,
        Err(client::ConnectError::NotRunning) => return Ok(false),
        Err(client::ConnectError::Failed(e)) => return Err(e),
    };
    let _: api::Health = c.post("/daemon/stop", &serde_json::json!({})).await?;
    let deadline = std::time::Instant::now() + timeout;
    while running_pid(&paths.pidfile).is_some() {
        if std::time::Instant::now() > deadline {
            return Err(Error::failed(
                "the daemon was asked to stop but still runs",
                Some("it waits for running operations; `pc-hybrid daemon status` shows them"),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    Ok(true)
}
