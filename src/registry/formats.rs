//! The three ways to describe an MCP server — the reference design's registration body, its
//! MCPServer manifest, the official registry's server.json — detected from content and read
//! into one [`Server`], every schema problem recorded at its pointer (the schema stage).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::checks;
use super::model::*;
use super::walk::{child, index, Obj, Walker};

pub const MANIFEST_API_VERSION: &str = "mcp.promptcraft.io/v1";
pub const MANIFEST_KIND: &str = "MCPServer";
/// Where server.json carries what only this registry understands.
pub const META_PUBLISHER: &str = "io.modelcontextprotocol.registry/publisher-provided";
pub const META_KEY: &str = "io.promptcraft/server";
/// The manifest spec fields our server.json extension carries: `export` writes them, the
/// reader accepts them.
pub const EXTENSION_SPEC_KEYS: &[&str] = &[
    "path",
    "resources",
    "capabilities",
    "healthCheck",
    "replicas",
    "environment",
    "startupTimeoutSeconds",
    "security",
];
/// How a server run from a local command starts: server.json has no words for it, so an
/// export carries it in the extension.
pub const EXTENSION_LAUNCH_KEYS: &[&str] = &["command", "env", "transport", "port"];

pub const SANDBOX_LEVELS: &[&str] = &["strict", "standard", "permissive"];
pub const NETWORK_ACCESS: &[&str] = &["none", "internal", "external"];
pub const CLASSIFICATIONS: &[&str] = &["public", "internal", "confidential", "restricted"];
pub const COMPLIANCE: &[&str] = &["SOC2", "HIPAA", "GDPR", "PCI-DSS", "ISO27001", "FedRAMP"];
pub const ENVIRONMENTS: &[&str] = &["development", "staging", "production"];
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];
pub const TRANSPORTS: &[&str] = &["stdio", "streamable-http"];

const DESCRIPTION_CHARS: usize = 1000;
const MAX_CAPABILITIES: usize = 256;
const DEFAULT_STARTUP_TIMEOUT: u32 = 30;

/// Tell the format from the document's top-level keys.
pub fn detect(v: &Value) -> Result<SourceFormat, String> {
    let Value::Object(m) = v else {
        return Err("expected a mapping at the top level".into());
    };
    if m.contains_key("apiVersion") || m.contains_key("kind") {
        return Ok(SourceFormat::Manifest);
    }
    if m.contains_key("mcp_spec") {
        return Ok(SourceFormat::Registration);
    }
    let looks_like_server_json = m
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("modelcontextprotocol"))
        || m.contains_key("packages")
        || m.contains_key("remotes")
        || (m.contains_key("name") && m.contains_key("version") && m.contains_key("description"));
    if looks_like_server_json {
        return Ok(SourceFormat::ServerJson);
    }
    Err("cannot tell the format: expected a registration body (`mcp_spec`, `security_config`, `deployment_config`), an MCPServer manifest (`apiVersion: mcp.promptcraft.io/v1`) or a server.json (`name`, `version`, `description`)".into())
}

/// Read `v` as `format`; `None` when the schema stage found errors (they are in `f`).
pub fn read(v: &Value, format: SourceFormat, f: &mut Findings) -> Option<Server> {
    let mut w = Walker::new(f);
    let mut d = Draft::new(format);
    match format {
        SourceFormat::Registration => registration(&mut w, &mut d, v),
        SourceFormat::Manifest => manifest(&mut w, &mut d, v),
        SourceFormat::ServerJson => super::server_json::read(&mut w, &mut d, v),
    }
    d.finish(&mut w)
}

