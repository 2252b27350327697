//! The one token store: secrets in the OS keyring, never in files or logs.

use crate::error::{Error, Result};
use crate::secret::Secret;

const SERVICE: &str = "pc-hybrid";
/// The token used for HTTPS pushes of agent repositories.
pub const GIT_TOKEN: &str = "git-token";

pub struct TokenStore {
    service: String,
}

impl Default for TokenStore {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(e: keyring::Error) -> Error {
    Error::unavailable(
        format!("the OS keyring is not usable: {e}"),
        Some("run `pc-hybrid doctor` to check the keyring backend"),
    )
}

impl TokenStore {
    pub fn new() -> Self {
        TokenStore {
            service: SERVICE.into(),
        }
    }

    pub fn with_service(service: &str) -> Self {
        TokenStore {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(unavailable)
    }

    pub fn get(&self, key: &str) -> Result<Option<Secret>> {
        match self.entry(key)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.entry(key)?
            .set_password(value.expose())
            .map_err(unavailable)
    }

    pub fn delete(&self, key: &str) -> Result<bool> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Store, read back and delete a probe value: proves the backend works.
    pub fn probe(&self) -> Result<&'static str> {
        let key = "doctor-probe";
        let value = Secret::new(uuid::Uuid::new_v4().to_string());
        self.set(key, &value)?;
        let back = self.get(key)?;
        let _ = self.delete(key);
        if back.as_ref() == Some(&value) {
            Ok(backend_name())
        } else {
            Err(Error::unavailable(
                "the keyring did not return what was stored",
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
