//! pc-hybrid: the PromptCraft-Hybrid command-line tool as a library; `main.rs` is a thin shell.

pub mod analytics; // executions of tools: checked, imported, judged; what is computed from them
pub mod audit; // audit trail: events, hash chain, signed checkpoints
pub mod auth; // OIDC, token store (keyring), roles
pub mod cli; // clap definitions: the command-line surface
pub mod commands; // glue: settings -> one domain call -> output
pub mod daemon; // the optional background daemon: lifecycle, HTTP API on a Unix socket, client
pub mod deploy; // DeployBackend: local processes, Docker, Kubernetes; pre-deploy scan
pub mod docker; // the one Docker Engine client; sandbox containers
pub mod doctor; // environment checks
pub mod document; // JSON/YAML with line/column by JSON pointer, bounded parsing
pub mod env_vars; // every environment variable the tool reads
pub mod error; // typed errors, exit codes, hints
pub mod factory; // agent factory: spec, templates, escaping, git
pub mod gateway; // the MCP gateway: upstreams, the merged catalog, routing, policy, pinned tool definitions
pub mod histogram; // latency histograms with fixed logarithmic buckets (1 % relative error), mergeable
pub mod lockfile; // locks held across processes (flock on a 0600 file)
pub mod model; // the shared vocabulary: agent names, deployment targets, agent version and port
pub mod net; // the one HTTP client, loopback ports
pub mod ops; // the operation layer: declarations, typed requests and responses, execute
pub mod output; // the one output path: table/json/yaml, progress, logging
pub mod progress; // the Progress trait long operations report their steps to
pub mod quantity; // memory and CPU quantities
pub mod registry; // MCP registry: formats, staged validation, live checks, export
pub mod secret; // redacted secret strings
pub mod settings; // flags > env > config file > defaults
pub mod store; // the one storage interface; SQLite
