//! Alerts: the rules of `analytics.alerts` evaluated against the executions and rollups,
//! each firing alert posted to a Slack-compatible incoming webhook (`text` and `blocks`),
//! retried with backoff, held back while it was sent recently, and kept in the store.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::{AlertKind, AlertRule, AnalyticsConfig};
use crate::error::Result;
use crate::store::executions::{ExecutionQuery, ExecutionStore, ReplicaChange};
use crate::store::rollups::{Grain, Sums};
use crate::store::ExecutionStatus;

/// One alert firing now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Firing {
    /// The rule's name and its subject: what throttling counts by.
    pub key: String,
    pub rule: String,
    pub kind: AlertKind,
    /// The agent it is about, when it is about one.
    pub agent: Option<String>,
    pub value: f64,
    pub threshold: f64,
    pub message: String,
    /// Sent to the webhook now.
    pub delivered: bool,
    /// Not sent: it was sent less than the throttle ago.
    pub throttled: bool,
    /// Why delivery failed, when it did.
    pub error: Option<String>,
}

/// What one evaluation found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evaluation {
    pub evaluated_at: DateTime<Utc>,
    pub rules: usize,
    pub firing: Vec<Firing>,
}

const MINUTE_US: i64 = 60_000_000;
const HOUR_US: i64 = 60 * MINUTE_US;
const DAY_US: i64 = 24 * HOUR_US;

