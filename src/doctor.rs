//! Environment checks behind `pc-hybrid doctor`: each one ok, warn or fail, with a hint.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use crate::auth::token_store::TokenStore;
use crate::store::{self, StoreInfo, StoreUrl};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "CheckStatus")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Check {
    pub check: String,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

fn check(name: &str, status: Status, detail: impl Into<String>, hint: Option<&str>) -> Check {
    Check {
        check: name.into(),
        status,
        detail: detail.into(),
        hint: hint.map(str::to_owned),
    }
}

pub struct Inputs<'a> {
    pub python: &'a str,
    pub docker_host: &'a str,
    pub author_name: Option<&'a str>,
    pub author_email: Option<&'a str>,
    pub store: &'a StoreUrl,
    pub audit_store: &'a StoreUrl,
    pub executions_store: &'a StoreUrl,
    pub data_dir: &'a Path,
    /// How commands run, and the daemon's socket.
    pub daemon: crate::settings::DaemonMode,
    pub socket: &'a Path,
    /// Asks the daemon on `socket`; without one, the daemon is not checked.
    pub probe: Option<&'a dyn DaemonProbe>,
}

/// What a daemon answering on its socket says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonAnswer {
    pub pid: u32,
    pub protocol: u32,
}

/// Asks whether a daemon answers on a socket: `None` when none does. The daemon's client
/// implements it and the CLI hands it in, because the daemon depends on the operation layer
/// that runs these checks.
pub trait DaemonProbe: Send + Sync {
    fn probe<'a>(
        &'a self,
        socket: &'a Path,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = crate::error::Result<Option<DaemonAnswer>>>
                + Send
                + 'a,
        >,
    >;
}

pub async fn run(i: &Inputs<'_>) -> Vec<Check> {
    vec![
        git_identity(i),
        docker(i.docker_host).await,
        keyring(),
        python(i.python),
        store_check("store", i.store, |u| {
            store::open_domain(u).map(|s| s as Box<dyn StoreInfo>)
        }),
        store_check("audit store", i.audit_store, |u| {
            store::open_audit(u).map(|s| s as Box<dyn StoreInfo>)
        }),
        store_check("executions store", i.executions_store, |u| {
            store::open_executions(u).map(|s| s as Box<dyn StoreInfo>)
        }),
        daemon(i.daemon, i.socket, i.probe).await,
        data_dir(i.data_dir),
        audit_keys(i.data_dir),
    ]
}

fn git_identity(i: &Inputs) -> Check {
    let cfg = git2::Config::open_default().ok();
    let get = |k: &str| cfg.as_ref().and_then(|c| c.get_string(k).ok());
    let name = i
        .author_name
        .map(str::to_owned)
        .or_else(|| get("user.name"));
    let email = i
        .author_email
        .map(str::to_owned)
        .or_else(|| get("user.email"));
    match (name, email) {
        (Some(n), Some(e)) => check("git identity", Status::Ok, format!("{n} <{e}>"), None),
        _ => check(
            "git identity",
            Status::Warn,
            format!(
                "no user.name/user.email; agent commits will be authored by `{} <{}>`",
                crate::factory::git::FALLBACK_NAME,
                crate::factory::git::FALLBACK_EMAIL
            ),
            Some("git config --global user.name \"Your Name\" && git config --global user.email you@example.com"),
        ),
    }
}

/// Ask the Engine for its version through the one Docker client, as live validation and
/// deployment will.
async fn docker(host: &str) -> Check {
    let hint = Some("install docker.io and start dockerd, or set DOCKER_HOST; only docker deployment and live validation of images need it");
    let client =
        match tokio::time::timeout(Duration::from_secs(5), crate::docker::connect(host)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return check("docker engine", Status::Warn, e.to_string(), hint),
            Err(_) => {
                return check(
                    "docker engine",
                    Status::Warn,
                    format!("{host}: no answer within 5s"),
                    hint,
                )
            }
        };
    match client.version().await {
        Ok(v) => check(
            "docker engine",
            Status::Ok,
            format!(
                "{host} (Engine {}, API {}, spoken as {})",
                v.version.as_deref().unwrap_or("?"),
                v.api_version.as_deref().unwrap_or("?"),
                client.client_version()
            ),
            None,
        ),
        Err(e) => check("docker engine", Status::Warn, format!("{host}: {e}"), hint),
    }
}

