//! Sessions: the tokens of one login with their expiries, the identity a verified access
//! token gives (subject, username, organization, roles), and the sessions kept in this
//! process's token store (keyring or file), refreshed before they expire, once even when
//! several processes need a token at the same moment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::oidc::{Provider, TokenResponse};
use super::token_store::TokenStore;
use super::TokenStorage;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// An access token this close to its expiry is refreshed before use.
pub const REFRESH_BEFORE: i64 = 30;

/// How a session was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    Device,
    Browser,
    ClientCredentials,
    /// A token given on stdin (`login --with-token`): no refresh.
    Token,
}

impl Grant {
    pub fn as_str(self) -> &'static str {
        match self {
            Grant::Device => "device",
            Grant::Browser => "browser",
            Grant::ClientCredentials => "client_credentials",
            Grant::Token => "token",
        }
    }
}

/// One login's tokens. Serialized in clear only into a token store or the daemon's socket.
#[derive(Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Session {
    pub id: String,
    pub profile: String,
    pub issuer: String,
    pub client_id: String,
    pub grant: Grant,
    #[serde(with = "crate::secret::clear")]
    #[schemars(with = "String")]
    pub access_token: Secret,
    #[serde(default, with = "crate::secret::clear::option")]
    #[schemars(with = "Option<String>")]
    pub refresh_token: Option<Secret>,
    #[serde(default, with = "crate::secret::clear::option")]
    #[schemars(with = "Option<String>")]
    pub id_token: Option<Secret>,
    /// Seconds since the epoch.
    pub access_expires_at: i64,
    /// When the access token was issued: its lifetime decides how early it is refreshed.
    #[serde(default)]
    pub access_issued_at: i64,
    #[serde(default)]
    pub refresh_expires_at: Option<i64>,
    pub created_at: i64,
    pub last_activity: i64,
    /// The session ends here whatever its tokens say.
    pub expires_at: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("profile", &self.profile)
            .field("grant", &self.grant)
            .field("access_expires_at", &self.access_expires_at)
            .finish_non_exhaustive()
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn exp_of(claims: &Map<String, Value>) -> Option<i64> {
    claims.get("exp").and_then(Value::as_i64)
}

impl Session {
    /// A new session of `tokens` whose access token verified as `claims`.
    pub fn new(
        provider: &Provider,
        grant: Grant,
        tokens: TokenResponse,
        claims: &Map<String, Value>,
        hours: u32,
    ) -> Session {
        let t = now();
        let mut s = Session {
            id: uuid::Uuid::new_v4().to_string(),
            profile: provider.profile.name.clone(),
            issuer: provider.issuer().to_owned(),
            client_id: provider.profile.client_id.clone(),
            grant,
            access_token: Secret::default(),
            refresh_token: None,
            id_token: None,
            access_expires_at: t,
            access_issued_at: t,
            refresh_expires_at: None,
            created_at: t,
            last_activity: t,
            expires_at: t + i64::from(hours) * 3600,
        };
        s.take(tokens, claims);
        s
    }

    /// Take the tokens of a refresh (a rotated refresh token replaces the old one).
    pub fn take(&mut self, tokens: TokenResponse, claims: &Map<String, Value>) {
        let t = now();
        self.access_issued_at = claims.get("iat").and_then(Value::as_i64).unwrap_or(t);
        self.access_expires_at = exp_of(claims)
            .or(tokens.expires_in.map(|e| t + e))
            .unwrap_or(t + 60);
        if tokens.refresh_token.is_some() {
            self.refresh_token = tokens.refresh_token;
            self.refresh_expires_at = tokens
                .refresh_expires_in
                .filter(|e| *e > 0)
                .map(|e| t + e)
                .or_else(|| {
                    self.refresh_token
                        .as_ref()
                        .and_then(|r| super::jwt::unverified_claims(r.expose()))
                        .and_then(|c| exp_of(&c))
                });
        }
        if tokens.id_token.is_some() {
            self.id_token = tokens.id_token;
        }
        self.access_token = tokens.access_token;
    }

