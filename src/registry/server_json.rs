//! The official MCP Registry's `server.json`: read by the rules of the published schema
//! version its `$schema` names (this registry's stricter checks are policy findings with
//! rule ids, not schema errors), kept whole (packages, arguments, environment variables,
//! remotes, headers, URL variables), and turned into the command line that starts it.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::formats::{extension, Draft, META_KEY, META_PUBLISHER};
use super::model::*;
use super::walk::{child, index, type_name, Obj, Walker};

/// Every published schema version, oldest first.
pub const SCHEMA_VERSIONS: &[&str] = &[
    "2025-07-09",
    "2025-09-16",
    "2025-09-29",
    "2025-10-11",
    "2025-10-17",
    "2025-12-11",
];
pub const LATEST: &str = "2025-12-11";

pub fn schema_url(version: &str) -> String {
    format!("https://static.modelcontextprotocol.io/schemas/{version}/server.schema.json")
}

/// The policy rules applied while a server.json is read: this registry's stricter checks,
/// which the official schema does not make.
pub const READ_RULES: &[(&str, Severity, &str)] = &[
    ("secret-value", Severity::Error, "a secret input (isSecret, or named like a token, key or password) carries no literal value or default"),
    ("semver", Severity::Warning, "server.json versions should be semantic versions (the registry accepts others, which may not sort)"),
    ("unknown-field", Severity::Warning, "every server.json field is one its schema version defines (a misspelt field is ignored by everyone)"),
    ("schema-version", Severity::Warning, "$schema names a published server.json schema version"),
    ("mcpb-sha256", Severity::Warning, "an MCPB package carries fileSha256"),
];

/// The fields 2025-09-16 renamed from snake_case; 2025-07-09 files use the old names.
const LEGACY_RENAMES: &[(&str, &str)] = &[
    ("registry_type", "registryType"),
    ("registry_base_url", "registryBaseUrl"),
    ("file_sha256", "fileSha256"),
    ("runtime_hint", "runtimeHint"),
    ("runtime_arguments", "runtimeArguments"),
    ("package_arguments", "packageArguments"),
    ("environment_variables", "environmentVariables"),
    ("is_required", "isRequired"),
    ("is_secret", "isSecret"),
    ("value_hint", "valueHint"),
    ("is_repeated", "isRepeated"),
    ("website_url", "websiteUrl"),
];

static SCHEMA_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^https?://static\.modelcontextprotocol\.io/schemas/([0-9]{4}-[0-9]{2}-[0-9]{2}|draft)/server\.schema\.json$")
        .expect("static regex")
});
/// The official schema's pattern for transport URLs (they may hold `{placeholders}`).
static TRANSPORT_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^https?://[^\s]+$").expect("static regex"));
static ICON_SIZE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+x\d+|any)$").expect("static regex"));
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([A-Za-z0-9_.-]+)\}").expect("static regex"));

const INPUT_KEYS: &[&str] = &[
    "description",
    "value",
    "default",
    "placeholder",
    "isRequired",
    "isSecret",
    "format",
    "choices",
];
const FORMATS: &[&str] = &["string", "number", "boolean", "filepath"];
const MIME_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/svg+xml",
    "image/webp",
];

/// The rules in force for one document.
struct Rules {
    version: &'static str,
    /// 2025-07-09 to 2025-09-29 require every package to name its version.
    package_version_required: bool,
    legacy: bool,
}

/// Which schema version `$schema` names, and a warning when it names none that was published.
fn rules_for(v: &Value) -> (Rules, Option<String>) {
    let named = v.get("$schema").and_then(Value::as_str);
    let mut warning = None;
    let version = match named.and_then(|s| SCHEMA_URL.captures(s)) {
        Some(c) => match SCHEMA_VERSIONS.iter().find(|v| **v == &c[1]) {
            Some(v) => *v,
            None => {
                warning = Some(format!(
                    "`{}` is not a published server.json schema version (published: {}); checked against {LATEST}",
                    &c[1],
                    SCHEMA_VERSIONS.join(", ")
                ));
                LATEST
            }
        },
        None => {
            if let Some(s) = named {
                warning = Some(format!(
                    "`{}` is not an official server.json schema URL; checked against {LATEST}",
                    s.escape_debug()
                ));
            }
            LATEST
        }
    };
    let rules = Rules {
        version,
        package_version_required: version <= "2025-09-29",
        legacy: version == "2025-07-09",
    };
    (rules, warning)
}

/// A copy of `v` with the snake_case field names of 2025-07-09 renamed.
fn modernize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let k = LEGACY_RENAMES
                        .iter()
                        .find(|(old, _)| old == k)
                        .map(|(_, new)| new.to_string())
                        .unwrap_or_else(|| k.clone());
                    (k, modernize(x))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(modernize).collect()),
        other => other.clone(),
    }
}