/// What has been read so far; turned into a [`Server`] when the schema stage is clean.
pub(super) struct Draft {
    pub(super) format: SourceFormat,
    pub(super) name: Option<String>,
    pub(super) version: Option<String>,
    pub(super) title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) organization: Option<String>,
    pub(super) contact_email: Option<String>,
    pub(super) created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub(super) transport: Option<String>,
    pub(super) image: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) command: Option<Vec<String>>,
    pub(super) env: BTreeMap<String, String>,
    pub(super) url: Option<String>,
    pub(super) mcp_path: Option<String>,
    pub(super) resources: Resources,
    pub(super) capabilities: Vec<Capability>,
    pub(super) health_check: Option<HealthCheck>,
    pub(super) sandbox_level: Option<String>,
    pub(super) network_access: Option<String>,
    pub(super) allowed_endpoints: Vec<String>,
    pub(super) data_classification: Option<String>,
    pub(super) compliance: Vec<String>,
    pub(super) privileges: Privileges,
    pub(super) environment: Option<String>,
    pub(super) replicas: Option<u32>,
    pub(super) startup_timeout: Option<u32>,
    /// The object that holds launch fields, for errors about how the server runs.
    pub(super) launch_ptr: String,
    pub(super) packages: Vec<Package>,
    pub(super) remotes: Vec<Remote>,
    pub(super) launch_package: Option<usize>,
    pub(super) not_launchable: Option<String>,
    pub(super) schema_version: Option<String>,
    pub(super) pointers: HashMap<&'static str, String>,
}

impl Draft {
    fn new(format: SourceFormat) -> Self {
        Draft {
            format,
            name: None,
            version: None,
            title: None,
            description: None,
            organization: None,
            contact_email: None,
            created_at: None,
            transport: None,
            image: None,
            port: None,
            command: None,
            env: BTreeMap::new(),
            url: None,
            mcp_path: None,
            resources: Resources::default(),
            capabilities: Vec::new(),
            health_check: None,
            sandbox_level: None,
            network_access: None,
            allowed_endpoints: Vec::new(),
            data_classification: None,
            compliance: Vec::new(),
            privileges: Privileges::default(),
            environment: None,
            replicas: None,
            startup_timeout: None,
            launch_ptr: String::new(),
            packages: Vec::new(),
            remotes: Vec::new(),
            launch_package: None,
            not_launchable: None,
            schema_version: None,
            pointers: HashMap::new(),
        }
    }

    pub(super) fn at(&mut self, field: &'static str, ptr: String) {
        self.pointers.insert(field, ptr);
    }

    fn finish(mut self, w: &mut Walker) -> Option<Server> {
        self.check_launch(w);
        if w.f.errors_in(Stage::Schema) > 0 {
            return None;
        }
        let transport = match self.transport.as_deref() {
            Some("stdio") => Transport::Stdio,
            Some("sse") => Transport::Sse,
            Some(_) => Transport::StreamableHttp,
            None => Transport::Stdio,
        };
        Some(Server {
            name: self.name?,
            version: self.version?,
            title: self.title,
            description: self.description,
            organization: self.organization,
            contact_email: self.contact_email,
            created_at: self.created_at,
            transport,
            image: self.image,
            port: self.port,
            command: self.command,
            env: self.env,
            url: self.url,
            mcp_path: self.mcp_path.unwrap_or_else(|| "/mcp".into()),
            resources: self.resources,
            capabilities: self.capabilities,
            health_check: self.health_check,
            security: Security {
                sandbox_level: self.sandbox_level.unwrap_or_else(|| "standard".into()),
                network_access: self.network_access.unwrap_or_else(|| "none".into()),
                allowed_endpoints: self.allowed_endpoints,
                data_classification: self
                    .data_classification
                    .unwrap_or_else(|| "internal".into()),
                compliance_requirements: self.compliance,
                privileges: self.privileges,
            },
            deployment: Deployment {
                environment: self.environment.unwrap_or_else(|| "development".into()),
                replicas: self.replicas.unwrap_or(1),
                startup_timeout_seconds: self.startup_timeout.unwrap_or(DEFAULT_STARTUP_TIMEOUT),
            },
            packages: self.packages,
            remotes: self.remotes,
            launch_package: self.launch_package,
            not_launchable: self.not_launchable,
            schema_version: self.schema_version,
            format: self.format,
            pointers: self.pointers,
        })
    }

