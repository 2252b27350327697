//! The audit trail's keys: an Ed25519 key that signs checkpoints and an HMAC key for
//! sensitive values, per installation, in a file only the user can read. (Not the OS
//! keyring: the kernel keyring of containers does not keep entries across processes, which
//! would silently make a new key per run.)

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::error::{Error, Result};

pub struct Keys {
    pub signing: ed25519_dalek::SigningKey,
    pub hmac: Vec<u8>,
}

impl Keys {
    /// The chain's rules with this installation's signing key, for a store to apply as it
    /// appends.
    pub fn checkpoint_signer(&self) -> Signer<'_> {
        Signer(&self.signing)
    }
}

/// `store::Chain` as the audit trail defines it: SHA-256 links from `GENESIS`, checkpoints
/// signed with Ed25519.
pub struct Signer<'k>(&'k ed25519_dalek::SigningKey);

impl crate::store::Chain for Signer<'_> {
    fn genesis(&self) -> [u8; 32] {
        super::GENESIS
    }

    fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
        super::link(prev, canonical)
    }

    fn sign(&self, sequence: u64, hash: [u8; 32]) -> super::Checkpoint {
        super::sign_checkpoint(self.0, sequence, hash)
    }

    fn anchor_purge(&self, sequence: u64, hash: [u8; 32]) -> super::Checkpoint {
        super::sign_purge_anchor(self.0, sequence, hash)
    }
}

fn random32() -> Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(b)
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn unb64(s: &str) -> Option<[u8; 32]> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
}

fn file_of(data_dir: &Path) -> PathBuf {
    data_dir.join("audit-keys")
}

/// The keys, made on first use.
pub fn load(data_dir: &Path) -> Result<Keys> {
    let path = file_of(data_dir);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let mut lines = text.lines();
        if let (Some(s), Some(h)) = (lines.next().and_then(unb64), lines.next().and_then(unb64)) {
            return Ok(Keys {
                signing: ed25519_dalek::SigningKey::from_bytes(&s),
                hmac: h.to_vec(),
            });
        }
        return Err(Error::failed(
            format!("{} is not an audit key file", path.display()),
            Some("restore it from a backup: without it old checkpoints cannot be extended"),
        ));
    }
    let (s, h) = (random32()?, random32()?);
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Error::io(format!("creating {}", data_dir.display()), e))?;
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let _ = std::fs::remove_file(&tmp);
        let mut f = opts
            .open(&tmp)
            .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        writeln!(f, "{}\n{}", b64(&s), b64(&h))
            .map_err(|e| Error::io(tmp.display().to_string(), e))?;
        f.sync_all()
            .map_err(|e| Error::io(tmp.display().to_string(), e))?;
    }
    std::fs::rename(&tmp, &path)
        .map_err(|e| Error::io(format!("placing {}", path.display()), e))?;
    Ok(Keys {
        signing: ed25519_dalek::SigningKey::from_bytes(&s),
        hmac: h.to_vec(),
    })
}