/// A pointer into the modernized copy, as a pointer into the file as written.
fn legacy_pointer(p: &str) -> String {
    p.split('/')
        .map(|seg| {
            LEGACY_RENAMES
                .iter()
                .find(|(_, new)| *new == seg)
                .map(|(old, _)| *old)
                .unwrap_or(seg)
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn policy_warn(w: &mut Walker, rule: &str, ptr: &str, msg: impl Into<String>) {
    w.f.warn(Stage::Policy, rule, ptr, msg);
}

fn policy_err(w: &mut Walker, rule: &str, ptr: &str, msg: impl Into<String>) {
    w.f.error(Stage::Policy, rule, ptr, msg);
}

/// An object of the official schema, which allows any further field: one it does not
/// define is kept but has no meaning, so it is a warning (a misspelt field is the usual
/// cause).
fn open_obj<'v>(w: &mut Walker, v: &'v Value, ptr: &str, known: &[&str]) -> Option<Obj<'v>> {
    w.obj_with(v, ptr, known, |w, at, k, expected| {
        policy_warn(
            w,
            "policy/unknown-field",
            at,
            format!("`{k}` is not a field of server.json here and is ignored; the fields are: {expected}"),
        )
    })
}

/// A string of `min..=max` characters (the official limits), control characters refused.
fn text(
    w: &mut Walker,
    o: &Obj,
    key: &str,
    required: bool,
    min: usize,
    max: usize,
) -> Option<String> {
    let v = if required {
        w.req(o, key)?
    } else {
        w.opt(o, key)?
    };
    let ptr = o.ptr(key);
    let s = w.string(v, &ptr, max)?;
    if s.chars().count() < min {
        w.err(
            if min == 1 {
                "schema/empty"
            } else {
                "schema/size"
            },
            &ptr,
            if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters long")
            },
        );
        return None;
    }
    Some(s)
}

fn uri(w: &mut Walker, o: &Obj, key: &str, required: bool) -> Option<String> {
    let u = text(w, o, key, required, 1, 2048)?;
    w.check(
        "schema/url",
        &o.ptr(key),
        url::Url::parse(&u).map_err(|e| format!("`{}` is not a URI: {e}", u.escape_debug())),
    )
    .map(|_| u)
}

/// `^1.2`, `~1.2.3`, `>=1`, `1.x`, `1.*`: ranges, which the registry refuses for versions.
fn is_range(v: &str) -> bool {
    v.starts_with(['^', '~', '>', '<', '='])
        || v.contains(['*', ' ', '|'])
        || v.split('.').any(|p| p == "x" || p == "X")
}

fn version_field(w: &mut Walker, o: &Obj, key: &str, required: bool) -> Option<String> {
    let v = text(w, o, key, required, 1, 255)?;
    let ptr = o.ptr(key);
    if v == "latest" {
        w.err(
            "schema/version",
            &ptr,
            "`latest` is not a version: name the specific version",
        );
        return None;
    }
    if is_range(&v) {
        w.err(
            "schema/version",
            &ptr,
            format!(
                "`{}` is a version range; the registry takes one specific version",
                v.escape_debug()
            ),
        );
        return None;
    }
    Some(v)
}

/// Read a server.json into `d`.
pub(super) fn read(w: &mut Walker, d: &mut Draft, v: &Value) {
    let (rules, warning) = rules_for(v);
    let start = w.f.items.len();
    let modern;
    let doc = if rules.legacy {
        modern = modernize(v);
        &modern
    } else {
        v
    };
    if let Some(m) = warning {
        policy_warn(w, "policy/schema-version", "/$schema", m);
    }
    top(w, d, doc, &rules);
    d.schema_version = Some(rules.version.to_owned());
    if rules.legacy {
        for f in &mut w.f.items[start..] {
            f.pointer = legacy_pointer(&f.pointer);
        }
        for p in d.pointers.values_mut() {
            *p = legacy_pointer(p);
        }
    }
}

