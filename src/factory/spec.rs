//! The agent creation request (reference design section 2.1), its defaults and its validation.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

pub const KNOWLEDGE_TYPES: &[&str] = &["markdown", "json", "api", "database"];
pub const FREQUENCIES: &[&str] = &["daily", "weekly", "monthly"];
pub const ENVIRONMENTS: &[&str] = &["development", "staging", "production"];
/// Tools every generated agent has; a capability may not take their names.
pub const BUILTIN_TOOLS: &[&str] = &["search_knowledge", "get_agent_info"];
/// The reference design wizard's choices.
pub const SUGGESTED_DOMAINS: &[&str] = &["security", "web_development", "finance", "data_analysis"];
pub const SUGGESTED_CAPABILITIES: &[&str] = &[
    "code_analysis",
    "security_scanning",
    "test_generation",
    "documentation",
    "api_integration",
    "data_processing",
];
pub const DEFAULT_CAPABILITY: &str = "general_assistance";

const MAX_DESCRIPTION: usize = 4000;
const MAX_LIST: usize = 32;

use crate::model::NAME_RE;
static DOMAIN_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]{1,40}$").unwrap());
static MEMORY_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[1-9][0-9]{0,6}(\.[0-9]+)?(K|M|G|Ki|Mi|Gi)$").unwrap());
static CPU_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,3}(\.[0-9]{1,3})?|[1-9][0-9]{0,5}m)$").unwrap());

/// The request body of `POST /api/v4/admin/agents/create`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentRequest {
    pub agent_spec: AgentSpec,
    #[serde(default)]
    pub deployment_config: DeploymentConfig,
    #[serde(default)]
    pub integration_config: IntegrationConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub description: String,
    pub domain: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub knowledge_sources: Vec<KnowledgeSource>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSource {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_frequency: Option<String>,
    /// For `database` sources: the SQL query returning knowledge rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    #[serde(default = "default_environment")]
    pub environment: String,
    #[serde(default)]
    pub resource_limits: ResourceLimits,
    #[serde(default)]
    pub auto_deploy: bool,
}

impl Default for DeploymentConfig {
    fn default() -> Self {
        DeploymentConfig {
            environment: default_environment(),
            resource_limits: ResourceLimits::default(),
            auto_deploy: false,
        }
    }
}

fn default_environment() -> String {
    "development".into()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceLimits {
    #[serde(default = "default_memory")]
    pub memory: String,
    #[serde(default = "default_cpu")]
    pub cpu: String,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        ResourceLimits {
            memory: default_memory(),
            cpu: default_cpu(),
        }
    }
}

fn default_memory() -> String {
    "512M".into()
}
fn default_cpu() -> String {
    "0.5".into()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationConfig {
    #[serde(default)]
    pub required_tools: Vec<String>,
    #[serde(default)]
    pub optional_tools: Vec<String>,
    #[serde(default)]
    pub custom_endpoints: Vec<String>,
}

/// Parse the command-line form `TYPE:SOURCE[:FREQUENCY]`. A trailing `:daily|weekly|monthly`
/// is the frequency; everything between is the source, so URLs keep their colons.
/// For `database`, `SOURCE#QUERY` carries the SQL query.
pub fn parse_knowledge_source(arg: &str) -> Result<KnowledgeSource, String> {
    let (kind, rest) = arg
        .split_once(':')
        .ok_or_else(|| format!("`{arg}` is not TYPE:SOURCE[:FREQUENCY]"))?;
    let (source, frequency) = match rest.rsplit_once(':') {
        Some((s, f)) if FREQUENCIES.contains(&f) => (s, Some(f.to_owned())),
        _ => (rest, None),
    };
    let (source, query) = match (kind, source.split_once('#')) {
        ("database", Some((s, q))) => (s, Some(q.to_owned())),
        _ => (source, None),
    };
    Ok(KnowledgeSource {
        kind: kind.to_owned(),
        source: source.to_owned(),
        update_frequency: frequency,
        query,
    })
}

/// `tax_advisor` -> `Tax Advisor`.
pub fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_bad_control(s: &str, allow_newlines: bool) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !(allow_newlines && matches!(c, '\n' | '\t' | '\r')))
            || matches!(c, '\u{2028}' | '\u{2029}') && !allow_newlines
    })
}

pub use crate::model::check_name;

