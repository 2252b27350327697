//! The MCP registry: three input formats read into one model, validated in stages (schema,
//! security policy, API contract, live handshake), recorded as conditions and a phase, and
//! stored, listed, exported and turned into client configuration.

pub mod checks;
pub mod client;
pub mod client_config;
pub mod contract;
pub mod export;
pub mod formats;
pub mod live;
pub mod manifest;
pub mod model;
pub mod packages;
pub mod policy;
pub mod server_json;
mod walk;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, Result};
use crate::model::{EntryKind, Json};
use crate::store::{DomainStore, RegisterOutcome, RegistryEntry};
pub use manifest::Manifest;
use model::*;

pub use crate::model::{AGENT_PORT, AGENT_VERSION};

/// Everything validation found out about one document.
#[derive(Debug, Clone, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Report {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub format: Option<SourceFormat>,
    pub transport: Option<Transport>,
    /// Why the server cannot be started here (it is still stored and listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_launchable: Option<String>,
    pub phase: Phase,
    pub conditions: Vec<Condition>,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<live::LiveReport>,
    #[serde(skip)]
    pub server: Option<Server>,
    #[serde(skip)]
    pub source: Value,
    /// The parsed file, so that later stages can locate their findings in it.
    #[serde(skip)]
    pub document: Option<Document>,
}

impl Report {
    /// Drop what only later stages and registration need, keeping what is printed: a
    /// validation of many files then holds little more than its findings.
    pub fn compact(&mut self) {
        self.server = None;
        self.source = Value::Null;
        self.document = None;
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn passed(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The error a failed report becomes: invalid input (exit 2) for the static stages, a
    /// failed check (exit 1) for the live one. `shown` says the findings were already printed
    /// as data, so the message only summarises them.
    pub fn to_error(&self, shown: bool) -> Option<Error> {
        let errors: Vec<&Finding> = self.errors().collect();
        let first = errors.first()?;
        let what = self
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| "the server".into());
        if errors.iter().all(|f| f.stage == Stage::Live) {
            let lines: Vec<String> = errors
                .iter()
                .map(|f| format!("  - [{}] {}", f.rule, f.message))
                .collect();
            return Some(Error::failed(
                format!("live validation of {what} failed:\n{}", lines.join("\n")),
                Some("the server was started in a sandbox and torn down again; fix it and run the command again"),
            ));
        }
        if shown {
            return Some(Error::usage(
                format!(
                    "{what} is invalid: {} error(s); first: {}",
                    errors.len(),
                    first.to_field_error()
                ),
                Some("the findings above say what is wrong and where; nothing was stored"),
            ));
        }
        Some(Error::Invalid(
            errors
                .iter()
                .filter(|f| f.stage != Stage::Live)
                .map(|f| f.to_field_error())
                .collect(),
        ))
    }

    fn set_condition(
        &mut self,
        stage: Stage,
        status: &str,
        reason: &str,
        message: String,
        at: DateTime<Utc>,
    ) {
        let c = Condition {
            kind: stage.condition().into(),
            status: status.into(),
            reason: reason.into(),
            message,
            last_transition_time: at,
        };
        match self.conditions.iter_mut().find(|x| x.kind == c.kind) {
            Some(x) => *x = c,
            None => self.conditions.push(c),
        }
    }

    fn summarize(&mut self, stage: Stage, at: DateTime<Utc>) {
        let errs: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.stage == stage && f.severity == Severity::Error)
            .collect();
        let warns = self
            .findings
            .iter()
            .filter(|f| f.stage == stage && f.severity == Severity::Warning)
            .count();
        let (status, reason, message) = match errs.first() {
            None => (
                "True",
                "Passed",
                if warns == 0 {
                    "all checks passed".to_string()
                } else {
                    format!("passed with {warns} warning(s)")
                },
            ),
            Some(first) => (
                "False",
                "Failed",
                format!(
                    "{} error(s); first: [{}] {}",
                    errs.len(),
                    first.rule,
                    first.message
                ),
            ),
        };
        self.set_condition(stage, status, reason, message, at);
    }

    fn update_phase(&mut self) {
        self.phase = if !self.passed() {
            Phase::Failed
        } else if self
            .conditions
            .iter()
            .any(|c| c.status == "Unknown" && c.reason == "Running")
        {
            Phase::Running
        } else {
            Phase::Succeeded
        };
    }

