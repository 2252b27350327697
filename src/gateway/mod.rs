//! The MCP gateway: one endpoint in front of every agent and registered server. Here so
//! far: how upstream tools are named to clients, and how their definitions are pinned.

pub mod names;
pub mod pins;