pub fn check_domain(domain: &str) -> Result<(), String> {
    if DOMAIN_RE.is_match(domain) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a domain: use 2 to 41 characters a-z, 0-9 and _, starting with a letter",
            domain.escape_debug()
        ))
    }
}

pub fn check_description(d: &str) -> Result<(), String> {
    if d.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(format!("is longer than {MAX_DESCRIPTION} characters"));
    }
    if has_bad_control(d, true) {
        return Err("contains control characters (only newlines and tabs are allowed)".into());
    }
    Ok(())
}

pub fn check_capability(c: &str) -> Result<(), String> {
    if !NAME_RE.is_match(c) || c.ends_with('_') {
        return Err(format!(
            "`{}` is not a capability name: use snake_case (a-z, 0-9, _), 2 to 63 characters",
            c.escape_debug()
        ));
    }
    if BUILTIN_TOOLS.contains(&c) {
        return Err(format!("`{c}` is a built-in tool of every agent"));
    }
    Ok(())
}

/// A validated request with every default filled in.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct ValidSpec {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub domain: String,
    pub keywords: Vec<String>,
    pub capabilities: Vec<String>,
    pub knowledge_sources: Vec<ValidSource>,
    pub deployment: DeploymentConfig,
    pub integration: IntegrationConfig,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct ValidSource {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    pub update_frequency: String,
    /// Always present (null when absent) so templates can test it in strict mode.
    pub query: Option<String>,
}

impl ValidSpec {
    /// The DNS-1123 label naming the agent in manifests and images.
    pub fn slug(&self) -> String {
        self.name.replace('_', "-")
    }

    /// The request body this spec came from, defaults filled in (stored with the agent).
    pub fn to_request(&self) -> AgentRequest {
        AgentRequest {
            agent_spec: AgentSpec {
                name: self.name.clone(),
                display_name: Some(self.display_name.clone()),
                description: self.description.clone(),
                domain: self.domain.clone(),
                keywords: self.keywords.clone(),
                capabilities: self.capabilities.clone(),
                knowledge_sources: self
                    .knowledge_sources
                    .iter()
                    .map(|s| KnowledgeSource {
                        kind: s.kind.clone(),
                        source: s.source.clone(),
                        update_frequency: Some(s.update_frequency.clone()),
                        query: s.query.clone(),
                    })
                    .collect(),
            },
            deployment_config: self.deployment.clone(),
            integration_config: self.integration.clone(),
        }
    }
}