    /// How the server runs must be said, once and consistently; the transport is inferred
    /// when it is not given.
    fn check_launch(&mut self, w: &mut Walker) {
        let ptr = self.launch_ptr.clone();
        if self.not_launchable.is_some() {
            return;
        }
        if self.image.is_none() && self.command.is_none() && self.url.is_none() {
            // A launch field that was given but invalid has been reported already.
            if w.f.errors_in(Stage::Schema) > 0 {
                return;
            }
            w.err(
                "schema/launch",
                &ptr,
                "declare how the server runs: an image, a command (a local stdio server) or a url (a remote server)",
            );
            return;
        }
        let has_port_arg = self
            .command
            .as_ref()
            .is_some_and(|c| c.iter().any(|a| a.contains("{port}")));
        let inferred = match (&self.transport, &self.url) {
            (Some(t), _) => t.clone(),
            (None, Some(_)) => "streamable-http".into(),
            (None, None) if self.port.is_some() || has_port_arg => "streamable-http".into(),
            _ => "stdio".into(),
        };
        if inferred == "stdio" {
            if self.url.is_some() && self.image.is_none() && self.command.is_none() {
                w.err(
                    "schema/launch",
                    &child(&ptr, "transport"),
                    "a remote server (url) speaks streamable-http, not stdio",
                );
            }
            if has_port_arg {
                w.err(
                    "schema/launch",
                    &child(&ptr, "command"),
                    "`{port}` in the command only makes sense with transport streamable-http",
                );
            }
        } else if self.url.is_none() {
            if self.command.is_some()
                && self.image.is_none()
                && !has_port_arg
                && self.port.is_none()
            {
                w.err(
                    "schema/launch",
                    &child(&ptr, "command"),
                    "a streamable-http command needs `port` or a `{port}` argument to know where it listens",
                );
            }
            if self.image.is_some() && self.command.is_none() && self.port.is_none() {
                w.err(
                    "schema/launch",
                    &child(&ptr, "port"),
                    "a streamable-http image needs the `port` it listens on",
                );
            }
        }
        self.transport = Some(inferred);
    }
}

// ---- shared pieces ------------------------------------------------------------------------

fn name_dns(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    if let Some(n) = w.req_word(o, key, 253) {
        let ptr = o.ptr(key);
        if w.check("schema/name", &ptr, checks::dns_label(&n))
            .is_some()
        {
            d.name = Some(n);
        }
    }
    d.at("name", o.ptr(key));
}

fn version(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    if let Some(v) = w.req_word(o, key, 255) {
        let ptr = o.ptr(key);
        if w.check("schema/version", &ptr, checks::semver(&v))
            .is_some()
        {
            d.version = Some(v);
        }
    }
    d.at("version", o.ptr(key));
}

fn email(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str, required: bool) {
    let v = if required {
        w.req_word(o, key, 254)
    } else {
        w.opt_word(o, key, 254)
    };
    if let Some(e) = v {
        if w.check("schema/email", &o.ptr(key), checks::email(&e))
            .is_some()
        {
            d.contact_email = Some(e);
        }
    }
}

fn image(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    if let Some(i) = w.opt_word(o, key, 512) {
        if w.check("schema/image", &o.ptr(key), checks::image(&i))
            .is_some()
        {
            d.image = Some(i);
        }
    }
    d.at("image", o.ptr(key));
}

fn port(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.port = w.opt_integer(o, key, 1, 65535).map(|p| p as u16);
    d.at("port", o.ptr(key));
}

fn transport(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.transport = w.opt_one_of(o, key, TRANSPORTS);
    d.at("transport", o.ptr(key));
}

fn command(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("command", o.ptr(key));
    let Some(v) = w.opt(o, key) else { return };
    let ptr = o.ptr(key);
    let Some(items) = w.array(v, &ptr, 256) else {
        return;
    };
    if items.is_empty() {
        w.err(
            "schema/empty",
            &ptr,
            "a command needs at least the program to run",
        );
        return;
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // Arguments may be empty strings, the program may not.
        let p = index(&ptr, i);
        let s = if i == 0 {
            w.word(item, &p, 4096)
        } else {
            w.string(item, &p, 4096)
        };
        if let Some(s) = s {
            if s.contains('\n') {
                w.err("schema/single-line", &p, "arguments must be single lines");
            }
            out.push(s);
        }
    }
    if out.len() == items.len() {
        d.command = Some(out);
    }
}

