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
    /// What a calendar month (UTC) may cost: recommendations say when the trend spends it.
    pub monthly_budget: Option<f64>,
    /// Minutes the daemon keeps an insights answer (default 0; ANALYTICS_CACHE_TTL_MINUTES).
    pub cache_ttl_minutes: Option<u64>,
    /// Recommendations and anomalies (default true; ADVANCED_ANALYTICS_ENABLED).
    pub advanced: Option<bool>,
    #[serde(default)]
    pub alerts: AlertsConfig,
}

/// `analytics.alerts`: the rules, how often the daemon evaluates them, how long a firing
/// alert stays quiet after it was sent. The webhook is ANALYTICS_ALERT_WEBHOOK_URL (its
/// URL is a credential: never in a file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    #[serde(default)]
    pub rules: Vec<AlertRule>,
    /// Seconds between the daemon's evaluations (default 60).
    pub interval_seconds: Option<u64>,
    /// Minutes an alert that fired is not sent again while it keeps firing (default 60).
    pub throttle_minutes: Option<u64>,
}

crate::model::wire_enum! {
    /// What an alert rule watches.
    pub enum AlertKind as "alert kind" {
        /// p95 latency above `above` milliseconds over `window_minutes`.
        P95Latency = "p95_latency",
        /// The share of failed calls (errors and timeouts) above `above` percent over
        /// `window_minutes`.
        ErrorRate = "error_rate",
        /// Today's cost (model and infrastructure) above `above`.
        CostPerDay = "cost_per_day",
        /// No successful call of the agent for `window_minutes`.
        NoSuccess = "no_success",
        /// The last hour's calls far from the same hour of past weeks (robust z-score above
        /// `above`, default 3.5).
        Anomaly = "anomaly",
    }
}

/// One alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// How the alert is named (default: the kind, and the agent when given).
    pub name: Option<String>,
    pub kind: AlertKind,
    /// One agent; absent: each agent on its own (the whole fleet for cost_per_day and
    /// anomaly).
    pub agent: Option<String>,
    /// The threshold: milliseconds, percent, cost or z-score by kind.
    pub above: Option<f64>,
    /// The window looked at, in minutes (default 15; for no_success, the quiet time).
    pub window_minutes: Option<u64>,
    /// Fewest calls in the window before latency or error rate is judged (default 20).
    pub min_calls: Option<u64>,
}

impl AlertRule {
    pub fn name(&self) -> String {
        self.name.clone().unwrap_or_else(|| match &self.agent {
            Some(a) => format!("{}:{a}", self.kind.as_str()),
            None => self.kind.as_str().to_string(),
        })
    }

    pub fn window_minutes(&self) -> u64 {
        self.window_minutes.unwrap_or(15)
    }

    pub fn min_calls(&self) -> u64 {
        self.min_calls.unwrap_or(20)
    }
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

    /// What the calls of a rollup row cost, in micro-units: what they reported, and the
    /// price table's figure for those that reported nothing.
    pub fn cost_micros(&self, sums: &crate::store::rollups::Sums, agent: &str, model: &str) -> f64 {
        sums.cost_micros as f64 + self.priced_micros(sums, agent, model)
    }

    /// The price table's figure, in micro-units, for the calls of a rollup row that
    /// reported no cost.
    pub fn priced_micros(
        &self,
        sums: &crate::store::rollups::Sums,
        agent: &str,
        model: &str,
    ) -> f64 {
        self.price(agent, model).map_or(0.0, |p| {
            p.micros(
                sums.unpriced_calls,
                sums.unpriced_tokens_in,
                sums.unpriced_tokens_out,
            )
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
        for (i, r) in self.alerts.rules.iter().enumerate() {
            let needs_above = !matches!(r.kind, AlertKind::NoSuccess | AlertKind::Anomaly);
            match r.above {
                None if needs_above => {
                    return Err((
                        format!("analytics.alerts.rules[{i}].above"),
                        format!("a {} rule needs a threshold", r.kind.as_str()),
                    ))
                }
                Some(v) if !v.is_finite() || v < 0.0 => {
                    return Err((
                        format!("analytics.alerts.rules[{i}].above"),
                        format!("{v} is not 0 or more"),
                    ))
                }
                _ => {}
            }
            if r.window_minutes == Some(0) || r.window_minutes.is_some_and(|w| w > 7 * 24 * 60) {
                return Err((
                    format!("analytics.alerts.rules[{i}].window_minutes"),
                    "must be from 1 to 10080 (a week)".into(),
                ));
            }
            if r.kind == AlertKind::NoSuccess && r.agent.is_none() {
                return Err((
                    format!("analytics.alerts.rules[{i}].agent"),
                    "a no_success rule names its agent".into(),
                ));
            }
        }
        if self.alerts.interval_seconds == Some(0) {
            return Err((
                "analytics.alerts.interval_seconds".into(),
                "must be above 0".into(),
            ));
        }
        for (f, v) in [
            ("replica_hour", self.replica_hour),
            ("sla_p95_ms", self.sla_p95_ms),
            ("monthly_budget", self.monthly_budget),
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