fn top(w: &mut Walker, d: &mut Draft, v: &Value, rules: &Rules) {
    let mut known = vec![
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
    ];
    if rules.version <= "2025-09-16" {
        known.push("status");
    }
    let Some(o) = open_obj(w, v, "", &known) else {
        return;
    };
    d.launch_ptr = String::new();
    d.at("security", String::new());
    d.at("deployment", String::new());
    d.at("name", o.ptr("name"));
    d.at("version", o.ptr("version"));
    if let Some(n) = text(w, &o, "name", true, 3, 200) {
        if w.check(
            "schema/name",
            &o.ptr("name"),
            super::checks::server_json_name(&n),
        )
        .is_some()
        {
            d.name = Some(n);
        }
    }
    if let Some(ver) = version_field(w, &o, "version", true) {
        if semver::Version::parse(&ver).is_err() {
            policy_warn(
                w,
                "policy/semver",
                &o.ptr("version"),
                format!(
                    "`{}` is not a semantic version (MAJOR.MINOR.PATCH): the registry accepts it, but it may not sort as newer than the versions before it",
                    ver.escape_debug()
                ),
            );
        }
        d.version = Some(ver);
    }
    d.description = text(w, &o, "description", true, 1, 100);
    d.title = text(w, &o, "title", false, 1, 100);
    if w.opt(&o, "$schema").is_some() {
        uri(w, &o, "$schema", false);
    }
    uri(w, &o, "websiteUrl", false);
    if let Some(s) = w.opt(&o, "status") {
        let p = o.ptr("status");
        w.one_of(s, &p, &["active", "deprecated", "deleted"]);
    }
    if let Some(r) = w.opt(&o, "repository") {
        if let Some(ro) = open_obj(
            w,
            r,
            &o.ptr("repository"),
            &["url", "source", "id", "subfolder"],
        ) {
            uri(w, &ro, "url", true);
            text(w, &ro, "source", true, 0, 256);
            text(w, &ro, "id", false, 0, 256);
            text(w, &ro, "subfolder", false, 0, 1024);
        }
    }
    if let Some(icons) = w.opt(&o, "icons") {
        let ip = o.ptr("icons");
        if let Some(items) = w.array(icons, &ip, 64) {
            for (i, icon) in items.iter().enumerate() {
                icon_item(w, icon, &index(&ip, i));
            }
        }
    }
    let mut packages = Vec::new();
    if let Some(p) = w.opt(&o, "packages") {
        let pp = o.ptr("packages");
        if let Some(items) = w.array(p, &pp, 64) {
            for (i, item) in items.iter().enumerate() {
                if let Some(pkg) = package(w, item, &index(&pp, i), rules) {
                    let flags = privileged_flags(&pkg);
                    if !flags.is_empty() {
                        d.privileges.runtime_flags.extend(flags);
                        d.at(
                            "security.privileges",
                            child(&index(&pp, i), "runtimeArguments"),
                        );
                    }
                    packages.push((index(&pp, i), pkg));
                }
            }
        }
    }
    let mut remotes = Vec::new();
    if let Some(r) = w.opt(&o, "remotes") {
        let rp = o.ptr("remotes");
        if let Some(items) = w.array(r, &rp, 64) {
            for (i, item) in items.iter().enumerate() {
                if let Some(rem) = remote(w, item, &index(&rp, i)) {
                    remotes.push((index(&rp, i), rem));
                }
            }
        }
    }
    if let Some(m) = w.opt(&o, "_meta") {
        let mp = o.ptr("_meta");
        // Anything may live under _meta; only our own key is read, and read strictly.
        match m {
            Value::Object(meta) => {
                if let Some(Value::Object(publisher)) = meta.get(META_PUBLISHER) {
                    if let Some(ext) = publisher.get(META_KEY) {
                        let ep = child(&child(&mp, META_PUBLISHER), META_KEY);
                        extension(w, d, ext, &ep);
                    }
                }
            }
            _ => w.err("schema/type", &mp, "expected a mapping"),
        }
    }
    choose_launch(d, &packages, &remotes);
    d.packages = packages.into_iter().map(|(_, p)| p).collect();
    d.remotes = remotes.into_iter().map(|(_, r)| r).collect();
}

fn icon_item(w: &mut Walker, v: &Value, ptr: &str) {
    let Some(io) = open_obj(w, v, ptr, &["src", "mimeType", "sizes", "theme"]) else {
        return;
    };
    if let Some(src) = uri(w, &io, "src", true) {
        if src.chars().count() > 255 {
            w.err(
                "schema/size",
                &io.ptr("src"),
                "is longer than 255 characters",
            );
        }
    }
    w.opt_one_of(&io, "mimeType", MIME_TYPES);
    w.opt_one_of(&io, "theme", &["light", "dark"]);
    if let Some(sizes) = w.opt(&io, "sizes") {
        let sp = io.ptr("sizes");
        if let Some(items) = w.array(sizes, &sp, 64) {
            for (i, s) in items.iter().enumerate() {
                let p = index(&sp, i);
                if let Some(s) = w.string(s, &p, 32) {
                    if !ICON_SIZE.is_match(&s) {
                        w.err(
                            "schema/pattern",
                            &p,
                            format!("`{}` is not WxH (48x48) or `any`", s.escape_debug()),
                        );
                    }
                }
            }
        }
    }
}

/// Names under which a literal value would be a credential.
pub fn looks_secret(name: &str) -> bool {
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

/// `{name}`: filled in by the client, not a value.
fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    (t.starts_with('{') && t.ends_with('}')) || t.starts_with("Bearer {")
}

