//! The vocabulary every domain module shares and none owns: agent names, where an agent
//! runs, and the version and port of the agents the factory makes. It depends on nothing
//! else in the crate, so that storage, deployment and the registry can all speak it.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Port an agent listens on inside its container.
pub const AGENT_PORT: u16 = 8000;
/// The version of every agent the factory makes (and registers).
pub const AGENT_VERSION: &str = "0.1.0";

/// An agent's name: snake_case, because it also names a Python package, a DNS label, a
/// folder and a container.
pub(crate) static NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]{1,62}$").unwrap());

/// Python keywords and modules the generated agent imports: a package with such a name
/// would not import or would shadow a dependency.
const RESERVED_NAMES: &[&str] = &[
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "type",
    "none",
    "true",
    "false",
    "mcp",
    "json",
    "os",
    "sys",
    "re",
    "math",
    "time",
    "typing",
    "pathlib",
    "asyncio",
    "argparse",
    "logging",
    "sqlite3",
    "urllib",
    "http",
    "yaml",
    "jsonschema",
    "pydantic",
    "starlette",
    "uvicorn",
    "anyio",
    "httpx",
    "tests",
    "test",
    "src",
    "knowledge",
    "config",
    "setuptools",
    "pytest",
    "builtins",
    "collections",
    "dataclasses",
    "datetime",
    "hashlib",
    "tempfile",
    "subprocess",
    "socket",
    "string",
    "types",
    "io",
    "abc",
    "functools",
    "itertools",
    "contextlib",
    "unittest",
    "email",
    "site",
    "encodings",
    "psycopg",
];

/// Check a single agent name; used by the wizard as the user types.
pub fn check_name(name: &str) -> Result<(), String> {
    if !NAME_RE.is_match(name) {
        return Err(format!(
            "`{}` is not snake_case: use 2 to 63 characters a-z, 0-9 and _, starting with a letter",
            name.escape_debug()
        ));
    }
    if name.ends_with('_') || name.contains("__") {
        return Err("must not end with `_` or contain `__` (it also names a DNS label and a Python package)".into());
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(format!(
            "`{name}` is reserved: it would shadow a Python keyword or module the agent uses"
        ));
    }
    Ok(())
}

/// Where an agent runs.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    #[default]
    Local,
    Docker,
    Kubernetes,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Target {
    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "local" => Some(Target::Local),
            "docker" => Some(Target::Docker),
            "kubernetes" => Some(Target::Kubernetes),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Local => "local",
            Target::Docker => "docker",
            Target::Kubernetes => "kubernetes",
        }
    }
}
