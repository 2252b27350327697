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
    /// Where the session's tokens are kept, for `whoami`.
    pub storage: Option<String>,
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
            storage: None,
            ip_address: None,
            remote: false,
        }
    }

    /// This caller, authenticated as `identity`.
    pub fn authenticated(mut self, identity: Identity, session_id: Option<String>) -> Caller {
        self.user = identity.username.clone();
        self.session_id = session_id.or_else(|| identity.provider_session.clone());
        self.identity = Some(identity);
        self
    }
}
