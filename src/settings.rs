//! The single place where flags > environment > config file > defaults are combined.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::document::{self, Limits};
use crate::env_vars as ev;
use crate::error::{Error, FieldError, Result};
use crate::store::{self, StoreUrl};

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Flag,
    Env(String),
    Config(PathBuf),
    Default,
    Derived,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => write!(f, "flag"),
            Source::Env(n) => write!(f, "env {n}"),
            Source::Config(p) => write!(f, "config {}", p.display()),
            Source::Default => write!(f, "default"),
            Source::Derived => write!(f, "derived"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// The config file (`config.yaml`). The reference design's flat keys (`git_base_url`,
/// `registry_url`, `agent_factory_url`) are accepted too, so `~/.promptcraft/config.yaml`
/// reads as is.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub agent_factory: AgentFactoryConfig,
    pub database_url: Option<String>,
    pub log_level: Option<String>,
    pub python: Option<String>,
    pub docker_host: Option<String>,
    /// How commands reach the operation layer: auto, always (through the daemon) or never.
    pub daemon: Option<String>,
    /// Single sign-on: providers, where tokens are kept, whether a login is required, roles.
    #[serde(default)]
    pub auth: AuthConfig,
    /// The MCP gateway: naming, allow lists, limits, timeouts and sizes.
    #[serde(default)]
    pub gateway: crate::gateway::policy::GatewayConfig,
    /// Analytics: the price table, the replica-hour price, the latency objective, alerts.
    #[serde(default)]
    pub analytics: crate::analytics::config::AnalyticsConfig,
    // reference design flat keys
    pub git_base_url: Option<String>,
    pub registry_url: Option<String>,
    pub agent_factory_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentFactoryConfig {
    pub git_base_url: Option<String>,
    pub registry_url: Option<String>,
    pub auto_push: Option<bool>,
    pub auto_deploy: Option<bool>,
    pub output_dir: Option<PathBuf>,
    pub template: Option<String>,
    pub base_image: Option<String>,
    pub organization: Option<String>,
    pub git_author_name: Option<String>,
    pub git_author_email: Option<String>,
}

/// The `auth:` section of the config file.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Refuse operations without a valid session (default: true when ENTERPRISE_MODE=true).
    pub required: Option<bool>,
    /// Where login tokens are kept: keyring, file or daemon.
    pub token_storage: Option<String>,
    /// The profile used when `--profile` is not given.
    pub profile: Option<String>,
    /// Longest a session lasts, in hours (default 8).
    pub session_hours: Option<u32>,
    /// A daemon session unused this long ends, in minutes (default 60).
    pub idle_minutes: Option<u32>,
    /// The claim holding a user's roles, for providers not shaped like Keycloak (a dotted path).
    pub roles_claim: Option<String>,
    /// Role name -> permissions (`*` for all); a role listed here replaces its default.
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, Vec<String>>,
    /// Named providers (issuer + client).
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<String, ProfileConfig>,
}

/// One OpenID provider and the client this tool is registered as there.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    pub issuer: Option<String>,
    /// Keycloak: the server URL and realm, instead of `issuer`.
    pub keycloak_server_url: Option<String>,
    pub keycloak_realm: Option<String>,
    pub client_id: Option<String>,
    /// The audience access tokens must carry (default: the client id).
    pub audience: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub roles_claim: Option<String>,
}

/// Values given on the command line; `None` means not given.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub git_base_url: Option<String>,
    pub push: Option<bool>,
    pub auto_deploy: Option<bool>,
    pub output_dir: Option<PathBuf>,
    pub template: Option<String>,
    pub base_image: Option<String>,
    pub log_level: Option<String>,
    pub profile: Option<String>,
}

/// Directories the tool uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Paths {
    pub home: Option<PathBuf>,
    pub config_file: PathBuf,
    /// The reference design's `~/.promptcraft/config.yaml`; not read under PROMPTCRAFT_HOME.
    pub legacy_config_file: Option<PathBuf>,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub runtime_dir: PathBuf,
    pub templates_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub paths: Paths,
    pub database: Setting<StoreUrl>,
    pub git_base_url: Setting<Option<String>>,
    pub registry_url: Setting<String>,
    pub auto_push: Setting<bool>,
    pub auto_deploy: Setting<bool>,
    pub output_dir: Setting<PathBuf>,
    pub template: Setting<String>,
    pub base_image: Setting<String>,
    pub organization: Setting<String>,
    pub git_author_name: Setting<Option<String>>,
    pub git_author_email: Setting<Option<String>>,
    pub log_level: Setting<String>,
    pub python: Setting<String>,
    pub docker_host: Setting<String>,
    /// Whether commands go through the daemon.
    pub daemon: Setting<DaemonMode>,
    /// PATH as this process got it: the only variable a sandboxed server command inherits.
    pub sandbox_path: String,
    /// The trust store and proxy variables a sandboxed command also inherits, so that
    /// package runners can download.
    pub sandbox_passthrough: Vec<(String, String)>,
    /// Cache of Python environments for local deployments.
    pub envs_dir: PathBuf,
    /// Downloads of package runners (`npx`, `uvx`) for live checks.
    pub cache_dir: PathBuf,
    /// The kubeconfig for `--apply`, when there is one.
    pub kubeconfig: Option<PathBuf>,
    pub audit: AuditSettings,
    pub auth: AuthSettings,
    /// Where executions are kept: `<data>/executions.db`, or the PostgreSQL store.
    pub executions_store: StoreUrl,
    /// The gateway's configuration, from the first config file that has one.
    pub gateway: crate::gateway::policy::GatewayConfig,
    /// Analytics' configuration, from the first config file that has one, and the
    /// environment.
    pub analytics: crate::analytics::config::AnalyticsConfig,
    /// Where fired alerts are posted (ANALYTICS_ALERT_WEBHOOK_URL).
    pub alert_webhook: Option<crate::secret::Secret>,
    /// Where spans of gateway calls go, when a collector is configured.
    pub otlp: Option<crate::gateway::trace::OtlpOptions>,
}