    /// The live stage cannot run: the server has no way to start here.
    pub fn skip_live(&mut self, why: &str) {
        let at = Utc::now();
        let mut f = Findings::new(self.document.as_ref());
        f.warn(
            Stage::Live,
            "live/not-launchable",
            "",
            format!("not checked live: {why}"),
        );
        self.findings.extend(f.items);
        self.set_condition(
            Stage::Live,
            "Unknown",
            "NotLaunchable",
            format!("the server cannot be started here: {why}"),
            at,
        );
        self.update_phase();
    }

    /// Record the outcome of a live validation.
    pub fn add_live(&mut self, outcome: live::Outcome) {
        let at = Utc::now();
        if let Some(d) = self.document.as_mut() {
            if !outcome.findings.is_empty() {
                d.locate();
            }
        }
        let mut f = Findings::new(self.document.as_ref());
        for (severity, rule, pointer, message) in outcome.findings {
            f.push(Stage::Live, severity, rule, &pointer, message);
        }
        self.findings.extend(f.items);
        self.live = Some(outcome.report);
        self.summarize(Stage::Live, at);
        self.update_phase();
    }
}

/// The static stages (schema, policy, contract) over a parsed document.
pub fn check_document(mut doc: Document) -> Report {
    let mut r = check_parts(&doc.value, Some(&doc));
    if !r.findings.is_empty() {
        doc.locate();
        for f in r.findings.iter_mut().filter(|f| f.line.is_none()) {
            if let Some(l) = doc.location(&f.pointer) {
                f.line = Some(l.line);
                f.column = Some(l.column);
            }
        }
    }
    r.source = std::mem::take(&mut doc.value);
    r.document = Some(doc);
    r
}

/// The static stages over a value that did not come from a file.
pub fn check_value(v: &Value, doc: Option<&Document>) -> Report {
    let mut r = check_parts(v, doc);
    r.source = v.clone();
    r
}

fn check_parts(v: &Value, doc: Option<&Document>) -> Report {
    let at = Utc::now();
    let mut f = Findings::new(doc);
    let format = match formats::detect(v) {
        Ok(fmt) => Some(fmt),
        Err(m) => {
            f.error(Stage::Schema, "schema/format", "", m);
            None
        }
    };
    let server = format.and_then(|fmt| formats::read(v, fmt, &mut f));
    if let Some(s) = &server {
        policy::check(s, &mut f);
        contract::check(s, &mut f);
    }
    // A file that fails its schema still names itself, when it can be read that far.
    let (raw_name, raw_version) = match format {
        Some(SourceFormat::Registration) => {
            (v.pointer("/mcp_spec/name"), v.pointer("/mcp_spec/version"))
        }
        Some(SourceFormat::Manifest) => {
            (v.pointer("/metadata/name"), v.pointer("/metadata/version"))
        }
        Some(SourceFormat::ServerJson) => (v.get("name"), v.get("version")),
        None => (None, None),
    };
    let short = |x: Option<&Value>| {
        x.and_then(Value::as_str)
            .filter(|s| s.chars().count() <= 200 && !s.contains(char::is_control))
            .map(str::to_owned)
    };
    let mut r = Report {
        file: doc.and_then(|d| d.file.clone()),
        name: server
            .as_ref()
            .map(|s| s.name.clone())
            .or_else(|| short(raw_name)),
        version: server
            .as_ref()
            .map(|s| s.version.clone())
            .or_else(|| short(raw_version)),
        format,
        transport: server.as_ref().map(|s| s.transport),
        not_launchable: server.as_ref().and_then(|s| s.not_launchable.clone()),
        phase: Phase::Pending,
        conditions: Vec::new(),
        findings: f.items,
        live: None,
        server,
        source: Value::Null,
        document: None,
    };
    r.summarize(Stage::Schema, at);
    for stage in [Stage::Policy, Stage::Contract] {
        if r.server.is_some() {
            r.summarize(stage, at);
        } else {
            r.set_condition(
                stage,
                "Unknown",
                "NotEvaluated",
                "the schema stage failed".into(),
                at,
            );
        }
    }
    r.set_condition(
        Stage::Live,
        "Unknown",
        "NotRequested",
        "run with --live to start the server in a sandbox and check it".into(),
        at,
    );
    r.update_phase();
    r
}

