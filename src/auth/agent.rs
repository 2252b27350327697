//! The daemon as session agent (as ssh-agent is for keys): it holds sessions' tokens in
//! memory, or in Redis as the reference design stores them (`session:<id>` hashes with an
//! expiry) so that several daemons serve one team. Tokens in Redis are sealed with
//! AES-256-GCM under a key the daemons share; they are never stored in clear. Refreshes are
//! done once per session across daemons (a Redis lock) and callers never see refresh tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine;

use super::oidc::Provider;
use super::session::{now, Session};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The least key material taken for sealing tokens.
pub const MIN_KEY_CHARS: usize = 32;

enum Backend {
    Memory(Mutex<HashMap<String, Session>>),
    Redis(Box<Redis>),
}

struct Redis {
    client: redis::Client,
    conn: Mutex<Option<redis::Connection>>,
    key: LessSafeKey,
    shown: String,
}

pub struct Agent {
    backend: Backend,
    pub idle_minutes: u32,
    /// Refreshes of one session in this daemon wait for each other.
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn redis_error(e: redis::RedisError) -> Error {
    Error::unavailable(
        format!("the session store (Redis) cannot be used: {e}"),
        Some("check REDIS_URL and that Redis is up"),
    )
}

/// The sealing key of `material`: HKDF-SHA256, so that any long enough passphrase gives a
/// uniform 256-bit key.
fn sealing_key(material: &Secret) -> Result<LessSafeKey> {
    if material.expose().chars().count() < MIN_KEY_CHARS {
        return Err(Error::usage(
            format!("ENCRYPTION_KEY is shorter than {MIN_KEY_CHARS} characters; it seals the tokens daemons keep in Redis"),
            Some("generate one with `openssl rand -base64 32` and give every daemon the same"),
        ));
    }
    let salt = aws_lc_rs::hkdf::Salt::new(aws_lc_rs::hkdf::HKDF_SHA256, b"pc-hybrid sessions");
    let prk = salt.extract(material.expose().as_bytes());
    let okm = prk
        .expand(&[b"session tokens v1"], &aead::AES_256_GCM)
        .map_err(|_| Error::Internal("deriving the session key".into()))?;
    let mut bytes = [0u8; 32];
    okm.fill(&mut bytes)
        .map_err(|_| Error::Internal("deriving the session key".into()))?;
    Ok(LessSafeKey::new(
        UnboundKey::new(&aead::AES_256_GCM, &bytes)
            .map_err(|_| Error::Internal("the session key".into()))?,
    ))
}

/// Seal `plain` for the session `id` (the id is bound in: a sealed value moved to another
/// session's hash does not open).
fn seal(key: &LessSafeKey, id: &str, plain: &[u8]) -> Result<String> {
    let mut nonce = [0u8; 12];
    getrandom::getrandom(&mut nonce).map_err(|e| Error::Internal(e.to_string()))?;
    let mut buf = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(id.as_bytes()),
        &mut buf,
    )
    .map_err(|_| Error::Internal("sealing the session".into()))?;
    let mut out = nonce.to_vec();
    out.extend(buf);
    Ok(format!(
        "v1:{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    ))
}

fn open(key: &LessSafeKey, id: &str, sealed: &str) -> Option<Vec<u8>> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(sealed.strip_prefix("v1:")?)
        .ok()?;
    if raw.len() < 12 + 16 {
        return None;
    }
    let (nonce, body) = raw.split_at(12);
    let mut body = body.to_vec();
    let plain = key
        .open_in_place(
            Nonce::try_assume_unique_for_key(nonce).ok()?,
            Aad::from(id.as_bytes()),
            &mut body,
        )
        .ok()?;
    Some(plain.to_vec())
}

/// A session id names a Redis key: only what this tool makes (a UUID) is taken.
fn check_id(id: &str) -> Result<()> {
    if id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        Ok(())
    } else {
        Err(Error::Unauthenticated {
            message: "the session handle is not valid".into(),
            hint: Some("run `pc-hybrid login`".into()),
        })
    }
}

impl Agent {
    /// Sessions in memory, or in Redis at `redis_url` sealed with `key`.
    pub fn new(
        redis_url: Option<&Secret>,
        key: Option<&Secret>,
        idle_minutes: u32,
    ) -> Result<Agent> {
        let backend = match redis_url {
            None => Backend::Memory(Mutex::new(HashMap::new())),
            Some(url) => {
                let key = key.ok_or_else(|| {
                    Error::usage(
                        "REDIS_URL is set but ENCRYPTION_KEY is not: tokens are never stored in Redis in clear",
                        Some("give every daemon the same ENCRYPTION_KEY (32 characters or more)"),
                    )
                })?;
                let shown = crate::secret::redact_url(url.expose());
                let client = redis::Client::open(url.expose()).map_err(|e| {
                    Error::usage(format!("REDIS_URL `{shown}` is not a Redis URL: {e}"), None)
                })?;
                Backend::Redis(Box::new(Redis {
                    client,
                    conn: Mutex::new(None),
                    key: sealing_key(key)?,
                    shown,
                }))
            }
        };
        Ok(Agent {
            backend,
            idle_minutes,
            refreshing: Mutex::new(HashMap::new()),
        })
    }