fn env(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    let Some(v) = w.opt(o, key) else { return };
    let ptr = o.ptr(key);
    let Value::Object(m) = v else {
        w.err("schema/type", &ptr, "expected a mapping of NAME: value");
        return;
    };
    for (k, val) in m {
        let p = child(&ptr, k);
        if w.check("schema/env", &p, checks::env_name(k)).is_none() {
            continue;
        }
        if let Some(s) = w.string(val, &p, 8192) {
            if super::server_json::looks_secret(k) && !s.is_empty() {
                w.err(
                    "schema/secret-value",
                    &p,
                    format!("`{k}` looks like a secret: a server definition is stored and shown, so secrets must not be written in it; have the server read it from its own secret store"),
                );
                continue;
            }
            d.env.insert(k.clone(), s);
        }
    }
}

fn url(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    if let Some(u) = w.opt_word(o, key, 2048) {
        if w.check("schema/url", &o.ptr(key), checks::http_url(&u))
            .is_some()
        {
            d.url = Some(u);
        }
    }
    d.at("url", o.ptr(key));
}

fn mcp_path(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    if let Some(p) = w.opt_word(o, key, 256) {
        if w.check("schema/path", &o.ptr(key), checks::http_path(&p))
            .is_some()
        {
            d.mcp_path = Some(p);
        }
    }
}

fn memory(w: &mut Walker, o: &Obj, key: &str) -> Option<String> {
    let m = w.opt_word(o, key, 32)?;
    w.check("schema/quantity", &o.ptr(key), checks::memory(&m))
        .map(|_| m)
}

fn cpu(w: &mut Walker, o: &Obj, key: &str) -> Option<String> {
    let c = w.opt_word(o, key, 32)?;
    w.check("schema/quantity", &o.ptr(key), checks::cpu(&c))
        .map(|_| c)
}

fn resource_list(w: &mut Walker, v: &Value, ptr: &str) -> Option<ResourceList> {
    let o = w.obj(v, ptr, &["memory", "cpu"])?;
    Some(ResourceList {
        memory: memory(w, &o, "memory"),
        cpu: cpu(w, &o, "cpu"),
    })
}

fn json_schema(w: &mut Walker, o: &Obj, key: &str, required: bool) -> Value {
    let v = if required {
        w.req(o, key)
    } else {
        w.opt(o, key)
    };
    match v {
        None => serde_json::json!({"type": "object"}),
        // Whether it is a valid JSON Schema is the contract stage's question.
        Some(v) => v.clone(),
    }
}

fn capability_name(w: &mut Walker, o: &Obj) -> Option<String> {
    let n = w.req_word(o, "name", 128)?;
    w.check("schema/tool-name", &o.ptr("name"), checks::tool_name(&n))
        .map(|_| n)
}

/// A capability's REST-style route, when it has one; an MCP tool is called through
/// `tools/call` and needs none.
fn endpoint_of(w: &mut Walker, o: &Obj) -> Option<String> {
    let e = w.opt_word(o, "endpoint", 256)?;
    w.check("schema/path", &o.ptr("endpoint"), checks::http_path(&e))
        .map(|_| e)
}

fn manifest_capabilities(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    d.at("capabilities", ptr.to_owned());
    let Some(items) = w.array(v, ptr, MAX_CAPABILITIES) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = index(ptr, i);
        let Some(o) = w.obj(
            item,
            &p,
            &[
                "name",
                "description",
                "endpoint",
                "method",
                "parameters",
                "response",
            ],
        ) else {
            continue;
        };
        let name = capability_name(w, &o);
        let description = w.opt_string(&o, "description", DESCRIPTION_CHARS);
        let endpoint = endpoint_of(w, &o);
        let method = w.opt_one_of(&o, "method", METHODS);
        let input_schema = json_schema(w, &o, "parameters", false);
        let output_schema = json_schema(w, &o, "response", false);
        d.capabilities.push(Capability {
            name: name.unwrap_or_default(),
            description,
            endpoint,
            method,
            input_schema,
            output_schema,
        });
    }
}

