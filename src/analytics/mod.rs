//! Analytics: the executions of tools (recorded by the gateway and `invoke`, imported from
//! elsewhere, judged by feedback), and what is computed from them.

pub mod executions;
pub mod histogram;