fn keyring() -> Check {
    match TokenStore::with_service("pc-hybrid-doctor").probe() {
        Ok(backend) => check("keyring", Status::Ok, format!("{backend}: store, read and delete work"), None),
        Err(e) => check(
            "keyring",
            Status::Warn,
            e.to_string(),
            Some("tokens cannot be kept; on Linux the kernel keyring (keyutils) must be allowed for this user"),
        ),
    }
}

fn python(python: &str) -> Check {
    let probe = "import sys\ntry:\n    import importlib.metadata as m\n    v = m.version('mcp')\nexcept Exception:\n    v = ''\nprint(sys.version.split()[0]); print(v)";
    let out = Command::new(python).arg("-c").arg(probe).output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return check(
                "python + mcp sdk",
                Status::Fail,
                format!(
                    "{python} failed: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
                Some("install Python 3.10 or newer, or set PC_HYBRID_PYTHON"),
            )
        }
        Err(e) => {
            return check(
                "python + mcp sdk",
                Status::Fail,
                format!("{python}: {e}"),
                Some("install Python 3.10 or newer, or set PC_HYBRID_PYTHON"),
            )
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let version = lines.next().unwrap_or("?").to_owned();
    let mcp = lines.next().unwrap_or("").trim().to_owned();
    let too_old = version
        .split('.')
        .take(2)
        .map(|p| p.parse::<u32>().unwrap_or(0))
        .collect::<Vec<_>>()
        < vec![3, 10];
    if too_old {
        return check(
            "python + mcp sdk",
            Status::Fail,
            format!("Python {version} is older than 3.10, which the MCP SDK needs"),
            Some("install Python 3.10 or newer, or set PC_HYBRID_PYTHON"),
        );
    }
    if mcp.is_empty() {
        check(
            "python + mcp sdk",
            Status::Warn,
            format!("Python {version}; the mcp package is not installed"),
            Some(
                "generated agents install it themselves; to run them here: pip install 'mcp>=2,<3'",
            ),
        )
    } else {
        check(
            "python + mcp sdk",
            Status::Ok,
            format!("Python {version}, mcp {mcp}"),
            None,
        )
    }
}

/// Which path commands take: through a daemon that answers, or in-process.
async fn daemon(
    mode: crate::settings::DaemonMode,
    socket: &Path,
    probe: Option<&dyn DaemonProbe>,
) -> Check {
    use crate::settings::DaemonMode as Mode;
    let Some(probe) = probe.filter(|_| mode != Mode::Never) else {
        let how = match mode {
            Mode::Never => "commands run in-process (PC_HYBRID_DAEMON=never)",
            _ => "not checked from here",
        };
        return check("daemon", Status::Ok, how, None);
    };
    let answer = probe.probe(socket).await;
    match (mode, answer) {
        (Mode::Never, _) => check(
            "daemon",
            Status::Ok,
            "commands run in-process (PC_HYBRID_DAEMON=never)",
            None,
        ),
        (_, Ok(Some(s))) => check(
            "daemon",
            Status::Ok,
            format!(
                "commands go through the daemon (pid {}, protocol {}) on {}",
                s.pid,
                s.protocol,
                socket.display()
            ),
            None,
        ),
        (Mode::Auto, Ok(None)) => check(
            "daemon",
            Status::Ok,
            format!(
                "no daemon answers on {}: commands run in-process",
                socket.display()
            ),
            None,
        ),
        (Mode::Always, Ok(None)) => check(
            "daemon",
            Status::Fail,
            format!(
                "PC_HYBRID_DAEMON=always, but no daemon answers on {}",
                socket.display()
            ),
            Some("pc-hybrid daemon start"),
        ),
        (_, Err(e)) => check(
            "daemon",
            Status::Fail,
            e.to_string(),
            Some("pc-hybrid daemon restart"),
        ),
    }
}

/// Open the store of one concern at `url` (creating its tables when missing) and check it.
fn store_check(
    name: &str,
    url: &StoreUrl,
    open: impl FnOnce(&StoreUrl) -> crate::error::Result<Box<dyn StoreInfo>>,
) -> Check {
    let result = open(url).and_then(|s| {
        s.check()?;
        Ok((s.location(), s.schema_version()?))
    });
    match result {
        Ok((loc, v)) => check(
            name,
            Status::Ok,
            format!("{loc} (schema {v}, integrity ok)"),
            None,
        ),
        Err(e) => check(
            name,
            Status::Fail,
            e.to_string(),
            Some("check ANALYTICS_DB_URL and that the data directory is writable"),
        ),
    }
}

fn data_dir(dir: &Path) -> Check {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(dir) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => check(
                "data directory",
                Status::Warn,
                format!(
                    "{} is readable by other users (mode {:o})",
                    dir.display(),
                    m.permissions().mode() & 0o777
                ),
                Some("chmod 700 the data directory"),
            ),
            Ok(_) => check(
                "data directory",
                Status::Ok,
                format!("{} (private)", dir.display()),
                None,
            ),
            Err(_) => check(
                "data directory",
                Status::Ok,
                format!("{} (created on first use)", dir.display()),
                None,
            ),
        }
    }
    #[cfg(not(unix))]
    check(
        "data directory",
        Status::Ok,
        dir.display().to_string(),
        None,
    )
}

