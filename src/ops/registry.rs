//! Operations on the MCP registry: register, validate, list, show, remove, export, client
//! configuration.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::EntryKind;
use crate::registry::client_config::Client;
use crate::registry::export::Format;
use crate::registry::{self, live, Report};

use super::{CallerPath, Cancel, Context, Reply, Response, Sink, Steps};

/// A live check asked for with a registration or validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LiveRequest {
    #[serde(default)]
    pub live: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<live::LaunchKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// Values for what a definition leaves open, given as `--input NAME=VALUE`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    /// Values of the declared inputs found in the caller's environment (the only way a
    /// secret is given).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub environment: crate::secret::SecretValues,
}

fn is_empty(v: &crate::secret::SecretValues) -> bool {
    v.0.is_empty()
}

/// Where a definition to register comes from.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServerSource {
    File(CallerPath),
    /// The definition itself (JSON or YAML), as an API body carries it.
    Body(String),
}

/// `mcp.register`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterServer {
    pub source: ServerSource,
    #[serde(default)]
    pub live: LiveRequest,
    #[serde(default)]
    pub replace: bool,
}

/// `mcp.validate`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateServers {
    pub files: Vec<CallerPath>,
    #[serde(default)]
    pub live: LiveRequest,
}

/// A registered server, and one version of it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `mcp.export`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub server: Named,
    pub format: Format,
    pub namespace: String,
}

/// The caller's environment values of the inputs the definitions in `files` declare: what a
/// command collects before it asks for a live check.
pub fn declared_environment(
    files: &[CallerPath],
    env: &dyn Fn(&str) -> Option<String>,
) -> crate::secret::SecretValues {
    let mut found = BTreeMap::new();
    for f in files {
        let report = registry::check_file(&f.resolved());
        if let Some(server) = &report.server {
            for (name, _) in registry::server_json::declared_inputs(server) {
                if let Some(v) = env(&name) {
                    found.insert(name, v);
                }
            }
        }
    }
    crate::secret::SecretValues(found)
}

/// Read and check `f`, its findings naming the file as the caller gave it.
fn check(f: &CallerPath) -> Report {
    let mut r = registry::check_file(&f.resolved());
    shown_as_given(&mut r, f);
    r
}

fn shown_as_given(r: &mut Report, f: &CallerPath) {
    if f.base.is_none() {
        return;
    }
    r.file = Some(f.path.clone());
    for finding in &mut r.findings {
        if finding.file.is_some() {
            finding.file = Some(f.path.clone());
        }
    }
}

pub async fn register(
    ctx: &Context,
    a: &RegisterServer,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    let mut report = match &a.source {
        ServerSource::File(f) => check(f),
        ServerSource::Body(text) => registry::check_bytes(text.as_bytes()),
    };
    if report.passed() && a.live.live {
        let workdir = match &a.source {
            ServerSource::File(f) => folder_of(f),
            ServerSource::Body(_) => ctx.settings.paths.data_dir.clone(),
        };
        live_check(ctx, &mut report, workdir, &a.live, cancel).await?;
    }
    let store = ctx.store()?;
    let result = registry::register(store.as_ref(), &report, a.replace);
    let registered = result.as_ref().ok().map(|e| e.name.clone());
    let error = match result {
        Ok(e) => {
            sink.note(&format!(
                "registered {} {} ({})",
                e.name, e.version, e.format
            ));
            let listed = report
                .live
                .as_ref()
                .map(|l| l.tool_definitions.as_slice())
                .unwrap_or_default();
            // Registered anew: what it was approved to present before no longer holds.
            store.remove_pins(&e.name)?;
            if !listed.is_empty() {
                let n = crate::gateway::catalog::pin_all(store.as_ref(), &e.name, listed)?;
                sink.note(&format!(
                    "pinned the definitions of its {n} tool(s) for the gateway"
                ));
            }
            if let Some(why) = e.report.value()["not_launchable"].as_str() {
                sink.note(&format!(
                    "it cannot be started here, so it cannot be checked live: {why}"
                ));
            }
            None
        }
        Err(e) => Some(e),
    };
    if let Some(name) = registered {
        if let Err(err) = ctx.gateway_changed(&name, false).await {
            log::warn!("refreshing the gateway: {err}");
        }
    }
    Ok(Reply {
        response: Response::Reports(vec![report]),
        error,
    })
}

pub async fn validate(ctx: &Context, a: &ValidateServers, cancel: &Cancel) -> Result<Reply> {
    let paths: Vec<_> = a.files.iter().map(CallerPath::resolved).collect();
    let mut reports = registry::check_files(&paths, !a.live.live);
    for (r, f) in reports.iter_mut().zip(&a.files) {
        shown_as_given(r, f);
    }
    if a.live.live {
        for (r, f) in reports.iter_mut().zip(&a.files) {
            if r.passed() {
                live_check(ctx, r, folder_of(f), &a.live, cancel).await?;
            }
            r.compact();
        }
    }
    let error = registry::combined_failure(&reports);
    Ok(Reply {
        response: Response::Reports(reports),
        error,
    })
}

/// Every entry, without the document it was registered from: a listing of a large
/// registry stays smaller, and `show` gives the whole entry.
pub fn list(ctx: &Context) -> Result<Reply> {
    let mut entries = ctx.store()?.registry_entries()?;
    for e in &mut entries {
        e.source = crate::model::Json::null();
    }
    Ok(Response::Servers(entries).into())
}

