//! `analytics:` in the config file: the price table, the price of a replica-hour and the
//! latency objective insights and recommendations are measured against.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsConfig {
    /// What calls cost when they report no cost themselves: the first rule naming the
    /// call's agent, else the first naming its model, else nothing.
    #[serde(default)]
    pub prices: Vec<Price>,
    /// The price of one replica running for an hour: the infrastructure cost.
    pub replica_hour: Option<f64>,
    /// The p95 latency objective in milliseconds (default 2000).
    pub sla_p95_ms: Option<f64>,
    /// Minutes the daemon keeps an insights answer (default 0; ANALYTICS_CACHE_TTL_MINUTES).
    pub cache_ttl_minutes: Option<u64>,
    /// Recommendations and anomalies (default true; ADVANCED_ANALYTICS_ENABLED).
    pub advanced: Option<bool>,
}

/// One rule of the price table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub agent: Option<String>,
    pub model: Option<String>,
    /// Per thousand tokens in.
    #[serde(default)]
    pub input_per_1k: f64,
    /// Per thousand tokens out.
    #[serde(default)]
    pub output_per_1k: f64,
    #[serde(default)]
    pub per_call: f64,
}

pub const DEFAULT_SLA_P95_MS: f64 = 2000.0;

impl AnalyticsConfig {
    /// The rule pricing calls of `agent` on `model` ('' for none).
    pub fn price(&self, agent: &str, model: &str) -> Option<&Price> {
        self.prices
            .iter()
            .find(|p| p.agent.as_deref() == Some(agent))
            .or_else(|| {
                self.prices.iter().find(|p| {
                    p.agent.is_none() && !model.is_empty() && p.model.as_deref() == Some(model)
                })
            })
    }

    pub fn advanced(&self) -> bool {
        self.advanced.unwrap_or(true)
    }

    pub fn sla_p95_ms(&self) -> f64 {
        self.sla_p95_ms.unwrap_or(DEFAULT_SLA_P95_MS)
    }

    /// What is wrong with it: (field, message).
    pub fn check(&self) -> Result<(), (String, String)> {
        for (i, p) in self.prices.iter().enumerate() {
            if p.agent.is_none() && p.model.is_none() {
                return Err((
                    format!("analytics.prices[{i}]"),
                    "names neither an agent nor a model".into(),
                ));
            }
            for (f, v) in [
                ("input_per_1k", p.input_per_1k),
                ("output_per_1k", p.output_per_1k),
                ("per_call", p.per_call),
            ] {
                if !v.is_finite() || v < 0.0 {
                    return Err((
                        format!("analytics.prices[{i}].{f}"),
                        format!("{v} is not a price (0 or more)"),
                    ));
                }
            }
        }
        for (f, v) in [
            ("replica_hour", self.replica_hour),
            ("sla_p95_ms", self.sla_p95_ms),
        ] {
            if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
                return Err((format!("analytics.{f}"), format!("{v} is not 0 or more")));
            }
        }
        Ok(())
    }
}

impl Price {
    /// The cost, in micro-units, of `calls` calls that used these tokens.
    pub fn micros(&self, calls: i64, tokens_in: i64, tokens_out: i64) -> f64 {
        (calls as f64 * self.per_call
            + tokens_in as f64 / 1000.0 * self.input_per_1k
            + tokens_out as f64 / 1000.0 * self.output_per_1k)
            * 1e6
    }
}