/// The `Input` fields of `o` (the official schema's `Input`, `InputWithVariables`).
fn input(w: &mut Walker, o: &Obj, with_variables: bool, name: Option<&str>) -> Input {
    let mut i = Input {
        description: w.opt_string(o, "description", 4096),
        value: w.opt_string(o, "value", 4096),
        default: w.opt_string(o, "default", 4096),
        placeholder: w.opt_string(o, "placeholder", 4096),
        is_required: w.opt_bool(o, "isRequired").unwrap_or(false),
        is_secret: w.opt_bool(o, "isSecret").unwrap_or(false),
        format: w.opt_one_of(o, "format", FORMATS),
        choices: Vec::new(),
        variables: BTreeMap::new(),
    };
    if let Some(c) = w.opt(o, "choices") {
        let cp = o.ptr("choices");
        if let Some(items) = w.array(c, &cp, 256) {
            i.choices = items
                .iter()
                .enumerate()
                .filter_map(|(n, x)| w.string(x, &index(&cp, n), 4096))
                .collect();
        }
    }
    if with_variables {
        if let Some(vars) = w.opt(o, "variables") {
            i.variables = variables(w, vars, &o.ptr("variables"));
        }
    }
    // This registry's stricter rule: a definition is stored and shown, so a secret must be
    // asked for, never written in it.
    let secret = i.is_secret || name.is_some_and(looks_secret);
    for (key, val) in [("value", &i.value), ("default", &i.default)] {
        if secret
            && val
                .as_deref()
                .is_some_and(|v| !(v.is_empty() || is_placeholder(v)))
        {
            policy_err(
                w,
                "policy/secret-value",
                &o.ptr(key),
                "a secret input must not carry its value: a server definition is stored and shown; leave the value out (or use a {placeholder}) and let the client ask for it",
            );
        }
    }
    i
}

fn variables(w: &mut Walker, v: &Value, ptr: &str) -> BTreeMap<String, Input> {
    let mut out = BTreeMap::new();
    let Value::Object(m) = v else {
        w.err(
            "schema/type",
            ptr,
            format!(
                "expected a mapping of variable names, found {}",
                type_name(v)
            ),
        );
        return out;
    };
    for (k, x) in m {
        let p = child(ptr, k);
        if let Some(o) = open_obj(w, x, &p, INPUT_KEYS) {
            out.insert(k.clone(), input(w, &o, false, Some(k)));
        }
    }
    out
}

/// The list of `Input` objects under `key` (headers, environment variables, arguments),
/// each with the Input fields and `extra` ones, read by `each` (its object and pointer).
fn input_list<T>(
    w: &mut Walker,
    o: &Obj,
    key: &str,
    max: usize,
    extra: &[&str],
    mut each: impl FnMut(&mut Walker, &Obj, &str) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    let Some(v) = w.opt(o, key) else { return out };
    let ptr = o.ptr(key);
    let known: Vec<&str> = INPUT_KEYS.iter().chain(extra).copied().collect();
    if let Some(items) = w.array(v, &ptr, max) {
        for (i, item) in items.iter().enumerate() {
            let p = index(&ptr, i);
            if let Some(x) = open_obj(w, item, &p, &known) {
                out.extend(each(w, &x, &p));
            }
        }
    }
    out
}

fn key_values(w: &mut Walker, o: &Obj, key: &str) -> Vec<KeyValue> {
    input_list(w, o, key, 128, &["name", "variables"], |w, kv, _| {
        let name = text(w, kv, "name", true, 1, 256);
        let input = input(w, kv, true, name.as_deref());
        Some(KeyValue { name: name?, input })
    })
}

fn arguments(w: &mut Walker, o: &Obj, key: &str) -> Vec<Argument> {
    let extra = ["type", "name", "valueHint", "isRepeated", "variables"];
    input_list(w, o, key, 256, &extra, |w, a, p| {
        let kind = w.req_one_of(a, "type", &["positional", "named"]);
        let name = text(w, a, "name", kind.as_deref() == Some("named"), 1, 256);
        let value_hint = text(w, a, "valueHint", false, 1, 256);
        let is_repeated = w.opt_bool(a, "isRepeated").unwrap_or(false);
        let label = name.clone().or_else(|| value_hint.clone());
        let input = input(w, a, true, label.as_deref());
        let kind = match kind.as_deref() {
            Some("positional") => {
                if input.value.is_none() && value_hint.is_none() {
                    w.err(
                        "schema/required",
                        p,
                        "a positional argument needs `value` or `valueHint`",
                    );
                    return None;
                }
                ArgumentKind::Positional
            }
            Some(_) if name.is_some() => ArgumentKind::Named,
            _ => return None,
        };
        Some(Argument {
            kind,
            name,
            value_hint,
            is_repeated,
            input,
        })
    })
}

