//! The one token store: secrets in the OS keyring or, when chosen outright, in files of
//! mode 0600 in a folder of mode 0700. Never a silent fallback from one to the other.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::secret::Secret;

const SERVICE: &str = "pc-hybrid";
/// The token used for HTTPS pushes of agent repositories.
pub const GIT_TOKEN: &str = "git-token";

enum Backend {
    Keyring { service: String },
    File { dir: PathBuf },
}

pub struct TokenStore {
    backend: Backend,
}

impl Default for TokenStore {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(e: keyring::Error) -> Error {
    Error::unavailable(
        format!("the OS keyring cannot store secrets here: {e}"),
        Some("set auth.token_storage (or PC_HYBRID_TOKEN_STORAGE) to `file` for a 0600 file in a private folder of the config directory, or to `daemon` to have `pc-hybrid daemon` hold them in memory; `pc-hybrid doctor` checks the keyring"),
    )
}

/// Keys become file names: only plain names do.
fn check_key(key: &str) -> Result<()> {
    if !key.is_empty()
        && key.len() <= 100
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !key.starts_with('.')
    {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "`{}` is not a token store key",
            key.escape_debug()
        )))
    }
}

/// Make `dir` (mode 0700) or check that it is private: a folder others may read is refused,
/// not repaired behind the user's back.
pub fn private_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::Permission {
                    message: format!(
                        "{} is open to other users (mode {mode:o}); secrets are kept only in a private folder",
                        dir.display()
                    ),
                    hint: Some(format!("run `chmod 700 {}`", dir.display())),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::io(parent.display().to_string(), e))?;
            }
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(dir)
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| Error::io(dir.display().to_string(), e))
        }
        Err(e) => Err(Error::io(dir.display().to_string(), e)),
    }
}

impl TokenStore {
    /// The OS keyring.
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    pub fn with_service(service: &str) -> Self {
        TokenStore {
            backend: Backend::Keyring {
                service: service.into(),
            },
        }
    }

    /// Files in `dir`, which is made private (0700) when it does not exist.
    pub fn file(dir: PathBuf) -> Self {
        TokenStore {
            backend: Backend::File { dir },
        }
    }

    /// Where this store keeps secrets, for `whoami` and `doctor`.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Keyring { .. } => format!("OS keyring ({})", backend_name()),
            Backend::File { dir } => format!("files in {} (0600)", dir.display()),
        }
    }

    fn entry(service: &str, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(service, key).map_err(unavailable)
    }

    pub fn get(&self, key: &str) -> Result<Option<Secret>> {
        check_key(key)?;
        match &self.backend {
            Backend::Keyring { service } => match Self::entry(service, key)?.get_password() {
                Ok(p) => Ok(Some(Secret::new(p))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(unavailable(e)),
            },
            Backend::File { dir } => {
                let path = dir.join(key);
                match std::fs::metadata(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(Error::io(path.display().to_string(), e)),
                    Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                        return Err(Error::Permission {
                            message: format!(
                                "{} is readable by other users (mode {:o}); its secret is not used",
                                path.display(),
                                m.permissions().mode() & 0o777
                            ),
                            hint: Some(format!(
                                "remove it (`pc-hybrid logout`) and log in again, or `chmod 600 {}`",
                                path.display()
                            )),
                        })
                    }
                    Ok(_) => {}
                }
                std::fs::read_to_string(&path)
                    .map(|s| Some(Secret::new(s)))
                    .map_err(|e| Error::io(path.display().to_string(), e))
            }
        }
    }

    pub fn set(&self, key: &str, value: &Secret) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Keyring { service } => Self::entry(service, key)?
                .set_password(value.expose())
                .map_err(unavailable),
            Backend::File { dir } => {
                private_dir(dir)?;
                let path = dir.join(key);
                // Written whole under another name, then renamed: a reader never sees half,
                // and the file is 0600 from its first byte.
                let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
                let _ = std::fs::remove_file(&tmp);
                let write = || -> std::io::Result<()> {
                    let mut f = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&tmp)?;
                    f.write_all(value.expose().as_bytes())?;
                    f.sync_all()?;
                    std::fs::rename(&tmp, &path)
                };
                write().map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    Error::io(path.display().to_string(), e)
                })
            }
        }
    }

    pub fn delete(&self, key: &str) -> Result<bool> {
        check_key(key)?;
        match &self.backend {
            Backend::Keyring { service } => match Self::entry(service, key)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(unavailable(e)),
            },
            Backend::File { dir } => {
                let path = dir.join(key);
                match std::fs::remove_file(&path) {
                    Ok(()) => Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(Error::io(path.display().to_string(), e)),
                }
            }
        }
    }

    /// Store, read back and delete a probe value: proves the backend works.
    pub fn probe(&self) -> Result<String> {
        let key = "doctor-probe";
        let value = Secret::new(uuid::Uuid::new_v4().to_string());
        self.set(key, &value)?;
        let back = self.get(key)?;
        let _ = self.delete(key);
        if back.as_ref() == Some(&value) {
            Ok(self.describe())
        } else {
            Err(Error::unavailable(
                "the token store did not return what was stored",
                None,
            ))
        }
    }
}

pub fn backend_name() -> &'static str {
    if cfg!(target_os = "linux") {
        "linux kernel keyutils"
    } else if cfg!(target_os = "macos") {
        "macOS keychain"
    } else if cfg!(target_os = "windows") {
        "Windows credential manager"
    } else {
        "platform keyring"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_written_whole() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("credentials");
        let s = TokenStore::file(dir.clone());
        assert_eq!(s.get("sso.default").unwrap(), None);
        s.set("sso.default", &Secret::new("t1")).unwrap();
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let f = dir.join("sso.default");
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(s.get("sso.default").unwrap().unwrap().expose(), "t1");
        s.set("sso.default", &Secret::new("t2")).unwrap();
        assert_eq!(s.get("sso.default").unwrap().unwrap().expose(), "t2");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // A file others can read is refused, not used.
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(s.get("sso.default").is_err());
        assert!(s.delete("sso.default").unwrap());
        assert!(!s.delete("sso.default").unwrap());
        assert!(s.get("../x").is_err());
        // An open folder is refused.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = s.set("sso.default", &Secret::new("t3")).unwrap_err();
        assert!(e.to_string().contains("open to other users"), "{e}");
    }
}
