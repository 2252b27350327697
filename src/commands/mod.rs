//! Command glue: each file resolves what its command needs, calls one domain function and
//! hands the result to `output`.

pub mod audit;
pub mod completions;
pub mod config;
pub mod create_agent;
pub mod deploy;
pub mod doctor;
pub mod list_agents;
pub mod mcp;
pub mod status;
mod wizard;

use crate::error::Result;
use crate::settings::Settings;
use crate::store::{self, Store};

/// Open the store the settings point at.
pub fn open_store(s: &Settings) -> Result<Box<dyn Store>> {
    store::open(&s.database.value)
}

/// Format a timestamp for tables.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}
