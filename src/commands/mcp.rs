//! `pc-hybrid mcp ...`: the registry's commands. Each resolves what it needs, calls the
//! registry and renders the result.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::cli::{ExportFormat, Launch, LiveArgs, McpClient, McpCommand};
use crate::error::{Error, Result};
use crate::output::{Format, Output, Tabular};
use crate::registry::client_config::Client;
use crate::registry::{self, live, model::Severity, Report};
use crate::settings::Settings;
use crate::store::RegistryEntry;

use super::{open_store, when};

pub async fn run(cmd: &McpCommand, s: &Settings, out: &Output) -> Result<()> {
    match cmd {
        McpCommand::Register(a) => {
            let mut report = registry::check_file(&a.file);
            if report.passed() && a.live.live {
                live_check(&mut report, &a.file, &a.live, s).await?;
            }
            let store = open_store(s)?;
            let result = registry::register(store.as_ref(), &report, a.replace);
            out.data(&Reports(vec![report]))?;
            let e = result?;
            out.note(&format!(
                "registered {} {} ({})",
                e.name, e.version, e.format
            ));
            if let Some(why) = e.report["not_launchable"].as_str() {
                out.note(&format!(
                    "it cannot be started here, so it cannot be checked live: {why}"
                ));
            }
            Ok(())
        }
        McpCommand::Validate(a) => {
            let mut reports = registry::check_files(&a.files, !a.live.live);
            if a.live.live {
                for (r, f) in reports.iter_mut().zip(&a.files) {
                    if r.passed() {
                        live_check(r, f, &a.live, s).await?;
                    }
                    r.compact();
                }
            }
            let failed: Vec<&Report> = reports.iter().filter(|r| !r.passed()).collect();
            let err = match failed.as_slice() {
                [] => None,
                [one] if reports.len() == 1 => one.to_error(true),
                many => {
                    let live_only = many
                        .iter()
                        .all(|r| r.errors().all(|f| f.stage == registry::model::Stage::Live));
                    let msg = format!(
                        "{} of {} files failed validation",
                        many.len(),
                        reports.len()
                    );
                    Some(if live_only {
                        Error::failed(
                            msg,
                            Some("the findings above say what failed, file by file"),
                        )
                    } else {
                        Error::usage(
                            msg,
                            Some("the findings above say what failed, file by file"),
                        )
                    })
                }
            };
            out.data(&Reports(reports))?;
            match err {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
        McpCommand::List => {
            let entries = open_store(s)?.registry_entries()?;
            if entries.is_empty() && out.format == Format::Table {
                out.note("no MCP servers registered yet: `pc-hybrid mcp register FILE` adds one");
            }
            out.data(&Entries(entries))
        }
        McpCommand::Show(a) => {
            let e = registry::find(open_store(s)?.as_ref(), &a.name, a.version.as_deref())?;
            out.data(&Shown(e))
        }
        McpCommand::Remove(a) => {
            let removed = registry::remove(open_store(s)?.as_ref(), &a.name, a.version.as_deref())?;
            for (n, v) in &removed {
                out.note(&format!("removed {n} {v}"));
            }
            out.data(&Removed(removed))
        }
        McpCommand::Export(a) => {
            let e = registry::find(open_store(s)?.as_ref(), &a.name, a.version.as_deref())?;
            let server = registry::server_of(&e)?;
            let doc = match a.format {
                ExportFormat::Manifest => registry::export::manifest(&server),
                ExportFormat::ServerJson => {
                    let (doc, warnings) = registry::export::server_json(
                        &server,
                        &e.source,
                        &a.namespace,
                        e.kind == "agent",
                    );
                    for w in warnings {
                        out.warn(&w);
                    }
                    doc
                }
            };
            document(out, &doc, a.format == ExportFormat::ServerJson)
        }
        McpCommand::ClientConfig(a) => {
            let store = open_store(s)?;
            let e = registry::find(store.as_ref(), &a.name, a.version.as_deref())?;
            let server = registry::server_of(&e)?;
            let client = match a.client {
                McpClient::Claude => Client::Claude,
                McpClient::Cursor => Client::Cursor,
                McpClient::Vscode => Client::Vscode,
            };
            let progress = out.progress("environment");
            let how = registry::client_config::connect(
                store.as_ref(),
                &e,
                &super::deploy::local_options(s),
                &progress,
            )
            .await?;
            let c = registry::client_config::client_config(&server, client, &how);
            for n in c.notes {
                out.note(&n);
            }
            document(out, &c.document, true)
        }
        McpCommand::Rules => out.data(&Rules(registry::policy::rules())),
    }
}

/// A document to hand to another tool: JSON or YAML as asked, else its natural format.
fn document(out: &Output, doc: &Value, json_by_default: bool) -> Result<()> {
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

/// The values a live check gives a server for what its definition leaves open: `--input`
/// flags, and the caller's environment for variables of the names it declares (the only
/// way a secret is given).
fn live_inputs(
    server: &registry::model::Server,
    flags: &[String],
) -> Result<BTreeMap<String, String>> {
    let declared = registry::server_json::declared_inputs(server);
    let mut inputs = BTreeMap::new();
    for f in flags {
        let Some((k, v)) = f.split_once('=') else {
            return Err(Error::usage(
                format!("--input `{}` is not NAME=VALUE", f.escape_debug()),
                None,
            ));
        };
        if declared.iter().any(|(n, secret)| n == k && *secret) {
            return Err(Error::usage(
                format!("`{k}` is a secret: it is never taken from the command line"),
                Some(&format!(
                    "set it in the environment as {k} (e.g. `read -rs {k}; export {k}`)"
                )),
            ));
        }
        inputs.insert(k.to_owned(), v.to_owned());
    }
    for (name, _) in declared {
        if let std::collections::btree_map::Entry::Vacant(e) = inputs.entry(name) {
            if let Some(v) = std::env::var_os(e.key()).and_then(|v| v.into_string().ok()) {
                e.insert(v);
            }
        }
    }
    Ok(inputs)
}

async fn live_check(report: &mut Report, file: &Path, a: &LiveArgs, s: &Settings) -> Result<()> {
    let Some(server) = report.server.clone() else {
        return Ok(());
    };
    if let Some(why) = &server.not_launchable {
        report.skip_live(why);
        return Ok(());
    }
    let inputs = live_inputs(&server, &a.inputs)?;
    let workdir = file
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| ".".into());
    let opts = live::LiveOptions {
        launch: a.launch.map(|l| match l {
            Launch::Command => live::LaunchKind::Command,
            Launch::Image => live::LaunchKind::Image,
            Launch::Url => live::LaunchKind::Url,
        }),
        timeout: a.timeout.map(|t| Duration::from_secs(t as u64)),
        workdir,
        scratch: s.paths.runtime_dir.clone(),
        path_env: s.sandbox_path.clone(),
        docker_host: s.docker_host.value.clone(),
        client_version: env!("CARGO_PKG_VERSION").into(),
        inputs,
        passthrough_env: s.sandbox_passthrough.clone(),
        cache_dir: s.cache_dir.clone(),
    };
    let outcome = live::run(&server, &opts).await?;
    report.add_live(outcome);
    Ok(())
}

#[derive(Serialize)]
#[serde(transparent)]
struct Reports(Vec<Report>);

fn mark(status: &str) -> &'static str {
    match status {
        "True" => "passed",
        "False" => "FAILED",
        _ => "-",
    }
}

impl Tabular for Reports {
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
        for r in &self.0 {
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
struct Entries(Vec<RegistryEntry>);

fn summary(e: &RegistryEntry) -> (String, String, usize) {
    let spec = &e.manifest["spec"];
    let transport = spec["transport"].as_str().unwrap_or("").to_string();
    let runs = if let Some(i) = spec["image"].as_str() {
        i.to_string()
    } else if let Some(u) = spec["url"].as_str() {
        u.to_string()
    } else if let Some(c) = spec["command"].as_array() {
        c.iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    } else if let Some(why) = e.report["not_launchable"].as_str() {
        format!("not launchable here: {why}")
    } else {
        String::new()
    };
    let caps = spec["capabilities"].as_array().map(Vec::len).unwrap_or(0);
    (transport, runs, caps)
}

impl Tabular for Entries {
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
        for e in &self.0 {
            let (transport, runs, caps) = summary(e);
            t.add_row(vec![
                e.name.clone(),
                e.version.clone(),
                e.kind.clone(),
                e.format.clone(),
                transport,
                runs,
                caps.to_string(),
                e.phase.clone(),
                when(&e.registered_at),
            ]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Shown(RegistryEntry);

impl Tabular for Shown {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let e = &self.0;
        let (transport, runs, _) = summary(e);
        let m = &e.manifest;
        let sec = &m["spec"]["security"];
        let mut rows = vec![
            ("name", e.name.clone()),
            ("version", e.version.clone()),
            ("kind", e.kind.clone()),
            ("format", e.format.clone()),
            ("phase", e.phase.clone()),
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
struct RemovedEntry {
    name: String,
    version: String,
}

struct Removed(Vec<(String, String)>);

impl Serialize for Removed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(n, v)| RemovedEntry {
            name: n.clone(),
            version: v.clone(),
        }))
    }
}

impl Tabular for Removed {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["removed", "version"]);
        for (n, v) in &self.0 {
            t.add_row(vec![n.clone(), v.clone()]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
struct Rules(Vec<registry::policy::RuleInfo>);

impl Tabular for Rules {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["rule", "severity", "what it requires"]);
        for r in &self.0 {
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
