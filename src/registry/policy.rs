//! The security policy stage: one table of rules, each with an id that appears in every
//! violation it reports.

use serde::Serialize;

use super::checks;
use super::model::{Findings, Server, Severity, Stage};

/// A violation: the semantic field it concerns and what is wrong.
type Violations = Vec<(&'static str, String)>;

pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    check: fn(&Server) -> Violations,
}

/// What `mcp rules` prints.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
}

fn sensitive(s: &Server) -> bool {
    matches!(
        s.security.data_classification.as_str(),
        "confidential" | "restricted"
    )
}

fn production(s: &Server) -> bool {
    s.deployment.environment == "production"
}

/// A server only reachable at a URL is run by someone else; rules about how we run it
/// (image, limits, replicas) do not apply to it.
fn run_by_us(s: &Server) -> bool {
    s.image.is_some() || s.command.is_some()
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "strict-network",
        severity: Severity::Error,
        summary: "sandbox_level strict allows network_access none or internal only",
        check: |s| {
            if s.security.sandbox_level == "strict" && s.security.network_access == "external" {
                vec![("security.network_access", "sandbox_level `strict` allows network_access `none` or `internal`, not `external`".into())]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "external-endpoints",
        severity: Severity::Error,
        summary: "network_access external needs a non-empty allowed_endpoints",
        check: |s| {
            if s.security.network_access == "external" && s.security.allowed_endpoints.is_empty() {
                vec![("security.allowed_endpoints", "network_access `external` needs at least one entry in allowed_endpoints".into())]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "unused-endpoints",
        severity: Severity::Warning,
        summary: "allowed_endpoints without external network access have no effect",
        check: |s| {
            if s.security.network_access != "external" && !s.security.allowed_endpoints.is_empty() {
                vec![("security.allowed_endpoints", format!("allowed_endpoints are ignored: network_access is `{}`", s.security.network_access))]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "sensitive-data-sandbox",
        severity: Severity::Error,
        summary: "confidential or restricted data needs sandbox_level strict",
        check: |s| {
            if sensitive(s) && s.security.sandbox_level != "strict" {
                vec![("security.sandbox_level", format!("`{}` data needs sandbox_level `strict`, not `{}`", s.security.data_classification, s.security.sandbox_level))]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "sensitive-data-compliance",
        severity: Severity::Error,
        summary: "confidential or restricted data needs at least one compliance requirement",
        check: |s| {
            if sensitive(s) && s.security.compliance_requirements.is_empty() {
                vec![("security.compliance_requirements", format!("`{}` data needs at least one compliance requirement (SOC2, HIPAA, GDPR, ...)", s.security.data_classification))]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "production-image-digest",
        severity: Severity::Error,
        summary: "production needs an image pinned by digest, never the `latest` tag",
        check: |s| {
            if !production(s) || !run_by_us(s) {
                return vec![];
            }
            match &s.image {
                None => vec![("image", "production needs an image pinned by digest (name@sha256:...); a local command cannot be deployed".into())],
                Some(i) => {
                    let mut v = Vec::new();
                    if checks::image_tag(i) == Some("latest") {
                        v.push(("image", format!("`{i}` uses the `latest` tag, which production must not")));
                    }
                    if checks::image_digest(i).is_none() {
                        v.push(("image", format!("`{i}` is not pinned by digest: use name@sha256:<64 hex digits>")));
                    }
                    v
                }
            }
        },
    },
    Rule {
        id: "production-resource-limits",
        severity: Severity::Error,
        summary: "production needs memory and CPU limits",
        check: |s| {
            if !production(s) || !run_by_us(s) {
                return vec![];
            }
            let l = s.limits();
            let mut missing = Vec::new();
            if l.and_then(|l| l.memory.as_ref()).is_none() {
                missing.push("memory");
            }
            if l.and_then(|l| l.cpu.as_ref()).is_none() {
                missing.push("cpu");
            }
            if missing.is_empty() {
                vec![]
            } else {
                vec![("resources.limits", format!("production needs resource limits; missing: {}", missing.join(", ")))]
            }
        },
    },
    Rule {
        id: "production-health-check",
        severity: Severity::Error,
        summary: "production needs a health check",
        check: |s| {
            if production(s) && s.health_check.is_none() {
                vec![("health_check", "production needs a health check path (e.g. /health)".into())]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "production-replicas",
        severity: Severity::Error,
        summary: "production needs at least 2 replicas",
        check: |s| {
            if production(s) && run_by_us(s) && s.deployment.replicas < 2 {
                vec![("deployment.replicas", format!("production needs at least 2 replicas, not {}", s.deployment.replicas))]
            } else {
                vec![]
            }
        },
    },
    Rule {
        id: "no-privileged",
        severity: Severity::Error,
        summary: "no privileged settings: privileged, privilege escalation, root, added capabilities, host namespaces",
        check: |s| {
            let p = &s.security.privileges;
            let mut what = Vec::new();
            if p.privileged {
                what.push("privileged: true".to_string());
            }
            if p.allow_privilege_escalation {
                what.push("allowPrivilegeEscalation: true".into());
            }
            if p.run_as_root {
                what.push("running as root".into());
            }
            if !p.add_capabilities.is_empty() {
                what.push(format!("added capabilities {}", p.add_capabilities.join(", ")));
            }
            if p.host_network {
                what.push("hostNetwork: true".into());
            }
            if p.host_pid {
                what.push("hostPID: true".into());
            }
            for f in &p.runtime_flags {
                what.push(format!("runtime argument `{f}`"));
            }
            if what.is_empty() {
                vec![]
            } else {
                vec![("security.privileges", format!("privileged settings are not allowed: {}", what.join("; ")))]
            }
        },
    },
];

/// Run every rule, recording violations under `policy/<id>`.
pub fn check(s: &Server, f: &mut Findings) {
    for rule in RULES {
        for (field, message) in (rule.check)(s) {
            f.push(
                Stage::Policy,
                rule.severity,
                &format!("policy/{}", rule.id),
                &s.pointer(field),
                message,
            );
        }
    }
}

pub fn rules() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| (r.id, r.severity, r.summary))
        .chain(super::server_json::READ_RULES.iter().copied())
        .map(|(id, severity, summary)| RuleInfo {
            id: format!("policy/{id}"),
            severity,
            summary: summary.into(),
        })
        .collect()
}
