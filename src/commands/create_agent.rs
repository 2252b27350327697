//! `pc-hybrid create-agent`: build the request from flags, a spec file or the wizard, then
//! hand it to the factory.

use std::io::IsTerminal;

use crate::auth::token_store::{TokenStore, GIT_TOKEN};
use crate::cli::CreateAgentArgs;
use crate::document::{self, Document, Limits};
use crate::error::{Error, FieldError, Result};
use crate::factory::spec::{self, AgentRequest, AgentSpec, DeploymentConfig, IntegrationConfig};
use crate::factory::{self, git::Author, CreateOptions, CreateOutcome, FactoryError, GitOptions};
use crate::output::{Output, Tabular};
use crate::settings::Settings;

use super::{open_store, wizard};

impl Tabular for CreateOutcome {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut rows = vec![
            ("agent", self.agent_name.clone()),
            ("status", self.status.clone()),
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
enum Origin {
    Flags,
    File(Box<Document>),
}

pub async fn run(args: &CreateAgentArgs, s: &Settings, out: &Output) -> Result<()> {
    let (request, origin) = build_request(args)?;
    let request = if args.interactive || needs_wizard(args) {
        wizard::confirm_or_complete(request, args, &s.output_dir.value, out.color())?
    } else {
        request
    };
    let remote_and_push = s.git_base_url.value.is_some() && s.auto_push.value && !args.dry_run;
    if !remote_and_push {
        without_tls_roots();
    }
    // The keyring is asked only when a push will happen: it may prompt or be slow.
    let token = if remote_and_push {
        TokenStore::new().get(GIT_TOKEN).unwrap_or_else(|e| {
            log::info!("no git token from the keyring: {e}");
            None
        })
    } else {
        None
    };
    let opts = CreateOptions {
        auto_deploy: s.auto_deploy.value || request.deployment_config.auto_deploy,
        request,
        template: s.template.value.clone(),
        user_template_dir: s.paths.templates_dir.clone(),
        output_dir: s.output_dir.value.clone(),
        dry_run: args.dry_run,
        force: args.force,
        keep_on_failure: args.keep_on_failure,
        git: GitOptions {
            remote_base: s.git_base_url.value.clone(),
            push: s.auto_push.value,
            author: Author {
                name: s.git_author_name.value.clone(),
                email: s.git_author_email.value.clone(),
            },
            token,
        },
        image_registry: s.registry_url.value.clone(),
        base_image: s.base_image.value.clone(),
        organization: s.organization.value.clone(),
        generator_version: env!("CARGO_PKG_VERSION").into(),
    };
    let store = open_store(s)?;
    let progress = out.progress("create-agent");
    let result = factory::create_agent(&*store, &opts, &progress);
    drop(progress);
    match result {
        Ok(mut outcome) => {
            for w in &outcome.warnings {
                out.warn(w);
            }
            let deploy_error = if opts.auto_deploy && !outcome.dry_run {
                auto_deploy(&mut outcome, store.as_ref(), s, out)
                    .await
                    .err()
            } else {
                None
            };
            out.data(&outcome)?;
            if let Some(e) = deploy_error {
                return Err(e);
            }
            if let (false, Some(id)) = (outcome.dry_run, &outcome.creation_id) {
                out.note(&format!(
                    "agent `{}` created in {}; steps: `pc-hybrid status {id}`",
                    outcome.agent_name, outcome.project_dir
                ));
            }
            Ok(())
        }
        Err(FactoryError::Invalid(errs)) => Err(Error::Invalid(locate(errs, &origin))),
        Err(e) => Err(e.into()),
    }
}

/// `--auto-deploy`: one replica on the local target, development environment, recorded as
/// the creation's deploy step.
async fn auto_deploy(
    outcome: &mut factory::CreateOutcome,
    store: &dyn crate::store::Store,
    s: &Settings,
    out: &Output,
) -> Result<()> {
    let args = crate::cli::DeployAgentArgs {
        name: outcome.agent_name.clone(),
        environment: crate::cli::Environment::Development,
        replicas: 1,
        target: crate::cli::Target::Local,
        wait: true,
        timeout: 60,
        skip_scan: false,
        port: None,
        memory: None,
        cpu: None,
        manifests_dir: None,
        apply: false,
        namespace: "default".into(),
    };
    let req = super::deploy::request(&args, s);
    let started = chrono::Utc::now();
    let result = {
        let progress = out.progress("deploy");
        crate::deploy::deploy(store, &req, &progress).await
    };
    let (status, message) = match &result {
        Ok(d) => (
            "succeeded",
            format!("deployed locally: {}", d.endpoints.join(", ")),
        ),
        Err(e) => ("failed", e.to_string()),
    };
    let step = crate::store::StepRecord {
        name: "deploy".into(),
        status: status.into(),
        started_at: Some(started),
        finished_at: Some(chrono::Utc::now()),
        message: Some(message),
    };
    if let Some(id) = &outcome.creation_id {
        store.update_step(id, 5, &step)?;
    }
    if let Some(last) = outcome.steps.get_mut(5) {
        *last = step;
    }
    outcome.deployed = result.is_ok();
    result.map(|_| ()).map_err(|e| {
        Error::failed(
            format!("the agent was created, but deploying it failed: {e}"),
            Some("fix the problem and run `pc-hybrid deploy-agent NAME --wait`"),
        )
    })
}

/// libgit2 initialises OpenSSL, which parses the whole system CA bundle (about 20 ms, more
/// than everything else create-agent does). A creation that pushes nowhere makes no TLS
/// connection, so point OpenSSL at an empty bundle before the first git call.
fn without_tls_roots() {
    // Single-threaded here: the runtime is current-thread and nothing else has started.
    std::env::set_var("SSL_CERT_FILE", "/dev/null");
    std::env::set_var("SSL_CERT_DIR", "/nonexistent");
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
fn locate(errs: Vec<FieldError>, origin: &Origin) -> Vec<FieldError> {
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