/// A package transport or a remote: its type, and its URL for the HTTP ones.
fn transport_of(w: &mut Walker, o: &Obj, allowed: &[&str]) -> (Option<Transport>, Option<String>) {
    let t = w.req_one_of(o, "type", allowed);
    let transport = match t.as_deref() {
        Some("stdio") => Some(Transport::Stdio),
        Some("streamable-http") => Some(Transport::StreamableHttp),
        Some("sse") => Some(Transport::Sse),
        _ => None,
    };
    let needs_url = matches!(transport, Some(Transport::StreamableHttp | Transport::Sse));
    let url = text(w, o, "url", needs_url, 1, 2048);
    if needs_url && url.is_none() {
        return (None, None);
    }
    if let Some(u) = &url {
        if !TRANSPORT_URL.is_match(u) {
            w.err(
                "schema/url",
                &o.ptr("url"),
                format!("`{}` is not an http(s) URL template", u.escape_debug()),
            );
            return (transport, None);
        }
        // The one stricter rule that stays a schema error: credentials in a URL are stored
        // and shown with it.
        if let Ok(parsed) = url::Url::parse(&PLACEHOLDER.replace_all(u, "x")) {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                w.err(
                    "schema/url",
                    &o.ptr("url"),
                    "a URL must not carry credentials; use a header marked isSecret",
                );
                return (transport, None);
            }
        }
    }
    (transport, url)
}

fn package(w: &mut Walker, v: &Value, ptr: &str, rules: &Rules) -> Option<Package> {
    let o = open_obj(
        w,
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
    )?;
    let registry_type = text(w, &o, "registryType", true, 1, 64);
    let identifier = text(w, &o, "identifier", true, 1, 1024);
    let version = version_field(w, &o, "version", rules.package_version_required);
    let registry_base_url = uri(w, &o, "registryBaseUrl", false);
    let file_sha256 = text(w, &o, "fileSha256", false, 1, 64);
    if let Some(h) = &file_sha256 {
        if h.len() != 64
            || !h
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            w.err(
                "schema/sha256",
                &o.ptr("fileSha256"),
                "must be 64 lowercase hex digits",
            );
        }
    }
    let runtime_hint = text(w, &o, "runtimeHint", false, 1, 64);
    let mut transport = None;
    let mut transport_url = None;
    let mut headers = Vec::new();
    if let Some(t) = w.req(&o, "transport") {
        if let Some(to) = open_obj(w, t, &o.ptr("transport"), &["type", "url", "headers"]) {
            (transport, transport_url) = transport_of(w, &to, &["stdio", "streamable-http", "sse"]);
            headers = key_values(w, &to, "headers");
        }
    }
    let runtime_arguments = arguments(w, &o, "runtimeArguments");
    let package_arguments = arguments(w, &o, "packageArguments");
    let environment_variables = key_values(w, &o, "environmentVariables");
    if registry_type.as_deref() == Some("mcpb") && file_sha256.is_none() {
        policy_warn(
            w,
            "policy/mcpb-sha256",
            &o.ptr("fileSha256"),
            "an MCPB package should carry `fileSha256`, so that clients can check the download",
        );
    }
    Some(Package {
        registry_type: registry_type?,
        identifier: identifier?,
        version,
        registry_base_url,
        file_sha256,
        runtime_hint,
        transport: transport?,
        transport_url,
        headers,
        runtime_arguments,
        package_arguments,
        environment_variables,
    })
}