pub use crate::auth::{Profile, TokenStorage};

/// How single sign-on works here.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub required: Setting<bool>,
    pub token_storage: Setting<TokenStorage>,
    /// The profile commands use, when any is configured.
    pub profile: Option<Profile>,
    /// Every configured profile's name.
    pub profiles: Vec<String>,
    pub session_hours: u32,
    pub idle_minutes: u32,
    pub roles: crate::auth::roles::RoleMap,
    /// The client secret for the client credentials grant (never from a flag).
    pub client_secret: Option<crate::secret::Secret>,
    /// Shared session store of daemons.
    pub redis_url: Option<crate::secret::Secret>,
    /// The key daemons encrypt the tokens they keep in Redis with.
    pub encryption_key: Option<crate::secret::Secret>,
    /// A daemon's team API to use instead of the local socket.
    pub daemon_url: Option<String>,
}

/// How the audit trail is kept.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    /// Where events are stored: `<data>/audit.db`, or the PostgreSQL store.
    pub store: StoreUrl,
    pub min_severity: crate::audit::event::Severity,
    pub retention_days: u32,
    pub compliance_mode: Option<String>,
    pub fail_closed: bool,
    pub data_classification: bool,
    pub user: String,
    pub sinks: Vec<crate::audit::sinks::Sink>,
}

/// One row of `config show`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ShownSetting {
    pub key: String,
    pub value: Option<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
}

pub const DEFAULT_REGISTRY: &str = "localhost:5000";
pub const DEFAULT_BASE_IMAGE: &str = "python:3.11-slim";
pub const DEFAULT_ORGANIZATION: &str = "promptcraft";
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";
const LOG_LEVELS: &[&str] = &["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Resolve the directories from PROMPTCRAFT_HOME or the platform conventions.
pub fn paths(env: &dyn Fn(&str) -> Option<String>) -> Result<Paths> {
    if let Some(home) = env(ev::PROMPTCRAFT_HOME).filter(|h| !h.is_empty()) {
        let home = absolute(Path::new(&home));
        return Ok(Paths {
            config_file: home.join("config.yaml"),
            legacy_config_file: None,
            config_dir: home.clone(),
            data_dir: home.join("data"),
            runtime_dir: home.join("run"),
            templates_dir: home.join("templates"),
            home: Some(home),
        });
    }
    let dirs =
        directories::ProjectDirs::from("io", "promptcraft", "pc-hybrid").ok_or_else(|| {
            Error::usage(
                "cannot find a home directory for configuration and data",
                Some("set PROMPTCRAFT_HOME to a directory pc-hybrid may use"),
            )
        })?;
    let legacy =
        directories::BaseDirs::new().map(|b| b.home_dir().join(".promptcraft").join("config.yaml"));
    let config_dir = dirs.config_dir().to_path_buf();
    Ok(Paths {
        home: None,
        config_file: config_dir.join("config.yaml"),
        legacy_config_file: legacy,
        templates_dir: config_dir.join("templates"),
        config_dir,
        data_dir: dirs.data_dir().to_path_buf(),
        runtime_dir: dirs
            .runtime_dir()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| dirs.data_dir().join("run")),
    })
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

fn read_config(path: &Path) -> Result<Option<ConfigFile>> {
    if !path.exists() {
        return Ok(None);
    }
    let doc = document::read_file(
        path,
        Limits {
            max_bytes: 1024 * 1024,
            ..Limits::default()
        },
    )?;
    if doc.value.is_null() {
        return Ok(Some(ConfigFile::default()));
    }
    Ok(Some(doc.deserialize()?))
}

struct Layer<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    files: Vec<(PathBuf, ConfigFile)>,
}

impl Layer<'_> {
    /// flag > env > config files (in order) > default.
    fn pick<T: Clone>(
        &self,
        flag: Option<T>,
        env_name: Option<&str>,
        parse_env: impl Fn(&str) -> Result<T>,
        from_file: impl Fn(&ConfigFile) -> Option<T>,
        default: T,
    ) -> Result<Setting<T>> {
        if let Some(v) = flag {
            return Ok(Setting {
                value: v,
                source: Source::Flag,
            });
        }
        if let Some(name) = env_name {
            if let Some(raw) = (self.env)(name) {
                return Ok(Setting {
                    value: parse_env(&raw)?,
                    source: Source::Env(name.to_owned()),
                });
            }
        }
        for (path, f) in &self.files {
            if let Some(v) = from_file(f) {
                return Ok(Setting {
                    value: v,
                    source: Source::Config(path.clone()),
                });
            }
        }
        Ok(Setting {
            value: default,
            source: Source::Default,
        })
    }
}

fn env_bool(name: &'static str) -> impl Fn(&str) -> Result<bool> {
    move |raw| {
        parse_bool(raw).ok_or_else(|| {
            Error::Invalid(vec![FieldError::new(
                format!("${name}"),
                format!(
                    "`{}` is not a boolean (true/false, 1/0, yes/no, on/off)",
                    raw.escape_debug()
                ),
            )])
        })
    }
}

fn text(raw: &str) -> Result<String> {
    Ok(raw.to_owned())
}

