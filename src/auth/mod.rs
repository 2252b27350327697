//! Authentication and authorization: OpenID providers and their flows, JWT verification,
//! sessions and where their tokens are kept, roles mapped onto permissions, and the caller
//! every operation is run for.

pub mod agent;
pub mod jwt;
pub mod oidc;
pub mod roles;
pub mod session;
pub mod token_store;

pub use session::Identity;

/// Where login tokens are kept.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TokenStorage {
    /// The OS keyring (Secret Service, macOS keychain, Windows credential manager).
    Keyring,
    /// A file of mode 0600 in a 0700 folder of the config directory.
    File,
    /// In the memory of the running daemon (or Redis, with REDIS_URL), like ssh-agent.
    Daemon,
}

impl TokenStorage {
    pub fn parse(s: &str) -> Option<TokenStorage> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keyring" => Some(TokenStorage::Keyring),
            "file" => Some(TokenStorage::File),
            "daemon" => Some(TokenStorage::Daemon),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenStorage::Keyring => "keyring",
            TokenStorage::File => "file",
            TokenStorage::Daemon => "daemon",
        }
    }
}

/// One provider profile, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    /// The issuer as configured (without a trailing slash).
    pub issuer: String,
    /// Keycloak configured by server URL: discovery may also try the legacy `/auth` prefix.
    pub keycloak_legacy: bool,
    pub client_id: String,
    pub audience: String,
    pub scopes: Vec<String>,
    pub roles_claim: Option<String>,
}

/// Who asks for an operation, and the correlation id its events share.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// The user recorded in audit events: the SSO username when logged in, else the OS user.
    pub user: String,
    /// The caller's Unix user id (the peer's, on the daemon's socket).
    pub uid: u32,
    pub correlation_id: String,
    /// Who the caller's verified token says it is, when it has one.
    pub identity: Option<Identity>,
    /// The session the caller's requests belong to (audit events' `session_id`).
    pub session_id: Option<String>,
    /// The session, when the caller has one of this tool's.
    pub session: Option<SessionInfo>,
    /// The caller's address, for requests over the network.
    pub ip_address: Option<String>,
    /// Came over the network (the team API): roles are always enforced.
    pub remote: bool,
}

impl Caller {
    /// The user of this process.
    pub fn local(user: &str) -> Caller {
        Caller {
            user: user.into(),
            // SAFETY: getuid has no preconditions and cannot fail.
            uid: unsafe { libc::getuid() },
            correlation_id: uuid::Uuid::now_v7().to_string(),
            identity: None,
            session_id: None,
            session: None,
            ip_address: None,
            remote: false,
        }
    }

    /// This caller, authenticated as `identity`.
    pub fn authenticated(mut self, identity: Identity, session: Option<SessionInfo>) -> Caller {
        self.user = identity.username.clone();
        self.session_id = session
            .as_ref()
            .map(|s| s.id.clone())
            .or_else(|| identity.provider_session.clone());
        self.session = session;
        self.identity = Some(identity);
        self
    }
}

/// A boxed future of this crate's results, for the traits the CLI hands down.
pub type BoxFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = crate::error::Result<T>> + Send + 'a>>;

/// Hands a new session to the daemon that keeps sessions (`token_storage: daemon`) and
/// remembers its handle. The daemon's client implements it and the CLI hands it in, because
/// the daemon depends on the operation layer that logs in.
pub trait Keeper: Send + Sync {
    fn keep<'a>(&'a self, session: &'a session::Session) -> BoxFuture<'a, String>;
}

/// The session a caller's requests belong to, as `whoami` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SessionInfo {
    pub id: String,
    pub profile: String,
    pub grant: session::Grant,
    /// Where the tokens are kept.
    pub storage: String,
    pub access_expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<i64>,
    pub expires_at: i64,
}

impl SessionInfo {
    pub fn of(s: &session::Session, storage: String) -> SessionInfo {
        SessionInfo {
            id: s.id.clone(),
            profile: s.profile.clone(),
            grant: s.grant,
            storage,
            access_expires_at: s.access_expires_at,
            refresh_expires_at: s.refresh_expires_at,
            expires_at: s.expires_at,
        }
    }
}
