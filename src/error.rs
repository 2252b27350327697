//! Typed errors for the whole tool and the one place that maps them to exit codes and hints.

use std::fmt;
use std::path::PathBuf;

/// Exit codes, as promised in the README: scripts may rely on them.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const INVALID: i32 = 2;
    pub const AUTH: i32 = 3;
    pub const UNAVAILABLE: i32 = 4;
    pub const INTERNAL: i32 = 70;
    /// A second Ctrl-C while the first one's cancellation is under way: quit at once, as a
    /// shell reports a process ended by SIGINT.
    pub const INTERRUPTED: i32 = 130;
}

/// Where a value starts in its source text (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// One problem in user input, pointing at where it is.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct FieldError {
    /// JSON pointer of the offending value (`/agent_spec/name`), or a flag name (`--name`).
    pub field: String,
    pub message: String,
    /// File the value came from, when it came from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            file: None,
            line: None,
            column: None,
        }
    }

    pub fn at(mut self, file: Option<&PathBuf>, loc: Option<Location>) -> Self {
        self.file = file.cloned();
        if let Some(loc) = loc {
            self.line = Some(loc.line);
            self.column = Some(loc.column);
        }
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(
                f,
                "{}:{}:{}: {}: {}",
                file.display(),
                line,
                self.column.unwrap_or(1),
                self.field,
                self.message
            ),
            (Some(file), None) => write!(f, "{}: {}: {}", file.display(), self.field, self.message),
            (None, _) => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// Every failure the tool can report. Domain modules return these (or convert into them);
/// only `exit_code` and `hint` decide how they look to a user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input:\n{}", list(.0))]
    Invalid(Vec<FieldError>),

    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },

    /// What the request names does not exist (an agent, a creation, a server, a
    /// deployment): a usage error to the CLI, 404 to the daemon's API.
    #[error("{message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },

    #[error("{message}")]
    Failed {
        message: String,
        hint: Option<String>,
    },

    #[error("{message}")]
    Unavailable {
        message: String,
        hint: Option<String>,
    },

    /// Who the caller is could not be established (no login, an invalid or expired token,
    /// a login that failed): exit 3, 401 to the daemon's API.
    #[error("{message}")]
    Unauthenticated {
        message: String,
        hint: Option<String>,
    },

    /// The caller is known but may not do this: exit 3, 403 to the daemon's API.
    #[error("{message}")]
    Permission {
        message: String,
        hint: Option<String>,
    },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("store: {0}")]
    Store(String),

    #[error("internal error: {0}")]
    Internal(String),
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn usage(message: impl Into<String>, hint: Option<&str>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }

    pub fn not_found(message: impl Into<String>, hint: Option<&str>) -> Self {
        Error::NotFound {
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }

    pub fn failed(message: impl Into<String>, hint: Option<&str>) -> Self {
        Error::Failed {
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }

    pub fn unavailable(message: impl Into<String>, hint: Option<&str>) -> Self {
        Error::Unavailable {
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage { .. } | Error::NotFound { .. } => exit::INVALID,
            Error::Failed { .. } | Error::Io { .. } => exit::FAILED,
            Error::Unavailable { .. } => exit::UNAVAILABLE,
            Error::Permission { .. } | Error::Unauthenticated { .. } => exit::AUTH,
            Error::Store(_) => exit::FAILED,
            Error::Internal(_) => exit::INTERNAL,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::Failed { hint, .. }
            | Error::Unavailable { hint, .. }
            | Error::Permission { hint, .. }
            | Error::Unauthenticated { hint, .. } => hint.clone(),
            Error::Invalid(_) => Some("fix the fields above and run the command again".into()),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                Some("check the permissions of the path above".into())
            }
            Error::Store(_) => Some("run `pc-hybrid doctor` to check the store".into()),
            Error::Internal(_) => {
                Some("this is a bug in pc-hybrid; please report it with the command you ran".into())
            }
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