    /// Where sessions are kept, for `whoami`, `doctor` and the daemon's status.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Memory(_) => "daemon memory".into(),
            Backend::Redis(r) => format!("Redis {} (tokens sealed)", r.shown),
        }
    }

    fn redis<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        let Backend::Redis(r) = &self.backend else {
            return Err(Error::Internal("not a Redis session store".into()));
        };
        let (client, conn) = (&r.client, &r.conn);
        let mut slot = conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let c = client
                .get_connection_with_timeout(Duration::from_secs(3))
                .map_err(redis_error)?;
            let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = c.set_write_timeout(Some(Duration::from_secs(5)));
            *slot = Some(c);
        }
        let c = slot.as_mut().expect("connected above");
        match f(c) {
            Ok(v) => Ok(v),
            Err(e) => {
                // A broken connection is made again at the next call.
                if e.is_io_error() || e.is_connection_dropped() {
                    *slot = None;
                }
                Err(redis_error(e))
            }
        }
    }

    /// Check that the store answers (the daemon refuses to start when it does not).
    pub fn ping(&self) -> Result<()> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis { .. } => self
                .redis(|c| redis::cmd("PING").query::<String>(c))
                .map(|_| ()),
        }
    }

    /// Store `s`: in Redis as the reference design's `session:<id>` hash, the tokens sealed,
    /// expiring with the session.
    pub fn put(&self, s: &Session) -> Result<()> {
        check_id(&s.id)?;
        match &self.backend {
            Backend::Memory(m) => {
                let mut m = m.lock().unwrap_or_else(|p| p.into_inner());
                // Sessions nobody came back for are dropped here, not kept for ever.
                m.retain(|_, s| s.ended(Some(self.idle_minutes)).is_none());
                m.insert(s.id.clone(), s.clone());
                Ok(())
            }
            Backend::Redis(r) => {
                let key = &r.key;
                let plain = serde_json::to_vec(s).map_err(|e| Error::Internal(e.to_string()))?;
                let sealed = seal(key, &s.id, &plain)?;
                let claims =
                    super::jwt::unverified_claims(s.access_token.expose()).unwrap_or_default();
                let id =
                    super::session::Identity::from_claims(&claims, &[s.client_id.as_str()], None);
                let ttl = (s.expires_at - now()).max(1);
                let hkey = format!("session:{}", s.id);
                self.redis(|c| {
                    redis::pipe()
                        .atomic()
                        .cmd("HSET")
                        .arg(&hkey)
                        .arg("user_id")
                        .arg(&id.subject)
                        .arg("username")
                        .arg(&id.username)
                        .arg("organization")
                        .arg(id.organization.as_deref().unwrap_or(""))
                        .arg("roles")
                        .arg(id.roles().join(","))
                        .arg("token")
                        .arg(&sealed)
                        .arg("created_at")
                        .arg(iso(s.created_at))
                        .arg("last_activity")
                        .arg(iso(s.last_activity))
                        .ignore()
                        .cmd("EXPIRE")
                        .arg(&hkey)
                        .arg(ttl)
                        .ignore()
                        .query::<()>(c)
                })
            }
        }
    }

    /// Record a use of `s`: in Redis its `last_activity` field alone, so that a request
    /// does not seal and write the whole session again.
    fn touch(&self, s: &Session) -> Result<()> {
        match &self.backend {
            Backend::Memory(_) => self.put(s),
            Backend::Redis(_) => {
                let hkey = format!("session:{}", s.id);
                // With the expiry again: a session ended meanwhile leaves no key for ever.
                self.redis(|c| {
                    redis::pipe()
                        .atomic()
                        .cmd("HSET")
                        .arg(&hkey)
                        .arg("last_activity")
                        .arg(iso(s.last_activity))
                        .ignore()
                        .cmd("EXPIRE")
                        .arg(&hkey)
                        .arg((s.expires_at - now()).max(1))
                        .ignore()
                        .query::<()>(c)
                })
            }
        }
    }

    pub fn get(&self, id: &str) -> Result<Option<Session>> {
        check_id(id)?;
        match &self.backend {
            Backend::Memory(m) => Ok(m.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned()),
            Backend::Redis(r) => {
                let key = &r.key;
                let (sealed, active): (Option<String>, Option<String>) = self.redis(|c| {
                    redis::cmd("HMGET")
                        .arg(format!("session:{id}"))
                        .arg("token")
                        .arg("last_activity")
                        .query(c)
                })?;
                let Some(sealed) = sealed else {
                    return Ok(None);
                };
                let Some(plain) = open(key, id, &sealed) else {
                    return Err(Error::Unauthenticated {
                        message: format!("session {id} in Redis cannot be opened with this daemon's ENCRYPTION_KEY"),
                        hint: Some("give every daemon the same ENCRYPTION_KEY, or log in again".into()),
                    });
                };
                let mut s: Option<Session> = serde_json::from_slice(&plain).ok();
                // The use is recorded in its own field (see `touch`), newer than the sealed copy.
                if let (Some(s), Some(t)) = (s.as_mut(), active) {
                    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&t) {
                        s.last_activity = s.last_activity.max(t.timestamp());
                    }
                }
                Ok(s)
            }
        }
    }

    pub fn delete(&self, id: &str) -> Result<Option<Session>> {
        let s = self.get(id)?;
        match &self.backend {
            Backend::Memory(m) => {
                m.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
            }
            Backend::Redis { .. } => {
                self.redis(|c| {
                    redis::cmd("DEL")
                        .arg(format!("session:{id}"))
                        .query::<()>(c)
                })?;
            }
        }
        Ok(s)
    }

    /// Take the refresh lock of session `id` across daemons; false when it stayed held.
    fn lock_across(&self, id: &str, token: &str) -> Result<bool> {
        if matches!(self.backend, Backend::Memory(_)) {
            return Ok(true);
        }
        for _ in 0..300 {
            let got: Option<String> = self.redis(|c| {
                redis::cmd("SET")
                    .arg(format!("lock:session:{id}"))
                    .arg(token)
                    .arg("NX")
                    .arg("PX")
                    .arg(15_000)
                    .query(c)
            })?;
            if got.is_some() {
                return Ok(true);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(false)
    }

    fn unlock_across(&self, id: &str, token: &str) {
        if matches!(self.backend, Backend::Memory(_)) {
            return;
        }
        let k = format!("lock:session:{id}");
        let _ = self.redis(|c| {
            let held: Option<String> = redis::cmd("GET").arg(&k).query(c)?;
            if held.as_deref() == Some(token) {
                redis::cmd("DEL").arg(&k).query::<()>(c)?;
            }
            Ok(())
        });
    }

    /// The live session `id`, its use recorded, refreshed when its access token is about to
    /// expire. `(None, why)` when it has ended (it is then removed).
    pub async fn current(
        &self,
        id: &str,
        provider: &Provider,
        secret: Option<&Secret>,
    ) -> Result<(Option<Session>, Option<String>)> {
        let Some(mut s) = self.get(id)? else {
            return Ok((None, Some("the daemon holds no such session (it ended, or the daemon was restarted without Redis)".into())));
        };
        if let Some(why) = s.ended(Some(self.idle_minutes)) {
            let _ = self.delete(id);
            return Ok((None, Some(why)));
        }
        let mut note = None;
        if s.needs_refresh() {
            let local = {
                let mut m = self.refreshing.lock().unwrap_or_else(|p| p.into_inner());
                m.entry(id.to_owned()).or_default().clone()
            };
            let _held = local.lock().await;
            let token = uuid::Uuid::new_v4().to_string();
            if !self.lock_across(id, &token)? {
                return Err(Error::unavailable(
                    "another daemon has been refreshing this session for 15 seconds",
                    None,
                ));
            }
            let result = self.refresh(id, provider, secret).await;
            self.unlock_across(id, &token);
            match result? {
                (Some(fresh), n) => {
                    s = fresh;
                    note = n;
                }
                ended => return Ok(ended),
            }
        }
        s.last_activity = now();
        self.touch(&s)?;
        Ok((Some(s), note))
    }

    async fn refresh(
        &self,
        id: &str,
        provider: &Provider,
        secret: Option<&Secret>,
    ) -> Result<(Option<Session>, Option<String>)> {
        // Read again under the lock: another daemon may have refreshed it meanwhile.
        let Some(s) = self.get(id)? else {
            return Ok((None, Some("the session ended".into())));
        };
        if !s.needs_refresh() {
            return Ok((Some(s), None));
        }
        match super::session::refresh(provider, s, secret).await? {
            super::session::Refreshed::Ended(why) => {
                let _ = self.delete(id);
                Ok((None, Some(why)))
            }
            super::session::Refreshed::Fresh(s) => {
                self.put(&s)?;
                Ok((Some(*s), Some("refreshed".into())))
            }
        }
    }
}

/// A time of a session's hash in Redis: RFC 3339, as the reference design keeps them.
fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_tokens_open_only_with_the_key_and_for_their_session() {
        let k = sealing_key(&Secret::new("k".repeat(40))).unwrap();
        let other = sealing_key(&Secret::new("j".repeat(40))).unwrap();
        let id = "0190f0aa-0000-4000-8000-000000000001";
        let sealed = seal(&k, id, b"{\"access_token\":\"tok-SECRET\"}").unwrap();
        assert!(!sealed.contains("tok-SECRET"));
        assert_eq!(
            open(&k, id, &sealed).unwrap(),
            b"{\"access_token\":\"tok-SECRET\"}"
        );
        assert!(open(&other, id, &sealed).is_none());
        assert!(open(&k, "0190f0aa-0000-4000-8000-000000000002", &sealed).is_none());
        assert!(sealing_key(&Secret::new("short")).is_err());
    }

    #[test]
    fn only_uuid_session_ids_are_taken() {
        assert!(check_id("../../x").is_err());
        assert!(check_id("session:1 *").is_err());
        assert!(check_id(&uuid::Uuid::new_v4().to_string()).is_ok());
    }
}