impl Settings {
    /// Resolve every setting. `env` is the process environment in production and a map in tests.
    pub fn resolve(env: &dyn Fn(&str) -> Option<String>, flags: &Overrides) -> Result<Settings> {
        let paths = paths(env)?;
        let mut files = Vec::new();
        if let Some(f) = read_config(&paths.config_file)? {
            files.push((paths.config_file.clone(), f));
        }
        if let Some(legacy) = &paths.legacy_config_file {
            if let Some(f) = read_config(legacy)? {
                files.push((legacy.clone(), f));
            }
        }
        let l = Layer { env, files };

        let default_db = StoreUrl::Sqlite(store::default_path(&paths.data_dir));
        let database = l.pick(
            None,
            Some(ev::ANALYTICS_DB_URL),
            StoreUrl::parse,
            |f| {
                f.database_url
                    .as_deref()
                    .and_then(|u| StoreUrl::parse(u).ok())
            },
            default_db,
        )?;
        // A config file with an unparseable URL is an error, not a silent default.
        for (path, f) in &l.files {
            if let Some(u) = &f.database_url {
                StoreUrl::parse(u).map_err(|e| {
                    Error::usage(format!("{}: database_url: {e}", path.display()), None)
                })?;
            }
        }
        let git_base_url = l.pick(
            flags.git_base_url.clone().map(Some),
            Some(ev::AGENT_FACTORY_GIT_BASE_URL),
            |s| Ok(Some(s.to_owned()).filter(|s| !s.is_empty())),
            |f| {
                f.agent_factory
                    .git_base_url
                    .clone()
                    .or(f.git_base_url.clone())
                    .map(Some)
            },
            None,
        )?;
        if let Some(url) = &git_base_url.value {
            check_git_base(url, &git_base_url.source)?;
        }
        let registry_url = l.pick(
            None,
            Some(ev::AGENT_FACTORY_REGISTRY_URL),
            text,
            |f| {
                f.agent_factory
                    .registry_url
                    .clone()
                    .or(f.registry_url.clone())
            },
            DEFAULT_REGISTRY.into(),
        )?;
        let auto_push = l.pick(
            flags.push,
            Some(ev::AGENT_FACTORY_AUTO_PUSH),
            env_bool(ev::AGENT_FACTORY_AUTO_PUSH),
            |f| f.agent_factory.auto_push,
            true,
        )?;
        let auto_deploy = l.pick(
            flags.auto_deploy,
            Some(ev::AGENT_FACTORY_AUTO_DEPLOY),
            env_bool(ev::AGENT_FACTORY_AUTO_DEPLOY),
            |f| f.agent_factory.auto_deploy,
            false,
        )?;
        let cwd = std::env::current_dir().map_err(|e| Error::io("current directory", e))?;
        let mut output_dir = l.pick(
            flags.output_dir.clone(),
            Some(ev::AGENT_FACTORY_OUTPUT_DIR),
            |s| Ok(PathBuf::from(s)),
            |f| f.agent_factory.output_dir.clone(),
            cwd.clone(),
        )?;
        if output_dir.value.is_relative() {
            output_dir.value = cwd.join(&output_dir.value);
        }
        let template = l.pick(
            flags.template.clone(),
            Some(ev::AGENT_FACTORY_TEMPLATE),
            text,
            |f| f.agent_factory.template.clone(),
            crate::factory::template::DEFAULT_TEMPLATE.into(),
        )?;
        let base_image = l.pick(
            flags.base_image.clone(),
            Some(ev::AGENT_BASE_IMAGE),
            text,
            |f| f.agent_factory.base_image.clone(),
            DEFAULT_BASE_IMAGE.into(),
        )?;
        check_image(&base_image.value, &base_image.source)?;
        let organization = l.pick(
            None,
            Some(ev::AGENT_ORGANIZATION),
            text,
            |f| f.agent_factory.organization.clone(),
            DEFAULT_ORGANIZATION.into(),
        )?;
        let git_author_name = l.pick(
            None,
            Some(ev::GIT_AUTHOR_NAME),
            |s| Ok(Some(s.to_owned())),
            |f| f.agent_factory.git_author_name.clone().map(Some),
            None,
        )?;
        let git_author_email = l.pick(
            None,
            Some(ev::GIT_AUTHOR_EMAIL),
            |s| Ok(Some(s.to_owned())),
            |f| f.agent_factory.git_author_email.clone().map(Some),
            None,
        )?;
        let log_level = l.pick(
            flags.log_level.clone(),
            Some(ev::LOG_LEVEL),
            |s| {
                let up = s.trim().to_ascii_uppercase();
                let up = if up == "WARNING" {
                    "WARN".to_owned()
                } else {
                    up
                };
                if LOG_LEVELS.contains(&up.as_str()) {
                    Ok(up)
                } else {
                    Err(Error::invalid(
                        "$LOG_LEVEL",
                        format!(
                            "`{}` is not one of {}",
                            s.escape_debug(),
                            LOG_LEVELS.join(", ")
                        ),
                    ))
                }
            },
            |f| f.log_level.clone().map(|s| s.to_ascii_uppercase()),
            "WARN".into(),
        )?;
        let python = l.pick(
            None,
            Some(ev::PC_HYBRID_PYTHON),
            text,
            |f| f.python.clone(),
            "python3".into(),
        )?;
        let docker_host = l.pick(
            None,
            Some(ev::DOCKER_HOST),
            text,
            |f| f.docker_host.clone(),
            DEFAULT_DOCKER_HOST.into(),
        )?;
        let daemon = l.pick(
            None,
            Some(ev::PC_HYBRID_DAEMON),
            |v| {
                DaemonMode::parse(v).ok_or_else(|| {
                    Error::invalid(
                        ev::PC_HYBRID_DAEMON,
                        format!("`{v}` is not auto, always or never"),
                    )
                })
            },
            |f| f.daemon.as_deref().and_then(DaemonMode::parse),
            DaemonMode::Auto,
        )?;
        for (path, f) in &l.files {
            if let Some(v) = &f.daemon {
                if DaemonMode::parse(v).is_none() {
                    return Err(Error::usage(
                        format!(
                            "{}: daemon: `{v}` is not auto, always or never",
                            path.display()
                        ),
                        None,
                    ));
                }
            }
        }
        let envs_dir = env(ev::PC_HYBRID_ENV_DIR)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| paths.data_dir.join("envs"));
        let cache_dir = env(ev::PC_HYBRID_CACHE_DIR)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| paths.data_dir.join("cache"));
        let kubeconfig = env(ev::KUBECONFIG)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .or_else(|| env(ev::HOME).map(|h| PathBuf::from(h).join(".kube/config")))
            .filter(|p| p.is_file());
        let audit = {
            let level = env(ev::AUDIT_LOG_LEVEL).unwrap_or_else(|| "INFO".into());
            use crate::audit::event::Severity as S;
            let min_severity = match level.trim().to_ascii_uppercase().as_str() {
                "" | "INFO" | "DEBUG" => S::Info,
                "WARNING" | "WARN" => S::Warning,
                "ERROR" => S::Error,
                "CRITICAL" => S::Critical,
                other => {
                    return Err(Error::invalid(
                        "$AUDIT_LOG_LEVEL",
                        format!(
                            "`{}` is not one of INFO, WARNING, ERROR, CRITICAL",
                            other.escape_debug()
                        ),
                    ))
                }
            };
            let retention_days = match env(ev::AUDIT_RETENTION_DAYS) {
                None => 2555,
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d >= 1)
                    .ok_or_else(|| {
                        Error::invalid(
                            "$AUDIT_RETENTION_DAYS",
                            format!("`{}` is not a number of days (1 or more)", v.escape_debug()),
                        )
                    })?,
            };
            let compliance_mode = env(ev::COMPLIANCE_MODE).filter(|v| !v.trim().is_empty());
            let fail_closed = match env(ev::AUDIT_FAIL_MODE).as_deref().map(str::trim) {
                None | Some("") => compliance_mode.is_some(),
                Some("closed") => true,
                Some("open") => false,
                Some(other) => {
                    return Err(Error::invalid(
                        "$AUDIT_FAIL_MODE",
                        format!("`{}` is not `closed` or `open`", other.escape_debug()),
                    ))
                }
            };
            let data_classification = match env(ev::DATA_CLASSIFICATION_ENABLED) {
                None => false,
                Some(v) => parse_bool(&v).ok_or_else(|| {
                    Error::invalid(
                        "$DATA_CLASSIFICATION_ENABLED",
                        format!("`{}` is not true or false", v.escape_debug()),
                    )
                })?,
            };
            AuditSettings {
                store: match &database.value {
                    StoreUrl::Postgres(u) => StoreUrl::Postgres(u.clone()),
                    StoreUrl::Sqlite(_) => StoreUrl::Sqlite(paths.data_dir.join("audit.db")),
                },
                min_severity,
                retention_days,
                compliance_mode,
                fail_closed,
                data_classification,
                user: env(ev::USER)
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| "unknown".into()),
                sinks: env(ev::AUDIT_SINKS)
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        crate::audit::sinks::parse(s).map_err(|m| Error::invalid("$AUDIT_SINKS", m))
                    })
                    .collect::<Result<Vec<_>>>()?,
            }
        };
        let auth = resolve_auth(&l, env, flags)?;
        let gateway = resolve_gateway(&l)?;
        let analytics = resolve_analytics(&l, env)?;
        let alert_webhook =
            match env(ev::ANALYTICS_ALERT_WEBHOOK_URL).filter(|v| !v.trim().is_empty()) {
                None => None,
                Some(v) => {
                    let ok = url::Url::parse(v.trim()).ok().is_some_and(|u| {
                        matches!(u.scheme(), "http" | "https") && u.host().is_some()
                    });
                    if !ok {
                        // The value is a credential: the message does not repeat it.
                        return Err(Error::invalid(
                            format!("${}", ev::ANALYTICS_ALERT_WEBHOOK_URL),
                            "is not an http:// or https:// URL (the value is not shown)",
                        ));
                    }
                    Some(crate::secret::Secret::new(v.trim()))
                }
            };
        let otlp = match env(ev::OTEL_EXPORTER_OTLP_ENDPOINT).filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(endpoint) => {
                let u = url::Url::parse(endpoint.trim()).map_err(|e| {
                    Error::invalid(
                        format!("${}", ev::OTEL_EXPORTER_OTLP_ENDPOINT),
                        e.to_string(),
                    )
                })?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(Error::invalid(
                        format!("${}", ev::OTEL_EXPORTER_OTLP_ENDPOINT),
                        "an http:// or https:// URL",
                    ));
                }
                let mut headers = Vec::new();
                for pair in env(ev::OTEL_EXPORTER_OTLP_HEADERS)
                    .unwrap_or_default()
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                {
                    let Some((k, v)) = pair.split_once('=') else {
                        return Err(Error::invalid(
                            format!("${}", ev::OTEL_EXPORTER_OTLP_HEADERS),
                            "a list of key=value (the values are not shown)",
                        ));
                    };
                    headers.push((k.trim().to_owned(), crate::secret::Secret::new(v.trim())));
                }
                Some(crate::gateway::trace::OtlpOptions {
                    endpoint: endpoint.trim().to_owned(),
                    headers,
                    service: env(ev::OTEL_SERVICE_NAME)
                        .filter(|v| !v.trim().is_empty())
                        .unwrap_or_else(|| "pc-hybrid".into()),
                })
            }
        };
        let executions_store = match &database.value {
            StoreUrl::Postgres(u) => StoreUrl::Postgres(u.clone()),
            StoreUrl::Sqlite(_) => StoreUrl::Sqlite(paths.data_dir.join("executions.db")),
        };
        Ok(Settings {
            executions_store,
            gateway,
            analytics,
            alert_webhook,
            otlp,
            audit,
            auth,
            paths,
            database,
            git_base_url,
            registry_url,
            auto_push,
            auto_deploy,
            output_dir,
            template,
            base_image,
            organization,
            git_author_name,
            git_author_email,
            log_level,
            python,
            docker_host,
            sandbox_path: env(ev::PATH).unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()),
            sandbox_passthrough: [
                ev::SSL_CERT_FILE,
                ev::SSL_CERT_DIR,
                ev::NODE_EXTRA_CA_CERTS,
                ev::HTTPS_PROXY,
                ev::HTTP_PROXY,
                ev::NO_PROXY,
            ]
            .iter()
            .flat_map(|n| [n.to_string(), n.to_ascii_lowercase()])
            .filter_map(|n| env(&n).map(|v| (n, v)))
            .collect(),
            envs_dir,
            cache_dir,
            daemon,
            kubeconfig,
        })
    }

    /// Every resolved value with its source, secrets redacted.
    pub fn show(&self) -> Vec<ShownSetting> {
        fn row<T>(key: &str, s: &Setting<T>, v: Option<String>, env: Option<&str>) -> ShownSetting {
            ShownSetting {
                key: key.into(),
                value: v,
                source: s.source.to_string(),
                env: env.map(str::to_owned),
            }
        }
        let p = &self.paths;
        let derived = |key: &str, v: &Path| ShownSetting {
            key: key.into(),
            value: Some(v.display().to_string()),
            source: if p.home.is_some() {
                format!("env {}", ev::PROMPTCRAFT_HOME)
            } else {
                "platform default".into()
            },
            env: Some(ev::PROMPTCRAFT_HOME.into()),
        };
        let disp = |p: &Path| Some(p.display().to_string());
        // A value resolved from several places at once (the environment or the config file).
        let plain = |key: &str, value: Option<String>, env: Option<&str>| ShownSetting {
            key: key.into(),
            source: if value.is_some() {
                "resolved".into()
            } else {
                "not set".into()
            },
            value,
            env: env.map(str::to_owned),
        };
        vec![
            derived("paths.config_file", &p.config_file),
            ShownSetting {
                key: "paths.legacy_config_file".into(),
                value: p
                    .legacy_config_file
                    .as_deref()
                    .map(|p| p.display().to_string()),
                source: if p.home.is_some() {
                    "not read under PROMPTCRAFT_HOME".into()
                } else {
                    "platform default".into()
                },
                env: None,
            },
            derived("paths.data_dir", &p.data_dir),
            derived("paths.runtime_dir", &p.runtime_dir),
            derived("paths.templates_dir", &p.templates_dir),
            row(
                "store.database",
                &self.database,
                Some(self.database.value.display()),
                Some(ev::ANALYTICS_DB_URL),
            ),
            row(
                "daemon",
                &self.daemon,
                Some(self.daemon.value.as_str().into()),
                Some(ev::PC_HYBRID_DAEMON),
            ),
            row(
                "agent_factory.git_base_url",
                &self.git_base_url,
                self.git_base_url
                    .value
                    .as_deref()
                    .map(crate::secret::redact_url),
                Some(ev::AGENT_FACTORY_GIT_BASE_URL),
            ),
            row(
                "agent_factory.registry_url",
                &self.registry_url,
                Some(self.registry_url.value.clone()),
                Some(ev::AGENT_FACTORY_REGISTRY_URL),
            ),
            row(
                "agent_factory.auto_push",
                &self.auto_push,
                Some(self.auto_push.value.to_string()),
                Some(ev::AGENT_FACTORY_AUTO_PUSH),
            ),
            row(
                "agent_factory.auto_deploy",
                &self.auto_deploy,
                Some(self.auto_deploy.value.to_string()),
                Some(ev::AGENT_FACTORY_AUTO_DEPLOY),
            ),
            row(
                "agent_factory.output_dir",
                &self.output_dir,
                disp(&self.output_dir.value),
                Some(ev::AGENT_FACTORY_OUTPUT_DIR),
            ),
            row(
                "agent_factory.template",
                &self.template,
                Some(self.template.value.clone()),
                Some(ev::AGENT_FACTORY_TEMPLATE),
            ),
            row(
                "agent_factory.base_image",
                &self.base_image,
                Some(self.base_image.value.clone()),
                Some(ev::AGENT_BASE_IMAGE),
            ),
            row(
                "agent_factory.organization",
                &self.organization,
                Some(self.organization.value.clone()),
                Some(ev::AGENT_ORGANIZATION),
            ),
            row(
                "agent_factory.git_author_name",
                &self.git_author_name,
                self.git_author_name.value.clone(),
                Some(ev::GIT_AUTHOR_NAME),
            ),
            row(
                "agent_factory.git_author_email",
                &self.git_author_email,
                self.git_author_email.value.clone(),
                Some(ev::GIT_AUTHOR_EMAIL),
            ),
            row(
                "log_level",
                &self.log_level,
                Some(self.log_level.value.clone()),
                Some(ev::LOG_LEVEL),
            ),
            row(
                "python",
                &self.python,
                Some(self.python.value.clone()),
                Some(ev::PC_HYBRID_PYTHON),
            ),
            row(
                "docker_host",
                &self.docker_host,
                Some(self.docker_host.value.clone()),
                Some(ev::DOCKER_HOST),
            ),
            row(
                "auth.required",
                &self.auth.required,
                Some(self.auth.required.value.to_string()),
                Some(ev::PC_HYBRID_AUTH_REQUIRED),
            ),
            row(
                "auth.token_storage",
                &self.auth.token_storage,
                Some(self.auth.token_storage.value.as_str().into()),
                Some(ev::PC_HYBRID_TOKEN_STORAGE),
            ),
            plain(
                "auth.profile",
                self.auth.profile.as_ref().map(|p| {
                    format!(
                        "{} (of {}): issuer {}, client {}, audience {}",
                        p.name,
                        self.auth.profiles.join(", "),
                        p.issuer,
                        p.client_id,
                        p.audience
                    )
                }),
                Some(ev::OIDC_ISSUER_URL),
            ),
            plain(
                "auth.sessions",
                Some(format!(
                    "at most {} h, idle {} min",
                    self.auth.session_hours, self.auth.idle_minutes
                )),
                None,
            ),
            plain(
                "auth.client_secret",
                self.auth.client_secret.as_ref().map(|_| "*** (set)".into()),
                Some(ev::KEYCLOAK_CLIENT_SECRET),
            ),
            plain(
                "auth.redis_url",
                self.auth
                    .redis_url
                    .as_ref()
                    .map(|u| crate::secret::redact_url(u.expose())),
                Some(ev::REDIS_URL),
            ),
            plain(
                "auth.encryption_key",
                self.auth
                    .encryption_key
                    .as_ref()
                    .map(|_| "*** (set)".into()),
                Some(ev::ENCRYPTION_KEY),
            ),
            plain(
                "auth.daemon_url",
                self.auth.daemon_url.clone(),
                Some(ev::PC_HYBRID_DAEMON_URL),
            ),
        ]
    }
}

