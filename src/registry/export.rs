//! What leaves the registry: a server as an MCPServer manifest or an official server.json
//! (to publish it), and the snippet that connects an MCP client (Claude, Cursor, VS Code).

use serde_json::{json, Map, Value};

use super::formats::{EXTENSION_SPEC_KEYS, META_KEY, META_PUBLISHER};
use super::manifest::Manifest;
use super::model::{Server, SourceFormat, Transport};

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
fn extension(s: &Server) -> Value {
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
    Value::Object(ext)
}

/// `s` as an official server.json under `namespace` (`io.github.user`). A server that came
/// in as server.json keeps its name, packages and remotes. Returns warnings beside it.
pub fn server_json(s: &Server, source: &Value, namespace: &str) -> (Value, Vec<String>) {
    let mut warnings = Vec::new();
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
        if s.image.is_none() && s.url.is_none() {
            warnings.push("the server runs from a local command, which server.json cannot describe: publish an image or a remote URL for others to use it".into());
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
            p.insert(META_KEY.into(), extension(s));
        }
    }
    (doc, warnings)
}

/// Clients `client-config` can write for.
pub const CLIENTS: &[&str] = &["claude", "cursor", "vscode"];

/// The configuration entry that connects `client` to `s`, and notes for the user.
pub fn client_config(s: &Server, client: &str) -> (Value, Vec<String>) {
    let key = dns_name(&s.name);
    let mut notes = Vec::new();
    // What a client can start itself: a stdio command, or a stdio image under docker.
    let stdio: Option<(String, Vec<String>)> = match (s.transport, &s.command, &s.image) {
        (Transport::Stdio, Some(cmd), _) => Some((cmd[0].clone(), cmd[1..].to_vec())),
        (Transport::Stdio, None, Some(image)) => Some((
            "docker".into(),
            vec![
                "run".into(),
                "-i".into(),
                "--rm".into(),
                "--network".into(),
                "none".into(),
                "--read-only".into(),
                "--cap-drop".into(),
                "ALL".into(),
                "--security-opt".into(),
                "no-new-privileges".into(),
                image.clone(),
            ],
        )),
        _ => None,
    };
    let url = match (&s.url, s.transport) {
        (Some(u), _) => Some(u.clone()),
        (None, Transport::Stdio) => None,
        (None, _) => {
            notes.push(format!(
                "{} is a streamable-http server: start it first (`pc-hybrid deploy-agent` or its own command) so that it listens on port {}",
                s.name,
                s.port.unwrap_or(8000)
            ));
            Some(format!(
                "http://127.0.0.1:{}{}",
                s.port.unwrap_or(8000),
                s.mcp_path
            ))
        }
    };
    if s.command.is_some() && s.transport == Transport::Stdio {
        notes.push("the command runs in the client's working directory: use absolute paths if it needs files".into());
    }
    let env = json!(s.env);
    let entry = match (client, &stdio, &url) {
        ("vscode", Some((cmd, args)), _) => {
            json!({"type": "stdio", "command": cmd, "args": args, "env": env})
        }
        ("vscode", None, Some(u)) => json!({"type": "http", "url": u}),
        ("cursor", Some((cmd, args)), _) => json!({"command": cmd, "args": args, "env": env}),
        ("cursor", None, Some(u)) => json!({"url": u}),
        (_, Some((cmd, args)), _) => json!({"command": cmd, "args": args, "env": env}),
        // Claude Desktop starts stdio servers only; mcp-remote bridges to an HTTP one.
        (_, None, Some(u)) => json!({"command": "npx", "args": ["-y", "mcp-remote", u]}),
        (_, None, None) => json!({}),
    };
    let wrapper = if client == "vscode" {
        "servers"
    } else {
        "mcpServers"
    };
    let file = match client {
        "vscode" => ".vscode/mcp.json",
        "cursor" => "~/.cursor/mcp.json",
        _ => "claude_desktop_config.json",
    };
    notes.push(format!("merge this into {file}"));
    (json!({ wrapper: { key: entry } }), notes)
}