    /// Whether the access token is about to expire: within `REFRESH_BEFORE`, or the last
    /// quarter of a shorter lifetime (a token that lives a minute is not refreshed at once).
    pub fn needs_refresh(&self) -> bool {
        let life = self.access_expires_at - self.access_issued_at;
        let margin = if life > 0 {
            REFRESH_BEFORE.min(life / 4).max(1)
        } else {
            REFRESH_BEFORE
        };
        self.access_expires_at - now() < margin
    }

    /// Why the session is over, if it is.
    pub fn ended(&self, idle_minutes: Option<u32>) -> Option<String> {
        let t = now();
        if t >= self.expires_at {
            return Some(format!(
                "the session reached its {} hour limit",
                (self.expires_at - self.created_at) / 3600
            ));
        }
        if let Some(m) = idle_minutes {
            if t - self.last_activity > i64::from(m) * 60 {
                return Some(format!("the session was idle for more than {m} minutes"));
            }
        }
        if self.needs_refresh() && self.refresh_token.is_none() {
            return Some(match self.grant {
                Grant::ClientCredentials => "the client's access token expired".into(),
                _ => "the access token expired and there is no refresh token".into(),
            });
        }
        if self
            .refresh_expires_at
            .is_some_and(|r| r <= t && self.needs_refresh())
        {
            return Some("the refresh token expired".into());
        }
        None
    }
}

/// Who a verified access token says the caller is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    pub realm_roles: Vec<String>,
    pub client_roles: Vec<String>,
    /// The client the token was issued to (`azp` or `client_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Seconds since the epoch.
    pub access_expires_at: i64,
    /// Keycloak's session (`sid`), when the token names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_session: Option<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| s.chars().take(200).collect())
                .take(200)
                .collect()
        })
        .unwrap_or_default()
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(|s| s.chars().take(300).collect())
}

impl Identity {
    /// The identity in verified `claims`. Roles: Keycloak's `realm_access.roles` and
    /// `resource_access.<client or audience>.roles`, or the dotted `roles_claim` of another
    /// provider.
    pub fn from_claims(
        claims: &Map<String, Value>,
        clients: &[&str],
        roles_claim: Option<&str>,
    ) -> Identity {
        let (realm_roles, client_roles) = match roles_claim {
            Some(path) => {
                let mut v = claims.get(path.split('.').next().unwrap_or(""));
                for seg in path.split('.').skip(1) {
                    v = v.and_then(|x| x.get(seg));
                }
                (strings(v), Vec::new())
            }
            None => {
                let realm = strings(claims.get("realm_access").and_then(|r| r.get("roles")));
                let mut client = Vec::new();
                for c in clients {
                    for r in strings(
                        claims
                            .get("resource_access")
                            .and_then(|r| r.get(*c))
                            .and_then(|r| r.get("roles")),
                    ) {
                        if !client.contains(&r) {
                            client.push(r);
                        }
                    }
                }
                (realm, client)
            }
        };
        let subject = text(claims, "sub").unwrap_or_default();
        Identity {
            issuer: text(claims, "iss").unwrap_or_default(),
            username: text(claims, "preferred_username")
                .or_else(|| text(claims, "email"))
                .unwrap_or_else(|| subject.clone()),
            subject,
            email: text(claims, "email"),
            organization: text(claims, "organization")
                .or_else(|| text(claims, "org"))
                .or_else(|| {
                    claims
                        .get("organization")
                        .and_then(|o| o.as_array())
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                }),
            realm_roles,
            client_roles,
            client: text(claims, "azp").or_else(|| text(claims, "client_id")),
            access_expires_at: exp_of(claims).unwrap_or_default(),
            provider_session: text(claims, "sid"),
        }
    }

