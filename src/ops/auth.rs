//! The login operations (log in, log out, who am I, my token) and how every entry point
//! learns who its caller is: a session of this process's token store, a session the daemon
//! holds, or a bearer token, each verified against the provider's keys.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::audit::event::{Category, EventType, Severity, Status};
use crate::auth::oidc::Loopback;
use crate::auth::session::{self, Grant, Identity, Local, Session};
use crate::auth::token_store::TokenStore;
use crate::auth::{Caller, SessionInfo};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::settings::TokenStorage;

use super::{Cancel, Context, Reply, Response, Sink};

/// How `login` gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Device,
    Browser,
    ClientCredentials,
    /// A token read from stdin.
    Token,
}

/// `pc-hybrid login`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Login {
    pub flow: Flow,
    /// The loopback port of the browser flow (for `ssh -L`); any free one when None.
    #[serde(default)]
    pub port: Option<u16>,
    /// Open a browser: the caller has a display and is not on a remote shell.
    #[serde(default)]
    pub open_browser: bool,
    /// The client secret of the client credentials grant (from the environment or stdin).
    #[serde(skip)]
    pub secret: Option<Secret>,
    /// The token of `--with-token` (from stdin).
    #[serde(skip)]
    pub token: Option<Secret>,
}

/// A finished login.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoggedIn {
    pub identity: Identity,
    pub session: SessionInfo,
    /// Another process's login finished while this one waited, and is used.
    #[serde(default)]
    pub concurrent: bool,
}

/// A finished logout.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoggedOut {
    pub profile: String,
    /// Whether there was a session to end.
    pub ended: bool,
    /// Whether the provider revoked the refresh token.
    pub revoked: bool,
}

/// `whoami`: the caller, its session and what its roles allow.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WhoAmI {
    pub identity: Identity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionInfo>,
    /// Whether this installation requires a login for operations.
    pub required: bool,
    pub permissions: Vec<String>,
    /// The operations the roles allow.
    pub operations: Vec<String>,
}

/// `auth token`: an access token valid for a while yet.
#[derive(Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccessToken {
    #[serde(with = "crate::secret::clear")]
    #[schemars(with = "String")]
    pub token: Secret,
    pub expires_at: i64,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What a caller presents.
pub enum Credential {
    /// Whatever this process's token store holds for the profile.
    Local,
    /// A session the daemon holds, by its handle.
    Session(String),
    /// A bearer token (the team API; a CLI whose tokens are in its own store).
    Bearer(Secret),
    Nothing,
}

/// The sessions of this process's token store.
pub fn local(ctx: &Context) -> Result<Local> {
    let a = &ctx.settings.auth;
    let store = match a.token_storage.value {
        TokenStorage::Keyring => TokenStore::new(),
        TokenStorage::File => TokenStore::file(credentials_dir(ctx)),
        TokenStorage::Daemon => {
            return Err(Error::Internal(
                "the daemon keeps this installation's sessions".into(),
            ))
        }
    };
    Ok(Local {
        store,
        storage: a.token_storage.value,
        locks: ctx.settings.paths.runtime_dir.join("auth"),
    })
}

/// Where `token_storage: file` keeps tokens, and the CLI the handles of daemon sessions.
pub fn credentials_dir(ctx: &Context) -> std::path::PathBuf {
    ctx.settings.paths.config_dir.join("credentials")
}

fn no_profile() -> Error {
    Error::usage(
        "no SSO provider is configured",
        Some("set OIDC_ISSUER_URL (or KEYCLOAK_SERVER_URL and KEYCLOAK_REALM), or add auth.profiles to the config file"),
    )
}

/// Record an authentication event shaped as the reference design's `log_authentication`.
pub fn record_auth(
    ctx: &Context,
    caller: &Caller,
    operation: &str,
    status: Status,
    error: Option<String>,
) {
    let Ok(r) = ctx.recorder() else { return };
    let _ = r.record(
        crate::audit::Action {
            event_type: EventType::Authentication,
            category: Category::Security,
            severity: if status == Status::Failure {
                Severity::Error
            } else {
                Severity::Info
            },
            operation: operation.into(),
            resource: "session".into(),
            resource_id: None,
            status,
            error,
            response_time_ms: 0.0,
            agent_id: None,
            data: Default::default(),
            method: None,
            status_code: None,
        },
        caller,
    );
}

