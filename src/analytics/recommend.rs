//! Recommendations: small, explained rules over what insights gathered, each quoting its
//! numbers and an impact estimated from volume × gap.

use serde::{Deserialize, Serialize};

use super::insights::Facts;
use super::insights::{InsightsRequest, Metric};

crate::model::wire_enum! {
    /// What a recommendation improves.
    pub enum Kind as "recommendation type" {
        Cost = "cost",
        Performance = "performance",
        Accuracy = "accuracy",
    }
}

crate::model::wire_enum! {
    pub enum Priority as "priority" {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

crate::model::wire_enum! {
    pub enum Effort as "implementation effort" {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    #[serde(rename = "type")]
    pub kind: Kind,
    pub priority: Priority,
    pub description: String,
    pub estimated_impact: String,
    pub implementation_effort: Effort,
}

/// Fewest calls an agent needs in a period (or a week) before a rule judges it.
const MIN_CALLS: i64 = 100;
/// The most recommendations returned, the most pressing first.
const MAX_RECOMMENDATIONS: usize = 20;
/// Idle below this share of replica time spent answering; saturated above the other.
const IDLE: f64 = 0.02;
const SATURATED: f64 = 0.7;

fn ms(v: f64) -> String {
    format!("{v:.0} ms")
}

fn pct(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

fn money(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

pub(super) fn rules(f: &mut Facts, req: &InsightsRequest) -> Vec<Recommendation> {
    let mut out: Vec<(Recommendation, f64)> = Vec::new();
    let mut agents: Vec<String> = f.gathered.agents.keys().cloned().collect();
    agents.sort();
    let period = format!("{} days", f.days);

    if req.wants(Metric::Costs) {
        let mut per_query: Vec<(String, f64, i64)> = agents
            .iter()
            .filter_map(|a| {
                let g = &f.gathered.agents[a];
                let n = g.sums.calls;
                (n >= MIN_CALLS).then(|| (a.clone(), g.cost() / n as f64, n))
            })
            .collect();
        let mut sorted: Vec<f64> = per_query.iter().map(|x| x.1).collect();
        sorted.sort_by(f64::total_cmp);
        let total: f64 = per_query.iter().map(|x| x.1 * x.2 as f64).sum();
        if sorted.len() >= 3 {
            let median = sorted[sorted.len() / 2];
            per_query.retain(|x| median > 0.0 && x.1 > 2.0 * median);
            for (a, cpq, n) in per_query {
                let saving = (cpq - median) * n as f64;
                let share = if total > 0.0 { saving / total } else { 0.0 };
                out.push((
                    Recommendation {
                        kind: Kind::Cost,
                        priority: if share > 0.1 {
                            Priority::High
                        } else if share > 0.01 {
                            Priority::Medium
                        } else {
                            Priority::Low
                        },
                        description: format!(
                            "`{a}` costs {} per query, {:.1}× the fleet median of {} ({n} queries): a cheaper model, a cache of repeated questions or shorter prompts would close the gap",
                            money(cpq),
                            cpq / median,
                            money(median)
                        ),
                        estimated_impact: format!(
                            "about {} over {period} ({} of all cost) at the median cost per query",
                            money(saving),
                            pct(share)
                        ),
                        implementation_effort: Effort::Medium,
                    },
                    saving,
                ));
            }
        }
    }

    if let Some(f) = f.forecast {
        if let (Some(budget), Some(day)) = (f.monthly_budget, f.budget_runs_out) {
            let over = f.month_forecast_cost - budget;
            out.push((
                Recommendation {
                    kind: Kind::Cost,
                    priority: Priority::High,
                    description: format!(
                        "At the trend of the last four weeks (Holt's linear forecast), the monthly budget of {} runs out on {day}: {} spent so far, {} forecast for the month",
                        money(budget),
                        money(f.month_to_date_cost),
                        money(f.month_forecast_cost)
                    ),
                    estimated_impact: format!(
                        "{} over budget by the month's end unless costs fall",
                        money(over.max(0.0))
                    ),
                    implementation_effort: Effort::Medium,
                },
                f64::MAX / 2.0,
            ));
        }
    }

    if req.wants(Metric::Performance) {
        let sla = f.cfg.sla_p95_ms();
        for a in &agents {
            let g = f.gathered.agents.get_mut(a).expect("listed");
            let n = g.sums.timed();
            if n < MIN_CALLS {
                continue;
            }
            if let Some(p95) = g.p95() {
                if p95 > sla {
                    let slow = n / 20;
                    out.push((
                        Recommendation {
                            kind: Kind::Performance,
                            priority: if p95 > 1.5 * sla {
                                Priority::High
                            } else {
                                Priority::Medium
                            },
                            description: format!(
                                "`{a}` answers in {} at p95, above the {} objective ({n} timed calls)",
                                ms(p95),
                                ms(sla)
                            ),
                            estimated_impact: format!(
                                "{} less for the slowest {slow} calls over {period}",
                                ms(p95 - sla)
                            ),
                            implementation_effort: Effort::Medium,
                        },
                        (p95 - sla) * slow as f64,
                    ));
                }
            }
            if let Some(weeks) = f.gathered.weeks.get_mut(a) {
                let [last, before] = weeks;
                let (nl, nb) = (last.sums.timed(), before.sums.timed());
                if nl >= MIN_CALLS && nb >= MIN_CALLS {
                    if let (Some(now), Some(then)) = (last.p95(), before.p95()) {
                        if now > then * 1.2 && now - then > 20.0 {
                            out.push((
                                Recommendation {
                                    kind: Kind::Performance,
                                    priority: Priority::Medium,
                                    description: format!(
                                        "`{a}`'s p95 rose from {} to {} (+{:.0} %) over the last week",
                                        ms(then),
                                        ms(now),
                                        (now / then - 1.0) * 100.0
                                    ),
                                    estimated_impact: format!(
                                        "{} back for the slowest {} calls a week",
                                        ms(now - then),
                                        nl / 20
                                    ),
                                    implementation_effort: Effort::Medium,
                                },
                                (now - then) * (nl / 20) as f64,
                            ));
                        }
                    }
                }
            }
            // Replicas: the share of replica time spent answering (Little's law).
            if let Some(hours) = f.replica_hours.get(a).copied().filter(|h| *h > 0.0) {
                let g = &f.gathered.agents[a];
                let busy = g.sums.latency_sum_us as f64 / 3.6e9;
                let used = busy / hours;
                let avg_replicas = hours / (f.days as f64 * 24.0);
                let price = f.cfg.replica_hour.unwrap_or(0.0);
                if used < IDLE && avg_replicas > 1.05 {
                    let spare = (avg_replicas - 1.0).max(0.0);
                    out.push((
                        Recommendation {
                            kind: Kind::Cost,
                            priority: Priority::Low,
                            description: format!(
                                "`{a}`'s replicas are idle: they spent {} of their time answering ({:.1} replicas on average); scale down",
                                pct(used),
                                avg_replicas
                            ),
                            estimated_impact: format!(
                                "{:.0} replica-hours ({}) over {period} with one replica",
                                spare * f.days as f64 * 24.0,
                                money(spare * f.days as f64 * 24.0 * price)
                            ),
                            implementation_effort: Effort::Low,
                        },
                        spare * f.days as f64 * 24.0 * price,
                    ));
                } else if used > SATURATED {
                    out.push((
                        Recommendation {
                            kind: Kind::Performance,
                            priority: Priority::High,
                            description: format!(
                                "`{a}`'s replicas are saturated: answering took {} of their time ({:.1} replicas on average); scale up",
                                pct(used),
                                avg_replicas
                            ),
                            estimated_impact: format!(
                                "about {:.1} more replicas keep it under {} busy",
                                (busy / (f.days as f64 * 24.0) / 0.5 - avg_replicas).max(1.0),
                                pct(0.5)
                            ),
                            implementation_effort: Effort::Low,
                        },
                        f64::MAX / 4.0,
                    ));
                }
            }
        }
    }

    if req.wants(Metric::Quality) || req.wants(Metric::Performance) {
        for a in &agents {
            let Some([last, before]) = f.gathered.weeks.get(a) else {
                continue;
            };
            let (sl, sb) = (last.sums, before.sums);
            if sl.calls >= MIN_CALLS && sb.calls >= MIN_CALLS {
                let (now, then) = (last.success_rate(), before.success_rate());
                if then - now >= 0.05 {
                    let more = ((then - now) * sl.calls as f64).round();
                    out.push((
                        Recommendation {
                            kind: Kind::Accuracy,
                            priority: if then - now >= 0.1 {
                                Priority::High
                            } else {
                                Priority::Medium
                            },
                            description: format!(
                                "`{a}`'s success rate fell from {} to {} over the last week",
                                pct(then),
                                pct(now)
                            ),
                            estimated_impact: format!(
                                "{more:.0} fewer failed calls a week at last week's volume"
                            ),
                            implementation_effort: Effort::Medium,
                        },
                        more,
                    ));
                }
            }
            if sl.ratings >= 10 && sb.ratings >= 10 {
                if let (Some(now), Some(then)) = (last.rating(), before.rating()) {
                    if then - now >= 0.5 {
                        out.push((
                            Recommendation {
                                kind: Kind::Accuracy,
                                priority: Priority::Medium,
                                description: format!(
                                    "`{a}`'s rating fell from {then:.2} to {now:.2} over the last week ({} ratings)",
                                    sl.ratings
                                ),
                                estimated_impact: format!(
                                    "{:.2} points of satisfaction on {} rated answers a week",
                                    then - now,
                                    sl.ratings
                                ),
                                implementation_effort: Effort::Medium,
                            },
                            (then - now) * sl.ratings as f64,
                        ));
                    }
                }
            }
        }
        // A tool that fails more than the others of its agent.
        let mut tools: Vec<(&(String, String), &crate::store::rollups::Sums)> =
            f.gathered.tools.iter().collect();
        tools.sort_by(|x, y| x.0.cmp(y.0));
        for ((agent, tool), s) in &tools {
            let failed = |s: &crate::store::rollups::Sums| s.errors + s.timeouts;
            let (mut rest_calls, mut rest_failed) = (0i64, 0i64);
            for ((a2, t2), s2) in &tools {
                if a2 == agent && t2 != tool {
                    rest_calls += s2.calls;
                    rest_failed += failed(s2);
                }
            }
            if s.calls < 50 || rest_calls < 50 {
                continue;
            }
            let rate = failed(s) as f64 / s.calls as f64;
            let rest = rest_failed as f64 / rest_calls as f64;
            if rate >= 0.05 && rate > 2.0 * rest {
                let fewer = ((rate - rest) * s.calls as f64).round();
                out.push((
                    Recommendation {
                        kind: Kind::Accuracy,
                        priority: if rate >= 0.2 {
                            Priority::High
                        } else {
                            Priority::Medium
                        },
                        description: format!(
                            "`{agent}`'s tool `{tool}` fails {} of its {} calls; its other tools fail {}",
                            pct(rate),
                            s.calls,
                            pct(rest)
                        ),
                        estimated_impact: format!(
                            "{fewer:.0} fewer failed calls over {period} at the rate of its other tools"
                        ),
                        implementation_effort: Effort::Medium,
                    },
                    fewer,
                ));
            }
        }
    }

    let rank = |p: Priority| match p {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Low => 2,
    };
    out.sort_by(|(a, x), (b, y)| {
        rank(a.priority)
            .cmp(&rank(b.priority))
            .then_with(|| y.total_cmp(x))
            .then_with(|| a.description.cmp(&b.description))
    });
    out.into_iter()
        .take(MAX_RECOMMENDATIONS)
        .map(|(r, _)| r)
        .collect()
}
