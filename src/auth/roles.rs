//! Roles decide what a user may do: the map from role names (Keycloak's realm and client
//! roles, or a configured claim) onto the operation layer's permissions, and the words of a
//! denial.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What an operation needs the caller to be allowed to do. The SSO roles map onto these.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    AgentCreate,
    AgentRead,
    /// Deploy, undeploy and restart outside production.
    AgentDeploy,
    /// Anything deployed to production.
    AgentDeployProduction,
    McpRegister,
    McpValidate,
    McpRead,
    McpRemove,
    /// Analytics: executions, insights, reports, metrics.
    AnalyticsRead,
    /// Import executions recorded elsewhere.
    ExecutionsImport,
    /// Judge an execution (rating, correctness).
    Feedback,
    /// Call tools through the gateway (`invoke`, `/mcp`); the gateway's allow lists narrow it.
    ToolsCall,
    /// Approve a tool definition that changed since it was pinned.
    ToolsApprove,
    AuditRead,
    AuditExport,
    AuditIngest,
    ConfigRead,
    ConfigWrite,
    SystemCheck,
    /// The caller's own login: log in, log out, who am I, my token.
    Session,
}

/// Every permission, in the order a listing shows them.
pub const ALL: &[Permission] = &[
    Permission::AgentCreate,
    Permission::AgentRead,
    Permission::AgentDeploy,
    Permission::AgentDeployProduction,
    Permission::McpRegister,
    Permission::McpValidate,
    Permission::McpRead,
    Permission::McpRemove,
    Permission::AnalyticsRead,
    Permission::ExecutionsImport,
    Permission::Feedback,
    Permission::ToolsCall,
    Permission::ToolsApprove,
    Permission::AuditRead,
    Permission::AuditExport,
    Permission::AuditIngest,
    Permission::ConfigRead,
    Permission::ConfigWrite,
    Permission::SystemCheck,
    Permission::Session,
];

/// Role name -> the permissions it grants.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleMap {
    roles: BTreeMap<String, BTreeSet<Permission>>,
}

impl Permission {
    /// The permission's name in config files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::AgentCreate => "agent_create",
            Permission::AgentRead => "agent_read",
            Permission::AgentDeploy => "agent_deploy",
            Permission::AgentDeployProduction => "agent_deploy_production",
            Permission::McpRegister => "mcp_register",
            Permission::McpValidate => "mcp_validate",
            Permission::McpRead => "mcp_read",
            Permission::McpRemove => "mcp_remove",
            Permission::AnalyticsRead => "analytics_read",
            Permission::ExecutionsImport => "executions_import",
            Permission::Feedback => "feedback",
            Permission::ToolsCall => "tools_call",
            Permission::ToolsApprove => "tools_approve",
            Permission::AuditRead => "audit_read",
            Permission::AuditExport => "audit_export",
            Permission::AuditIngest => "audit_ingest",
            Permission::ConfigRead => "config_read",
            Permission::ConfigWrite => "config_write",
            Permission::SystemCheck => "system_check",
            Permission::Session => "session",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// What concerns only the caller's own machine and session (its settings, its keyring,
    /// `doctor`, its login): allowed without a session and without a role, so that a user
    /// can always diagnose and log in.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Permission::ConfigRead
                | Permission::ConfigWrite
                | Permission::SystemCheck
                | Permission::Session
        )
    }
}

impl Default for RoleMap {
    fn default() -> Self {
        use Permission as P;
        let mut roles = BTreeMap::new();
        roles.insert("platform-admin".to_string(), ALL.iter().copied().collect());
        roles.insert(
            "agent-developer".to_string(),
            [
                P::AgentCreate,
                P::AgentRead,
                P::AgentDeploy,
                P::McpRegister,
                P::McpValidate,
                P::McpRead,
                P::Feedback,
                P::ToolsCall,
            ]
            .into_iter()
            .collect(),
        );
        roles.insert(
            "analyst".to_string(),
            [
                P::AnalyticsRead,
                P::AgentRead,
                P::McpRead,
                P::Feedback,
                P::ToolsCall,
            ]
            .into_iter()
            .collect(),
        );
        roles.insert(
            "auditor".to_string(),
            [P::AuditRead, P::AuditExport].into_iter().collect(),
        );
        RoleMap { roles }
    }
}

