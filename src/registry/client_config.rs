//! The snippet that connects an MCP client (Claude Desktop, Cursor, VS Code) to a server, in
//! the format each client documents, with every value a server leaves to its user asked for
//! the client's own way (VS Code `inputs`, Cursor `${env:NAME}`, a placeholder and a note for
//! Claude); secrets are never filled in.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use super::export::dns_name;
use super::model::{Input, Server, Transport};
use super::server_json::{self, looks_secret};

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
#[serde(rename_all = "lowercase")]
pub enum Client {
    Claude,
    Cursor,
    Vscode,
}

impl Client {
    /// Where the client reads its configuration.
    pub fn file(self) -> &'static str {
        match self {
            Client::Claude => "claude_desktop_config.json (Settings > Developer > Edit Config)",
            Client::Cursor => "~/.cursor/mcp.json (or .cursor/mcp.json in a project)",
            Client::Vscode => ".vscode/mcp.json",
        }
    }
}

/// How the client reaches the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Connect {
    /// As its definition says.
    Definition {
        /// The folder of the file it was registered from, for relative paths in a command.
        dir: Option<std::path::PathBuf>,
    },
    /// A deployment serving it at this MCP endpoint.
    Endpoint(String),
    /// A command that starts it over stdio (an agent's project with its own environment).
    Command {
        program: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
    },
}

pub struct ClientConfig {
    pub document: Value,
    pub notes: Vec<String>,
}

/// A value the user supplies: its id, what it is, and whether it is secret.
struct Ask {
    id: String,
    description: String,
    secret: bool,
    /// The environment variable it is read from (Cursor), when it is one.
    env: Option<String>,
}

struct Builder {
    client: Client,
    asks: Vec<Ask>,
}

impl Builder {
    /// The reference the client resolves for `label` (`${input:x}`, `${env:X}`, `<x>`).
    fn reference(&mut self, label: &str, input: Option<&Input>, env_name: Option<&str>) -> String {
        let id = label
            .trim_start_matches('-')
            .replace(['_', ' ', '.'], "-")
            .to_ascii_lowercase();
        let secret = input.is_some_and(|i| i.is_secret) || looks_secret(label);
        if !self.asks.iter().any(|a| a.id == id) {
            self.asks.push(Ask {
                id: id.clone(),
                description: input
                    .and_then(|i| i.description.clone())
                    .unwrap_or_else(|| label.to_owned()),
                secret,
                env: env_name.map(str::to_owned),
            });
        }
        match self.client {
            Client::Vscode => format!("${{input:{id}}}"),
            Client::Cursor => {
                let var = env_name.map(str::to_owned).unwrap_or_else(|| {
                    label
                        .trim_start_matches('-')
                        .replace('-', "_")
                        .to_ascii_uppercase()
                });
                format!("${{env:{var}}}")
            }
            Client::Claude => format!("<{label}>"),
        }
    }

    fn notes(&self, out: &mut Vec<String>) {
        if self.asks.is_empty() {
            return;
        }
        let names: Vec<String> = self
            .asks
            .iter()
            .map(|a| {
                format!(
                    "{}{} ({})",
                    a.env.as_deref().unwrap_or(&a.id),
                    if a.secret { ", secret" } else { "" },
                    a.description
                )
            })
            .collect();
        out.push(match self.client {
            Client::Vscode => format!("VS Code asks for these when the server first starts (secrets with a hidden prompt) and keeps them in its secret storage: {}", names.join("; ")),
            Client::Cursor => format!("Cursor reads these from your environment (`${{env:NAME}}`); export them before starting Cursor: {}", names.join("; ")),
            Client::Claude => format!("replace each <placeholder> in the file with its value (Claude Desktop does not ask for them); keep the file private when it holds a secret: {}", names.join("; ")),
        });
    }

    fn inputs_block(&self) -> Option<Value> {
        if self.client != Client::Vscode || self.asks.is_empty() {
            return None;
        }
        Some(Value::Array(
            self.asks
                .iter()
                .map(|a| {
                    json!({
                        "type": "promptString",
                        "id": a.id,
                        "description": a.description,
                        "password": a.secret,
                    })
                })
                .collect(),
        ))
    }
}

/// A stdio entry: how each client writes a command.
fn stdio_entry(
    client: Client,
    program: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
) -> Value {
    let mut m = Map::new();
    if client == Client::Vscode {
        m.insert("type".into(), json!("stdio"));
    }
    m.insert("command".into(), json!(program));
    m.insert("args".into(), json!(args));
    if !env.is_empty() {
        m.insert("env".into(), json!(env));
    }
    Value::Object(m)
}