/// The registry entry a passed report becomes.
pub fn entry(
    report: &Report,
    kind: EntryKind,
    agent_name: Option<&str>,
    at: DateTime<Utc>,
) -> Result<RegistryEntry> {
    let server = report
        .server
        .as_ref()
        .filter(|_| report.passed())
        .ok_or_else(|| Error::Internal("only a passed validation can be registered".into()))?;
    let status = manifest::Status {
        phase: report.phase,
        conditions: report.conditions.clone(),
    };
    let m = Manifest::from_server(server, Some(status));
    Ok(RegistryEntry {
        name: server.name.clone(),
        version: server.version.clone(),
        kind,
        agent_name: agent_name.map(str::to_owned),
        manifest: Json::of(&m).map_err(|e| Error::Internal(e.to_string()))?,
        phase: report.phase,
        registered_at: at,
        format: server.format,
        source: Json::from_value(&report.source),
        report: Json::of(report).map_err(|e| Error::Internal(e.to_string()))?,
    })
}

/// Store a passed report as a custom server. Nothing changes unless everything passed and
/// the name and version are free (or `replace` is given for a custom entry).
pub fn register(store: &dyn DomainStore, report: &Report, replace: bool) -> Result<RegistryEntry> {
    if let Some(e) = report.to_error(true) {
        return Err(e);
    }
    let e = entry(report, EntryKind::Custom, None, Utc::now())?;
    match store.register_server(&e, replace)? {
        RegisterOutcome::Stored => Ok(e),
        RegisterOutcome::Exists {
            kind: EntryKind::Agent,
        } => Err(Error::usage(
            format!(
                "{} {} is the registry entry of an agent made by create-agent",
                e.name, e.version
            ),
            Some("choose another name; agents are registered by `pc-hybrid create-agent`"),
        )),
        RegisterOutcome::Exists { .. } => Err(Error::usage(
            format!("{} {} is already registered", e.name, e.version),
            Some("bump the version, or pass --replace to overwrite this version"),
        )),
    }
}

/// The server an entry describes, read back from the document it was registered from.
pub fn server_of(e: &RegistryEntry) -> Result<Server> {
    let mut f = Findings::new(None);
    formats::read(&e.source.value(), e.format, &mut f).ok_or_else(|| {
        Error::Store(format!(
            "entry {} {} no longer reads as valid: {}",
            e.name,
            e.version,
            f.items.first().map(|x| x.message.as_str()).unwrap_or("?")
        ))
    })
}

