//! Locks held across processes: a file of mode 0600 locked with `flock`, released when the
//! file is closed (or its process dies, so that a crash never leaves a lock behind).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::{Error, Result};

/// Open (creating, never truncating) the lock file at `path`.
pub fn open(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path.display().to_string(), e))
}

/// Take `f`'s exclusive lock if nobody holds it; whether it was taken.
pub fn try_lock(f: &File) -> bool {
    // SAFETY: a valid descriptor; LOCK_NB makes flock return at once.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}