fn remote(w: &mut Walker, v: &Value, ptr: &str) -> Option<Remote> {
    let o = open_obj(w, v, ptr, &["type", "url", "headers", "variables"])?;
    let (transport, url) = transport_of(w, &o, &["streamable-http", "sse"]);
    let headers = key_values(w, &o, "headers");
    let variables = match w.opt(&o, "variables") {
        Some(vars) => variables(w, vars, &o.ptr("variables")),
        None => BTreeMap::new(),
    };
    Some(Remote {
        transport: transport?,
        url: url?,
        headers,
        variables,
    })
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

/// The runtime arguments of `p` that would grant privileges, as `flag` or `flag=value`.
fn privileged_flags(p: &Package) -> Vec<String> {
    let mut out = Vec::new();
    for a in &p.runtime_arguments {
        let words: Vec<String> =
            match (&a.name, a.input.value.as_ref().or(a.input.default.as_ref())) {
                (Some(n), Some(v)) => vec![format!("{n}={v}"), n.clone()],
                (Some(n), None) => vec![n.clone()],
                (None, Some(v)) => vec![v.replace(' ', "=")],
                (None, None) => vec![],
            };
        let hit = words.iter().any(|w| {
            PRIVILEGED_FLAGS
                .iter()
                .any(|f| w == f || (!f.contains('=') && w.starts_with(&format!("{f}="))))
        });
        if hit {
            out.push(words[0].clone());
        }
    }
    out
}

/// Why a package cannot be started here, if it cannot.
pub fn not_runnable(p: &Package) -> Option<String> {
    match p.registry_type.as_str() {
        "npm" | "pypi" | "oci" => None,
        "nuget" => Some(format!(
            "{} is a NuGet package, run by .NET's `dnx`; pc-hybrid starts npm, PyPI and OCI packages",
            p.identifier
        )),
        "mcpb" => Some(format!(
            "{} is an MCPB bundle, installed by a desktop client; pc-hybrid starts npm, PyPI and OCI packages",
            p.identifier
        )),
        other => Some(format!(
            "{} comes from a `{other}` registry; pc-hybrid starts npm, PyPI and OCI packages",
            p.identifier
        )),
    }
}

/// The first package that can run here, else the first remote, becomes what the live check
/// starts; with neither, the server is stored but marked as not launchable, with why.
fn choose_launch(d: &mut Draft, packages: &[(String, Package)], remotes: &[(String, Remote)]) {
    if d.command.is_some() {
        // Our extension said how to run it locally.
        return;
    }
    let mut reasons = Vec::new();
    for (i, (ptr, p)) in packages.iter().enumerate() {
        if let Some(why) = not_runnable(p) {
            reasons.push(why);
            continue;
        }
        d.launch_package = Some(i);
        d.transport = Some(p.transport.as_str().to_owned());
        d.at("transport", child(ptr, "transport"));
        if let Some(path) = p
            .transport_url
            .as_deref()
            .and_then(|u| url::Url::parse(&PLACEHOLDER.replace_all(u, "8000")).ok())
            .map(|u| u.path().to_owned())
            .filter(|p| p != "/")
        {
            d.mcp_path = Some(path);
        }
        if p.registry_type == "oci" {
            d.image = Some(oci_reference(p));
            d.at("image", child(ptr, "identifier"));
            d.port = p
                .transport_url
                .as_deref()
                .and_then(|u| url::Url::parse(&PLACEHOLDER.replace_all(u, "8000")).ok())
                .and_then(|u| u.port());
        } else {
            let r = command_line(p, &|_| None);
            d.command = Some(r.shown);
            d.env = r.env;
            d.at("command", child(ptr, "identifier"));
            if p.transport != Transport::Stdio {
                d.port = p
                    .transport_url
                    .as_deref()
                    .and_then(|u| url::Url::parse(&PLACEHOLDER.replace_all(u, "8000")).ok())
                    .and_then(|u| u.port());
            }
        }
        return;
    }
    if let Some((ptr, r)) = remotes.first() {
        d.url = Some(r.url.clone());
        d.transport = Some(r.transport.as_str().to_owned());
        d.at("url", child(ptr, "url"));
        d.at("transport", child(ptr, "type"));
        return;
    }
    if packages.is_empty() {
        reasons.push("it declares neither packages nor remotes: a server embedded in an application, run by that application".into());
    }
    d.not_launchable = Some(reasons.join("; "));
}

/// The image reference of an OCI package (`identifier:version` when the identifier has no tag).
pub fn oci_reference(p: &Package) -> String {
    match &p.version {
        Some(v)
            if !p.identifier.contains('@') && super::checks::image_tag(&p.identifier).is_none() =>
        {
            format!("{}:{v}", p.identifier)
        }
        _ => p.identifier.clone(),
    }
}

/// A command line made from a package, with what it still needs from whoever runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandLine {
    pub argv: Vec<String>,
    /// `argv` with each secret replaced by `<NAME>` and each missing value by `{label}`.
    pub shown: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Inputs that are required and have no value: (label, is it secret, where it goes).
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub label: String,
    pub secret: bool,
    /// `environment variable`, `argument`, `header`, `URL variable`.
    pub kind: &'static str,
}

/// The value of an input: its fixed `value` (with `{variables}` filled in), what the caller
/// gave under `label`, or its default. `None` when nothing gives one.
pub fn resolve(
    input: &Input,
    label: &str,
    given: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<Missing>,
    kind: &'static str,
) -> Option<String> {
    if let Some(v) = &input.value {
        if input.variables.is_empty() {
            return Some(v.clone());
        }
        let mut out = v.clone();
        for (name, var) in &input.variables {
            let placeholder = format!("{{{name}}}");
            if !out.contains(&placeholder) {
                continue;
            }
            match var
                .value
                .clone()
                .or_else(|| given(name))
                .or_else(|| var.default.clone())
            {
                Some(x) => out = out.replace(&placeholder, &x),
                None => {
                    missing.push(Missing {
                        label: name.clone(),
                        secret: var.is_secret,
                        kind,
                    });
                    return None;
                }
            }
        }
        return Some(out);
    }
    given(label).or_else(|| input.default.clone())
}

