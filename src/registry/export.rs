//! What leaves the registry: a server as an MCPServer manifest or an official server.json
//! (to publish it), and the snippet that connects an MCP client (Claude, Cursor, VS Code).

use serde_json::{json, Map, Value};

use super::formats::{EXTENSION_LAUNCH_KEYS, EXTENSION_SPEC_KEYS, META_KEY, META_PUBLISHER};
use super::manifest::Manifest;
use super::model::{Server, SourceFormat, Transport};

/// What `mcp export` prints.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The official MCP Registry's server.json, to publish the server.
    ServerJson,
    /// An MCPServer manifest (`mcp.promptcraft.io/v1`).
    Manifest,
}

pub const SERVER_JSON_SCHEMA: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/// A DNS-1123 label made from any name (server.json names carry a namespace).
pub fn dns_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let mut s: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.truncate(63);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "server".into()
    } else {
        s
    }
}

/// The manifest of `s`, without registry status: what someone else could register.
pub fn manifest(s: &Server) -> Value {
    let mut m = Manifest::from_server(s, None);
    m.metadata.name = dns_name(&s.name);
    serde_json::to_value(m).unwrap_or(Value::Null)
}

/// Our extension of server.json: what the official format cannot say.
fn extension(s: &Server, note: Option<String>) -> Value {
    let m = Manifest::from_server(s, None);
    let spec = serde_json::to_value(&m.spec).unwrap_or(Value::Null);
    let mut ext = Map::new();
    if let Some(o) = &s.organization {
        ext.insert("organization".into(), json!(o));
    }
    if let Some(e) = &s.contact_email {
        ext.insert("contact_email".into(), json!(e));
    }
    for &key in EXTENSION_SPEC_KEYS {
        if let Some(v) = spec.get(key) {
            ext.insert(key.into(), v.clone());
        }
    }
    // A local command has no server.json words; a package-made one is the package's.
    if s.format != SourceFormat::ServerJson && s.command.is_some() {
        for &key in EXTENSION_LAUNCH_KEYS {
            if let Some(v) = spec.get(key) {
                ext.insert(key.into(), v.clone());
            }
        }
    }
    if let Some(n) = note {
        ext.insert("note".into(), json!(n));
    }
    Value::Object(ext)
}

/// `s` as an official server.json under `namespace` (`io.github.user`). A server that came
/// in as server.json keeps its name, packages and remotes. Returns warnings beside it.
pub fn server_json(
    s: &Server,
    source: &Value,
    namespace: &str,
    is_agent: bool,
) -> (Value, Vec<String>) {
    let mut warnings = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut doc = if s.format == SourceFormat::ServerJson {
        source.clone()
    } else {
        let description: String = s
            .description
            .as_deref()
            .unwrap_or(&s.name)
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(100)
            .collect();
        if s.description
            .as_deref()
            .is_some_and(|d| d.chars().count() > 100 || d.contains('\n'))
        {
            warnings.push("the description was cut to its first line and 100 characters, the server.json limit".into());
        }
        let mut doc = json!({
            "$schema": SERVER_JSON_SCHEMA,
            "name": format!("{namespace}/{}", s.name),
            "description": if description.trim().is_empty() { s.name.clone() } else { description },
            "version": s.version,
        });
        if let Some(t) = &s.title {
            doc["title"] = json!(t);
        }
        if let Some(image) = &s.image {
            let transport = match s.transport {
                Transport::Stdio => json!({"type": "stdio"}),
                t => {
                    json!({"type": t.as_str(), "url": format!("http://localhost:{}{}", s.port.unwrap_or(8000), s.mcp_path)})
                }
            };
            doc["packages"] =
                json!([{"registryType": "oci", "identifier": image, "transport": transport}]);
        }
        if let Some(u) = &s.url {
            doc["remotes"] = json!([{"type": s.transport.as_str(), "url": u}]);
        }
        if s.command.is_some() {
            let cmd = s.command.as_deref().unwrap_or_default().join(" ");
            let n = format!("runs from the local command `{cmd}`, which server.json cannot describe: it is kept here for pc-hybrid; publish a package or a remote URL for others to use it");
            warnings.push(format!("the server {n}"));
            notes.push(n);
        }
        if is_agent {
            if let Some(image) = &s.image {
                let n = format!("the image {image} is the one `pc-hybrid deploy-agent --target docker` builds (and pushes when a registry is set); build and push it before publishing this file");
                warnings.push(n.clone());
                notes.push(n);
            }
        }
        doc
    };
    let meta = doc
        .as_object_mut()
        .expect("server.json is an object")
        .entry("_meta")
        .or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        let publisher = m.entry(META_PUBLISHER).or_insert_with(|| json!({}));
        if let Some(p) = publisher.as_object_mut() {
            p.insert(
                META_KEY.into(),
                extension(s, (!notes.is_empty()).then(|| notes.join("; "))),
            );
        }
    }
    (doc, warnings)
}
