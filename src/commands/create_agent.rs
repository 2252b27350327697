//! `pc-hybrid create-agent`: build the request from flags, a spec file or the wizard, then
//! hand it to the factory.

use std::io::IsTerminal;

use crate::cli::{Command, CreateAgentArgs};
use crate::document::{self, Document, Limits};
use crate::error::{Error, FieldError, Result};
use crate::factory::spec::{self, AgentRequest, AgentSpec, DeploymentConfig, IntegrationConfig};
use crate::factory::CreateOutcome;
use crate::ops::{CreateAgent, CreateFlags, Request};
use crate::output::{Output, Tabular};
use crate::settings::{Overrides, Settings};

use super::wizard;

impl Tabular for CreateOutcome {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut rows = vec![
            ("agent", self.agent_name.clone()),
            ("status", self.status.to_string()),
            ("project", self.project_dir.clone()),
        ];
        if let Some(id) = &self.creation_id {
            rows.insert(0, ("creation_id", id.clone()));
        }
        rows.push(("template", self.template.clone()));
        rows.push((
            "repository",
            self.repository_url
                .clone()
                .unwrap_or_else(|| "- (local only)".into()),
        ));
        if let Some(c) = &self.commit {
            rows.push(("commit", c.clone()));
        }
        rows.push(("pushed", self.pushed.to_string()));
        rows.push(("registered", self.registered.to_string()));
        rows.push(("deployed", self.deployed.to_string()));
        rows.push(("files", self.files.len().to_string()));
        rows.push(("duration", format!("{:.1} ms", self.duration_ms)));
        let mut tables = vec![out.record(&rows)];
        if self.dry_run {
            let mut t = out.table(&["file", "bytes"]);
            for f in &self.files {
                t.add_row(vec![f.path.clone(), f.bytes.to_string()]);
            }
            tables.push(t);
        }
        tables
    }
}

/// Where the request came from, to point errors at a file line or a flag.
pub enum Origin {
    Flags,
    File(Box<Document>),
}

/// Settings given on the command line for this command.
pub fn overrides(c: &Command) -> Overrides {
    match c {
        Command::CreateAgent(a) => Overrides {
            git_base_url: a.git_base_url.clone(),
            push: if a.no_push {
                Some(false)
            } else if a.push {
                Some(true)
            } else {
                None
            },
            auto_deploy: a.auto_deploy.then_some(true),
            output_dir: a.output_dir.clone(),
            template: a.template.clone(),
            base_image: a.base_image.clone(),
            log_level: None,
            profile: None,
        },
        _ => Overrides::default(),
    }
}

/// The creation request: flags, a spec file or the wizard, with the settings this process
/// resolved (so that a daemon carries it out as this process would).
pub fn request(args: &CreateAgentArgs, s: &Settings, out: &Output) -> Result<(Request, Origin)> {
    let (request, origin) = build_request(args)?;
    let request = if args.interactive || needs_wizard(args) {
        wizard::confirm_or_complete(request, args, &s.output_dir.value, out.color())?
    } else {
        request
    };
    let flags = CreateFlags {
        template: Some(s.template.value.clone()),
        output_dir: Some(absolute(&s.output_dir.value)),
        git_base_url: s.git_base_url.value.clone(),
        push: Some(s.auto_push.value),
        auto_deploy: Some(s.auto_deploy.value),
        base_image: Some(s.base_image.value.clone()),
        dry_run: args.dry_run,
        force: args.force,
        keep_on_failure: args.keep_on_failure,
        creation_id: None,
    };
    Ok((
        Request::CreateAgent(Box::new(CreateAgent { request, flags })),
        origin,
    ))
}

pub fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    if p.is_absolute() {
        return p.to_path_buf();
    }
    std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

fn needs_wizard(args: &CreateAgentArgs) -> bool {
    args.from_spec.is_none()
        && (args.name.is_none() || args.domain.is_none() || args.description.is_none())
}

