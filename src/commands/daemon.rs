//! `pc-hybrid daemon run|start|stop|status|restart`: the daemon's lifecycle. These manage
//! the process that serves operations and are not operations themselves; the daemon
//! records its own start and stop.

use std::time::Duration;

use serde::Serialize;

use crate::cli::DaemonCommand;
use crate::daemon::{self, api, Paths};
use crate::env_vars as ev;
use crate::error::{Error, Result};
use crate::ops::Cancel;
use crate::output::{Output, Tabular};
use crate::settings::Settings;

#[derive(Serialize)]
#[serde(transparent)]
struct Shown<'a>(&'a api::Status);

impl Tabular for Shown<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let s = self.0;
        vec![out.record(&[
            ("pid", s.pid.to_string()),
            ("version", s.version.clone()),
            ("protocol", s.protocol.to_string()),
            ("uptime", format!("{:.0} s", s.uptime_seconds)),
            ("socket", s.socket.display().to_string()),
            ("store", s.store.clone()),
            ("audit store", s.audit_store.clone()),
            ("audit queue", s.audit_queue_depth.to_string()),
            ("audit events written", s.audit_events_written.to_string()),
            ("requests served", s.requests_served.to_string()),
            ("requests running", s.requests_running.to_string()),
        ])]
    }
}

/// A listening socket systemd handed over (socket activation), when it is meant for us.
fn inherited(env: &dyn Fn(&str) -> Option<String>) -> Option<std::os::unix::net::UnixListener> {
    let pid: u32 = env(ev::LISTEN_PID)?.parse().ok()?;
    let fds: u32 = env(ev::LISTEN_FDS)?.parse().ok()?;
    if pid != std::process::id() || fds < 1 {
        return None;
    }
    // SAFETY: systemd passes the first socket as descriptor 3 and nothing else owns it.
    Some(unsafe { std::os::fd::FromRawFd::from_raw_fd(3) })
}

pub async fn run(
    cmd: &DaemonCommand,
    s: Settings,
    env: &dyn Fn(&str) -> Option<String>,
    out: &Output,
) -> Result<()> {
    let paths = Paths::of(&s.paths);
    match cmd {
        DaemonCommand::Run(args) => {
            let stop = Cancel::new();
            {
                let stop = stop.clone();
                tokio::spawn(async move {
                    use tokio::signal::unix::{signal, SignalKind};
                    if let (Ok(mut a), Ok(mut b)) = (
                        signal(SignalKind::interrupt()),
                        signal(SignalKind::terminate()),
                    ) {
                        tokio::select! {
                            _ = a.recv() => {}
                            _ = b.recv() => {}
                        }
                        stop.cancel();
                    }
                });
            }
            out.note(&format!(
                "pc-hybrid daemon serving on {}",
                paths.socket.display()
            ));
            let listen = match &args.listen {
                Some(addr) => Some(daemon::tcp::Listen::parse(
                    addr,
                    args.tls_cert.as_deref(),
                    args.tls_key.as_deref(),
                )?),
                None => None,
            };
            daemon::serve(s, inherited(env), listen, stop).await
        }
        DaemonCommand::Start => start(&paths, out).await,
        DaemonCommand::Stop => {
            if daemon::stop(&paths, Duration::from_secs(70)).await? {
                out.note("daemon stopped");
            } else {
                out.note("no daemon was running");
            }
            Ok(())
        }
        DaemonCommand::Status => match daemon::status(&paths.socket).await? {
            Some(st) => out.data(&Shown(&st)),
            None => Err(Error::unavailable(
                format!("no daemon answers on {}", paths.socket.display()),
                Some("start one with `pc-hybrid daemon start`"),
            )),
        },
        DaemonCommand::Restart => {
            daemon::stop(&paths, Duration::from_secs(70)).await?;
            start(&paths, out).await
        }
    }
}

async fn start(paths: &Paths, out: &Output) -> Result<()> {
    let exe =
        std::env::current_exe().map_err(|e| Error::io("finding the pc-hybrid executable", e))?;
    let st = daemon::start(paths, &exe, Duration::from_secs(20)).await?;
    out.note(&format!(
        "daemon running (pid {}) on {}",
        st.pid,
        st.socket.display()
    ));
    out.data(&Shown(&st))
}