impl RoleMap {
    /// The default map with `overrides` (role -> permission names, `*` for all, and where
    /// each came from); a role given there replaces its default.
    pub fn with_overrides(overrides: &BTreeMap<String, (PathBuf, Vec<String>)>) -> Result<RoleMap> {
        let mut map = RoleMap::default();
        for (role, (file, names)) in overrides {
            let mut set = BTreeSet::new();
            for n in names {
                if n == "*" {
                    set.extend(ALL.iter().copied());
                    continue;
                }
                let p = Permission::parse(n).ok_or_else(|| {
                    Error::usage(
                        format!(
                            "{}: auth.roles.{role}: `{}` is not a permission (one of {}, or *)",
                            file.display(),
                            n.escape_debug(),
                            ALL.iter()
                                .map(|p| p.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None,
                    )
                })?;
                set.insert(p);
            }
            map.roles.insert(role.clone(), set);
        }
        Ok(map)
    }

    /// What `roles` together grant.
    pub fn granted(&self, roles: &[String]) -> BTreeSet<Permission> {
        let mut out: BTreeSet<Permission> =
            ALL.iter().copied().filter(|p| p.is_personal()).collect();
        for r in roles {
            if let Some(set) = self.roles.get(r) {
                out.extend(set.iter().copied());
            }
        }
        out
    }

    pub fn allows(&self, roles: &[String], p: Permission) -> bool {
        p.is_personal()
            || roles
                .iter()
                .any(|r| self.roles.get(r).is_some_and(|s| s.contains(&p)))
    }

    /// The roles that grant `p`.
    pub fn granting(&self, p: Permission) -> Vec<&str> {
        self.roles
            .iter()
            .filter(|(_, s)| s.contains(&p))
            .map(|(r, _)| r.as_str())
            .collect()
    }

    /// The refusal of `operation` to `user` holding `roles`: names the missing permission and
    /// the roles that would grant it.
    pub fn denial(&self, user: &str, roles: &[String], operation: &str, p: Permission) -> Error {
        let held = if roles.is_empty() {
            "no roles".to_string()
        } else {
            format!("roles: {}", roles.join(", "))
        };
        let granting = self.granting(p);
        Error::Permission {
            message: format!(
                "{user} ({held}) may not run {operation}: it needs the permission `{}`",
                p.as_str()
            ),
            hint: Some(if granting.is_empty() {
                "no configured role grants it; see auth.roles in the config file".into()
            } else {
                format!("ask for one of these roles: {}", granting.join(", "))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_roles_grant_what_the_design_says() {
        let m = RoleMap::default();
        use Permission as P;
        assert!(m.allows(&r(&["platform-admin"]), P::AgentDeployProduction));
        assert!(m.allows(&r(&["platform-admin"]), P::McpRemove));
        let dev = r(&["agent-developer"]);
        for p in [
            P::AgentCreate,
            P::McpRegister,
            P::McpValidate,
            P::AgentDeploy,
        ] {
            assert!(m.allows(&dev, p), "{p:?}");
        }
        for p in [P::AgentDeployProduction, P::McpRemove, P::AuditRead] {
            assert!(!m.allows(&dev, p), "{p:?}");
        }
        let analyst = r(&["analyst"]);
        assert!(m.allows(&analyst, P::AnalyticsRead) && m.allows(&analyst, P::McpRead));
        assert!(!m.allows(&analyst, P::AgentCreate));
        let auditor = r(&["auditor"]);
        assert!(m.allows(&auditor, P::AuditRead) && m.allows(&auditor, P::AuditExport));
        assert!(!m.allows(&auditor, P::AgentRead));
        assert!(m.allows(&[], P::SystemCheck) && !m.allows(&[], P::AgentRead));
    }

    #[test]
    fn overrides_replace_a_role_and_bad_names_are_refused() {
        let mut o = BTreeMap::new();
        o.insert(
            "pc-admins".to_string(),
            (PathBuf::from("c.yaml"), vec!["*".to_string()]),
        );
        o.insert(
            "analyst".to_string(),
            (PathBuf::from("c.yaml"), vec!["audit_read".to_string()]),
        );
        let m = RoleMap::with_overrides(&o).unwrap();
        assert!(m.allows(&r(&["pc-admins"]), Permission::McpRemove));
        assert!(!m.allows(&r(&["analyst"]), Permission::McpRead));
        o.insert(
            "x".to_string(),
            (PathBuf::from("c.yaml"), vec!["deploy_all".to_string()]),
        );
        let e = RoleMap::with_overrides(&o).unwrap_err().to_string();
        assert!(e.contains("c.yaml: auth.roles.x: `deploy_all`"), "{e}");
    }

    #[test]
    fn a_denial_names_the_permission_and_the_roles_granting_it() {
        let m = RoleMap::default();
        let e = m.denial(
            "bob",
            &r(&["agent-developer"]),
            "agent.deploy",
            Permission::AgentDeployProduction,
        );
        assert_eq!(e.exit_code(), crate::error::exit::AUTH);
        assert!(e.to_string().contains("`agent_deploy_production`"));
        assert!(e.hint().unwrap().contains("platform-admin"));
    }
}