/// `caller`, authenticated by `credential` when it has a valid one. A credential that does
/// not verify is an error (exit 3) when it was presented outright or SSO is required;
/// otherwise the caller goes on as its OS user.
pub async fn identify(ctx: &Context, caller: Caller, credential: Credential) -> Result<Caller> {
    let required = ctx.settings.auth.required.value || caller.remote;
    match credential {
        Credential::Nothing => Ok(caller),
        Credential::Local => {
            if ctx.settings.auth.profile.is_none()
                || ctx.settings.auth.token_storage.value == TokenStorage::Daemon
            {
                return Ok(caller);
            }
            match local_session(ctx, &caller).await {
                Ok(Some((identity, info, _))) => Ok(caller.authenticated(identity, Some(info))),
                Ok(None) => Ok(caller),
                Err(e) if required => Err(e),
                Err(e) => {
                    log::debug!("no SSO identity: {e}");
                    Ok(caller)
                }
            }
        }
        Credential::Session(id) => {
            let agent = ctx
                .agent()
                .ok_or_else(|| Error::Internal("a session handle outside the daemon".into()))?;
            let provider = ctx.provider().await?;
            let secret = ctx.settings.auth.client_secret.clone();
            let (s, why) = agent.current(&id, &provider, secret.as_ref()).await?;
            let Some(s) = s else {
                let why = why.unwrap_or_else(|| "the session ended".into());
                record_auth(
                    ctx,
                    &caller,
                    "auth.session_end",
                    Status::Success,
                    Some(why.clone()),
                );
                return Err(Error::Unauthenticated {
                    message: format!("not logged in: {why}"),
                    hint: Some("run `pc-hybrid login`".into()),
                });
            };
            let identity = session::identify(&provider, s.access_token.expose()).await?;
            let info = SessionInfo::of(&s, agent.describe());
            let caller = caller.authenticated(identity, Some(info));
            if why.as_deref() == Some("refreshed") {
                record_auth(ctx, &caller, "auth.refresh", Status::Success, None);
            }
            Ok(caller)
        }
        Credential::Bearer(token) => {
            let provider = ctx.provider().await?;
            match provider.verify(token.expose()).await {
                Ok(claims) => {
                    let identity = session::identity_of(&provider, &claims);
                    Ok(caller.authenticated(identity, None))
                }
                Err(e) => {
                    let message = format!("the bearer token is not valid: {e}");
                    record_auth(
                        ctx,
                        &caller,
                        "auth.bearer",
                        Status::Failure,
                        Some(message.clone()),
                    );
                    Err(Error::Unauthenticated {
                        message,
                        hint: Some("get a fresh one with `pc-hybrid auth token`".into()),
                    })
                }
            }
        }
    }
}

/// The session of this process's token store, refreshed when about to expire, with the
/// identity its verified access token gives.
async fn local_session(
    ctx: &Context,
    caller: &Caller,
) -> Result<Option<(Identity, SessionInfo, Session)>> {
    let local = local(ctx)?;
    let profile = ctx.settings.auth.profile.as_ref().ok_or_else(no_profile)?;
    // Nothing stored: no provider needed, no network.
    let Some(stored) = local.load(&profile.name)? else {
        return Ok(None);
    };
    let provider = ctx.provider().await?;
    let secret = ctx.settings.auth.client_secret.clone();
    let (s, why) = local
        .current_from(stored, &provider, secret.as_ref())
        .await?;
    let Some(s) = s else {
        if let Some(why) = why {
            record_auth(ctx, caller, "auth.session_end", Status::Success, Some(why));
        }
        return Ok(None);
    };
    let identity = session::identify(&provider, s.access_token.expose()).await?;
    let info = SessionInfo::of(&s, local.store.describe());
    if why.as_deref() == Some("refreshed") {
        let c = caller
            .clone()
            .authenticated(identity.clone(), Some(info.clone()));
        record_auth(ctx, &c, "auth.refresh", Status::Success, None);
    }
    Ok(Some((identity, info, s)))
}

/// The access token of this process's token store, refreshed first when it is about to
/// expire: what a request to a daemon presents.
pub async fn local_token(ctx: &Context) -> Result<Option<Secret>> {
    let Some(profile) = &ctx.settings.auth.profile else {
        return Ok(None);
    };
    let Some(s) = local(ctx)?.load(&profile.name)? else {
        return Ok(None);
    };
    // A token valid for a while yet goes as it is: the daemon verifies it.
    if !s.needs_refresh() {
        return Ok(Some(s.access_token));
    }
    let caller = Caller::local(&ctx.settings.audit.user);
    Ok(local_session(ctx, &caller)
        .await?
        .map(|(_, _, s)| s.access_token))
}