fn health_check(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    d.at("health_check", ptr.to_owned());
    let Some(o) = w.obj(v, ptr, &["path", "intervalSeconds", "timeoutSeconds"]) else {
        return;
    };
    let path = w.req_word(&o, "path", 256);
    if let Some(p) = &path {
        w.check("schema/path", &o.ptr("path"), checks::http_path(p));
    }
    let interval = w.opt_integer(&o, "intervalSeconds", 1, 3600).unwrap_or(30) as u32;
    let timeout = w.opt_integer(&o, "timeoutSeconds", 1, 300).unwrap_or(5) as u32;
    if let Some(path) = path {
        d.health_check = Some(HealthCheck {
            path,
            interval_seconds: interval,
            timeout_seconds: timeout,
        });
    }
}

fn health_path(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("health_check", o.ptr(key));
    if let Some(p) = w.opt_word(o, key, 256) {
        if w.check("schema/path", &o.ptr(key), checks::http_path(&p))
            .is_some()
        {
            d.health_check = Some(HealthCheck {
                path: p,
                interval_seconds: 30,
                timeout_seconds: 5,
            });
        }
    }
}

fn endpoints(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("security.allowed_endpoints", o.ptr(key));
    if let Some(list) = w.opt_words(o, key, 100, 2048) {
        for (i, e) in list.iter().enumerate() {
            w.check(
                "schema/endpoint",
                &index(&o.ptr(key), i),
                checks::endpoint(e),
            );
        }
        d.allowed_endpoints = list;
    }
}

fn compliance(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("security.compliance_requirements", o.ptr(key));
    let Some(v) = w.opt(o, key) else { return };
    let ptr = o.ptr(key);
    let Some(items) = w.array(v, &ptr, COMPLIANCE.len()) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = index(&ptr, i);
        if let Some(c) = w.one_of(item, &p, COMPLIANCE) {
            if d.compliance.contains(&c) {
                w.err("schema/unique", &p, format!("`{c}` is listed twice"));
            } else {
                d.compliance.push(c);
            }
        }
    }
}

fn sandbox(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str, required: bool) {
    d.at("security.sandbox_level", o.ptr(key));
    d.sandbox_level = if required {
        w.req_one_of(o, key, SANDBOX_LEVELS)
    } else {
        w.opt_one_of(o, key, SANDBOX_LEVELS)
    };
}

fn network(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("security.network_access", o.ptr(key));
    d.network_access = w.opt_one_of(o, key, NETWORK_ACCESS);
}

fn classification(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str, required: bool) {
    d.at("security.data_classification", o.ptr(key));
    d.data_classification = if required {
        w.req_one_of(o, key, CLASSIFICATIONS)
    } else {
        w.opt_one_of(o, key, CLASSIFICATIONS)
    };
}

fn environment(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str, required: bool) {
    d.at("deployment.environment", o.ptr(key));
    d.environment = if required {
        w.req_one_of(o, key, ENVIRONMENTS)
    } else {
        w.opt_one_of(o, key, ENVIRONMENTS)
    };
}

fn replicas(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.at("deployment.replicas", o.ptr(key));
    d.replicas = w.opt_integer(o, key, 1, 100).map(|n| n as u32);
}

fn startup_timeout(w: &mut Walker, d: &mut Draft, o: &Obj, key: &str) {
    d.startup_timeout = w.opt_integer(o, key, 1, 600).map(|n| n as u32);
}

/// `security` in the manifest spec and the server.json extension.
fn manifest_security(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    d.at("security", ptr.to_owned());
    let Some(o) = w.obj(
        v,
        ptr,
        &[
            "sandboxLevel",
            "networkAccess",
            "allowedEndpoints",
            "dataClassification",
            "complianceRequirements",
        ],
    ) else {
        return;
    };
    sandbox(w, d, &o, "sandboxLevel", false);
    network(w, d, &o, "networkAccess");
    endpoints(w, d, &o, "allowedEndpoints");
    classification(w, d, &o, "dataClassification", false);
    compliance(w, d, &o, "complianceRequirements");
}