fn build_request(args: &CreateAgentArgs) -> Result<(AgentRequest, Origin)> {
    if let Some(path) = &args.from_spec {
        let doc = document::read_file(path, Limits::default())?;
        let mut req: AgentRequest = doc.deserialize()?;
        apply_deployment_flags(args, &mut req.deployment_config);
        return Ok((req, Origin::File(Box::new(doc))));
    }
    let interactive_possible = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if args.interactive && !interactive_possible {
        return Err(Error::usage(
            "--interactive needs a terminal on stdin and stderr",
            Some("pass --name, --domain and --description, or --from-spec FILE"),
        ));
    }
    if needs_wizard(args) && !interactive_possible {
        let missing: Vec<&str> = [
            ("--name", args.name.is_none()),
            ("--domain", args.domain.is_none()),
            ("--description", args.description.is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(f, _)| *f)
        .collect();
        return Err(Error::usage(
            format!("missing {} (no terminal to ask on)", missing.join(", ")),
            Some("pass them as flags, give --from-spec FILE, or run with --interactive in a terminal"),
        ));
    }
    let mut sources = Vec::new();
    let mut errs = Vec::new();
    for (i, raw) in args.knowledge_sources.iter().enumerate() {
        match spec::parse_knowledge_source(raw) {
            Ok(k) => sources.push(k),
            Err(m) => errs.push(FieldError::new(format!("--knowledge-source #{}", i + 1), m)),
        }
    }
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let mut req = AgentRequest {
        agent_spec: AgentSpec {
            name: args.name.clone().unwrap_or_default(),
            display_name: args.display_name.clone(),
            description: args.description.clone().unwrap_or_default(),
            domain: args.domain.clone().unwrap_or_default(),
            keywords: args.keywords.clone(),
            capabilities: args.capabilities.clone(),
            knowledge_sources: sources,
        },
        deployment_config: DeploymentConfig::default(),
        integration_config: IntegrationConfig::default(),
    };
    apply_deployment_flags(args, &mut req.deployment_config);
    Ok((req, Origin::Flags))
}

fn apply_deployment_flags(args: &CreateAgentArgs, d: &mut DeploymentConfig) {
    if let Some(e) = args.environment {
        d.environment = e.as_str().into();
    }
    if let Some(m) = &args.memory {
        d.resource_limits.memory = m.clone();
    }
    if let Some(c) = &args.cpu {
        d.resource_limits.cpu = c.clone();
    }
}

/// Point each error at its file line, or at the flag the value came from.
pub fn locate(errs: Vec<FieldError>, origin: &Origin) -> Vec<FieldError> {
    errs.into_iter()
        .map(|e| match origin {
            Origin::File(doc) => doc.error(&e.field, e.message),
            Origin::Flags => FieldError::new(flag_for(&e.field), e.message),
        })
        .collect()
}

fn flag_for(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let nth = |i: Option<&&str>| i.and_then(|s| s.parse::<usize>().ok()).map(|n| n + 1);
    match parts.as_slice() {
        ["agent_spec", "name"] => "--name".into(),
        ["agent_spec", "domain"] => "--domain".into(),
        ["agent_spec", "description"] => "--description".into(),
        ["agent_spec", "display_name"] => "--display-name".into(),
        ["agent_spec", "capabilities", rest @ ..] => match nth(rest.first()) {
            Some(n) => format!("--capability #{n}"),
            None => "--capability".into(),
        },
        ["agent_spec", "keywords", rest @ ..] => match nth(rest.first()) {
            Some(n) => format!("--keyword #{n}"),
            None => "--keyword".into(),
        },
        ["agent_spec", "knowledge_sources", rest @ ..] => match (nth(rest.first()), rest.get(1)) {
            (Some(n), Some(field)) => format!("--knowledge-source #{n} ({field})"),
            _ => "--knowledge-source".into(),
        },
        ["deployment_config", "environment"] => "--environment".into(),
        ["deployment_config", "resource_limits", "memory"] => "--memory".into(),
        ["deployment_config", "resource_limits", "cpu"] => "--cpu".into(),
        _ => pointer.into(),
    }
}
