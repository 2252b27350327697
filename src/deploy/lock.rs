//! One change of an agent's deployments at a time, across processes: deploy, undeploy and
//! restart hold the agent's lock file while they run, and a second one waits its turn.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

/// Held while an agent's deployments change; released when dropped.
pub struct AgentLock {
    _file: File,
}

fn open(dir: &Path, agent: &str) -> Result<File> {
    // The name becomes a file name: only a valid agent name does.
    crate::model::check_name(agent).map_err(|m| Error::invalid("name", m))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    crate::lockfile::open(&dir.join(format!("{agent}.lock")))
}

/// Take `agent`'s lock in `dir`, waiting while another process or request holds it;
/// `waiting` is called once when it has to wait.
pub async fn take(dir: &Path, agent: &str, waiting: impl FnOnce()) -> Result<AgentLock> {
    let f = open(dir, agent)?;
    let mut waiting = Some(waiting);
    while !crate::lockfile::try_lock(&f) {
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
    Ok(crate::lockfile::try_lock(&f).then_some(AgentLock { _file: f }))
}