/// Where the audit trail's signing and HMAC keys are, and that only the user can read them.
fn audit_keys(data_dir: &Path) -> Check {
    let path = data_dir.join("audit-keys");
    let Ok(meta) = std::fs::metadata(&path) else {
        return check(
            "audit keys",
            Status::Ok,
            format!("made on first use in {} (a file: this machine's keyring does not keep entries across processes)", path.display()),
            None,
        );
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return check(
                "audit keys",
                Status::Fail,
                format!(
                    "{} has mode {mode:o}: others can read the audit signing key",
                    path.display()
                ),
                Some("chmod 600 it"),
            );
        }
    }
    let _ = meta;
    check(
        "audit keys",
        Status::Ok,
        format!("{} (mode 600; a file, as this machine's keyring does not keep entries across processes)", path.display()),
        None,
    )
}

/// What the SSO checks look at.
pub struct SsoInputs<'a> {
    pub auth: &'a crate::settings::AuthSettings,
    /// Where `token_storage: file` keeps tokens.
    pub credentials: &'a Path,
    /// Whether a daemon answers (for `token_storage: daemon`).
    pub daemon_answers: bool,
    /// Who the caller is logged in as, and until when, if anyone.
    pub session: Option<(String, i64)>,
}

/// The SSO checks: discovery reachable, PKCE and device flow offered, key set loadable,
/// clock skew against the provider, where tokens are (or would be) kept, the session.
pub async fn sso(i: &SsoInputs<'_>) -> Vec<Check> {
    use crate::auth::TokenStorage;
    let Some(profile) = &i.auth.profile else {
        return vec![check(
            "sso",
            Status::Ok,
            "no SSO provider configured; commands run as the OS user",
            Some("set OIDC_ISSUER_URL, or KEYCLOAK_SERVER_URL and KEYCLOAK_REALM, to use single sign-on"),
        )];
    };
    let mut out = Vec::new();
    let http = match crate::net::client() {
        Ok(h) => h,
        Err(e) => return vec![check("sso discovery", Status::Fail, e.to_string(), None)],
    };
    // Fetched fresh, not from the cache: the check is of the provider as it is now.
    match crate::auth::oidc::Provider::discover(profile, &http, None).await {
        Err(e) => out.push(check(
            "sso discovery",
            Status::Fail,
            e.to_string(),
            e.hint().as_deref(),
        )),
        Ok(p) => {
            out.push(check(
                "sso discovery",
                Status::Ok,
                format!(
                    "profile {}: issuer {}, client {}",
                    profile.name,
                    p.issuer(),
                    profile.client_id
                ),
                None,
            ));
            let m = &p.metadata;
            let flows = [
                (m.offers_pkce(), "authorization code + PKCE (S256)"),
                (m.offers_device(), "device authorization"),
                (
                    m.grant_types_supported.is_empty()
                        || m.grant_types_supported
                            .iter()
                            .any(|g| g == "client_credentials"),
                    "client credentials",
                ),
                (
                    m.revocation_endpoint.is_some() || m.end_session_endpoint.is_some(),
                    "revocation",
                ),
            ];
            let missing: Vec<&str> = flows
                .iter()
                .filter(|(ok, _)| !ok)
                .map(|(_, n)| *n)
                .collect();
            out.push(if missing.is_empty() {
                check("sso flows", Status::Ok, "PKCE, device flow, client credentials and revocation offered", None)
            } else {
                check(
                    "sso flows",
                    Status::Warn,
                    format!("not offered: {}", missing.join(", ")),
                    Some("enable them for the client at the provider, or use the flows that are offered"),
                )
            });
            out.push(check(
                "sso keys",
                Status::Ok,
                format!("{} signing key(s) at {}", p.keys().len(), m.jwks_uri),
                None,
            ));
            out.push(match p.skew_seconds {
                None => check("sso clock", Status::Warn, "the provider sent no Date header; skew unknown", None),
                Some(s) if s.abs() > crate::auth::jwt::LEEWAY_SECONDS => check(
                    "sso clock",
                    Status::Fail,
                    format!("this clock is {}s off the provider's; tokens would be judged expired or not yet valid", s.abs()),
                    Some("synchronise the clock (NTP)"),
                ),
                Some(s) if s.abs() > 5 => check("sso clock", Status::Warn, format!("{}s off the provider's (tolerated: {}s)", s.abs(), crate::auth::jwt::LEEWAY_SECONDS), None),
                Some(s) => check("sso clock", Status::Ok, format!("{}s off the provider's", s.abs()), None),
            });
        }
    }
    let storage = i.auth.token_storage.value;
    out.push(match storage {
        TokenStorage::Keyring => match TokenStore::with_service("pc-hybrid-doctor").probe() {
            Ok(b) => check(
                "sso token storage",
                Status::Ok,
                format!("keyring: {b}"),
                None,
            ),
            Err(e) => check(
                "sso token storage",
                Status::Fail,
                format!("keyring: {e}"),
                Some("set auth.token_storage (PC_HYBRID_TOKEN_STORAGE) to `file` or `daemon`"),
            ),
        },
        TokenStorage::File if !i.credentials.exists() => check(
            "sso token storage",
            Status::Ok,
            format!(
                "file: {} (made 0700 at the first login)",
                i.credentials.display()
            ),
            None,
        ),
        TokenStorage::File => match crate::auth::token_store::private_dir(i.credentials) {
            Ok(()) => check(
                "sso token storage",
                Status::Ok,
                format!("file: {} (0700, files 0600)", i.credentials.display()),
                None,
            ),
            Err(e) => check(
                "sso token storage",
                Status::Fail,
                format!("file: {e}"),
                e.hint().as_deref(),
            ),
        },
        TokenStorage::Daemon => {
            let shared = match &i.auth.redis_url {
                Some(u) => format!(
                    ", sessions in Redis {}",
                    crate::secret::redact_url(u.expose())
                ),
                None => ", sessions in its memory".into(),
            };
            if i.daemon_answers {
                check(
                    "sso token storage",
                    Status::Ok,
                    format!("daemon: it answers{shared}"),
                    None,
                )
            } else {
                check(
                    "sso token storage",
                    Status::Fail,
                    format!("daemon: none answers{shared}"),
                    Some("start it with `pc-hybrid daemon start`"),
                )
            }
        }
    });
    out.push(match &i.session {
        Some((user, until)) => check(
            "sso session",
            Status::Ok,
            format!(
                "logged in as {user} until {}",
                chrono::DateTime::from_timestamp(*until, 0)
                    .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                    .unwrap_or_default()
            ),
            None,
        ),
        None => check(
            "sso session",
            if i.auth.required.value {
                Status::Fail
            } else {
                Status::Warn
            },
            "not logged in",
            Some("run `pc-hybrid login`"),
        ),
    });
    out
}
