//! `pc-hybrid mcp ...`: the registry's commands as operation requests, and their results
//! as tables and documents.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::cli::{LiveArgs, McpCommand};
use crate::error::{Error, Result};
use crate::ops::{self, CallerPath, Request};
use crate::output::{Format, Output, Tabular};
use crate::registry::{self, model::Severity, Report};
use crate::store::RegistryEntry;

use super::when;

/// The request of an `mcp` command line; a live check takes the declared inputs' values
/// from `env`.
pub fn request(cmd: &McpCommand, env: &dyn Fn(&str) -> Option<String>) -> Result<Request> {
    let named = |name: &str, version: &Option<String>| ops::Named {
        name: name.into(),
        version: version.clone(),
    };
    Ok(match cmd {
        McpCommand::Register(a) => {
            let file = CallerPath::here(a.file.clone());
            let live = live(&a.live, std::slice::from_ref(&file), env)?;
            Request::RegisterServer(Box::new(ops::RegisterServer {
                source: ops::ServerSource::File(file),
                live,
                replace: a.replace,
            }))
        }
        McpCommand::Validate(a) => {
            let files: Vec<CallerPath> = a.files.iter().cloned().map(CallerPath::here).collect();
            let live = live(&a.live, &files, env)?;
            Request::ValidateServers(Box::new(ops::ValidateServers { files, live }))
        }
        McpCommand::List => Request::ListServers,
        McpCommand::Show(a) => Request::ShowServer(named(&a.name, &a.version)),
        McpCommand::Remove(a) => Request::RemoveServer(named(&a.name, &a.version)),
        McpCommand::Export(a) => Request::ExportServer(ops::Export {
            server: named(&a.name, &a.version),
            format: a.format,
            namespace: a.namespace.clone(),
        }),
        McpCommand::ClientConfig(a) => Request::ClientConfig {
            server: named(&a.name, &a.version),
            client: a.client,
        },
        McpCommand::Rules => Request::Rules,
        McpCommand::Approve(a) => super::gateway::approve_request(a),
    })
}

fn live(
    a: &LiveArgs,
    files: &[CallerPath],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ops::LiveRequest> {
    let mut inputs = std::collections::BTreeMap::new();
    for f in &a.inputs {
        let Some((k, v)) = f.split_once('=') else {
            return Err(Error::usage(
                format!("--input `{}` is not NAME=VALUE", f.escape_debug()),
                None,
            ));
        };
        inputs.insert(k.to_owned(), v.to_owned());
    }
    Ok(ops::LiveRequest {
        live: a.live,
        launch: a.launch,
        timeout_seconds: a.timeout,
        inputs,
        environment: if a.live {
            ops::declared_environment(files, env)
        } else {
            Default::default()
        },
    })
}

/// A document to hand to another tool: JSON or YAML as asked, else its natural format.
pub fn document(out: &Output, doc: &Value, json_by_default: bool) -> Result<()> {
    let json = match out.format {
        Format::Json => true,
        Format::Yaml => false,
        Format::Table => json_by_default,
    };
    let text = if json {
        let mut t =
            serde_json::to_string_pretty(doc).map_err(|e| Error::Internal(e.to_string()))?;
        t.push('\n');
        t
    } else {
        serde_yaml_ng::to_string(doc).map_err(|e| Error::Internal(e.to_string()))?
    };
    out.raw(text.as_bytes());
    Ok(())
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Reports<'a>(pub &'a [Report]);

fn mark(status: &str) -> &'static str {
    match status {
        "True" => "passed",
        "False" => "FAILED",
        _ => "-",
    }
}

