//! Authentication: the token store now; OIDC flows, JWT validation and roles later.

pub mod token_store;

/// Who asks for an operation, and the correlation id its events share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user recorded in audit events.
    pub user: String,
    /// The caller's Unix user id (the peer's, on the daemon's socket).
    pub uid: u32,
    pub correlation_id: String,
}

impl Caller {
    /// The user of this process.
    pub fn local(user: &str) -> Caller {
        Caller {
            user: user.into(),
            // SAFETY: getuid has no preconditions and cannot fail.
            uid: unsafe { libc::getuid() },
            correlation_id: uuid::Uuid::now_v7().to_string(),
        }
    }
}