fn open_browser(url: &str) -> bool {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// Log in. One login per profile at a time across processes: a second one waits, and uses
/// the first one's session when it finished meanwhile.
pub async fn login(ctx: &Context, l: &Login, sink: &dyn Sink, cancel: &Cancel) -> Result<Reply> {
    let a = &ctx.settings.auth;
    let profile = a.profile.as_ref().ok_or_else(no_profile)?;
    let storage = a.token_storage.value;
    // Where the new session goes: this process's token store, or the daemon.
    enum Keep<'a> {
        Here(Local),
        Daemon(&'a dyn crate::auth::Keeper),
    }
    let keep = match (storage, ctx.keeper()) {
        (TokenStorage::Daemon, Some(k)) => Keep::Daemon(k),
        (TokenStorage::Daemon, None) => {
            return Err(Error::unavailable(
                "token_storage is `daemon` but no daemon answers to hold the session",
                Some("start it with `pc-hybrid daemon start`, or choose auth.token_storage `keyring` or `file`"),
            ))
        }
        _ => Keep::Here(local(ctx)?),
    };
    let locks = ctx.settings.paths.runtime_dir.join("auth");
    let waited = AtomicBool::new(false);
    let _lock = session::lock(
        &locks,
        &format!("login.{}", profile.name),
        Duration::from_secs(900),
        || {
            waited.store(true, Ordering::Relaxed);
            sink.note("another pc-hybrid login for this profile is under way; waiting for it");
        },
    )
    .await?;
    let provider = ctx.provider().await?;
    if waited.load(Ordering::Relaxed) {
        if let Keep::Here(local) = &keep {
            if let (Some(s), _) = local.current(&provider, a.client_secret.as_ref()).await? {
                let identity = session::identify(&provider, s.access_token.expose()).await?;
                return Ok(Response::LoggedIn(Box::new(LoggedIn {
                    identity,
                    session: SessionInfo::of(&s, local.store.describe()),
                    concurrent: true,
                }))
                .into());
            }
        }
    }
    let (grant, tokens) = match l.flow {
        Flow::Device => {
            let d = provider.device_start(a.client_secret.as_ref()).await?;
            let url = d
                .verification_uri_complete
                .clone()
                .unwrap_or_else(|| d.verification_uri.clone());
            sink.warn(&format!(
                "to log in, open {url} and check that it shows the code {} (valid {} minutes)",
                d.user_code,
                d.expires_in.div_ceil(60)
            ));
            (
                Grant::Device,
                provider
                    .device_finish(&d, a.client_secret.as_ref(), cancel)
                    .await?,
            )
        }
        Flow::Browser => {
            let lb = Loopback::bind(l.port)?;
            let url = lb.authorization_url(&provider)?;
            if l.open_browser && open_browser(&url) {
                sink.warn(&format!(
                    "opening your browser to log in; if it does not open, visit {url}"
                ));
            } else {
                sink.warn(&format!("to log in, open this URL in a browser: {url}"));
            }
            (
                Grant::Browser,
                lb.finish(
                    &provider,
                    a.client_secret.as_ref(),
                    Duration::from_secs(300),
                    cancel,
                )
                .await?,
            )
        }
        Flow::ClientCredentials => {
            let secret = l
                .secret
                .as_ref()
                .or(a.client_secret.as_ref())
                .filter(|s| !s.expose().trim().is_empty())
                .ok_or_else(|| {
                    Error::usage(
                        "the client credentials grant needs the client's secret",
                        Some("set KEYCLOAK_CLIENT_SECRET, or pipe it in: `printf %s \"$SECRET\" | pc-hybrid login --client-credentials`"),
                    )
                })?;
            (
                Grant::ClientCredentials,
                provider.client_credentials(secret).await?,
            )
        }
        Flow::Token => {
            let token = l
                .token
                .clone()
                .filter(|t| !t.expose().trim().is_empty())
                .ok_or_else(|| {
                    Error::usage(
                        "no token on stdin",
                        Some("pipe it in: `printf %s \"$TOKEN\" | pc-hybrid login --with-token`"),
                    )
                })?;
            (
                Grant::Token,
                crate::auth::oidc::TokenResponse {
                    access_token: Secret::new(token.expose().trim()),
                    refresh_token: None,
                    id_token: None,
                    expires_in: None,
                    refresh_expires_in: None,
                    scope: None,
                },
            )
        }
    };
    // Nothing is stored until the access token verifies against the provider's keys.
    let claims = provider
        .verify(tokens.access_token.expose())
        .await
        .map_err(|e| Error::Unauthenticated {
            message: format!(
                "the provider's access token is not accepted: {e}; nothing was stored"
            ),
            hint: None,
        })?;
    let identity = session::identity_of(&provider, &claims);
    let mut s = Session::new(&provider, grant, tokens, &claims, a.session_hours);
    let where_ = match keep {
        Keep::Here(local) => {
            local.save(&s)?;
            local.store.describe()
        }
        Keep::Daemon(k) => {
            s.id = k.keep(&s).await?;
            "daemon".to_string()
        }
    };
    Ok(Response::LoggedIn(Box::new(LoggedIn {
        identity,
        session: SessionInfo::of(&s, where_),
        concurrent: false,
    }))
    .into())
}

/// Log out: revoke the refresh token at the provider, then forget the session here (even
/// when the revocation failed, which the reply says).
pub async fn logout(ctx: &Context, caller: &Caller, sink: &dyn Sink) -> Result<Reply> {
    let a = &ctx.settings.auth;
    let profile = a.profile.as_ref().ok_or_else(no_profile)?;
    let session = match ctx.agent() {
        Some(agent) => match &caller.session {
            Some(info) => agent.delete(&info.id)?,
            None => None,
        },
        None if a.token_storage.value == TokenStorage::Daemon => {
            sink.warn("no daemon answers: the sessions it held in memory ended with it; one kept in Redis stays there until it expires");
            None
        }
        None => {
            let local = local(ctx)?;
            let s = local.load(&profile.name)?;
            if s.is_some() {
                local.forget(&profile.name)?;
            }
            s
        }
    };
    let Some(s) = session else {
        sink.note(&format!("not logged in to {}", profile.name));
        return Ok(Response::LoggedOut(LoggedOut {
            profile: profile.name.clone(),
            ended: false,
            revoked: false,
        })
        .into());
    };
    let revoked = match &s.refresh_token {
        None => Ok(false),
        Some(r) => {
            let provider = ctx.provider().await?;
            provider
                .revoke(r, s.id_token.as_ref(), a.client_secret.as_ref())
                .await
                .map(|()| true)
        }
    };
    let (revoked, error) = match revoked {
        Ok(r) => (r, None),
        Err(e) => (
            false,
            Some(Error::failed(
                format!("logged out here, but the provider did not revoke the session: {e}"),
                Some("the refresh token stays valid at the provider until it expires"),
            )),
        ),
    };
    Ok(Reply {
        response: Response::LoggedOut(LoggedOut {
            profile: s.profile,
            ended: true,
            revoked,
        }),
        error,
    })
}

fn not_logged_in(ctx: &Context) -> Error {
    let daemon =
        ctx.agent().is_none() && ctx.settings.auth.token_storage.value == TokenStorage::Daemon;
    Error::Unauthenticated {
        message: match &ctx.settings.auth.profile {
            Some(p) => format!("not logged in to {} ({})", p.name, p.issuer),
            None => "not logged in: no SSO provider is configured".into(),
        },
        hint: Some(if ctx.settings.auth.profile.is_none() {
            "set OIDC_ISSUER_URL (or KEYCLOAK_SERVER_URL and KEYCLOAK_REALM), then `pc-hybrid login`".into()
        } else if daemon {
            "the daemon holds the sessions here (token_storage: daemon) and none answers: `pc-hybrid daemon start`, then `pc-hybrid login`".into()
        } else {
            "run `pc-hybrid login`".into()
        }),
    }
}

pub fn whoami(ctx: &Context, caller: &Caller) -> Result<Reply> {
    let identity = caller.identity.clone().ok_or_else(|| not_logged_in(ctx))?;
    let roles = identity.roles();
    let map = &ctx.settings.auth.roles;
    let permissions = map.granted(&roles);
    Ok(Response::WhoAmI(Box::new(WhoAmI {
        session: caller.session.clone(),
        required: ctx.settings.auth.required.value,
        permissions: permissions.iter().map(|p| p.as_str().to_owned()).collect(),
        operations: super::SPECS
            .iter()
            .filter(|s| permissions.contains(&s.permission))
            .map(|s| s.id.to_owned())
            .collect(),
        identity,
    }))
    .into())
}

/// The caller's access token, refreshed by `identify` when it was about to expire.
pub fn token(ctx: &Context, caller: &Caller) -> Result<Reply> {
    let info = caller.session.as_ref().ok_or_else(|| not_logged_in(ctx))?;
    let s = match ctx.agent() {
        Some(agent) => agent.get(&info.id)?,
        None => local(ctx)?.load(&info.profile)?,
    }
    .ok_or_else(|| not_logged_in(ctx))?;
    Ok(Response::Token(AccessToken {
        token: s.access_token,
        expires_at: s.access_expires_at,
    })
    .into())
}
