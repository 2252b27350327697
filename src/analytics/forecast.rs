//! Forecasts: Holt's linear smoothing of the last four weeks' daily calls and cost, the
//! month's expected cost, and the day a monthly budget runs out at that trend.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::config::AnalyticsConfig;
use crate::error::Result;
use crate::store::executions::{ExecutionStore, ReplicaChange};
use crate::store::rollups::Grain;

/// Days of history the trend is fitted on.
pub const HISTORY_DAYS: i64 = 28;
/// Smoothing of the level and of the trend.
const ALPHA: f64 = 0.5;
const BETA: f64 = 0.3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Forecast {
    /// Calls and cost expected over the next seven days.
    pub next_7_days_calls: f64,
    pub next_7_days_cost: f64,
    /// Cost so far this month (UTC), today included.
    pub month_to_date_cost: f64,
    /// This month's cost if the trend holds.
    pub month_forecast_cost: f64,
    /// The monthly budget, when one is set.
    pub monthly_budget: Option<f64>,
    /// The day the budget is spent at this trend (today when it already is); none when it
    /// lasts the month.
    pub budget_runs_out: Option<NaiveDate>,
}

/// Holt's linear method: the forecast `h` steps ahead of `series` (never below 0).
pub fn holt(series: &[f64], h: usize) -> Vec<f64> {
    if series.is_empty() {
        return vec![0.0; h];
    }
    let mut level = series[0];
    let mut trend = if series.len() > 1 {
        series[1] - series[0]
    } else {
        0.0
    };
    for y in &series[1..] {
        let last = level;
        level = ALPHA * y + (1.0 - ALPHA) * (level + trend);
        trend = BETA * (level - last) + (1.0 - BETA) * trend;
    }
    (1..=h)
        .map(|k| (level + k as f64 * trend).max(0.0))
        .collect()
}

const DAY_US: i64 = 86_400_000_000;

/// The forecast at `now` from the day rollups (priced by the table) and the replica history.
pub fn forecast(
    store: &dyn ExecutionStore,
    cfg: &AnalyticsConfig,
    replicas: &[ReplicaChange],
    now: DateTime<Utc>,
) -> Result<Forecast> {
    let today = now.timestamp_micros().div_euclid(DAY_US);
    let date = now.date_naive();
    let month_first = today - i64::from(date.day0());
    let first = (today - HISTORY_DAYS).min(month_first);
    let n = (today - first + 1) as usize;
    let mut calls = vec![0.0; n];
    let mut cost = vec![0.0; n];
    for r in store.rollups(Grain::Day, first, today + 1, None)? {
        let i = (r.key.bucket - first) as usize;
        calls[i] += r.sums.calls as f64;
        cost[i] += cfg.cost_micros(&r.sums, &r.key.agent_id, &r.key.model) / 1e6;
    }
    if let Some(price) = cfg.replica_hour {
        let spans = super::insights::spans_by_agent(replicas, now);
        for (i, c) in cost.iter_mut().enumerate() {
            let from = (first + i as i64) * DAY_US;
            let until = (from + DAY_US).min(now.timestamp_micros());
            let hours: f64 = spans
                .values()
                .map(|s| super::insights::replica_hours_between(s, from, until))
                .sum();
            *c += hours * price;
        }
    }
    // Fitted on whole days: the last four weeks before today.
    let fit = |v: &[f64]| -> Vec<f64> { v[n - 1 - HISTORY_DAYS as usize..n - 1].to_vec() };
    let days_left = {
        let next_month = if date.month() == 12 {
            NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
        }
        .unwrap_or(date);
        (next_month - date).num_days() as usize
    };
    let ahead_cost = holt(&fit(&cost), days_left.max(8));
    let ahead_calls = holt(&fit(&calls), 7);
    let month_to_date: f64 = cost[(month_first - first) as usize..].iter().sum();
    // Today is partly spent: what is left of it is its forecast beyond what it has cost.
    let today_left = (ahead_cost[0] - cost[n - 1]).max(0.0);
    let rest: f64 = ahead_cost[1..days_left].iter().sum();
    let month_forecast = month_to_date + today_left + rest;
    let budget_runs_out = cfg.monthly_budget.and_then(|b| {
        let mut spent = month_to_date;
        if spent >= b {
            return Some(date);
        }
        spent += today_left;
        if spent >= b {
            return Some(date);
        }
        for (k, c) in ahead_cost[1..days_left].iter().enumerate() {
            spent += c;
            if spent >= b {
                return Some(date + chrono::Duration::days(k as i64 + 1));
            }
        }
        None
    });
    Ok(Forecast {
        next_7_days_calls: round2(ahead_calls.iter().sum()),
        next_7_days_cost: round2(ahead_cost[1..8.min(ahead_cost.len())].iter().sum()),
        month_to_date_cost: round2(month_to_date),
        month_forecast_cost: round2(month_forecast),
        monthly_budget: cfg.monthly_budget,
        budget_runs_out,
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holt_follows_a_linear_trend() {
        let series: Vec<f64> = (0..28).map(|d| 100.0 + 5.0 * d as f64).collect();
        let f = holt(&series, 3);
        for (k, v) in f.iter().enumerate() {
            let want = 100.0 + 5.0 * (28 + k) as f64;
            assert!((v - want).abs() < 1.0, "{k}: {v} vs {want}");
        }
        // A falling series does not forecast below zero.
        let falling: Vec<f64> = (0..10).map(|d| 50.0 - 10.0 * d as f64).collect();
        assert!(holt(&falling, 5).iter().all(|v| *v >= 0.0));
        assert_eq!(holt(&[], 2), vec![0.0, 0.0]);
    }
}