/// A named argument that takes no value (`--read-only`): nothing says what would follow it.
fn is_flag(a: &Argument) -> bool {
    a.kind == ArgumentKind::Named
        && a.input.value.is_none()
        && a.input.default.is_none()
        && a.value_hint.is_none()
        && a.input.choices.is_empty()
        && a.input.format.as_deref().is_none_or(|f| f == "boolean")
}

fn args_of(
    list: &[Argument],
    given: &dyn Fn(&str) -> Option<String>,
    argv: &mut Vec<String>,
    shown: &mut Vec<String>,
    missing: &mut Vec<Missing>,
) {
    for a in list {
        let label = a.label();
        if is_flag(a) {
            let flag = a.name.clone().unwrap_or_default();
            argv.push(flag.clone());
            shown.push(flag);
            continue;
        }
        let before = missing.len();
        let value = resolve(&a.input, &label, given, missing, "argument");
        let mask = |v: &str| {
            if a.input.is_secret {
                format!("<{label}>")
            } else {
                v.to_owned()
            }
        };
        match (a.kind, value) {
            (ArgumentKind::Named, Some(v)) => {
                let flag = a.name.clone().unwrap_or_default();
                argv.push(flag.clone());
                shown.push(flag);
                argv.push(v.clone());
                shown.push(mask(&v));
            }
            (ArgumentKind::Positional, Some(v)) => {
                argv.push(v.clone());
                shown.push(mask(&v));
            }
            (kind, None) => {
                if missing.len() == before && a.input.is_required {
                    missing.push(Missing {
                        label: label.clone(),
                        secret: a.input.is_secret,
                        kind: "argument",
                    });
                }
                if a.input.is_required {
                    if kind == ArgumentKind::Named {
                        shown.push(a.name.clone().unwrap_or_default());
                    }
                    shown.push(format!("{{{label}}}"));
                }
            }
        }
    }
}