/// The `auth` settings: profiles from the config file and from the environment (the
/// reference design's KEYCLOAK_* variables, or OIDC_ISSUER_URL), the role map, storage.
fn resolve_analytics(
    l: &Layer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<crate::analytics::config::AnalyticsConfig> {
    let default = crate::analytics::config::AnalyticsConfig::default();
    let mut a = match l.files.iter().find(|(_, f)| f.analytics != default) {
        None => default,
        Some((path, f)) => {
            f.analytics.check().map_err(|(field, m)| {
                Error::usage(format!("{}: {field}: {m}", path.display()), None)
            })?;
            f.analytics.clone()
        }
    };
    if let Some(v) = env(ev::ANALYTICS_CACHE_TTL_MINUTES) {
        a.cache_ttl_minutes = Some(v.trim().parse::<u64>().map_err(|_| {
            Error::invalid(
                "$ANALYTICS_CACHE_TTL_MINUTES",
                format!("`{}` is not a number of minutes", v.escape_debug()),
            )
        })?);
    }
    if let Some(v) = env(ev::ADVANCED_ANALYTICS_ENABLED) {
        a.advanced = Some(parse_bool(&v).ok_or_else(|| {
            Error::invalid(
                "$ADVANCED_ANALYTICS_ENABLED",
                format!("`{}` is not true or false", v.escape_debug()),
            )
        })?);
    }
    Ok(a)
}

fn resolve_gateway(l: &Layer) -> Result<crate::gateway::policy::GatewayConfig> {
    let default = crate::gateway::policy::GatewayConfig::default();
    let Some((path, f)) = l.files.iter().find(|(_, f)| f.gateway != default) else {
        return Ok(default);
    };
    let g = &f.gateway;
    for (key, alias) in &g.aliases {
        if !key
            .split_once('/')
            .is_some_and(|(s, t)| !s.is_empty() && !t.is_empty())
        {
            return Err(Error::usage(
                format!(
                    "{}: gateway.aliases: `{}` is not `<server>/<tool>`",
                    path.display(),
                    key.escape_debug()
                ),
                None,
            ));
        }
        if !crate::gateway::names::valid(alias) {
            return Err(Error::usage(
                format!(
                    "{}: gateway.aliases.{key}: `{}` is not a tool name MCP clients take (1 to 128 of A-Z, a-z, 0-9, `_`, `-`, `.`)",
                    path.display(),
                    alias.escape_debug()
                ),
                None,
            ));
        }
    }
    for (field, v) in [
        ("call_timeout_seconds", g.call_timeout_seconds),
        ("max_argument_bytes", g.max_argument_bytes),
        ("max_result_bytes", g.max_result_bytes),
    ] {
        if v == Some(0) {
            return Err(Error::usage(
                format!("{}: gateway.{field} must be above 0", path.display()),
                None,
            ));
        }
    }
    Ok(g.clone())
}

fn resolve_auth(
    l: &Layer,
    env: &dyn Fn(&str) -> Option<String>,
    flags: &Overrides,
) -> Result<AuthSettings> {
    let nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let enterprise = match nonempty(ev::ENTERPRISE_MODE) {
        None => false,
        Some(v) => env_bool(ev::ENTERPRISE_MODE)(&v)?,
    };
    let required = l.pick(
        None,
        Some(ev::PC_HYBRID_AUTH_REQUIRED),
        env_bool(ev::PC_HYBRID_AUTH_REQUIRED),
        |f| f.auth.required,
        enterprise,
    )?;
    let required = if required.source == Source::Default && enterprise {
        Setting {
            value: true,
            source: Source::Env(ev::ENTERPRISE_MODE.into()),
        }
    } else {
        required
    };
    let token_storage = l.pick(
        None,
        Some(ev::PC_HYBRID_TOKEN_STORAGE),
        |v| {
            TokenStorage::parse(v).ok_or_else(|| {
                Error::invalid(
                    format!("${}", ev::PC_HYBRID_TOKEN_STORAGE),
                    format!("`{}` is not keyring, file or daemon", v.escape_debug()),
                )
            })
        },
        |f| {
            f.auth
                .token_storage
                .as_deref()
                .and_then(TokenStorage::parse)
        },
        TokenStorage::Keyring,
    )?;
    for (path, f) in &l.files {
        if let Some(v) = &f.auth.token_storage {
            if TokenStorage::parse(v).is_none() {
                return Err(Error::usage(
                    format!(
                        "{}: auth.token_storage: `{v}` is not keyring, file or daemon",
                        path.display()
                    ),
                    None,
                ));
            }
        }
    }
    let first = |get: &dyn Fn(&AuthConfig) -> Option<u32>| {
        l.files
            .iter()
            .find_map(|(p, f)| get(&f.auth).map(|v| (p.clone(), v)))
    };
    let session_hours = match first(&|a| a.session_hours) {
        Some((p, 0)) => {
            return Err(Error::usage(
                format!("{}: auth.session_hours must be 1 or more", p.display()),
                None,
            ))
        }
        Some((_, h)) => h,
        None => 8,
    };
    let idle_minutes = match first(&|a| a.idle_minutes) {
        Some((p, 0)) => {
            return Err(Error::usage(
                format!("{}: auth.idle_minutes must be 1 or more", p.display()),
                None,
            ))
        }
        Some((_, m)) => m,
        None => 60,
    };
    let roles_claim = l.files.iter().find_map(|(_, f)| f.auth.roles_claim.clone());
    let mut role_overrides = std::collections::BTreeMap::new();
    for (path, f) in l.files.iter().rev() {
        for (role, perms) in &f.auth.roles {
            role_overrides.insert(role.clone(), (path.clone(), perms.clone()));
        }
    }
    let roles = crate::auth::roles::RoleMap::with_overrides(&role_overrides)?;

    let client_id_env = nonempty(ev::KEYCLOAK_CLIENT_ID);
    let audience_env = nonempty(ev::OIDC_AUDIENCE);
    let scopes_default = || {
        ["openid", "profile", "email", "offline_access"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let mut profiles: Vec<Profile> = Vec::new();
    // The environment's provider is the profile named `default`.
    let env_issuer = match (
        nonempty(ev::OIDC_ISSUER_URL),
        nonempty(ev::KEYCLOAK_SERVER_URL),
        nonempty(ev::KEYCLOAK_REALM),
    ) {
        (Some(i), _, _) => Some((i, false, Source::Env(ev::OIDC_ISSUER_URL.into()))),
        (None, Some(server), Some(realm)) => Some((
            keycloak_issuer(&server, &realm, ev::KEYCLOAK_SERVER_URL)?,
            true,
            Source::Env(ev::KEYCLOAK_SERVER_URL.into()),
        )),
        (None, Some(_), None) => {
            return Err(Error::invalid(
                "$KEYCLOAK_REALM",
                "KEYCLOAK_SERVER_URL is set but KEYCLOAK_REALM is not: both name the issuer",
            ))
        }
        _ => None,
    };
    if let Some((issuer, keycloak_legacy, source)) = env_issuer {
        check_issuer(&issuer, &where_(&source))?;
        let client_id = client_id_env
            .clone()
            .unwrap_or_else(|| "promptcraft-app".into());
        profiles.push(Profile {
            name: "default".into(),
            issuer: issuer.trim_end_matches('/').into(),
            keycloak_legacy,
            audience: audience_env.clone().unwrap_or_else(|| client_id.clone()),
            client_id,
            scopes: scopes_default(),
            roles_claim: roles_claim.clone(),
        });
    }
    for (path, f) in &l.files {
        for (name, p) in &f.auth.profiles {
            if profiles.iter().any(|q| &q.name == name) {
                continue;
            }
            let at = |field: &str| format!("{}: auth.profiles.{name}.{field}", path.display());
            crate::model::check_name(name)
                .map_err(|m| Error::usage(at("(name)") + ": " + &m, None))?;
            let (issuer, keycloak_legacy) =
                match (&p.issuer, &p.keycloak_server_url, &p.keycloak_realm) {
                    (Some(i), None, None) => (i.clone(), false),
                    (None, Some(s), Some(r)) => {
                        (keycloak_issuer(s, r, &at("keycloak_server_url"))?, true)
                    }
                    _ => {
                        return Err(Error::usage(
                            format!(
                                "{}: give `issuer`, or `keycloak_server_url` and `keycloak_realm`",
                                at("")
                            ),
                            None,
                        ))
                    }
                };
            check_issuer(&issuer, &at("issuer"))?;
            let client_id = p
                .client_id
                .clone()
                .or(client_id_env.clone())
                .ok_or_else(|| Error::usage(format!("{}: missing", at("client_id")), None))?;
            profiles.push(Profile {
                name: name.clone(),
                issuer: issuer.trim_end_matches('/').into(),
                keycloak_legacy,
                audience: p
                    .audience
                    .clone()
                    .or(audience_env.clone())
                    .unwrap_or_else(|| client_id.clone()),
                client_id,
                scopes: p.scopes.clone().unwrap_or_else(scopes_default),
                roles_claim: p.roles_claim.clone().or(roles_claim.clone()),
            });
        }
    }
    let chosen = flags
        .profile
        .clone()
        .or_else(|| nonempty(ev::PC_HYBRID_PROFILE))
        .or_else(|| l.files.iter().find_map(|(_, f)| f.auth.profile.clone()));
    let profile = match chosen {
        Some(name) => Some(
            profiles
                .iter()
                .find(|p| p.name == name)
                .cloned()
                .ok_or_else(|| {
                    Error::usage(
                        format!(
                            "no SSO profile is named `{}` (configured: {})",
                            name.escape_debug(),
                            if profiles.is_empty() {
                                "none".to_string()
                            } else {
                                profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                            }
                        ),
                        Some("set OIDC_ISSUER_URL (or KEYCLOAK_SERVER_URL and KEYCLOAK_REALM), or add auth.profiles to the config file"),
                    )
                })?,
        ),
        None => profiles.first().cloned(),
    };
    let secret = |name: &str| nonempty(name).map(crate::secret::Secret::new);
    let daemon_url = nonempty(ev::PC_HYBRID_DAEMON_URL);
    if let Some(u) = &daemon_url {
        crate::net::http_url(u)
            .map_err(|m| Error::invalid(format!("${}", ev::PC_HYBRID_DAEMON_URL), m))?;
    }
    Ok(AuthSettings {
        required,
        token_storage,
        profiles: profiles.iter().map(|p| p.name.clone()).collect(),
        profile,
        session_hours,
        idle_minutes,
        roles,
        client_secret: secret(ev::KEYCLOAK_CLIENT_SECRET),
        redis_url: secret(ev::REDIS_URL),
        encryption_key: secret(ev::ENCRYPTION_KEY),
        daemon_url,
    })
}

/// Keycloak's issuer of a realm: `<server>/realms/<realm>`; the server URL keeps its
/// legacy `/auth` prefix when it has one.
fn keycloak_issuer(server: &str, realm: &str, what: &str) -> Result<String> {
    if realm.is_empty()
        || !realm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::usage(
            format!("{what}: `{}` is not a realm name", realm.escape_debug()),
            None,
        ));
    }
    Ok(format!("{}/realms/{realm}", server.trim_end_matches('/')))
}

/// An issuer is an https URL (http only on loopback, for a provider on this machine).
fn check_issuer(issuer: &str, what: &str) -> Result<()> {
    if issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::usage(
            format!("{what}: the issuer URL contains spaces or control characters"),
            None,
        ));
    }
    let u = crate::net::http_url(issuer).map_err(|m| Error::usage(format!("{what}: {m}"), None))?;
    if u.scheme() == "http" && !crate::net::is_loopback_url(&u) {
        return Err(Error::usage(
            format!("{what}: `{issuer}` is plain http; tokens would cross the network unencrypted"),
            Some("use the provider's https URL (http is accepted only for 127.0.0.1, ::1 and localhost)"),
        ));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(Error::usage(
            format!("{what}: an issuer has no query or fragment"),
            None,
        ));
    }
    Ok(())
}