impl Tabular for Reports<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "file", "name", "version", "format", "schema", "policy", "contract", "live", "phase",
        ]);
        let mut findings = out.table(&["file", "severity", "rule", "where", "message"]);
        let mut live = out.table(&[
            "file",
            "launch",
            "protocol",
            "server",
            "tools",
            "ready ms",
            "handshake ms",
            "total ms",
        ]);
        let mut any_findings = false;
        let mut any_live = false;
        for r in self.0 {
            let file = r
                .file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_default();
            let cond = |k: &str| {
                r.conditions
                    .iter()
                    .find(|c| c.kind == k)
                    .map(|c| mark(&c.status))
                    .unwrap_or("-")
            };
            t.add_row(vec![
                file.clone(),
                r.name.clone().unwrap_or_default(),
                r.version.clone().unwrap_or_default(),
                r.format.map(|f| f.as_str().to_string()).unwrap_or_default(),
                cond("SchemaValid").into(),
                cond("PolicyCompliant").into(),
                cond("ContractValid").into(),
                cond("LiveVerified").into(),
                r.phase.as_str().into(),
            ]);
            for f in &r.findings {
                any_findings = true;
                let at = match (f.line, f.column) {
                    (Some(l), Some(c)) => format!(
                        "{} ({l}:{c})",
                        if f.pointer.is_empty() {
                            "/"
                        } else {
                            &f.pointer
                        }
                    ),
                    _ => {
                        if f.pointer.is_empty() {
                            "/".into()
                        } else {
                            f.pointer.clone()
                        }
                    }
                };
                findings.add_row(vec![
                    file.clone(),
                    match f.severity {
                        Severity::Error => "error".into(),
                        Severity::Warning => "warning".into(),
                    },
                    f.rule.clone(),
                    at,
                    f.message.clone(),
                ]);
            }
            if let Some(l) = &r.live {
                any_live = true;
                let server = l
                    .server_info
                    .as_ref()
                    .map(|i| {
                        format!(
                            "{} {}",
                            i.get("name").and_then(Value::as_str).unwrap_or("?"),
                            i.get("version").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .unwrap_or_default();
                live.add_row(vec![
                    file.clone(),
                    l.launch.as_str().into(),
                    l.protocol_version.clone().unwrap_or_default(),
                    server,
                    l.tools.len().to_string(),
                    format!("{:.0}", l.timings.ready_ms),
                    format!("{:.0}", l.timings.initialize_ms + l.timings.list_ms),
                    format!("{:.0}", l.timings.total_ms),
                ]);
            }
        }
        let mut v = vec![t];
        if any_live {
            v.push(live);
        }
        if any_findings {
            v.push(findings);
        }
        v
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Entries<'a>(pub &'a [RegistryEntry]);

/// The fields of a manifest a listing shows, read without building the rest.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Listed<'a> {
    #[serde(borrow)]
    spec: ListedSpec<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListedSpec<'a> {
    #[serde(borrow)]
    transport: Cow<'a, str>,
    #[serde(borrow)]
    image: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    command: Option<Vec<Cow<'a, str>>>,
    capabilities: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NotLaunchable<'a> {
    #[serde(borrow)]
    not_launchable: Option<Cow<'a, str>>,
}

fn summary(e: &RegistryEntry) -> (String, String, usize) {
    let listed: Listed = e.manifest.read().unwrap_or_default();
    let spec = listed.spec;
    let runs = if let Some(i) = spec.image.or(spec.url) {
        i.into_owned()
    } else if let Some(c) = spec.command {
        c.join(" ")
    } else if let Some(why) = e
        .report
        .read::<NotLaunchable>()
        .ok()
        .and_then(|r| r.not_launchable)
    {
        format!("not launchable here: {why}")
    } else {
        String::new()
    };
    (spec.transport.into_owned(), runs, spec.capabilities.len())
}

impl Tabular for Entries<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "name",
            "version",
            "kind",
            "format",
            "transport",
            "runs",
            "capabilities",
            "phase",
            "registered",
        ]);
        for e in self.0 {
            let (transport, runs, caps) = summary(e);
            t.add_row(vec![
                e.name.clone(),
                e.version.clone(),
                e.kind.to_string(),
                e.format.to_string(),
                transport,
                runs,
                caps.to_string(),
                e.phase.to_string(),
                when(&e.registered_at),
            ]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Shown<'a>(pub &'a RegistryEntry);

impl Tabular for Shown<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let e = self.0;
        let (transport, runs, _) = summary(e);
        let m = e.manifest.value();
        let sec = &m["spec"]["security"];
        let mut rows = vec![
            ("name", e.name.clone()),
            ("version", e.version.clone()),
            ("kind", e.kind.to_string()),
            ("format", e.format.to_string()),
            ("phase", e.phase.to_string()),
            ("registered", when(&e.registered_at)),
            ("transport", transport),
            ("runs", runs),
            (
                "environment",
                m["spec"]["environment"].as_str().unwrap_or("").into(),
            ),
            ("replicas", m["spec"]["replicas"].to_string()),
            ("sandbox", sec["sandboxLevel"].as_str().unwrap_or("").into()),
            (
                "network",
                sec["networkAccess"].as_str().unwrap_or("").into(),
            ),
            (
                "data",
                sec["dataClassification"].as_str().unwrap_or("").into(),
            ),
        ];
        if let Some(a) = &e.agent_name {
            rows.insert(3, ("agent", a.clone()));
        }
        let mut tables = vec![out.record(&rows)];
        let mut caps = out.table(&["capability", "method", "endpoint", "description"]);
        for c in m["spec"]["capabilities"].as_array().into_iter().flatten() {
            caps.add_row(vec![
                c["name"].as_str().unwrap_or("").to_string(),
                c["method"].as_str().unwrap_or("tools/call").to_string(),
                c["endpoint"].as_str().unwrap_or("").to_string(),
                c["description"].as_str().unwrap_or("").to_string(),
            ]);
        }
        tables.push(caps);
        let mut conds = out.table(&["condition", "status", "reason", "message"]);
        for c in m["status"]["conditions"].as_array().into_iter().flatten() {
            conds.add_row(vec![
                c["type"].as_str().unwrap_or("").to_string(),
                c["status"].as_str().unwrap_or("").to_string(),
                c["reason"].as_str().unwrap_or("").to_string(),
                c["message"].as_str().unwrap_or("").to_string(),
            ]);
        }
        tables.push(conds);
        tables
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Removed<'a>(pub &'a [registry::Removed]);

impl Tabular for Removed<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["removed", "version"]);
        for r in self.0 {
            t.add_row(vec![r.name.clone(), r.version.clone()]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Rules<'a>(pub &'a [registry::policy::RuleInfo]);

impl Tabular for Rules<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["rule", "severity", "what it requires"]);
        for r in self.0 {
            t.add_row(vec![
                r.id.clone(),
                match r.severity {
                    Severity::Error => "error".into(),
                    Severity::Warning => "warning".into(),
                },
                r.summary.clone(),
            ]);
        }
        vec![t]
    }
}
