//! One change of an agent's deployments at a time, across processes: deploy, undeploy and
//! restart hold the agent's lock file while they run, and a second one waits its turn.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

/// Held while an agent's deployments change; released when dropped.
pub struct AgentLock {
    _file: File,
}

fn try_lock(f: &File) -> bool {
    // SAFETY: a valid descriptor; LOCK_NB makes flock return at once.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

fn open(dir: &Path, agent: &str) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // The name becomes a file name: only a valid agent name does.
    crate::model::check_name(agent).map_err(|m| Error::invalid("name", m))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let path = dir.join(format!("{agent}.lock"));
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(path.display().to_string(), e))?;
    Ok(f)
}

/// Take `agent`'s lock in `dir`, waiting while another process or request holds it;
/// `waiting` is called once when it has to wait.
pub async fn take(dir: &Path, agent: &str, waiting: impl FnOnce()) -> Result<AgentLock> {
    let f = open(dir, agent)?;
    let mut waiting = Some(waiting);
    while !try_lock(&f) {
        if let Some(w) = waiting.take() {
            w();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(AgentLock { _file: f })
}

/// `agent`'s lock when nobody holds it; None while a deploy, undeploy or restart of it runs.
pub fn try_take(dir: &Path, agent: &str) -> Result<Option<AgentLock>> {
    let f = open(dir, agent)?;
    Ok(try_lock(&f).then_some(AgentLock { _file: f }))
}