    /// Realm and client roles together.
    pub fn roles(&self) -> Vec<String> {
        let mut r = self.realm_roles.clone();
        for c in &self.client_roles {
            if !r.contains(c) {
                r.push(c.clone());
            }
        }
        r
    }
}

/// The identity of a provider's verified token.
pub async fn identify(provider: &Provider, token: &str) -> Result<Identity> {
    let claims = provider
        .verify(token)
        .await
        .map_err(|e| Error::Unauthenticated {
            message: format!("the access token is not valid: {e}"),
            hint: Some("run `pc-hybrid login`".into()),
        })?;
    Ok(identity_of(provider, &claims))
}

pub fn identity_of(provider: &Provider, claims: &Map<String, Value>) -> Identity {
    Identity::from_claims(
        claims,
        &[
            provider.profile.client_id.as_str(),
            provider.profile.audience.as_str(),
        ],
        provider.profile.roles_claim.as_deref(),
    )
}

/// What refreshing a session gave.
pub enum Refreshed {
    /// New tokens (a rotated refresh token with them).
    Fresh(Box<Session>),
    /// The session is over, for this reason; its keeper forgets it.
    Ended(String),
}

/// Refresh `s` at `provider`; the new access token is verified before it is taken.
pub async fn refresh(
    provider: &Provider,
    mut s: Session,
    secret: Option<&Secret>,
) -> Result<Refreshed> {
    let Some(refresh) = s.refresh_token.clone() else {
        return Ok(Refreshed::Ended(
            "the access token expired and there is no refresh token".into(),
        ));
    };
    let Some(tokens) = provider.refresh(&refresh, secret).await? else {
        return Ok(Refreshed::Ended(
            "the provider no longer accepts the session's refresh token".into(),
        ));
    };
    let claims = provider
        .verify(tokens.access_token.expose())
        .await
        .map_err(|e| Error::Unauthenticated {
            message: format!("the refreshed access token is not valid: {e}"),
            hint: None,
        })?;
    s.take(tokens, &claims);
    s.last_activity = now();
    Ok(Refreshed::Fresh(Box::new(s)))
}

/// A file lock held across processes; released when dropped.
pub struct FileLock {
    _file: std::fs::File,
}

