//! Every environment variable the tool reads, named once and documented once.

/// An environment variable the tool reads, with what it sets.
pub struct EnvVar {
    pub name: &'static str,
    pub doc: &'static str,
}

macro_rules! env_vars {
    ($($ident:ident = $name:literal : $doc:literal;)*) => {
        $(pub const $ident: &str = $name;)*
        /// All variables, in the order `config show` and the README list them.
        pub const ALL: &[EnvVar] = &[$(EnvVar { name: $name, doc: $doc }),*];
    };
}

env_vars! {
    PROMPTCRAFT_HOME = "PROMPTCRAFT_HOME": "Directory holding all config, data and runtime state (overrides the platform directories).";
    AGENT_FACTORY_GIT_BASE_URL = "AGENT_FACTORY_GIT_BASE_URL": "Base URL of agent repositories; `origin` becomes <base>/<name>.git.";
    AGENT_FACTORY_REGISTRY_URL = "AGENT_FACTORY_REGISTRY_URL": "Container image registry for agent images (reference default localhost:5000).";
    AGENT_FACTORY_AUTO_PUSH = "AGENT_FACTORY_AUTO_PUSH": "Push new agent repositories to their remote (true/false).";
    AGENT_FACTORY_AUTO_DEPLOY = "AGENT_FACTORY_AUTO_DEPLOY": "Deploy new agents to the development environment (true/false).";
    AGENT_FACTORY_OUTPUT_DIR = "AGENT_FACTORY_OUTPUT_DIR": "Directory new agent projects are created in (default: the current directory).";
    AGENT_FACTORY_TEMPLATE = "AGENT_FACTORY_TEMPLATE": "Default agent template: a built-in name or a folder.";
    AGENT_BASE_IMAGE = "AGENT_BASE_IMAGE": "Base image written into generated Dockerfiles.";
    AGENT_ORGANIZATION = "AGENT_ORGANIZATION": "Organization recorded in generated MCP manifests.";
    ANALYTICS_DB_URL = "ANALYTICS_DB_URL": "Store location: sqlite:///path or a path (default: the data directory), or postgresql://user@host/db.";
    ANALYTICS_CACHE_TTL_MINUTES = "ANALYTICS_CACHE_TTL_MINUTES": "Minutes the daemon keeps an insights answer for the same question (default 0: every answer is live).";
    ANALYTICS_ALERT_WEBHOOK_URL = "ANALYTICS_ALERT_WEBHOOK_URL": "Slack-compatible incoming webhook fired alerts are posted to (a credential: kept out of files, logs and errors).";
    ADVANCED_ANALYTICS_ENABLED = "ADVANCED_ANALYTICS_ENABLED": "Recommendations and anomaly detection in insights, reports and alerts (true/false, default true).";
    AUDIT_LOG_LEVEL = "AUDIT_LOG_LEVEL": "Lowest severity recorded in the audit trail: INFO, WARNING, ERROR, CRITICAL (default INFO).";
    AUDIT_RETENTION_DAYS = "AUDIT_RETENTION_DAYS": "Days audit events are kept (reference default 2555, seven years).";
    COMPLIANCE_MODE = "COMPLIANCE_MODE": "Compliance regime (e.g. SOC2); when set, actions that cannot be audited are refused (fail-closed).";
    AUDIT_FAIL_MODE = "AUDIT_FAIL_MODE": "closed (refuse actions that cannot be audited) or open (go on, record the gap); default closed under COMPLIANCE_MODE, else open.";
    DATA_CLASSIFICATION_ENABLED = "DATA_CLASSIFICATION_ENABLED": "Mark audit events of commands touching agent data as sensitive data access (true/false).";
    AUDIT_SINKS = "AUDIT_SINKS": "Where audit events also go, comma-separated: jsonl:/path[?max_bytes=N&keep=K], syslog+udp://host:port, syslog+tcp://host:port, https://webhook.";
    USER = "USER": "The user recorded in audit events until SSO names one.";
    LOG_LEVEL = "LOG_LEVEL": "Log level on stderr: ERROR, WARN, INFO, DEBUG, TRACE.";
    PC_HYBRID_PYTHON = "PC_HYBRID_PYTHON": "Python interpreter used by `doctor` and agent tooling (default python3).";
    DOCKER_HOST = "DOCKER_HOST": "Docker Engine endpoint (unix:///var/run/docker.sock by default).";
    GIT_AUTHOR_NAME = "GIT_AUTHOR_NAME": "Author name of agent repository commits (else git config user.name).";
    GIT_AUTHOR_EMAIL = "GIT_AUTHOR_EMAIL": "Author email of agent repository commits (else git config user.email).";
    PC_HYBRID_DAEMON = "PC_HYBRID_DAEMON": "How commands run: auto (through the daemon when its socket answers, else in-process; the default), always (exit 4 when no daemon answers) or never.";
    LISTEN_FDS = "LISTEN_FDS": "Set by systemd socket activation: `daemon run` serves the socket it was handed (with LISTEN_PID).";
    LISTEN_PID = "LISTEN_PID": "Set by systemd socket activation: the pid LISTEN_FDS is meant for.";
    PC_HYBRID_CACHE_DIR = "PC_HYBRID_CACHE_DIR": "Where `npx` and `uvx` keep the servers they download for live checks (default: <data>/cache).";
    PC_HYBRID_ENV_DIR = "PC_HYBRID_ENV_DIR": "Cache of agents' Python environments for local deployments (default: <data>/envs).";
    KUBECONFIG = "KUBECONFIG": "Kubeconfig `deploy-agent --target kubernetes --apply` hands to kubectl (default ~/.kube/config).";
    HOME = "HOME": "The user's home folder: ~/.promptcraft/config.yaml and ~/.kube/config are read from it.";
    PATH = "PATH": "Where sandboxed MCP server commands are looked up.";
    SSL_CERT_FILE = "SSL_CERT_FILE": "CA bundle; passed on to sandboxed server commands so that `npx` and `uvx` can download through a TLS-inspecting proxy.";
    SSL_CERT_DIR = "SSL_CERT_DIR": "CA directory; passed on to sandboxed server commands.";
    NODE_EXTRA_CA_CERTS = "NODE_EXTRA_CA_CERTS": "Extra CAs for Node.js; passed on to sandboxed server commands.";
    HTTPS_PROXY = "HTTPS_PROXY": "Proxy for HTTPS; passed on to sandboxed server commands (also https_proxy).";
    HTTP_PROXY = "HTTP_PROXY": "Proxy for HTTP; passed on to sandboxed server commands (also http_proxy).";
    NO_PROXY = "NO_PROXY": "Hosts not to proxy; passed on to sandboxed server commands (also no_proxy).";
    OIDC_ISSUER_URL = "OIDC_ISSUER_URL": "OpenID provider's issuer URL (any provider, found by discovery); the profile `default`.";
    KEYCLOAK_SERVER_URL = "KEYCLOAK_SERVER_URL": "Keycloak server URL (with or without the legacy /auth prefix); with KEYCLOAK_REALM names the issuer.";
    KEYCLOAK_REALM = "KEYCLOAK_REALM": "Keycloak realm (reference default promptcraft).";
    KEYCLOAK_CLIENT_ID = "KEYCLOAK_CLIENT_ID": "The OAuth client pc-hybrid logs in as (reference default promptcraft-app).";
    KEYCLOAK_CLIENT_SECRET = "KEYCLOAK_CLIENT_SECRET": "The client's secret, for `login --client-credentials` (CI); never give it as a flag.";
    OIDC_AUDIENCE = "OIDC_AUDIENCE": "The audience access tokens must carry (default: the client id).";
    PC_HYBRID_PROFILE = "PC_HYBRID_PROFILE": "The SSO profile to use (as --profile).";
    PC_HYBRID_TOKEN_STORAGE = "PC_HYBRID_TOKEN_STORAGE": "Where login tokens are kept: keyring (default), file or daemon.";
    PC_HYBRID_AUTH_REQUIRED = "PC_HYBRID_AUTH_REQUIRED": "Refuse operations without a valid SSO session (true/false; default: ENTERPRISE_MODE).";
    ENTERPRISE_MODE = "ENTERPRISE_MODE": "Enterprise mode: SSO is required unless PC_HYBRID_AUTH_REQUIRED says otherwise.";
    REDIS_URL = "REDIS_URL": "Redis holding the daemons' sessions (`session:<id>`), shared by several daemons.";
    ENCRYPTION_KEY = "ENCRYPTION_KEY": "Key the daemons encrypt tokens kept in Redis with (at least 32 characters, the same on every daemon).";
    PC_HYBRID_DAEMON_URL = "PC_HYBRID_DAEMON_URL": "A daemon's team API (https://host:port) to run commands through, with the login's access token.";
    DISPLAY = "DISPLAY": "An X display: `login` opens a browser only when there is one (or WAYLAND_DISPLAY).";
    WAYLAND_DISPLAY = "WAYLAND_DISPLAY": "A Wayland display: `login` opens a browser only when there is one.";
    SSH_CONNECTION = "SSH_CONNECTION": "Set over SSH: `login` uses the device flow there unless told otherwise.";
    OTEL_EXPORTER_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT": "OpenTelemetry collector (http://host:4318): each call through the gateway is exported as a span (OTLP/HTTP JSON).";
    OTEL_EXPORTER_OTLP_HEADERS = "OTEL_EXPORTER_OTLP_HEADERS": "Headers for the collector, `key=value,key2=value2` (kept out of logs).";
    OTEL_SERVICE_NAME = "OTEL_SERVICE_NAME": "The service name spans carry (default pc-hybrid).";
    NO_COLOR = "NO_COLOR": "Disable colour in all output when set to any value.";
}
