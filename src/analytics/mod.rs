//! Analytics: the executions of tools (recorded by the gateway and `invoke`, imported from
//! elsewhere, judged by feedback), and what is computed from them.

pub mod alerts;
pub mod config;
pub mod executions;
pub mod forecast;
pub mod insights;
pub mod metrics;
pub mod recommend;
pub mod report;