/// Take the lock `name` in `dir`, waiting (at most `wait`) while another process holds it;
/// `waiting` is called once when it has to wait.
pub async fn lock(
    dir: &Path,
    name: &str,
    wait: Duration,
    waiting: impl FnOnce(),
) -> Result<FileLock> {
    super::token_store::private_dir(dir)?;
    let path = dir.join(format!("{name}.lock"));
    let f = crate::lockfile::open(&path)?;
    let deadline = std::time::Instant::now() + wait;
    let mut waiting = Some(waiting);
    while !crate::lockfile::try_lock(&f) {
        if let Some(w) = waiting.take() {
            w();
        }
        if std::time::Instant::now() >= deadline {
            return Err(Error::failed(
                format!("{} stayed locked by another pc-hybrid", path.display()),
                Some("wait for the other login or refresh to end"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(FileLock { _file: f })
}

/// Sessions kept in this process's token store, one per profile.
pub struct Local {
    pub store: TokenStore,
    pub storage: TokenStorage,
    /// Where the cross-process locks of logins and refreshes live.
    pub locks: PathBuf,
}

fn key(profile: &str) -> String {
    format!("sso.{profile}")
}

impl Local {
    pub fn load(&self, profile: &str) -> Result<Option<Session>> {
        let Some(text) = self.store.get(&key(profile))? else {
            return Ok(None);
        };
        match serde_json::from_str(text.expose()) {
            Ok(s) => Ok(Some(s)),
            Err(_) => {
                // Not ours to read (an older format, a damaged file): the login is over.
                let _ = self.store.delete(&key(profile));
                Ok(None)
            }
        }
    }

    pub fn save(&self, s: &Session) -> Result<()> {
        let text = serde_json::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
        self.store.set(&key(&s.profile), &Secret::new(text))
    }

    pub fn forget(&self, profile: &str) -> Result<bool> {
        self.store.delete(&key(profile))
    }

    /// The profile's session, refreshed when its access token is about to expire. One
    /// process refreshes; the others wait for its lock and read what it stored (a rotated
    /// refresh token may be used only once). `Ok(None)` when there is no live session;
    /// `ended` says why one just ended.
    pub async fn current(
        &self,
        provider: &Provider,
        secret: Option<&Secret>,
    ) -> Result<(Option<Session>, Option<String>)> {
        match self.load(&provider.profile.name)? {
            Some(s) => self.current_from(s, provider, secret).await,
            None => Ok((None, None)),
        }
    }

    /// `current` for the session `s` the caller has already loaded.
    pub async fn current_from(
        &self,
        s: Session,
        provider: &Provider,
        secret: Option<&Secret>,
    ) -> Result<(Option<Session>, Option<String>)> {
        let profile = &provider.profile.name;
        if !s.needs_refresh() {
            if let Some(why) = s.ended(None) {
                let _ = self.forget(profile);
                return Ok((None, Some(why)));
            }
            return Ok((Some(s), None));
        }
        let _lock = lock(&self.locks, &key(profile), Duration::from_secs(30), || {}).await?;
        let Some(s) = self.load(profile)? else {
            return Ok((None, None));
        };
        if !s.needs_refresh() {
            return Ok((Some(s), None));
        }
        if let Some(why) = s.ended(None) {
            let _ = self.forget(profile);
            return Ok((None, Some(why)));
        }
        match refresh(provider, s, secret).await? {
            Refreshed::Ended(why) => {
                let _ = self.forget(profile);
                Ok((None, Some(why)))
            }
            Refreshed::Fresh(s) => {
                self.save(&s)?;
                Ok((Some(*s), Some("refreshed".into())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keycloak_roles_and_identity_come_from_their_claims() {
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "iss": "https://kc/realms/p", "sub": "f:1", "preferred_username": "bob",
            "email": "bob@example.com", "organization": "acme", "exp": 100, "azp": "cli",
            "realm_access": {"roles": ["agent-developer", "offline_access"]},
            "resource_access": {"promptcraft-app": {"roles": ["analyst"]}, "other": {"roles": ["x"]}},
        }))
        .unwrap();
        let id = Identity::from_claims(&claims, &["cli", "promptcraft-app"], None);
        assert_eq!(id.username, "bob");
        assert_eq!(id.organization.as_deref(), Some("acme"));
        assert_eq!(
            id.roles(),
            vec!["agent-developer", "offline_access", "analyst"]
        );
        let groups: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"sub": "s", "groups": {"list": ["a"]}}))
                .unwrap();
        let id = Identity::from_claims(&groups, &[], Some("groups.list"));
        assert_eq!(id.roles(), vec!["a"]);
        assert_eq!(id.username, "s");
    }

    #[test]
    fn sessions_end_at_their_limit_and_when_idle() {
        let t = now();
        let s = Session {
            id: "x".into(),
            profile: "default".into(),
            issuer: "i".into(),
            client_id: "c".into(),
            grant: Grant::Device,
            access_token: Secret::new("tok-SECRET"),
            refresh_token: Some(Secret::new("r")),
            id_token: None,
            access_expires_at: t + 300,
            access_issued_at: t,
            refresh_expires_at: None,
            created_at: t - 9 * 3600,
            last_activity: t - 3600,
            expires_at: t - 3600,
        };
        assert!(s.ended(None).unwrap().contains("hour limit"));
        let s = Session {
            expires_at: t + 3600,
            ..s
        };
        assert_eq!(s.ended(None), None);
        assert!(s.ended(Some(30)).unwrap().contains("idle"));
        assert!(!format!("{s:?}").contains("tok-SECRET"));
    }
}
