//! Creations whose process died (a killed CLI or daemon): each running creation holds a
//! locked file naming what it is making; a lock nobody holds any more means the creation
//! was interrupted, and `recover` undoes what it left and marks it failed at its step.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{CreationStatus, StepStatus};
use crate::store::DomainStore;

/// What a running creation is making, in its lock file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
struct Making {
    id: String,
    agent: String,
    staging: PathBuf,
    backup: PathBuf,
    target: PathBuf,
}

/// The lock of one running creation; removed when dropped (the creation ended here).
pub struct CreationLock {
    path: PathBuf,
    _file: File,
}

impl Drop for CreationLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Take the lock of creation `id` in `dir`, naming what it makes.
pub fn lock(
    dir: &Path,
    id: &str,
    agent: &str,
    staging: &Path,
    backup: &Path,
    target: &Path,
) -> Result<CreationLock> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let path = dir.join(format!("{id}.lock"));
    let io = |e| Error::io(path.display().to_string(), e);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    if !crate::lockfile::try_lock(&f) {
        return Err(Error::Internal(format!(
            "{} is locked already",
            path.display()
        )));
    }
    let making = Making {
        id: id.into(),
        agent: agent.into(),
        staging: staging.into(),
        backup: backup.into(),
        target: target.into(),
    };
    let text = serde_json::to_vec(&making).map_err(|e| Error::Internal(e.to_string()))?;
    f.write_all(&text).map_err(io)?;
    Ok(CreationLock { path, _file: f })
}

/// Undo what interrupted creations left and mark them failed; the ids recovered.
pub fn recover(store: &dyn DomainStore, dir: &Path) -> Result<Vec<String>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("lock") {
            continue;
        }
        let Ok(mut f) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
        else {
            continue;
        };
        // Held: its creation is still being made by a live process.
        if !crate::lockfile::try_lock(&f) {
            continue;
        }
        let mut text = String::new();
        let making: Option<Making> = f
            .read_to_string(&mut text)
            .ok()
            .and_then(|_| serde_json::from_str(&text).ok());
        if let Some(m) = making {
            undo(store, &m)?;
            done.push(m.id);
        }
        let _ = std::fs::remove_file(&path);
    }
    Ok(done)
}

fn undo(store: &dyn DomainStore, m: &Making) -> Result<()> {
    let Some(c) = store.creation(&m.id)? else {
        return Ok(());
    };
    if c.status != CreationStatus::Running {
        return Ok(());
    }
    let registered = store
        .agent(&m.agent)?
        .is_some_and(|a| a.creation_id == m.id);
    let step = c
        .steps
        .iter()
        .find(|s| s.status == StepStatus::Running)
        .or_else(|| {
            c.steps
                .iter()
                .rev()
                .find(|s| s.status == StepStatus::Succeeded)
        })
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "validate".into());
    let message = if registered {
        "interrupted: the process carrying it out ended after the agent was registered; the agent is complete".to_string()
    } else {
        if m.staging.exists() {
            let _ = std::fs::remove_dir_all(&m.staging);
        } else if m.target.exists() && step == super::STEPS[4] {
            // Placed but never recorded: the new project goes, the old one comes back.
            let _ = std::fs::remove_dir_all(&m.target);
        }
        if m.backup.exists() && !m.target.exists() {
            let _ = std::fs::rename(&m.backup, &m.target);
        }
        "interrupted: the process carrying it out ended before it finished; what it had made was removed".to_string()
    };
    store.finish_creation(
        &m.id,
        CreationStatus::Failed,
        Utc::now(),
        Some(&step),
        Some(&message),
    )
}