/// `securityContext`, Kubernetes style: read so that privileged settings can be refused.
fn security_context(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    d.at("security.privileges", ptr.to_owned());
    let Some(o) = w.obj(
        v,
        ptr,
        &[
            "privileged",
            "allowPrivilegeEscalation",
            "runAsUser",
            "runAsNonRoot",
            "capabilities",
            "hostNetwork",
            "hostPID",
            "readOnlyRootFilesystem",
        ],
    ) else {
        return;
    };
    let p = &mut d.privileges;
    p.privileged = w.opt_bool(&o, "privileged").unwrap_or(false);
    p.allow_privilege_escalation = w.opt_bool(&o, "allowPrivilegeEscalation").unwrap_or(false);
    p.host_network = w.opt_bool(&o, "hostNetwork").unwrap_or(false);
    p.host_pid = w.opt_bool(&o, "hostPID").unwrap_or(false);
    w.opt_bool(&o, "readOnlyRootFilesystem");
    let uid = w.opt_integer(&o, "runAsUser", 0, u32::MAX as i64);
    let non_root = w.opt_bool(&o, "runAsNonRoot");
    p.run_as_root = uid == Some(0) || non_root == Some(false);
    if let Some(caps) = w.opt(&o, "capabilities") {
        let cp = o.ptr("capabilities");
        if let Some(co) = w.obj(caps, &cp, &["add", "drop"]) {
            p.add_capabilities = w.opt_words(&co, "add", 64, 64).unwrap_or_default();
            w.opt_words(&co, "drop", 64, 64);
        }
    }
}

fn resources(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    d.at("resources", ptr.to_owned());
    let Some(o) = w.obj(v, ptr, &["limits", "requests", "storage"]) else {
        return;
    };
    if let Some(l) = w.opt(&o, "limits") {
        d.at("resources.limits", o.ptr("limits"));
        d.resources.limits = resource_list(w, l, &o.ptr("limits"));
    }
    if let Some(r) = w.opt(&o, "requests") {
        d.resources.requests = resource_list(w, r, &o.ptr("requests"));
    }
    d.resources.storage = memory(w, &o, "storage");
}

// ---- registration body (reference design 2.3) ----------------------------------------------

fn registration(w: &mut Walker, d: &mut Draft, v: &Value) {
    let Some(top) = w.obj(v, "", &["mcp_spec", "security_config", "deployment_config"]) else {
        return;
    };
    if let Some(spec) = w.req(&top, "mcp_spec") {
        registration_spec(w, d, spec, &top.ptr("mcp_spec"));
    }
    if let Some(sec) = w.req(&top, "security_config") {
        let ptr = top.ptr("security_config");
        d.at("security", ptr.clone());
        if let Some(o) = w.obj(
            sec,
            &ptr,
            &[
                "sandbox_level",
                "allowed_endpoints",
                "data_classification",
                "compliance_requirements",
            ],
        ) {
            sandbox(w, d, &o, "sandbox_level", true);
            endpoints(w, d, &o, "allowed_endpoints");
            classification(w, d, &o, "data_classification", true);
            compliance(w, d, &o, "compliance_requirements");
        }
    }
    if let Some(dep) = w.req(&top, "deployment_config") {
        let ptr = top.ptr("deployment_config");
        d.at("deployment", ptr.clone());
        if let Some(o) = w.obj(
            dep,
            &ptr,
            &[
                "environment",
                "replicas",
                "health_check_endpoint",
                "startup_timeout_seconds",
            ],
        ) {
            environment(w, d, &o, "environment", true);
            replicas(w, d, &o, "replicas");
            health_path(w, d, &o, "health_check_endpoint");
            startup_timeout(w, d, &o, "startup_timeout_seconds");
        }
    }
}