pub fn show(ctx: &Context, n: &Named) -> Result<Reply> {
    let e = registry::find(ctx.store()?.as_ref(), &n.name, n.version.as_deref())?;
    Ok(Response::Server(Box::new(e)).into())
}

pub fn remove(ctx: &Context, n: &Named, sink: &dyn Sink) -> Result<Reply> {
    let store = ctx.store()?;
    let removed = registry::remove(store.as_ref(), &n.name, n.version.as_deref())?;
    if !removed.is_empty() && registry::find(store.as_ref(), &n.name, None).is_err() {
        store.remove_pins(&n.name)?;
    }
    for r in &removed {
        sink.note(&format!("removed {} {}", r.name, r.version));
    }
    Ok(Response::Removed(removed).into())
}

pub fn export(ctx: &Context, a: &Export, sink: &dyn Sink) -> Result<Reply> {
    let e = registry::find(
        ctx.store()?.as_ref(),
        &a.server.name,
        a.server.version.as_deref(),
    )?;
    let server = registry::server_of(&e)?;
    let document = match a.format {
        Format::Manifest => registry::export::manifest(&server),
        Format::ServerJson => {
            let (doc, warnings) = registry::export::server_json(
                &server,
                &e.source.value(),
                &a.namespace,
                e.kind == EntryKind::Agent,
            );
            for w in warnings {
                sink.warn(&w);
            }
            doc
        }
    };
    Ok(Response::Document {
        document,
        json: a.format == Format::ServerJson,
    }
    .into())
}

pub async fn client_config(
    ctx: &Context,
    n: &Named,
    client: Client,
    sink: &dyn Sink,
) -> Result<Reply> {
    let store = ctx.store()?;
    let e = match registry::find(store.as_ref(), &n.name, n.version.as_deref()) {
        Err(Error::NotFound { .. }) if n.name == "gateway" && n.version.is_none() => {
            let exe = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "pc-hybrid".into());
            let c = registry::client_config::gateway_config(
                client,
                &exe,
                ctx.settings.paths.home.as_deref(),
            );
            for note in c.notes {
                sink.note(&note);
            }
            return Ok(Response::Document {
                document: c.document,
                json: true,
            }
            .into());
        }
        other => other?,
    };
    let server = registry::server_of(&e)?;
    let how = {
        let progress = Steps::new(sink, "environment");
        registry::client_config::connect(
            store.as_ref(),
            &e,
            &super::agents::local_options(&ctx.settings),
            &super::context::deployment_locks(&ctx.settings),
            &progress,
        )
        .await?
    };
    let c = registry::client_config::client_config(&server, client, &how);
    for note in c.notes {
        sink.note(&note);
    }
    Ok(Response::Document {
        document: c.document,
        json: true,
    }
    .into())
}

/// The values a live check gives a server for what its definition leaves open: `--input`
/// values, which may not name a secret, and the caller's environment for the rest.
fn live_inputs(
    server: &registry::model::Server,
    a: &LiveRequest,
) -> Result<BTreeMap<String, String>> {
    let declared = registry::server_json::declared_inputs(server);
    let mut inputs = BTreeMap::new();
    for (k, v) in &a.inputs {
        if declared.iter().any(|(n, secret)| n == k && *secret) {
            return Err(Error::usage(
                format!("`{k}` is a secret: it is never taken from the command line"),
                Some(&format!(
                    "set it in the environment as {k} (e.g. `read -rs {k}; export {k}`)"
                )),
            ));
        }
        inputs.insert(k.clone(), v.clone());
    }
    for (name, _) in declared {
        if let std::collections::btree_map::Entry::Vacant(e) = inputs.entry(name) {
            if let Some(v) = a.environment.0.get(e.key()) {
                let v = v.clone();
                e.insert(v);
            }
        }
    }
    Ok(inputs)
}

/// Where a file's server command runs: the folder of the file.
fn folder_of(file: &CallerPath) -> std::path::PathBuf {
    file.resolved()
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| ".".into())
}

async fn live_check(
    ctx: &Context,
    report: &mut Report,
    workdir: std::path::PathBuf,
    a: &LiveRequest,
    cancel: &Cancel,
) -> Result<()> {
    let Some(server) = report.server.clone() else {
        return Ok(());
    };
    if let Some(why) = &server.not_launchable {
        report.skip_live(why);
        return Ok(());
    }
    let inputs = live_inputs(&server, a)?;
    let s = &ctx.settings;
    let opts = live::LiveOptions {
        launch: a.launch,
        timeout: a.timeout_seconds.map(|t| Duration::from_secs(t as u64)),
        workdir,
        scratch: s.paths.runtime_dir.clone(),
        path_env: s.sandbox_path.clone(),
        docker_host: s.docker_host.value.clone(),
        client_version: env!("CARGO_PKG_VERSION").into(),
        inputs,
        passthrough_env: s.sandbox_passthrough.clone(),
        cache_dir: s.cache_dir.clone(),
        cancel: cancel.clone(),
    };
    let outcome = live::run(&server, &opts).await?;
    report.add_live(outcome);
    Ok(())
}