/// Evaluate every rule at `now`.
pub fn evaluate(
    store: &dyn ExecutionStore,
    cfg: &AnalyticsConfig,
    replicas: &[ReplicaChange],
    now: DateTime<Utc>,
) -> Result<Vec<Firing>> {
    let now_us = now.timestamp_micros();
    let mut out = Vec::new();
    for rule in &cfg.alerts.rules {
        let name = rule.name();
        let fire = |agent: Option<&str>, value: f64, threshold: f64, message: String| Firing {
            key: match agent {
                Some(a) => format!("{name}/{a}"),
                None => name.clone(),
            },
            rule: name.clone(),
            kind: rule.kind,
            agent: agent.map(str::to_string),
            value,
            threshold,
            message,
            delivered: false,
            throttled: false,
            error: None,
        };
        let window = rule.window_minutes() as i64;
        match rule.kind {
            AlertKind::P95Latency | AlertKind::ErrorRate => {
                let since = now_us - window * MINUTE_US;
                let mut by: HashMap<String, (Sums, Vec<i64>)> = HashMap::new();
                store.scan_executions(since, now_us + 1, None, &mut |e| {
                    if rule.agent.as_deref().is_some_and(|a| a != e.agent_id) {
                        return;
                    }
                    let (s, l) = by.entry(e.agent_id.to_string()).or_default();
                    s.add_one(e.latency_us, e.status, 0, 0, e.cost_micros);
                    if e.status != ExecutionStatus::Denied {
                        l.push(e.latency_us);
                    }
                })?;
                let mut agents: Vec<_> = by.into_iter().collect();
                agents.sort_by(|a, b| a.0.cmp(&b.0));
                for (agent, (s, mut lat)) in agents {
                    let threshold = rule.above.unwrap_or(0.0);
                    if rule.kind == AlertKind::P95Latency {
                        if (lat.len() as u64) < rule.min_calls() {
                            continue;
                        }
                        lat.sort_unstable();
                        let p95 =
                            lat[((lat.len() - 1) as f64 * 0.95).round() as usize] as f64 / 1000.0;
                        if p95 > threshold {
                            out.push(fire(
                                Some(&agent),
                                p95,
                                threshold,
                                format!(
                                    "p95 latency of `{agent}` is {p95:.0} ms, above {threshold:.0} ms over the last {window} min ({} calls)",
                                    lat.len()
                                ),
                            ));
                        }
                    } else {
                        let judged = s.calls - s.denied;
                        if (judged as u64) < rule.min_calls() {
                            continue;
                        }
                        let rate = (s.errors + s.timeouts) as f64 / judged as f64 * 100.0;
                        if rate > threshold {
                            out.push(fire(
                                Some(&agent),
                                rate,
                                threshold,
                                format!(
                                    "`{agent}` failed {rate:.1} % of its calls, above {threshold:.1} % over the last {window} min ({} of {judged})",
                                    s.errors + s.timeouts
                                ),
                            ));
                        }
                    }
                }
            }
            AlertKind::CostPerDay => {
                let today = now_us.div_euclid(DAY_US);
                let mut micros = 0.0;
                for r in store.rollups(Grain::Day, today, today + 1, None)? {
                    if rule.agent.as_deref().is_none_or(|a| a == r.key.agent_id) {
                        micros += cfg.cost_micros(&r.sums, &r.key.agent_id, &r.key.model);
                    }
                }
                let hours: f64 = super::insights::spans_by_agent(replicas, now)
                    .iter()
                    .filter(|(a, _)| rule.agent.as_deref().is_none_or(|x| x == a.as_str()))
                    .map(|(_, spans)| {
                        super::insights::replica_hours_between(spans, today * DAY_US, now_us)
                    })
                    .sum();
                let infra = hours * cfg.replica_hour.unwrap_or(0.0);
                let cost = micros / 1e6 + infra;
                let threshold = rule.above.unwrap_or(0.0);
                if cost > threshold {
                    let whose = rule
                        .agent
                        .as_deref()
                        .map(|a| format!("`{a}`'s"))
                        .unwrap_or_else(|| "the fleet's".into());
                    out.push(fire(
                        rule.agent.as_deref(),
                        cost,
                        threshold,
                        format!(
                            "{whose} cost today is {cost:.2}, above {threshold:.2} (model {:.2}, infrastructure {infra:.2})",
                            micros / 1e6
                        ),
                    ));
                }
            }
            AlertKind::NoSuccess => {
                let Some(agent) = rule.agent.as_deref() else {
                    continue;
                };
                let last = store.executions(&ExecutionQuery {
                    agent: Some(agent.to_string()),
                    status: Some(ExecutionStatus::Success),
                    limit: 1,
                    ..Default::default()
                })?;
                let since = last.first().map(|e| e.timestamp);
                let quiet = since.map(|t| (now - t).num_minutes());
                if quiet.is_none_or(|m| m >= window) {
                    let when = since
                        .map(|t| {
                            format!(
                                "since {} ({} min)",
                                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                                (now - t).num_minutes()
                            )
                        })
                        .unwrap_or_else(|| "ever".into());
                    out.push(fire(
                        Some(agent),
                        quiet.unwrap_or(i64::MAX) as f64,
                        window as f64,
                        format!("`{agent}` has had no successful call {when}; the rule allows {window} min"),
                    ));
                }
            }
            AlertKind::Anomaly => {
                if let Some(f) = anomaly(store, rule, now_us)? {
                    let (value, z, typical) = f;
                    let threshold = rule.above.unwrap_or(3.5);
                    let whose = rule
                        .agent
                        .as_deref()
                        .map(|a| format!("`{a}`"))
                        .unwrap_or_else(|| "the fleet".into());
                    out.push(fire(
                        rule.agent.as_deref(),
                        z,
                        threshold,
                        format!(
                            "{whose} had {value:.0} calls in the last hour, against a typical {typical:.0} for that hour of the week (robust z-score {z:.1}, limit {threshold:.1})"
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// The last whole hour's calls against the same hour of the past weeks (up to 8): a robust
/// z-score (median and MAD). Some((calls, z, median)) when it is beyond the rule's limit.
fn anomaly(
    store: &dyn ExecutionStore,
    rule: &AlertRule,
    now_us: i64,
) -> Result<Option<(f64, f64, f64)>> {
    const WEEKS: i64 = 8;
    let hour = now_us.div_euclid(HOUR_US) - 1;
    let calls_in = |h: i64| -> Result<f64> {
        Ok(store
            .rollups(Grain::Hour, h, h + 1, None)?
            .iter()
            .filter(|r| rule.agent.as_deref().is_none_or(|a| a == r.key.agent_id))
            .map(|r| r.sums.calls as f64)
            .sum())
    };
    let value = calls_in(hour)?;
    let mut past: Vec<f64> = Vec::new();
    for w in 1..=WEEKS {
        past.push(calls_in(hour - w * 24 * 7)?);
    }
    // Weeks before the first call are not history.
    while past.last() == Some(&0.0) {
        past.pop();
    }
    if past.len() < 3 {
        return Ok(None);
    }
    let (z, median) = robust_z(value, &past);
    let limit = rule.above.unwrap_or(3.5);
    Ok((z.abs() > limit).then_some((value, z, median)))
}

/// The robust z-score of `x` against `past`: 0.6745 (x − median) / MAD. A MAD of 0 (a
/// perfectly regular history) uses a tenth of the median, so that any real change shows.
pub fn robust_z(x: f64, past: &[f64]) -> (f64, f64) {
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let mut p = past.to_vec();
    let m = med(&mut p);
    let mut dev: Vec<f64> = past.iter().map(|v| (v - m).abs()).collect();
    let mut mad = med(&mut dev);
    if mad == 0.0 {
        mad = (m / 10.0).max(1.0);
    }
    (0.6745 * (x - m) / mad, m)
}

/// The Slack-compatible body of an alert: `text` for notifications and clients that show
/// only it, `blocks` for the message itself.
pub fn payload(f: &Firing, now: DateTime<Utc>) -> serde_json::Value {
    // Slack reads `<...>` as a link or a mention (`<!channel>`) and asks for these three
    // escaped: an agent's name must not ping a channel.
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let (rule, message) = (esc(&f.rule), esc(&f.message));
    serde_json::json!({
        "text": format!("[pc-hybrid] {rule}: {message}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": format!("pc-hybrid alert: {}", f.rule)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": message}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": format!(
                "rule `{}` ({}) · value {:.2} · threshold {:.2} · {}",
                rule,
                f.kind.as_str(),
                f.value,
                f.threshold,
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )}]}
        ]
    })
}

/// Post `body` to the webhook: up to `attempts` tries, doubling the wait from `backoff`
/// (or waiting what a 429's Retry-After asks, up to 30 s). The error never shows the URL,
/// which is a credential.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
    attempts: u32,
    backoff: Duration,
) -> std::result::Result<u32, String> {
    let mut wait = backoff;
    let mut last = String::new();
    for attempt in 1..=attempts.max(1) {
        let sent = http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return Ok(attempt),
            Ok(r) => {
                last = format!("the webhook answered {}", r.status());
                if r.status().as_u16() == 429 {
                    if let Some(s) = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                    {
                        wait = Duration::from_secs(s.min(30));
                    }
                } else if r.status().is_client_error() {
                    // A request the webhook refuses will be refused again.
                    return Err(last);
                }
            }
            Err(e) => last = crate::net::describe(&e.without_url()),
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cannot_mention_a_channel() {
        let f = Firing {
            key: "k".into(),
            rule: "r<!here>".into(),
            kind: AlertKind::ErrorRate,
            agent: Some("<!channel>".into()),
            value: 1.0,
            threshold: 0.5,
            message: "`<!channel>` failed & more".into(),
            delivered: false,
            throttled: false,
            error: None,
        };
        let body = payload(&f, Utc::now());
        // Plain text (the header) is shown as it is and never parsed for mentions.
        for parsed in [
            &body["text"],
            &body["blocks"][1]["text"]["text"],
            &body["blocks"][2]["elements"][0]["text"],
        ] {
            let t = parsed.as_str().unwrap();
            assert!(!t.contains("<!"), "{t}");
        }
        assert_eq!(
            body["blocks"][1]["text"]["text"],
            "`&lt;!channel&gt;` failed &amp; more"
        );
    }

    #[test]
    fn robust_z_ignores_one_outlier_in_the_history() {
        let (z, m) = robust_z(100.0, &[100.0, 104.0, 96.0, 101.0, 5000.0]);
        assert_eq!(m, 101.0);
        assert!(z.abs() < 1.0, "{z}");
        let (z, _) = robust_z(400.0, &[100.0, 104.0, 96.0, 101.0, 5000.0]);
        assert!(z > 3.5, "{z}");
        // A flat history still notices a jump.
        let (z, _) = robust_z(200.0, &[100.0, 100.0, 100.0]);
        assert!(z > 3.5, "{z}");
    }
}