fn registration_spec(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    let Some(o) = w.obj(
        v,
        ptr,
        &[
            "name",
            "version",
            "title",
            "description",
            "organization",
            "contact_email",
            "docker_image",
            "transport",
            "command",
            "env",
            "url",
            "port",
            "path",
            "capabilities",
            "resource_requirements",
        ],
    ) else {
        return;
    };
    d.launch_ptr = ptr.to_owned();
    name_dns(w, d, &o, "name");
    version(w, d, &o, "version");
    d.title = w.opt_word(&o, "title", 100);
    d.description = w
        .req(&o, "description")
        .and_then(|v| w.string(v, &o.ptr("description"), DESCRIPTION_CHARS));
    d.organization = w.req_word(&o, "organization", 128);
    email(w, d, &o, "contact_email", true);
    image(w, d, &o, "docker_image");
    transport(w, d, &o, "transport");
    command(w, d, &o, "command");
    env(w, d, &o, "env");
    url(w, d, &o, "url");
    port(w, d, &o, "port");
    mcp_path(w, d, &o, "path");
    if let Some(caps) = w.req(&o, "capabilities") {
        let cp = o.ptr("capabilities");
        d.at("capabilities", cp.clone());
        if let Some(items) = w.array(caps, &cp, MAX_CAPABILITIES) {
            for (i, item) in items.iter().enumerate() {
                let p = index(&cp, i);
                let Some(c) = w.obj(
                    item,
                    &p,
                    &[
                        "name",
                        "description",
                        "input_schema",
                        "output_schema",
                        "endpoint",
                        "method",
                    ],
                ) else {
                    continue;
                };
                let name = capability_name(w, &c);
                let description = w.opt_string(&c, "description", DESCRIPTION_CHARS);
                let endpoint = endpoint_of(w, &c);
                let method = w.opt_one_of(&c, "method", METHODS);
                let input_schema = json_schema(w, &c, "input_schema", true);
                let output_schema = json_schema(w, &c, "output_schema", true);
                d.capabilities.push(Capability {
                    name: name.unwrap_or_default(),
                    description,
                    endpoint,
                    method,
                    input_schema,
                    output_schema,
                });
            }
        }
    }
    if let Some(rr) = w.opt(&o, "resource_requirements") {
        let rp = o.ptr("resource_requirements");
        d.at("resources", rp.clone());
        d.at("resources.limits", rp.clone());
        if let Some(r) = w.obj(rr, &rp, &["memory", "cpu", "storage", "network_access"]) {
            let memory = memory(w, &r, "memory");
            let cpu = cpu(w, &r, "cpu");
            if memory.is_some() || cpu.is_some() {
                d.resources.limits = Some(ResourceList { memory, cpu });
            }
            d.resources.storage = self::memory(w, &r, "storage");
            network(w, d, &r, "network_access");
        }
    }
}

// ---- MCPServer manifest ----------------------------------------------------------------------

fn manifest(w: &mut Walker, d: &mut Draft, v: &Value) {
    let Some(top) = w.obj(v, "", &["apiVersion", "kind", "metadata", "spec", "status"]) else {
        return;
    };
    if let Some(a) = w.req_word(&top, "apiVersion", 64) {
        if a != MANIFEST_API_VERSION {
            w.err(
                "schema/api-version",
                &top.ptr("apiVersion"),
                format!(
                    "`{}` is not supported; use `{MANIFEST_API_VERSION}`",
                    a.escape_debug()
                ),
            );
        }
    }
    if let Some(k) = w.req_word(&top, "kind", 64) {
        if k != MANIFEST_KIND {
            w.err(
                "schema/kind",
                &top.ptr("kind"),
                format!(
                    "`{}` is not supported; use `{MANIFEST_KIND}`",
                    k.escape_debug()
                ),
            );
        }
    }
    if let Some(s) = w.opt(&top, "status") {
        // Status is written by the registry; what a file says about it is not trusted.
        if !s.is_object() {
            w.err("schema/type", &top.ptr("status"), "expected a mapping");
        }
    }
    if let Some(m) = w.req(&top, "metadata") {
        let mp = top.ptr("metadata");
        if let Some(o) = w.obj(
            m,
            &mp,
            &[
                "name",
                "version",
                "title",
                "description",
                "created_at",
                "organization",
                "contact_email",
            ],
        ) {
            name_dns(w, d, &o, "name");
            version(w, d, &o, "version");
            d.title = w.opt_word(&o, "title", 100);
            d.description = w.opt_string(&o, "description", DESCRIPTION_CHARS);
            d.organization = w.opt_word(&o, "organization", 128);
            email(w, d, &o, "contact_email", false);
            if let Some(t) = w.opt_word(&o, "created_at", 64) {
                match chrono::DateTime::parse_from_rfc3339(&t) {
                    Ok(t) => d.created_at = Some(t.with_timezone(&chrono::Utc)),
                    Err(_) => w.err(
                        "schema/timestamp",
                        &o.ptr("created_at"),
                        format!(
                            "`{}` is not an ISO 8601 timestamp (e.g. 2026-01-31T12:00:00Z)",
                            t.escape_debug()
                        ),
                    ),
                }
            }
        }
    }
    if let Some(s) = w.req(&top, "spec") {
        manifest_spec(w, d, s, &top.ptr("spec"));
    }
}