/// Validate a request; every problem is reported, each at its JSON pointer.
pub fn validate(req: &AgentRequest) -> Result<ValidSpec, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut err = |p: &str, m: String| errs.push(FieldError::new(p, m));
    let s = &req.agent_spec;

    if let Err(m) = check_name(&s.name) {
        err("/agent_spec/name", m);
    }
    if let Err(m) = check_domain(&s.domain) {
        err("/agent_spec/domain", m);
    }
    if let Err(m) = check_description(&s.description) {
        err("/agent_spec/description", m);
    }
    let display_name = match &s.display_name {
        Some(d) => {
            if d.trim().is_empty() || d.chars().count() > 100 || has_bad_control(d, false) {
                err(
                    "/agent_spec/display_name",
                    "must be 1 to 100 characters on one line".into(),
                );
            }
            d.trim().to_owned()
        }
        None => title_case(&s.name),
    };

    let keywords = if s.keywords.is_empty() {
        vec![s.domain.clone(), s.name.clone()]
    } else {
        s.keywords.clone()
    };
    if keywords.len() > MAX_LIST {
        err(
            "/agent_spec/keywords",
            format!("more than {MAX_LIST} keywords"),
        );
    }
    let mut seen = HashSet::new();
    for (i, k) in s.keywords.iter().enumerate() {
        let p = format!("/agent_spec/keywords/{i}");
        if k.trim().is_empty() || k.chars().count() > 64 || has_bad_control(k, false) {
            err(&p, "a keyword is 1 to 64 characters on one line".into());
        } else if !seen.insert(k.as_str()) {
            err(&p, format!("duplicate keyword `{k}`"));
        }
    }

    let capabilities = if s.capabilities.is_empty() {
        vec![DEFAULT_CAPABILITY.to_owned()]
    } else {
        s.capabilities.clone()
    };
    if capabilities.len() > MAX_LIST {
        err(
            "/agent_spec/capabilities",
            format!("more than {MAX_LIST} capabilities"),
        );
    }
    let mut seen = HashSet::new();
    for (i, c) in s.capabilities.iter().enumerate() {
        let p = format!("/agent_spec/capabilities/{i}");
        if let Err(m) = check_capability(c) {
            err(&p, m);
        } else if !seen.insert(c.as_str()) {
            err(&p, format!("duplicate capability `{c}`"));
        }
    }

    let mut sources = Vec::new();
    if s.knowledge_sources.len() > MAX_LIST {
        err(
            "/agent_spec/knowledge_sources",
            format!("more than {MAX_LIST} sources"),
        );
    }
    for (i, k) in s.knowledge_sources.iter().enumerate() {
        let p = format!("/agent_spec/knowledge_sources/{i}");
        match check_source(k) {
            Ok(v) => sources.push(v),
            Err((field, m)) => err(&format!("{p}/{field}"), m),
        }
    }

    let d = &req.deployment_config;
    if !ENVIRONMENTS.contains(&d.environment.as_str()) {
        err(
            "/deployment_config/environment",
            format!(
                "`{}` is not one of {}",
                d.environment.escape_debug(),
                ENVIRONMENTS.join(", ")
            ),
        );
    }
    if !MEMORY_RE.is_match(&d.resource_limits.memory) {
        err(
            "/deployment_config/resource_limits/memory",
            format!(
                "`{}` is not a memory size like 512M or 1Gi",
                d.resource_limits.memory.escape_debug()
            ),
        );
    }
    let cpu_ok = CPU_RE.is_match(&d.resource_limits.cpu)
        && d.resource_limits
            .cpu
            .trim_end_matches('m')
            .parse::<f64>()
            .is_ok_and(|v| v > 0.0);
    if !cpu_ok {
        err(
            "/deployment_config/resource_limits/cpu",
            format!(
                "`{}` is not a CPU amount like 0.5 or 500m",
                d.resource_limits.cpu.escape_debug()
            ),
        );
    }

    let ic = &req.integration_config;
    for (field, list) in [
        ("required_tools", &ic.required_tools),
        ("optional_tools", &ic.optional_tools),
    ] {
        for (i, t) in list.iter().enumerate() {
            if !NAME_RE.is_match(t) {
                err(
                    &format!("/integration_config/{field}/{i}"),
                    format!("`{}` is not a tool name (snake_case)", t.escape_debug()),
                );
            }
        }
    }
    for (i, e) in ic.custom_endpoints.iter().enumerate() {
        let ok = (e.starts_with('/') || e.starts_with("http://") || e.starts_with("https://"))
            && e.len() <= 2048
            && !e.chars().any(|c| c.is_whitespace() || c.is_control())
            && url_secret(e).is_none();
        if !ok {
            err(
                &format!("/integration_config/custom_endpoints/{i}"),
                "must be a path starting with / or an http(s) URL without spaces or credentials"
                    .into(),
            );
        }
    }

    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(ValidSpec {
        name: s.name.clone(),
        display_name,
        description: s.description.clone(),
        domain: s.domain.clone(),
        keywords,
        capabilities,
        knowledge_sources: sources,
        deployment: req.deployment_config.clone(),
        integration: req.integration_config.clone(),
    })
}

/// Does a URL carry a credential (userinfo password, or a token-like query parameter)?
pub fn url_secret(url: &str) -> Option<&'static str> {
    let after_scheme = url.split_once("://").map(|(_, r)| r)?;
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if userinfo.contains(':') {
            return Some("a password in the URL");
        }
    }
    if let Some((_, query)) = after_scheme.split_once('?') {
        for pair in query.split('&') {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            const SECRET_KEYS: &[&str] = &[
                "token",
                "access_token",
                "api_key",
                "apikey",
                "key",
                "secret",
                "password",
                "passwd",
                "pwd",
                "signature",
                "sig",
                "auth",
            ];
            if SECRET_KEYS.contains(&key.as_str()) {
                return Some("a credential in the URL query");
            }
        }
    }
    None
}

