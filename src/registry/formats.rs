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
        SourceFormat::ServerJson => server_json(&mut w, &mut d, v),
    }
    d.finish(&mut w)
}

/// What has been read so far; turned into a [`Server`] when the schema stage is clean.
struct Draft {
    format: SourceFormat,
    name: Option<String>,
    version: Option<String>,
    title: Option<String>,
    description: Option<String>,
    organization: Option<String>,
    contact_email: Option<String>,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    transport: Option<String>,
    image: Option<String>,
    port: Option<u16>,
    command: Option<Vec<String>>,
    env: BTreeMap<String, String>,
    url: Option<String>,
    mcp_path: Option<String>,
    resources: Resources,
    capabilities: Vec<Capability>,
    health_check: Option<HealthCheck>,
    sandbox_level: Option<String>,
    network_access: Option<String>,
    allowed_endpoints: Vec<String>,
    data_classification: Option<String>,
    compliance: Vec<String>,
    privileges: Privileges,
    environment: Option<String>,
    replicas: Option<u32>,
    startup_timeout: Option<u32>,
    /// The object that holds launch fields, for errors about how the server runs.
    launch_ptr: String,
    pointers: HashMap<&'static str, String>,
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
            pointers: HashMap::new(),
        }
    }

    fn at(&mut self, field: &'static str, ptr: String) {
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
            format: self.format,
            pointers: self.pointers,
        })
    }

    /// How the server runs must be said, once and consistently; the transport is inferred
    /// when it is not given.
    fn check_launch(&mut self, w: &mut Walker) {
        let ptr = self.launch_ptr.clone();
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
            if looks_secret(k) && !s.is_empty() {
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

fn endpoint_of(w: &mut Walker, o: &Obj, required: bool, name: &Option<String>) -> String {
    let v = if required {
        w.req_word(o, "endpoint", 256)
    } else {
        w.opt_word(o, "endpoint", 256)
    };
    match v {
        Some(e) => {
            w.check("schema/path", &o.ptr("endpoint"), checks::http_path(&e));
            e
        }
        // An MCP tool is called through `tools/call`; its default address names it.
        None => format!("/tools/{}", name.as_deref().unwrap_or("")),
    }
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
        let endpoint = endpoint_of(w, &o, true, &name);
        let method = w.req_one_of(&o, "method", METHODS).unwrap_or_default();
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
                let endpoint = endpoint_of(w, &c, false, &name);
                let method = w
                    .opt_one_of(&c, "method", METHODS)
                    .unwrap_or_else(|| "POST".into());
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

// ---- server.json -------------------------------------------------------------------------------

const KEY_VALUE: &[&str] = &[
    "name",
    "value",
    "description",
    "isRequired",
    "isSecret",
    "default",
    "format",
    "choices",
    "placeholder",
    "variables",
];
const ARGUMENT: &[&str] = &[
    "type",
    "name",
    "value",
    "valueHint",
    "description",
    "isRequired",
    "isSecret",
    "default",
    "format",
    "choices",
    "placeholder",
    "isRepeated",
    "variables",
];

fn server_json(w: &mut Walker, d: &mut Draft, v: &Value) {
    let Some(o) = w.obj(
        v,
        "",
        &[
            "$schema",
            "name",
            "description",
            "version",
            "title",
            "websiteUrl",
            "repository",
            "icons",
            "packages",
            "remotes",
            "_meta",
        ],
    ) else {
        return;
    };
    d.launch_ptr = String::new();
    d.at("security", String::new());
    d.at("deployment", String::new());
    if let Some(n) = w.req_word(&o, "name", 200) {
        if w.check("schema/name", &o.ptr("name"), checks::server_json_name(&n))
            .is_some()
        {
            d.name = Some(n);
        }
    }
    d.at("name", o.ptr("name"));
    version(w, d, &o, "version");
    if let Some(desc) = w.req_word(&o, "description", 100) {
        d.description = Some(desc);
    }
    d.title = w.opt_word(&o, "title", 100);
    if let Some(s) = w.opt_word(&o, "$schema", 2048) {
        w.check("schema/url", &o.ptr("$schema"), checks::http_url(&s));
    }
    if let Some(s) = w.opt_word(&o, "websiteUrl", 2048) {
        w.check("schema/url", &o.ptr("websiteUrl"), checks::http_url(&s));
    }
    if let Some(r) = w.opt(&o, "repository") {
        if let Some(ro) = w.obj(
            r,
            &o.ptr("repository"),
            &["url", "source", "id", "subfolder"],
        ) {
            if let Some(u) = w.req_word(&ro, "url", 2048) {
                w.check("schema/url", &ro.ptr("url"), checks::http_url(&u));
            }
            w.req_word(&ro, "source", 64);
            w.opt_word(&ro, "id", 256);
            w.opt_word(&ro, "subfolder", 1024);
        }
    }
    if let Some(icons) = w.opt(&o, "icons") {
        let ip = o.ptr("icons");
        if let Some(items) = w.array(icons, &ip, 32) {
            for (i, icon) in items.iter().enumerate() {
                if let Some(io) =
                    w.obj(icon, &index(&ip, i), &["src", "mimeType", "sizes", "theme"])
                {
                    w.req_word(&io, "src", 255);
                    w.opt_word(&io, "mimeType", 32);
                    w.opt_words(&io, "sizes", 16, 16);
                    w.opt_one_of(&io, "theme", &["light", "dark"]);
                }
            }
        }
    }
    if let Some(p) = w.opt(&o, "packages") {
        let pp = o.ptr("packages");
        if let Some(items) = w.array(p, &pp, 32) {
            for (i, item) in items.iter().enumerate() {
                package(w, d, item, &index(&pp, i));
            }
        }
    }
    if let Some(r) = w.opt(&o, "remotes") {
        let rp = o.ptr("remotes");
        if let Some(items) = w.array(r, &rp, 32) {
            for (i, item) in items.iter().enumerate() {
                let p = index(&rp, i);
                if let Some(ro) = w.obj(item, &p, &["type", "url", "headers"]) {
                    let t = w.req_one_of(&ro, "type", &["streamable-http", "sse"]);
                    let u = w.req_word(&ro, "url", 2048);
                    key_values(w, &ro, "headers");
                    if let Some(u) = u {
                        let ok = w.check("schema/url", &ro.ptr("url"), checks::http_url(&u));
                        if ok.is_some()
                            && d.url.is_none()
                            && d.image.is_none()
                            && d.command.is_none()
                        {
                            d.url = Some(u);
                            d.transport = t;
                            d.at("url", ro.ptr("url"));
                            d.at("transport", ro.ptr("type"));
                        }
                    }
                }
            }
        }
    }
    if let Some(m) = w.opt(&o, "_meta") {
        let mp = o.ptr("_meta");
        // Anything may live under _meta; only our own key is read, and read strictly.
        match m {
            Value::Object(meta) => {
                if let Some(Value::Object(pubp)) = meta.get(META_PUBLISHER) {
                    if let Some(ext) = pubp.get(META_KEY) {
                        let ep = child(&child(&mp, META_PUBLISHER), META_KEY);
                        extension(w, d, ext, &ep);
                    }
                }
            }
            _ => w.err("schema/type", &mp, "expected a mapping"),
        }
    }
}

fn key_values(w: &mut Walker, o: &Obj, key: &str) {
    let Some(v) = w.opt(o, key) else { return };
    let ptr = o.ptr(key);
    if let Some(items) = w.array(v, &ptr, 64) {
        for (i, item) in items.iter().enumerate() {
            if let Some(kv) = w.obj(item, &index(&ptr, i), KEY_VALUE) {
                w.req_word(&kv, "name", 256);
                secret_input(w, &kv);
            }
        }
    }
}

/// `{name}`: filled in by the client, not a value.
fn is_placeholder(v: &str) -> bool {
    v.starts_with('{') && v.ends_with('}')
}

/// Names under which a literal value would be a credential.
fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "AUTHORIZATION",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// An input marked secret (or named like one) may say what it is, never carry a value.
fn secret_input(w: &mut Walker, o: &Obj) {
    let secret = w.opt_bool(o, "isSecret").unwrap_or(false)
        || o.map
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(looks_secret);
    for key in ["value", "default"] {
        let literal = o
            .map
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|v| !(v.is_empty() || is_placeholder(v)));
        if secret && literal {
            w.err(
                "schema/secret-value",
                &o.ptr(key),
                "a secret input must not carry its value: a server definition is stored and shown; leave the value out (or use a {placeholder}) and let the client ask for it",
            );
        }
    }
}

/// Docker flags that hand a container privileges a sandbox must not give.
const PRIVILEGED_FLAGS: &[&str] = &[
    "--privileged",
    "--cap-add",
    "--pid=host",
    "--network=host",
    "--net=host",
    "--ipc=host",
    "--userns=host",
    "--device",
    "--security-opt=seccomp=unconfined",
    "--security-opt=apparmor=unconfined",
    "--user=root",
    "--user=0",
];

fn arguments(w: &mut Walker, o: &Obj, key: &str) -> Vec<String> {
    let mut flat = Vec::new();
    let Some(v) = w.opt(o, key) else { return flat };
    let ptr = o.ptr(key);
    if let Some(items) = w.array(v, &ptr, 128) {
        for (i, item) in items.iter().enumerate() {
            let p = index(&ptr, i);
            if let Some(a) = w.obj(item, &p, ARGUMENT) {
                secret_input(w, &a);
                let t = w.req_one_of(&a, "type", &["positional", "named"]);
                let name = w.opt_word(&a, "name", 256);
                let value = w.opt_string(&a, "value", 4096);
                if t.as_deref() == Some("named") && name.is_none() {
                    w.err(
                        "schema/required",
                        &a.ptr("name"),
                        "a named argument needs `name`",
                    );
                }
                match (name, value) {
                    (Some(n), Some(v)) => flat.push(format!("{n}={v}")),
                    (Some(n), None) => flat.push(n),
                    (None, Some(v)) => flat.push(v),
                    (None, None) => {}
                }
            }
        }
    }
    flat
}

fn package(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    let Some(o) = w.obj(
        v,
        ptr,
        &[
            "registryType",
            "registryBaseUrl",
            "identifier",
            "version",
            "fileSha256",
            "runtimeHint",
            "transport",
            "runtimeArguments",
            "packageArguments",
            "environmentVariables",
        ],
    ) else {
        return;
    };
    let kind = w.req_one_of(&o, "registryType", &["npm", "pypi", "oci", "nuget", "mcpb"]);
    let id = w.req_word(&o, "identifier", 512);
    let version = w.opt_word(&o, "version", 255);
    if let Some(ver) = &version {
        if ver == "latest"
            || ver.starts_with(['^', '~', '>', '<', '='])
            || ver.contains(['*', 'x', ' ']) && checks::semver(ver).is_err()
        {
            w.err(
                "schema/version",
                &o.ptr("version"),
                format!(
                    "`{}` is not a specific version: ranges and `latest` are not allowed",
                    ver.escape_debug()
                ),
            );
        }
    }
    if let Some(u) = w.opt_word(&o, "registryBaseUrl", 2048) {
        w.check(
            "schema/url",
            &o.ptr("registryBaseUrl"),
            checks::http_url(&u),
        );
    }
    if let Some(h) = w.opt_word(&o, "fileSha256", 64) {
        if h.len() != 64
            || !h
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        {
            w.err(
                "schema/sha256",
                &o.ptr("fileSha256"),
                "must be 64 lowercase hex digits",
            );
        }
    }
    w.opt_word(&o, "runtimeHint", 64);
    let mut transport = None;
    let mut turl = None;
    if let Some(t) = w.req(&o, "transport") {
        if let Some(to) = w.obj(t, &o.ptr("transport"), &["type", "url", "headers"]) {
            transport = w.req_one_of(&to, "type", &["stdio", "streamable-http", "sse"]);
            turl = w.opt_word(&to, "url", 2048);
            key_values(w, &to, "headers");
        }
    }
    let runtime = arguments(w, &o, "runtimeArguments");
    let mut args = arguments(w, &o, "packageArguments");
    key_values(w, &o, "environmentVariables");
    let flagged: Vec<String> = runtime
        .iter()
        .filter(|a| {
            PRIVILEGED_FLAGS.iter().any(|f| {
                a.as_str() == *f || a.starts_with(&format!("{f}=")) || a.replace(' ', "=") == *f
            })
        })
        .cloned()
        .collect();
    if !flagged.is_empty() {
        d.privileges.runtime_flags.extend(flagged);
        d.at("security.privileges", o.ptr("runtimeArguments"));
    }
    let (Some(kind), Some(id)) = (kind, id) else {
        return;
    };
    // The first package that says how to run the server is the one validated live.
    if d.image.is_some() || d.command.is_some() {
        return;
    }
    let port = turl
        .as_deref()
        .and_then(|u| url::Url::parse(&u.replace(['{', '}'], "")).ok())
        .and_then(|u| u.port());
    match kind.as_str() {
        "oci" => {
            let reference = match &version {
                Some(v) if !id.contains(['@']) && checks::image_tag(&id).is_none() => {
                    format!("{id}:{v}")
                }
                _ => id.clone(),
            };
            if w.check(
                "schema/image",
                &o.ptr("identifier"),
                checks::image(&reference),
            )
            .is_some()
            {
                d.image = Some(reference);
                d.at("image", o.ptr("identifier"));
                d.port = port;
            }
        }
        "npm" => {
            let spec = match &version {
                Some(v) => format!("{id}@{v}"),
                None => id.clone(),
            };
            let mut cmd = vec!["npx".to_string(), "-y".into(), spec];
            cmd.append(&mut args);
            d.command = Some(cmd);
            d.at("command", o.ptr("identifier"));
        }
        "pypi" => {
            let spec = match &version {
                Some(v) => format!("{id}=={v}"),
                None => id.clone(),
            };
            let mut cmd = vec!["uvx".to_string(), spec];
            cmd.append(&mut args);
            d.command = Some(cmd);
            d.at("command", o.ptr("identifier"));
        }
        _ => return,
    }
    d.transport = transport;
    d.at("transport", o.ptr("transport"));
}

/// Our extension under `_meta`: what a server.json cannot say but this registry checks.
fn extension(w: &mut Walker, d: &mut Draft, v: &Value, ptr: &str) {
    let known: Vec<&str> = ["organization", "contact_email", "securityContext"]
        .into_iter()
        .chain(EXTENSION_SPEC_KEYS.iter().copied())
        .collect();
    let Some(o) = w.obj(v, ptr, &known) else {
        return;
    };
    d.at("security", ptr.to_owned());
    d.at("deployment", ptr.to_owned());
    d.organization = w.opt_word(&o, "organization", 128);
    email(w, d, &o, "contact_email", false);
    mcp_path(w, d, &o, "path");
    spec_common(w, d, &o);
}
