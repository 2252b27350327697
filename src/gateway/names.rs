//! How the gateway names upstream tools to its clients, and back. By default every tool is
//! `<server>__<tool>`; a configured alias wins; with `unique`, a tool whose name no other
//! server uses keeps it as published (prefixing only where names collide, so that a client
//! finds the names it knows).

use std::collections::{BTreeMap, HashMap};

/// How tool names are made.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// `<server>__<tool>` for every tool.
    #[default]
    Prefixed,
    /// The published name when no other server has it, else `<server>__<tool>`.
    Unique,
}

/// The separator of server and tool in a prefixed name.
pub const SEPARATOR: &str = "__";
/// The longest tool name clients are given (MCP: 1 to 128 characters).
pub const MAX_NAME: usize = 128;

/// Whether `name` is a tool name MCP clients take: 1 to 128 of `A-Z a-z 0-9 _ - .`.
pub fn valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// One upstream tool as the gateway exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    pub name: String,
    pub server: String,
    pub tool: String,
}

/// Why a tool is not exposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    pub server: String,
    pub tool: String,
    pub reason: String,
}

/// The names of every tool of `servers` (server -> its tools' published names), with the
/// configured `aliases` ((server, tool) -> name). A name two tools would share, or one MCP
/// clients would refuse, hides the tools concerned with the reason, rather than letting one
/// shadow the other.
pub fn assign(
    servers: &BTreeMap<String, Vec<String>>,
    strategy: Strategy,
    aliases: &HashMap<(String, String), String>,
) -> (Vec<Exposed>, Vec<Hidden>) {
    let mut published: HashMap<&str, usize> = HashMap::new();
    for tools in servers.values() {
        for t in tools {
            *published.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut wanted: Vec<Exposed> = Vec::new();
    for (server, tools) in servers {
        for tool in tools {
            let name = match aliases.get(&(server.clone(), tool.clone())) {
                Some(a) => a.clone(),
                None if strategy == Strategy::Unique && published[tool.as_str()] == 1 => {
                    tool.clone()
                }
                None => format!("{server}{SEPARATOR}{tool}"),
            };
            wanted.push(Exposed {
                name,
                server: server.clone(),
                tool: tool.clone(),
            });
        }
    }
    let mut count: HashMap<&str, usize> = HashMap::new();
    for e in &wanted {
        *count.entry(e.name.as_str()).or_default() += 1;
    }
    let mut exposed = Vec::new();
    let mut hidden = Vec::new();
    for e in &wanted {
        let reason = if count[e.name.as_str()] > 1 {
            Some(format!(
                "its name `{}` is also another tool's; give one of them an alias",
                e.name
            ))
        } else if !valid(&e.name) {
            Some(format!(
                "`{}` is not a tool name MCP clients take (1 to {MAX_NAME} of A-Z, a-z, 0-9, `_`, `-`, `.`); give it an alias",
                e.name.chars().take(160).collect::<String>()
            ))
        } else {
            None
        };
        match reason {
            Some(reason) => hidden.push(Hidden {
                server: e.server.clone(),
                tool: e.tool.clone(),
                reason,
            }),
            None => exposed.push(e.clone()),
        }
    }
    exposed.sort_by(|a, b| a.name.cmp(&b.name));
    (exposed, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(v: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        v.iter()
            .map(|(s, t)| (s.to_string(), t.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    fn names(e: &[Exposed]) -> Vec<&str> {
        e.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn prefixed_by_default_unique_keeps_names_no_one_else_has() {
        let s = servers(&[
            ("tax", &["search", "file"]),
            ("legal", &["search", "draft"]),
        ]);
        let (e, h) = assign(&s, Strategy::Prefixed, &HashMap::new());
        assert_eq!(
            names(&e),
            ["legal__draft", "legal__search", "tax__file", "tax__search"]
        );
        assert!(h.is_empty());
        let (e, _) = assign(&s, Strategy::Unique, &HashMap::new());
        assert_eq!(names(&e), ["draft", "file", "legal__search", "tax__search"]);
        let found = e.iter().find(|x| x.name == "legal__search").unwrap();
        assert_eq!(
            (found.server.as_str(), found.tool.as_str()),
            ("legal", "search")
        );
    }

    #[test]
    fn aliases_win_and_collisions_hide_both_with_a_reason() {
        let s = servers(&[
            ("tax", &["search"]),
            ("legal", &["search"]),
            ("a__b", &["c"]),
            ("a", &["b__c"]),
        ]);
        let mut aliases = HashMap::new();
        aliases.insert(("tax".into(), "search".into()), "tax_search".into());
        let (e, h) = assign(&s, Strategy::Prefixed, &aliases);
        assert_eq!(names(&e), ["legal__search", "tax_search"]);
        // `a__b` + `c` and `a` + `b__c` make the same name: neither shadows the other.
        assert_eq!(h.len(), 2);
        assert!(h[0].reason.contains("`a__b__c` is also another tool's"));
        let long = servers(&[("s", &[&"x".repeat(130) as &str]), ("t", &["has space"])]);
        let (e, h) = assign(&long, Strategy::Unique, &HashMap::new());
        assert!(e.is_empty());
        assert_eq!(h.len(), 2);
        assert!(h.iter().all(|h| h.reason.contains("not a tool name")));
    }
}
