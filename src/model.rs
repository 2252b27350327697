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

/// A JSON document kept as its text: stored, sent and received without being taken apart
/// into a tree of maps, and read only where a field of it is needed. A registry listing is
/// mostly such documents (each entry's manifest and report); building them as
/// `serde_json::Value` was half of what a `mcp list` cost its client, and again the daemon.
///
/// JSON serializers write the text as it is. Other formats need the document as data:
/// `output` renders YAML from the JSON (`serde_json::to_value` reads the text back).
#[derive(Clone)]
pub struct Json(Box<serde_json::value::RawValue>);

impl Json {
    /// JSON `null`.
    pub fn null() -> Json {
        Json::from_value(&serde_json::Value::Null)
    }

    /// The document of `value`.
    pub fn from_value(value: &serde_json::Value) -> Json {
        Json::of(value).unwrap_or_else(|_| Json::null())
    }

    /// The document `value` serializes to.
    pub fn of<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Json> {
        serde_json::value::to_raw_value(value).map(Json)
    }

    /// Check that `text` is one JSON document and keep it.
    pub fn parse(text: String) -> serde_json::Result<Json> {
        serde_json::value::RawValue::from_string(text).map(Json)
    }

    /// The text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    pub fn is_null(&self) -> bool {
        self.text() == "null"
    }

    /// The document as a tree, for code that walks it.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.text()).unwrap_or_default()
    }

    /// Read the document (or the fields of it that `T` names) as `T`.
    pub fn read<'a, T: serde::Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_str(self.text())
    }
}

impl Default for Json {
    fn default() -> Json {
        Json::null()
    }
}

/// Equal as documents: the same data, whatever the spacing or the order of keys (a
/// PostgreSQL `jsonb` column, for one, gives back its own).
impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.text() == other.text() || self.value() == other.value()
    }
}

impl std::fmt::Debug for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        Box::<serde_json::value::RawValue>::deserialize(d).map(Json)
    }
}

impl schemars::JsonSchema for Json {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AnyValue".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        serde_json::Value::json_schema(g)
    }
}

#[cfg(test)]
mod json_tests {
    use super::Json;

    #[test]
    fn a_document_is_kept_as_text_and_read_where_needed() {
        let j = Json::parse(r#"{"spec": {"transport": "stdio", "command": ["x"]}, "b": 1}"#.into())
            .unwrap();
        #[derive(serde::Deserialize)]
        struct Spec<'a> {
            transport: &'a str,
        }
        #[derive(serde::Deserialize)]
        struct Doc<'a> {
            #[serde(borrow)]
            spec: Spec<'a>,
        }
        assert_eq!(j.read::<Doc>().unwrap().spec.transport, "stdio");
        assert_eq!(j.value()["b"], 1);
        // The same data in another order and spacing is the same document.
        assert_eq!(
            j,
            Json::parse(r#"{"b":1,"spec":{"command":["x"],"transport":"stdio"}}"#.into()).unwrap()
        );
        assert!(Json::parse("{".into()).is_err());
        assert!(Json::parse("1 2".into()).is_err());
        assert!(Json::default().is_null());
        // Serialized as it is, inside any document.
        let wrapped = serde_json::json!({ "m": serde_json::to_value(&j).unwrap() });
        assert_eq!(wrapped["m"]["spec"]["command"][0], "x");
    }
}