const SPEC_KEYS: &[&str] = &[
    "image",
    "port",
    "transport",
    "command",
    "env",
    "url",
    "path",
    "resources",
    "capabilities",
    "healthCheck",
    "replicas",
    "environment",
    "startupTimeoutSeconds",
    "security",
    "securityContext",
];

fn manifest_spec(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    let Some(o) = w.obj(v, ptr, SPEC_KEYS) else {
        return;
    };
    d.launch_ptr = ptr.to_owned();
    d.at("security", ptr.to_owned());
    d.at("deployment", ptr.to_owned());
    d.at("resources", ptr.to_owned());
    image(w, d, &o, "image");
    port(w, d, &o, "port");
    transport(w, d, &o, "transport");
    command(w, d, &o, "command");
    env(w, d, &o, "env");
    url(w, d, &o, "url");
    mcp_path(w, d, &o, "path");
    spec_common(w, d, &o);
}

/// Fields the manifest spec and the server.json extension share.
fn spec_common(w: &mut Walker, d: &mut Draft, o: &Obj) {
    if let Some(r) = w.opt(o, "resources") {
        resources(w, d, r, &o.ptr("resources"));
    }
    d.at("capabilities", o.ptr("capabilities"));
    if let Some(c) = w.opt(o, "capabilities") {
        manifest_capabilities(w, d, c, &o.ptr("capabilities"));
    }
    d.at("health_check", o.ptr("healthCheck"));
    if let Some(h) = w.opt(o, "healthCheck") {
        health_check(w, d, h, &o.ptr("healthCheck"));
    }
    replicas(w, d, o, "replicas");
    environment(w, d, o, "environment", false);
    startup_timeout(w, d, o, "startupTimeoutSeconds");
    if let Some(s) = w.opt(o, "security") {
        manifest_security(w, d, s, &o.ptr("security"));
    }
    if let Some(s) = w.opt(o, "securityContext") {
        security_context(w, d, s, &o.ptr("securityContext"));
    }
}

// ---- server.json (read in `server_json`) ---------------------------------------------------

/// Our extension under `_meta`: what a server.json cannot say but this registry checks.
pub(super) fn extension(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    let known: Vec<&str> = ["organization", "contact_email", "securityContext", "note"]
        .into_iter()
        .chain(EXTENSION_SPEC_KEYS.iter().copied())
        .chain(EXTENSION_LAUNCH_KEYS.iter().copied())
        .collect();
    let Some(o) = w.obj(v, ptr, &known) else {
        return;
    };
    d.at("security", ptr.to_owned());
    d.at("deployment", ptr.to_owned());
    d.organization = w.opt_word(&o, "organization", 128);
    email(w, d, &o, "contact_email", false);
    w.opt_string(&o, "note", 4096);
    mcp_path(w, d, &o, "path");
    // A server run from a local command, which server.json cannot describe.
    command(w, d, &o, "command");
    env(w, d, &o, "env");
    transport(w, d, &o, "transport");
    port(w, d, &o, "port");
    if d.command.is_some() {
        d.launch_ptr = ptr.to_owned();
    }
    spec_common(w, d, &o);
}