fn where_(source: &Source) -> String {
    match source {
        Source::Flag => "flag".into(),
        Source::Env(n) => format!("${n}"),
        Source::Config(p) => p.display().to_string(),
        _ => "setting".into(),
    }
}

fn check_git_base(url: &str, source: &Source) -> Result<()> {
    if crate::factory::spec::url_secret(url).is_some() {
        return Err(Error::usage(
            format!("{}: the git base URL carries a credential; it would be written into every agent repository", where_(source)),
            Some("remove it from the URL; pc-hybrid uses your git credential helper, ssh-agent or a token in the keyring"),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::usage(
            format!("{}: the git base URL contains spaces", where_(source)),
            None,
        ));
    }
    Ok(())
}

fn check_image(image: &str, source: &Source) -> Result<()> {
    let ok = !image.is_empty()
        && image.len() <= 255
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '@'))
        && !image.starts_with(['-', '.', '/', ':']);
    if ok {
        Ok(())
    } else {
        Err(Error::usage(
            format!(
                "{}: `{}` is not an image reference",
                where_(source),
                image.escape_debug()
            ),
            Some("use a reference like python:3.11-slim or registry.local/base@sha256:..."),
        ))
    }
}

/// How commands reach the operation layer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DaemonMode {
    /// Through the daemon when its socket answers, else in this process.
    Auto,
    /// Through the daemon only; a command fails (exit 4) when none answers.
    Always,
    /// Always in this process.
    Never,
}