/// The values of a list of arguments, as the command line gets them.
pub fn resolve_args(list: &[Argument], given: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let (mut argv, mut shown, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    args_of(list, given, &mut argv, &mut shown, &mut missing);
    argv
}

/// The command line of an npm or PyPI package: runtime, runtime arguments, the package at
/// its version, package arguments; and its environment.
pub fn command_line(p: &Package, given: &dyn Fn(&str) -> Option<String>) -> CommandLine {
    let mut argv = Vec::new();
    let mut shown = Vec::new();
    let mut missing = Vec::new();
    let (default_runtime, spec) = match p.registry_type.as_str() {
        "pypi" => (
            "uvx",
            match &p.version {
                Some(v) => format!("{}=={v}", p.identifier),
                None => p.identifier.clone(),
            },
        ),
        _ => (
            "npx",
            match &p.version {
                Some(v) => format!("{}@{v}", p.identifier),
                None => p.identifier.clone(),
            },
        ),
    };
    let runtime = p
        .runtime_hint
        .clone()
        .unwrap_or_else(|| default_runtime.into());
    argv.push(runtime.clone());
    shown.push(runtime.clone());
    args_of(
        &p.runtime_arguments,
        given,
        &mut argv,
        &mut shown,
        &mut missing,
    );
    if runtime == "npx" && !argv.iter().any(|a| a == "-y" || a == "--yes") {
        argv.push("-y".into());
        shown.push("-y".into());
    }
    argv.push(spec.clone());
    shown.push(spec);
    args_of(
        &p.package_arguments,
        given,
        &mut argv,
        &mut shown,
        &mut missing,
    );
    let mut env = BTreeMap::new();
    for e in &p.environment_variables {
        let before = missing.len();
        match resolve(
            &e.input,
            &e.name,
            given,
            &mut missing,
            "environment variable",
        ) {
            Some(v) => {
                env.insert(e.name.clone(), v);
            }
            None if e.input.is_required && missing.len() == before => missing.push(Missing {
                label: e.name.clone(),
                secret: e.input.is_secret || looks_secret(&e.name),
                kind: "environment variable",
            }),
            None => {}
        }
    }
    CommandLine {
        argv,
        shown,
        env,
        missing,
    }
}

/// A remote's URL with its `{variables}` filled in from their values, what the caller gave,
/// or their defaults.
pub fn remote_url(
    r: &Remote,
    given: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Vec<Missing>> {
    let mut out = r.url.clone();
    let mut missing = Vec::new();
    for c in PLACEHOLDER.captures_iter(&r.url) {
        let name = &c[1];
        let var = r.variables.get(name);
        let v = var
            .and_then(|v| v.value.clone())
            .or_else(|| given(name))
            .or_else(|| var.and_then(|v| v.default.clone()));
        match v {
            Some(v) => out = out.replace(&c[0], &v),
            None => missing.push(Missing {
                label: name.to_owned(),
                secret: var.is_some_and(|v| v.is_secret),
                kind: "URL variable",
            }),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// Every input a package or remote asks of whoever runs it, for client configurations:
/// (label, the input, where it goes).
pub fn inputs_of_package(p: &Package) -> Vec<(String, Input, &'static str)> {
    let mut out = Vec::new();
    let push_vars = |input: &Input, out: &mut Vec<(String, Input, &'static str)>| {
        for (n, v) in &input.variables {
            if v.value.is_none() {
                out.push((n.clone(), v.clone(), "variable"));
            }
        }
    };
    for a in p.runtime_arguments.iter().chain(&p.package_arguments) {
        if is_flag(a) {
            continue;
        }
        if a.input.value.is_some() {
            push_vars(&a.input, &mut out);
            continue;
        }
        let label = a.label();
        out.push((label, a.input.clone(), "argument"));
    }
    for e in &p.environment_variables {
        if e.input.value.is_some() {
            push_vars(&e.input, &mut out);
        } else {
            out.push((e.name.clone(), e.input.clone(), "environment variable"));
        }
    }
    out
}

/// Every name a live check may be given a value under, and whether it is a secret: the
/// inputs of the package or remote it runs.
pub fn declared_inputs(s: &Server) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    if let Some(p) = s.launch_package.and_then(|i| s.packages.get(i)) {
        for (label, input, _) in inputs_of_package(p) {
            out.push((label.clone(), input.is_secret || looks_secret(&label)));
        }
    }
    for r in &s.remotes {
        for (n, v) in &r.variables {
            out.push((n.clone(), v.is_secret));
        }
        for h in &r.headers {
            for (n, v) in &h.input.variables {
                out.push((n.clone(), v.is_secret));
            }
            if h.input.value.is_none() {
                out.push((h.name.clone(), h.input.is_secret || looks_secret(&h.name)));
            }
        }
    }
    out
}

/// `Map` of the given fields, for writing server.json objects.
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        if !v.is_null() {
            m.insert(k.to_owned(), v);
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(v: Value) -> Package {
        let mut f = Findings::new(None);
        let mut w = Walker::new(&mut f);
        let rules = Rules {
            version: LATEST,
            package_version_required: false,
            legacy: false,
        };
        let p = package(&mut w, &v, "/packages/0", &rules);
        assert!(f.items.is_empty(), "{:?}", f.items);
        p.expect("package")
    }

    #[test]
    fn command_lines_keep_every_argument() {
        let p = pkg(serde_json::json!({
            "registryType": "npm", "identifier": "@x/files", "version": "1.0.0",
            "transport": {"type": "stdio"},
            "packageArguments": [
                {"type": "named", "name": "--mode", "default": "local", "choices": ["local", "proxy"]},
                {"type": "positional", "valueHint": "root", "isRequired": true},
                {"type": "named", "name": "-e", "value": "DB={db}", "variables": {"db": {"default": "pg"}}}
            ],
            "environmentVariables": [
                {"name": "BRAVE_API_KEY", "isRequired": true, "isSecret": true},
                {"name": "LOG", "default": "info"}
            ]
        }));
        let none = command_line(&p, &|_| None);
        assert_eq!(
            none.shown,
            [
                "npx",
                "-y",
                "@x/files@1.0.0",
                "--mode",
                "local",
                "{root}",
                "-e",
                "DB=pg"
            ]
        );
        assert_eq!(none.missing.len(), 2);
        assert!(none
            .missing
            .iter()
            .any(|m| m.label == "BRAVE_API_KEY" && m.secret));
        assert_eq!(none.env.get("LOG").map(String::as_str), Some("info"));
        let given = |k: &str| match k {
            "root" => Some("/srv".to_string()),
            "BRAVE_API_KEY" => Some("k".to_string()),
            _ => None,
        };
        let all = command_line(&p, &given);
        assert!(all.missing.is_empty());
        assert_eq!(
            all.argv,
            [
                "npx",
                "-y",
                "@x/files@1.0.0",
                "--mode",
                "local",
                "/srv",
                "-e",
                "DB=pg"
            ]
        );
        assert_eq!(all.env.get("BRAVE_API_KEY").map(String::as_str), Some("k"));
    }

    #[test]
    fn legacy_pointers_name_the_fields_as_written() {
        assert_eq!(
            legacy_pointer("/packages/0/environmentVariables/1/isSecret"),
            "/packages/0/environment_variables/1/is_secret"
        );
    }

    #[test]
    fn ranges_are_told_from_versions() {
        for r in ["^1.2.3", "~1.2", ">=1", "1.x", "1.*", "1 - 2"] {
            assert!(is_range(r), "{r}");
        }
        for v in ["1.0", "2025.01.15", "1.2.3-beta.1", "v3"] {
            assert!(!is_range(v), "{v}");
        }
    }
}
