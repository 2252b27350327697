//! The vocabulary every domain module shares and none owns: agent names, where an agent
//! runs, and the version and port of the agents the factory makes. It depends on nothing
//! else in the crate, so that storage, deployment and the registry can all speak it.

use std::sync::LazyLock;

use regex::Regex;

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

/// A value that crosses the wire and the stores as one fixed word.
pub trait Wire: Copy + Sized + 'static {
    /// What the value is, for errors about an unknown one ("deployment status").
    const WHAT: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    /// The value `as_str` gives `s`, if any.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a wire enum: each variant with the word it is written as, in JSON, YAML, the
/// stores and the OpenAPI schema alike.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $what:literal {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $crate::model::Wire for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                $crate::model::Wire::as_str(self)
            }
            pub fn parse(s: &str) -> Option<Self> {
                <Self as $crate::model::Wire>::parse(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// Where an agent runs.
    #[derive(Default, clap::ValueEnum)]
    pub enum Target as "deploy target" {
        #[default]
        Local = "local",
        Docker = "docker",
        Kubernetes = "kubernetes",
    }
}

wire_enum! {
    /// Where a step of a creation is.
    pub enum StepStatus as "step status" {
        /// In a dry run: would run.
        Planned = "planned",
        /// Not started yet; for the deploy step, handed to deploy-agent.
        Pending = "pending",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        /// Not run: not requested, or an earlier step failed.
        Skipped = "skipped",
        /// Succeeded, then undone because a later step failed.
        RolledBack = "rolled_back",
    }
}

wire_enum! {
    /// Where a creation (one run of `create-agent`) is.
    pub enum CreationStatus as "creation status" {
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
        /// A dry run: reported, never recorded.
        DryRun = "dry_run",
    }
}

wire_enum! {
    /// What the factory has done with an agent.
    pub enum AgentStatus as "agent status" {
        /// Rendered, committed and registered; the status it is recorded with.
        Created = "created",
        /// Seen with its deployments: one serves it (a healthy replica, or rendered
        /// manifests).
        Deployed = "deployed",
        /// Seen with its deployments: deployed, but nothing of it is healthy.
        Degraded = "degraded",
    }
}

wire_enum! {
    /// Who an entry of the MCP registry belongs to.
    pub enum EntryKind as "registry kind" {
        /// Made by the factory; its name is the agent's.
        Agent = "agent",
        /// Registered from a document.
        Custom = "custom",
    }
}

wire_enum! {
    /// The format a server definition was written in, detected from its content.
    pub enum SourceFormat as "source format" {
        /// The reference design's registration body (`mcp_spec`, `security_config`, ...).
        Registration = "registration",
        /// `apiVersion: mcp.promptcraft.io/v1`, `kind: MCPServer`.
        Manifest = "manifest",
        /// The official MCP Registry's `server.json`.
        ServerJson = "server-json",
    }
}

wire_enum! {
    /// Where a registration is (reference design 2.3).
    pub enum Phase as "registry phase" {
        Pending = "pending",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}