impl DaemonMode {
    pub fn parse(s: &str) -> Option<DaemonMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Some(DaemonMode::Auto),
            "always" | "1" | "true" | "yes" => Some(DaemonMode::Always),
            "never" | "0" | "false" | "no" => Some(DaemonMode::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DaemonMode::Auto => "auto",
            DaemonMode::Always => "always",
            DaemonMode::Never => "never",
        }
    }
}

/// Where one home's daemon keeps its socket, pidfile and log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonPaths {
    /// The runtime directory, private to the user (0700).
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub pidfile: PathBuf,
    /// What a detached daemon writes to stderr.
    pub log: PathBuf,
}

impl DaemonPaths {
    pub fn of(p: &Paths) -> DaemonPaths {
        DaemonPaths {
            dir: p.runtime_dir.clone(),
            socket: p.runtime_dir.join("daemon.sock"),
            pidfile: p.runtime_dir.join("daemon.pid"),
            log: p.data_dir.join("daemon.log"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn precedence_flag_env_file_default() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap().to_owned();
        std::fs::write(
            home.path().join("config.yaml"),
            "agent_factory:\n  registry_url: file.example:5000\n  git_base_url: file:///from/file\n  base_image: from/file:1\n",
        )
        .unwrap();
        let env = env_of(&[
            ("PROMPTCRAFT_HOME", &h),
            ("AGENT_FACTORY_GIT_BASE_URL", "file:///from/env"),
            ("AGENT_BASE_IMAGE", "from/env:1"),
        ]);
        let flags = Overrides {
            base_image: Some("from/flag:1".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&env, &flags).unwrap();
        assert_eq!(s.base_image.value, "from/flag:1");
        assert_eq!(s.base_image.source, Source::Flag);
        assert_eq!(s.git_base_url.value.as_deref(), Some("file:///from/env"));
        assert_eq!(
            s.git_base_url.source,
            Source::Env("AGENT_FACTORY_GIT_BASE_URL".into())
        );
        assert_eq!(s.registry_url.value, "file.example:5000");
        assert!(matches!(s.registry_url.source, Source::Config(_)));
        assert!(!s.auto_deploy.value);
        assert_eq!(s.auto_deploy.source, Source::Default);
        assert_eq!(s.paths.data_dir, home.path().join("data"));
    }

    #[test]
    fn bad_values_name_their_origin() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap().to_owned();
        let e = Settings::resolve(
            &env_of(&[
                ("PROMPTCRAFT_HOME", &h),
                ("AGENT_FACTORY_AUTO_PUSH", "maybe"),
            ]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("AGENT_FACTORY_AUTO_PUSH"), "{e}");
        std::fs::write(
            home.path().join("config.yaml"),
            "agent_factory:\n  regsitry_url: x\n",
        )
        .unwrap();
        let e = Settings::resolve(&env_of(&[("PROMPTCRAFT_HOME", &h)]), &Overrides::default())
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("config.yaml:2:3") && msg.contains("regsitry_url"),
            "{msg}"
        );
        std::fs::write(home.path().join("config.yaml"), "").unwrap();
        let e = Settings::resolve(
            &env_of(&[
                ("PROMPTCRAFT_HOME", &h),
                ("AGENT_FACTORY_GIT_BASE_URL", "https://u:pw@example.com/org"),
            ]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("pw@"));
    }
}
