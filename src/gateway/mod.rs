//! The MCP gateway: one endpoint in front of every deployed agent and runnable registered
//! server, which merges their live tools, routes each call to a healthy replica, governs it
//! (roles, allow lists, pinned definitions, limits) and measures it for the records.

pub mod catalog;
pub mod names;
pub mod pins;
pub mod policy;
pub mod sources;
pub mod trace;
pub mod upstream;

pub use catalog::{CallOutcome, Gateway, RpcError, Source, Who};