fn check_source(k: &KnowledgeSource) -> Result<ValidSource, (&'static str, String)> {
    if !KNOWLEDGE_TYPES.contains(&k.kind.as_str()) {
        return Err((
            "type",
            format!(
                "`{}` is not one of {}",
                k.kind.escape_debug(),
                KNOWLEDGE_TYPES.join(", ")
            ),
        ));
    }
    let frequency = k
        .update_frequency
        .clone()
        .unwrap_or_else(|| "weekly".into());
    if !FREQUENCIES.contains(&frequency.as_str()) {
        return Err((
            "update_frequency",
            format!(
                "`{}` is not one of {}",
                frequency.escape_debug(),
                FREQUENCIES.join(", ")
            ),
        ));
    }
    let src = &k.source;
    if src.trim().is_empty() || src.len() > 2048 || has_bad_control(src, false) {
        return Err(("source", "must be 1 to 2048 characters on one line".into()));
    }
    if let Some(what) = url_secret(src) {
        return Err((
            "source",
            format!("contains {what}; credentials must never be written into the agent repository (give them to the agent through its environment, e.g. PGPASSWORD or ~/.pgpass)"),
        ));
    }
    match k.kind.as_str() {
        "api" if !(src.starts_with("http://") || src.starts_with("https://")) => {
            return Err((
                "source",
                "an api source is an http:// or https:// URL".into(),
            ));
        }
        "database" => {
            let ok = src.starts_with("sqlite:")
                || src.starts_with("postgresql://")
                || src.starts_with("postgres://");
            if !ok {
                return Err((
                    "source",
                    "a database source is sqlite:///path/file.db, sqlite:relative/file.db or postgresql://user@host/db".into(),
                ));
            }
        }
        "markdown" | "json" if src.contains("://") => {
            return Err((
                "source",
                "a markdown or json source is a file or folder path".into(),
            ));
        }
        _ => {}
    }
    if k.query.is_some() && k.kind != "database" {
        return Err(("query", "only database sources take a query".into()));
    }
    if let Some(q) = &k.query {
        if q.trim().is_empty() || q.len() > 4096 || has_bad_control(q, true) {
            return Err(("query", "must be 1 to 4096 characters of SQL".into()));
        }
    }
    Ok(ValidSource {
        kind: k.kind.clone(),
        source: src.clone(),
        update_frequency: frequency,
        query: k.query.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str) -> AgentRequest {
        AgentRequest {
            agent_spec: AgentSpec {
                name: name.into(),
                display_name: None,
                description: "d".into(),
                domain: "finance".into(),
                keywords: vec![],
                capabilities: vec![],
                knowledge_sources: vec![],
            },
            deployment_config: DeploymentConfig::default(),
            integration_config: IntegrationConfig::default(),
        }
    }

    #[test]
    fn names() {
        assert!(validate(&req("tax_advisor")).is_ok());
        for bad in [
            "Tax",
            "t",
            "1abc",
            "tax-advisor",
            "tax_",
            "a__b",
            "class",
            "json",
            "ta x",
        ] {
            let e = validate(&req(bad)).unwrap_err();
            assert_eq!(e[0].field, "/agent_spec/name", "{bad}");
        }
    }

    #[test]
    fn defaults_follow_the_reference_cli() {
        let v = validate(&req("tax_advisor")).unwrap();
        assert_eq!(v.display_name, "Tax Advisor");
        assert_eq!(v.keywords, vec!["finance", "tax_advisor"]);
        assert_eq!(v.capabilities, vec!["general_assistance"]);
        assert_eq!(v.slug(), "tax-advisor");
    }

    #[test]
    fn knowledge_source_flag_form() {
        let k = parse_knowledge_source("api:https://example.com/kb.json:daily").unwrap();
        assert_eq!(
            (k.source.as_str(), k.update_frequency.as_deref()),
            ("https://example.com/kb.json", Some("daily"))
        );
        let k =
            parse_knowledge_source("database:sqlite:///tmp/kb.db#SELECT title, content FROM docs")
                .unwrap();
        assert_eq!(k.source, "sqlite:///tmp/kb.db");
        assert_eq!(k.query.as_deref(), Some("SELECT title, content FROM docs"));
        assert_eq!(k.update_frequency, None);
        assert!(parse_knowledge_source("nocolon").is_err());
    }

    #[test]
    fn credentials_in_sources_are_refused() {
        let mut r = req("tax_advisor");
        r.agent_spec.knowledge_sources.push(KnowledgeSource {
            kind: "database".into(),
            source: "postgresql://u:hunter2@db/kb".into(),
            update_frequency: None,
            query: None,
        });
        let e = validate(&r).unwrap_err();
        assert_eq!(e[0].field, "/agent_spec/knowledge_sources/0/source");
        assert!(!e[0].message.contains("hunter2"));
    }
}