/// The data classification a registered server declares and the compliance frameworks it
/// is under (its highest version), for the audit events of commands that touch it.
pub fn classification(
    store: &dyn DomainStore,
    name: &str,
) -> Result<Option<(String, Vec<String>)>> {
    let entry = match find(store, name, None) {
        Ok(e) => e,
        // Not registered (yet, or any more): nothing to flag.
        Err(Error::Usage { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let manifest = entry.manifest.value();
    let security = &manifest["spec"]["security"];
    let Some(level) = security["dataClassification"].as_str().map(str::to_owned) else {
        return Ok(None);
    };
    let frameworks = security["complianceRequirements"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok(Some((level, frameworks)))
}

/// Pick an entry by name, and by version when given, else the highest semantic version.
pub fn find(store: &dyn DomainStore, name: &str, version: Option<&str>) -> Result<RegistryEntry> {
    let all = store.registry_entries()?;
    let mut matching: Vec<RegistryEntry> = all.iter().filter(|e| e.name == name).cloned().collect();
    if matching.is_empty() {
        // An agent is registered under its DNS name (`tax-advisor`); its own name
        // (`tax_advisor`) finds it too.
        matching = all
            .iter()
            .filter(|e| e.kind == EntryKind::Agent && e.agent_name.as_deref() == Some(name))
            .cloned()
            .collect();
    }
    if matching.is_empty() {
        let wanted = export::dns_name(name);
        let close: Vec<&str> = all
            .iter()
            .filter(|e| export::dns_name(&e.name) == wanted)
            .map(|e| e.name.as_str())
            .collect();
        let hint = match close.first() {
            Some(c) => {
                format!("did you mean `{c}`? `pc-hybrid mcp list` shows the registered servers")
            }
            None => "`pc-hybrid mcp list` shows the registered servers".to_string(),
        };
        return Err(Error::not_found(
            format!("no MCP server named `{name}` is registered"),
            Some(&hint),
        ));
    }
    if let Some(v) = version {
        return matching
            .into_iter()
            .find(|e| e.version == v)
            .ok_or_else(|| {
                Error::not_found(
                    format!("`{name}` has no version {v}"),
                    Some("`pc-hybrid mcp list` shows the registered versions"),
                )
            });
    }
    matching.sort_by_key(|e| version_key(&e.version));
    Ok(matching.pop().expect("not empty"))
}

fn version_key(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v).ok()
}

/// One version of a server that was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Removed {
    pub name: String,
    pub version: String,
}

/// The failure to report for a validation of `reports`, after printing them: one file's
/// own error, or how many of several failed (a usage error unless only live checks did).
pub fn combined_failure(reports: &[Report]) -> Option<Error> {
    let failed: Vec<&Report> = reports.iter().filter(|r| !r.passed()).collect();
    match failed.as_slice() {
        [] => None,
        [one] if reports.len() == 1 => one.to_error(true),
        many => {
            let live_only = many
                .iter()
                .all(|r| r.errors().all(|f| f.stage == model::Stage::Live));
            let msg = format!(
                "{} of {} files failed validation",
                many.len(),
                reports.len()
            );
            let hint = Some("the findings above say what failed, file by file");
            Some(if live_only {
                Error::failed(msg, hint)
            } else {
                Error::usage(msg, hint)
            })
        }
    }
}

/// Remove `name` (one version, or all); the versions removed.
pub fn remove(store: &dyn DomainStore, name: &str, version: Option<&str>) -> Result<Vec<Removed>> {
    let target = find(store, name, version)?;
    if target.kind == EntryKind::Agent {
        return Err(Error::usage(
            format!("{name} is the registry entry of an agent; it is removed with the agent"),
            None,
        ));
    }
    let removed = store.remove_servers(name, version)?;
    Ok(removed
        .into_iter()
        .map(|(name, version)| Removed { name, version })
        .collect())
}

/// Check many files, spread over the machine's cores; reports come back in order.
pub fn check_files(paths: &[PathBuf], compact: bool) -> Vec<Report> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(paths.len().div_ceil(64).max(1));
    let check = |p: &PathBuf| {
        let mut r = check_file(p);
        if compact {
            r.compact();
        }
        r
    };
    if workers <= 1 {
        return paths.iter().map(check).collect();
    }
    let chunk = paths.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| scope.spawn(move || c.iter().map(check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Read and check one file; a file that cannot be read or parsed gives a failed report
/// (so that one bad file among many does not stop the others).
pub fn check_file(path: &std::path::Path) -> Report {
    check_read(
        crate::document::read_file_lazy(path, crate::document::Limits::default()),
        Some(path),
    )
}

/// Check a definition sent as bytes (a request body), as `check_file` checks a file.
pub fn check_bytes(bytes: &[u8]) -> Report {
    check_read(
        crate::document::parse(bytes, None, crate::document::Limits::default()),
        None,
    )
}

fn check_read(read: Result<Document>, path: Option<&std::path::Path>) -> Report {
    match read {
        Ok(doc) => check_document(doc),
        Err(e) => {
            let at = Utc::now();
            let findings = match e {
                Error::Invalid(fields) => fields
                    .into_iter()
                    .map(|fe| Finding {
                        stage: Stage::Schema,
                        severity: Severity::Error,
                        rule: "schema/parse".into(),
                        pointer: fe.field,
                        message: fe.message,
                        file: path.map(std::path::Path::to_path_buf),
                        line: fe.line,
                        column: fe.column,
                    })
                    .collect(),
                other => vec![Finding {
                    stage: Stage::Schema,
                    severity: Severity::Error,
                    rule: "schema/read".into(),
                    pointer: String::new(),
                    message: other.to_string(),
                    file: path.map(std::path::Path::to_path_buf),
                    line: None,
                    column: None,
                }],
            };
            let mut r = Report {
                file: path.map(std::path::Path::to_path_buf),
                name: None,
                version: None,
                format: None,
                transport: None,
                not_launchable: None,
                phase: Phase::Failed,
                conditions: Vec::new(),
                findings,
                live: None,
                server: None,
                source: Value::Null,
                document: None,
            };
            r.summarize(Stage::Schema, at);
            for stage in [Stage::Policy, Stage::Contract, Stage::Live] {
                r.set_condition(
                    stage,
                    "Unknown",
                    "NotEvaluated",
                    "the file could not be read".into(),
                    at,
                );
            }
            r
        }
    }
}