/// An HTTP entry. Claude Desktop's configuration file starts stdio servers only, so it gets
/// the `mcp-remote` bridge.
fn http_entry(
    client: Client,
    transport: Transport,
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Value {
    match client {
        Client::Vscode => {
            let mut m = Map::new();
            m.insert(
                "type".into(),
                json!(if transport == Transport::Sse {
                    "sse"
                } else {
                    "http"
                }),
            );
            m.insert("url".into(), json!(url));
            if !headers.is_empty() {
                m.insert("headers".into(), json!(headers));
            }
            Value::Object(m)
        }
        Client::Cursor => {
            let mut m = Map::new();
            m.insert("url".into(), json!(url));
            if !headers.is_empty() {
                m.insert("headers".into(), json!(headers));
            }
            Value::Object(m)
        }
        Client::Claude => {
            let mut args = vec!["-y".to_string(), "mcp-remote".into(), url.to_owned()];
            for (k, v) in headers {
                args.push("--header".into());
                args.push(format!("{k}: {v}"));
            }
            json!({"command": "npx", "args": args})
        }
    }
}

/// The hardened `docker run` a client uses for a stdio image.
pub(crate) fn docker_args(image: &str, env_names: &[String], extra: &[String]) -> Vec<String> {
    let mut a: Vec<String> = [
        "run",
        "-i",
        "--rm",
        "--network",
        "none",
        "--read-only",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in env_names {
        // `-e NAME` passes the value from the client's environment for the server.
        a.push("-e".into());
        a.push(n.clone());
    }
    a.push(image.to_owned());
    a.extend(extra.iter().cloned());
    a
}

/// Arguments naming a file beside the definition, made absolute: a client starts the
/// command in a folder of its own.
fn absolute(args: &[String], dir: Option<&Path>) -> Vec<String> {
    args.iter()
        .map(|a| match dir {
            Some(d) if !a.starts_with('-') && !a.starts_with('/') && d.join(a).exists() => {
                d.join(a).display().to_string()
            }
            _ => a.clone(),
        })
        .collect()
}

/// The configuration that connects `client` to the gateway: `pc-hybrid gateway stdio`,
/// run as `exe`, with the home it keeps its data in when that is not the default.
pub fn gateway_config(client: Client, exe: &str, home: Option<&Path>) -> ClientConfig {
    let mut env = BTreeMap::new();
    if let Some(h) = home {
        env.insert("PROMPTCRAFT_HOME".to_string(), h.display().to_string());
    }
    let entry = stdio_entry(client, exe, &["gateway".into(), "stdio".into()], &env);
    let wrapper = if client == Client::Vscode {
        "servers"
    } else {
        "mcpServers"
    };
    ClientConfig {
        document: json!({ wrapper: { "pc-hybrid-gateway": entry } }),
        notes: vec![
            "every tool of the deployed agents and registered servers, through one entry".into(),
            format!("merge this into {}", client.file()),
        ],
    }
}

pub fn client_config(s: &Server, client: Client, how: &Connect) -> ClientConfig {
    let key = dns_name(&s.name);
    let mut notes = Vec::new();
    let mut b = Builder {
        client,
        asks: Vec::new(),
    };
    let entry = match how {
        Connect::Endpoint(url) => {
            notes.push(format!("{url} is the endpoint of its running deployment"));
            http_entry(client, Transport::StreamableHttp, url, &BTreeMap::new())
        }
        Connect::Command { program, args, env } => stdio_entry(client, program, args, env),
        Connect::Definition { dir } => definition_entry(s, &mut b, dir.as_deref(), &mut notes),
    };
    b.notes(&mut notes);
    let mut doc = Map::new();
    if let Some(inputs) = b.inputs_block() {
        doc.insert("inputs".into(), inputs);
    }
    let wrapper = if client == Client::Vscode {
        "servers"
    } else {
        "mcpServers"
    };
    doc.insert(wrapper.into(), json!({ key: entry }));
    notes.push(format!("merge this into {}", client.file()));
    ClientConfig {
        document: Value::Object(doc),
        notes,
    }
}

fn definition_entry(
    s: &Server,
    b: &mut Builder,
    dir: Option<&Path>,
    notes: &mut Vec<String>,
) -> Value {
    let client = b.client;
    if let Some(why) = &s.not_launchable {
        notes.push(format!(
            "this server cannot be started from a client configuration written here: {why}"
        ));
        return json!({});
    }
    // A server.json package: its own command line, every input the client's way.
    if let Some(p) = s.launch_package.and_then(|i| s.packages.get(i)) {
        let missing: Vec<String> = server_json::command_line(p, &|_| None)
            .missing
            .into_iter()
            .map(|m| m.label)
            .collect();
        let inputs = server_json::inputs_of_package(p);
        let mut refs: BTreeMap<String, String> = BTreeMap::new();
        for (label, input, kind) in &inputs {
            if missing.contains(label) {
                let env_name = (*kind == "environment variable").then_some(label.as_str());
                refs.insert(label.clone(), b.reference(label, Some(input), env_name));
            }
        }
        // Variables inside values (`DB_TYPE={db_type}`) that nothing fills in.
        for m in &missing {
            if !refs.contains_key(m) {
                refs.insert(m.clone(), b.reference(m, None, None));
            }
        }
        let given = |k: &str| refs.get(k).cloned();
        if p.registry_type == "oci" {
            let line = server_json::command_line(p, &given);
            let env_names: Vec<String> = p
                .environment_variables
                .iter()
                .map(|e| e.name.clone())
                .collect();
            // The package's own arguments follow the image; its runtime flags are replaced by
            // the hardened ones.
            let pkg_args = server_json::resolve_args(&p.package_arguments, &given);
            let image = server_json::oci_reference(p);
            return stdio_entry(
                client,
                "docker",
                &docker_args(&image, &env_names, &pkg_args),
                &line.env,
            );
        }
        let line = server_json::command_line(p, &given);
        if p.transport != Transport::Stdio {
            notes.push(format!(
                "{} serves streamable HTTP once started; this entry starts it for the client over its command line, so check that it also speaks stdio, or start it yourself and point the client at its URL",
                s.name
            ));
        }
        return stdio_entry(client, &line.argv[0], &line.argv[1..], &line.env);
    }
    if let Some(r) = s.remotes.iter().find(|r| Some(&r.url) == s.url.as_ref()) {
        let mut given_refs: BTreeMap<String, String> = BTreeMap::new();
        if let Err(missing) = server_json::remote_url(r, &|_| None) {
            for m in missing {
                let input = r.variables.get(&m.label).cloned();
                given_refs.insert(m.label.clone(), b.reference(&m.label, input.as_ref(), None));
            }
        }
        let url = server_json::remote_url(r, &|k| given_refs.get(k).cloned())
            .unwrap_or_else(|_| r.url.clone());
        let mut headers = BTreeMap::new();
        for h in &r.headers {
            // What the user supplies is a reference the client resolves; the rest is the
            // definition's own values and defaults.
            let mut refs: BTreeMap<String, String> = BTreeMap::new();
            for (n, v) in &h.input.variables {
                if v.value.is_none() && v.default.is_none() {
                    refs.insert(n.clone(), b.reference(n, Some(v), None));
                }
            }
            if h.input.value.is_none() && (h.input.is_required || h.input.is_secret) {
                refs.insert(h.name.clone(), b.reference(&h.name, Some(&h.input), None));
            }
            let given = |k: &str| refs.get(k).cloned();
            let mut unfilled = Vec::new();
            if let Some(v) =
                server_json::resolve(&h.input, &h.name, &given, &mut unfilled, "header")
            {
                headers.insert(h.name.clone(), v);
            }
        }
        return http_entry(client, r.transport, &url, &headers);
    }
    // Manifests and registration bodies: a command, an image or a URL.
    match (s.transport, &s.command, &s.image, &s.url) {
        (Transport::Stdio, Some(cmd), _, _) => {
            notes.push("the client starts the command in a folder of its own: arguments naming files beside the definition were made absolute".into());
            stdio_entry(client, &cmd[0], &absolute(&cmd[1..], dir), &s.env)
        }
        (Transport::Stdio, None, Some(image), _) => {
            let names: Vec<String> = s.env.keys().cloned().collect();
            stdio_entry(client, "docker", &docker_args(image, &names, &[]), &s.env)
        }
        (t, _, _, Some(u)) => http_entry(client, t, u, &BTreeMap::new()),
        (t, _, _, None) => {
            let url = format!("http://127.0.0.1:{}{}", s.port.unwrap_or(8000), s.mcp_path);
            notes.push(format!(
                "{} is a streamable-http server that is not running: start it first so that it listens at {url}",
                s.name
            ));
            http_entry(client, t, &url, &BTreeMap::new())
        }
    }
}

/// How a client reaches a registry entry: an agent's serving deployment (its endpoint), else
/// its project started with the project's own environment (built once, shared with local
/// deployments); any other server as its definition says.
pub async fn connect(
    store: &dyn crate::store::DomainStore,
    entry: &crate::store::RegistryEntry,
    local: &crate::deploy::local::LocalOptions,
    locks: &Path,
    progress: &dyn crate::progress::Progress,
) -> crate::error::Result<Connect> {
    let dir = entry.report.value()["file"]
        .as_str()
        .and_then(|f| Path::new(f).parent().map(Path::to_path_buf));
    let Some(agent) = entry
        .agent_name
        .as_deref()
        .filter(|_| entry.kind == crate::model::EntryKind::Agent)
    else {
        return Ok(Connect::Definition { dir });
    };
    for d in crate::deploy::observe(store, Some(agent), locks).await? {
        if let Some(r) = d
            .replicas
            .iter()
            .find(|r| crate::deploy::replica_healthy(r))
        {
            return Ok(Connect::Endpoint(r.endpoint.clone()));
        }
    }
    let Some(record) = store.agent(agent)? else {
        return Ok(Connect::Definition { dir });
    };
    let project = std::path::PathBuf::from(&record.project_dir);
    let python = crate::deploy::local::ensure_env(local, &project, progress)?;
    Ok(Connect::Command {
        program: python.display().to_string(),
        args: vec!["-m".into(), agent.to_owned()],
        env: BTreeMap::from([
            ("AGENT_HOME".to_string(), project.display().to_string()),
            (
                "PYTHONPATH".to_string(),
                project.join("src").display().to_string(),
            ),
        ]),
    })
}
