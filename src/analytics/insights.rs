//! Insights (the contract of reference section 2.2): the summary, trends, agent performance
//! and recommendations of a period, merged from the rollups (percentiles within 1 %) or
//! computed from the executions themselves (`exact`). Counts, sums, averages, rates and
//! costs are exact either way.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::config::AnalyticsConfig;
use super::recommend;
use crate::error::{Error, Result};
use crate::histogram::Histogram;
use crate::store::executions::{ExecutionQuery, ExecutionStore, ReplicaChange, Scanned};
use crate::store::rollups::{Grain, Key, RollupRow, Sums};

crate::model::wire_enum! {
    /// How far back insights look: whole UTC days ending today.
    pub enum TimeRange as "time range" {
        D7 = "7d",
        D30 = "30d",
        D90 = "90d",
        Y1 = "1y",
    }
}

crate::model::wire_enum! {
    /// The length of one point of a trend.
    pub enum Granularity as "granularity" {
        Hour = "hour",
        Day = "day",
        Week = "week",
        Month = "month",
    }
}

crate::model::wire_enum! {
    /// A part of the insights.
    pub enum Metric as "metric" {
        /// Query counts.
        Usage = "usage",
        /// Response times and success rates.
        Performance = "performance",
        /// Model and infrastructure costs.
        Costs = "costs",
        /// Ratings and accuracy from feedback.
        Quality = "quality",
    }
}

impl TimeRange {
    pub fn days(self) -> i64 {
        match self {
            TimeRange::D7 => 7,
            TimeRange::D30 => 30,
            TimeRange::D90 => 90,
            TimeRange::Y1 => 365,
        }
    }
}

/// The most days an hourly trend covers (744 points).
pub const MAX_HOURLY_DAYS: i64 = 31;
/// The most users one request may filter on.
pub const MAX_USERS: usize = 100;

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsRequest {
    pub time_range: TimeRange,
    /// Empty: all of them.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    pub granularity: Granularity,
    #[serde(default)]
    pub agent_filter: Vec<String>,
    #[serde(default)]
    pub user_filter: Vec<String>,
    /// From the executions themselves rather than the rollups.
    #[serde(default)]
    pub exact: bool,
}

impl Default for InsightsRequest {
    fn default() -> Self {
        InsightsRequest {
            time_range: TimeRange::D30,
            metrics: Vec::new(),
            granularity: Granularity::Day,
            agent_filter: Vec::new(),
            user_filter: Vec::new(),
            exact: false,
        }
    }
}

impl InsightsRequest {
    pub fn wants(&self, m: Metric) -> bool {
        self.metrics.is_empty() || self.metrics.contains(&m)
    }
}

/// The answer, exactly as section 2.2 shapes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Insights {
    /// Always `success`.
    pub status: String,
    pub data: InsightsData,
    pub metadata: InsightsMetadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsData {
    pub summary: Summary,
    pub trends: Trends,
    pub agent_performance: Vec<AgentPerformance>,
    pub optimization_recommendations: Vec<recommend::Recommendation>,
}

/// The period at a glance. A mean of nothing (no timed call, no feedback) is null, never 0;
/// so is a part the request did not ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub total_queries: Option<u64>,
    pub avg_response_time_ms: Option<f64>,
    /// Model and infrastructure cost.
    pub total_cost: Option<f64>,
    /// The mean rating, 1 to 5.
    pub user_satisfaction: Option<f64>,
    /// The share of judged answers that were right, 0 to 1.
    pub agent_accuracy: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trends {
    /// Every point of the period up to now, 0 where there were no calls.
    pub query_volume: Vec<VolumePoint>,
    /// The points that had timed calls (a point without any has no latency to show).
    pub response_times: Vec<LatencyPoint>,
    /// Every point of the period up to now.
    pub cost_breakdown: Vec<CostPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumePoint {
    /// The start of the point (UTC).
    pub date: DateTime<Utc>,
    pub count: u64,
}

/// Latencies in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyPoint {
    pub date: DateTime<Utc>,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostPoint {
    pub date: DateTime<Utc>,
    pub model_cost: f64,
    pub infrastructure_cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentPerformance {
    pub agent_id: String,
    pub query_count: u64,
    /// Milliseconds; null when no call reached the agent.
    pub avg_response_time: Option<f64>,
    /// The share of calls that succeeded, 0 to 1.
    pub success_rate: f64,
    /// The mean rating, 1 to 5; null without feedback.
    pub user_rating: Option<f64>,
    pub cost_per_query: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsMetadata {
    pub generated_at: DateTime<Utc>,
    /// How current the figures are, in words, with the newest execution's time.
    pub data_freshness: String,
    pub query_duration_ms: f64,
}

/// The JSON Schema of the answer, as committed in `docs/insights.schema.json`.
pub fn json_schema() -> serde_json::Value {
    let mut s = schemars::schema_for!(Insights).to_value();
    if let Some(o) = s.as_object_mut() {
        o.insert(
            "$id".into(),
            "https://promptcraft.dev/schemas/insights-2.2.json".into(),
        );
    }
    s
}

/// The period a request covers: whole UTC days, the last one today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first_day: i64,
    /// The day after the last.
    pub end_day: i64,
}

const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;

impl Period {
    pub fn of(range: TimeRange, now: DateTime<Utc>) -> Period {
        let today = now.timestamp_micros().div_euclid(DAY_US);
        Period {
            first_day: today - range.days() + 1,
            end_day: today + 1,
        }
    }

    pub fn since_us(&self) -> i64 {
        self.first_day * DAY_US
    }

    pub fn until_us(&self) -> i64 {
        self.end_day * DAY_US
    }
}

/// The points of a trend: where each starts, and which point an hour or day falls in.
struct Points {
    starts: Vec<DateTime<Utc>>,
    /// Per day of the period (per hour when hourly): its point.
    index: Vec<usize>,
    hourly: bool,
    first: i64,
}

fn day_start(day: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(day * 86_400, 0)
        .single()
        .unwrap_or_default()
}

impl Points {
    fn new(p: Period, g: Granularity, now: DateTime<Utc>) -> Points {
        let now_us = now.timestamp_micros();
        if g == Granularity::Hour {
            let first = p.first_day * 24;
            let last = now_us.div_euclid(HOUR_US).min(p.end_day * 24 - 1);
            let n = (last - first + 1).max(0) as usize;
            return Points {
                starts: (0..n)
                    .map(|i| day_start(0) + Duration::hours(first + i as i64))
                    .collect(),
                index: (0..n).collect(),
                hourly: true,
                first,
            };
        }
        let mut starts: Vec<DateTime<Utc>> = Vec::new();
        let mut index = Vec::new();
        for day in p.first_day..p.end_day {
            let d = day_start(day);
            let start = match g {
                Granularity::Day | Granularity::Hour => d,
                Granularity::Week => {
                    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
                }
                Granularity::Month => Utc.from_utc_datetime(
                    &NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
                        .unwrap_or_default()
                        .and_hms_opt(0, 0, 0)
                        .unwrap_or_default(),
                ),
            };
            if starts.last() != Some(&start) {
                starts.push(start);
            }
            index.push(starts.len() - 1);
        }
        Points {
            starts,
            index,
            hourly: false,
            first: p.first_day,
        }
    }

    /// The point of an hour bucket (hourly) or a day bucket.
    fn of(&self, bucket: i64) -> Option<usize> {
        let i = bucket - self.first;
        if i < 0 {
            return None;
        }
        self.index.get(i as usize).copied()
    }
}

/// Latencies gathered: a sketch merged from rollups, or every latency (exact).
#[derive(Debug, Clone)]
enum Latencies {
    Sketch(Histogram),
    Exact(Vec<i64>),
}

/// The latencies of one row being absorbed: its decoded sketch, or every latency.
enum Lat<'a> {
    Sketch(&'a Histogram),
    Raw(&'a [i64]),
}

impl Latencies {
    fn absorb(&mut self, lat: &Lat) {
        match (self, lat) {
            (Latencies::Sketch(h), Lat::Sketch(s)) => h.merge(s),
            (Latencies::Exact(v), Lat::Raw(r)) => v.extend_from_slice(r),
            // One request gathers one way.
            _ => {}
        }
    }

    fn new(exact: bool) -> Latencies {
        if exact {
            Latencies::Exact(Vec::new())
        } else {
            Latencies::Sketch(Histogram::new())
        }
    }

    /// p50, p95 and p99 in milliseconds. Exact ones interpolate between neighbours, as
    /// `percentile_cont` does; sketched ones are within 1 % of a recorded latency.
    fn percentiles(&mut self) -> Option<[f64; 3]> {
        const QS: [f64; 3] = [0.5, 0.95, 0.99];
        match self {
            Latencies::Sketch(h) => {
                let q = h.quantiles(&QS);
                Some([q[0]? / 1000.0, q[1]? / 1000.0, q[2]? / 1000.0])
            }
            Latencies::Exact(v) if v.is_empty() => None,
            Latencies::Exact(v) => {
                v.sort_unstable();
                let at = |q: f64| {
                    let pos = q * (v.len() - 1) as f64;
                    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
                    let f = pos - lo as f64;
                    (v[lo] as f64 * (1.0 - f) + v[hi] as f64 * f) / 1000.0
                };
                Some(QS.map(at))
            }
        }
    }
}

/// What one group (the period, a point, an agent) adds up to.
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub(super) sums: Sums,
    latencies: Latencies,
    /// Micro-units of cost priced by the table (calls that reported none).
    priced_micros: f64,
    infrastructure: f64,
}

impl Group {
    fn new(exact: bool) -> Group {
        Group {
            sums: Sums::default(),
            latencies: Latencies::new(exact),
            priced_micros: 0.0,
            infrastructure: 0.0,
        }
    }

    pub(super) fn model_cost(&self) -> f64 {
        round6((self.sums.cost_micros as f64 + self.priced_micros) / 1e6)
    }

    pub(super) fn cost(&self) -> f64 {
        round6(self.model_cost() + self.infrastructure)
    }

    pub(super) fn avg_ms(&self) -> Option<f64> {
        let t = self.sums.timed();
        (t > 0).then(|| round3(self.sums.latency_sum_us as f64 / t as f64 / 1000.0))
    }

    pub(super) fn rating(&self) -> Option<f64> {
        (self.sums.ratings > 0)
            .then(|| round3(self.sums.rating_sum as f64 / self.sums.ratings as f64))
    }

    pub(super) fn accuracy(&self) -> Option<f64> {
        (self.sums.judged > 0).then(|| round3(self.sums.correct as f64 / self.sums.judged as f64))
    }

    pub(super) fn p95(&mut self) -> Option<f64> {
        self.latencies.percentiles().map(|p| p[1])
    }

    pub(super) fn success_rate(&self) -> f64 {
        if self.sums.calls == 0 {
            0.0
        } else {
            round6(self.sums.ok as f64 / self.sums.calls as f64)
        }
    }
}

fn round3(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Everything gathered over the period, before it is shaped into the answer.
pub(super) struct Gathered {
    total: Group,
    points: Vec<Group>,
    pub(super) agents: HashMap<String, Group>,
    /// Per agent: the last 7 days and the 7 before, for week-over-week comparisons.
    pub(super) weeks: HashMap<String, [Group; 2]>,
    /// Per agent and tool: calls and failures (none when filtered by user).
    pub(super) tools: HashMap<(String, String), Sums>,
}

/// Where the gathering reads, for recommendations to quote.
pub(super) struct Facts<'a> {
    pub gathered: &'a mut Gathered,
    pub cfg: &'a AnalyticsConfig,
    pub days: i64,
    /// Replica-hours per agent over the period.
    pub replica_hours: &'a HashMap<String, f64>,
    /// The month's cost at the current trend, when a budget is set.
    pub forecast: Option<&'a super::forecast::Forecast>,
}

impl Gathered {
    fn new(points: usize, exact: bool) -> Gathered {
        Gathered {
            total: Group::new(exact),
            points: (0..points).map(|_| Group::new(exact)).collect(),
            agents: HashMap::new(),
            weeks: HashMap::new(),
            tools: HashMap::new(),
        }
    }
}

/// Compute the insights of `req`. `known` tells whether an agent is one this installation
/// made, registered or deployed; `replicas` is the history of replica counts; `now` and
/// `started` time the answer.
#[allow(clippy::too_many_arguments)]
pub fn insights(
    store: &dyn ExecutionStore,
    req: &InsightsRequest,
    cfg: &AnalyticsConfig,
    known: &dyn Fn(&str) -> bool,
    replicas: &[ReplicaChange],
    now: DateTime<Utc>,
    started: std::time::Instant,
) -> Result<Insights> {
    check(store, req, known)?;
    let period = Period::of(req.time_range, now);
    let points = Points::new(period, req.granularity, now);
    let mut g = Gathered::new(points.starts.len(), req.exact);
    let perf = req.wants(Metric::Performance);
    let agents_ok =
        |a: &str| req.agent_filter.is_empty() || req.agent_filter.iter().any(|x| x == a);
    let week_of = |day: i64| -> Option<usize> {
        let back = period.end_day - 1 - day;
        (0..14).contains(&back).then_some((back / 7) as usize)
    };

    let mut absorb = |key: &Key, sums: &Sums, lat: Lat| {
        if !agents_ok(&key.agent_id) {
            return;
        }
        let Some(p) = points.of(key.bucket) else {
            return;
        };
        // A bucket of the hourly grain is an hour; weeks compare days.
        let day = if points.hourly {
            key.bucket.div_euclid(24)
        } else {
            key.bucket
        };
        // What the price table adds for the calls that reported no cost.
        let priced = cfg.priced_micros(sums, &key.agent_id, &key.model);
        g.total.sums.merge(sums);
        g.total.priced_micros += priced;
        let agent = match g.agents.get_mut(key.agent_id.as_str()) {
            Some(a) => a,
            None => g
                .agents
                .entry(key.agent_id.clone())
                .or_insert_with(|| Group::new(req.exact)),
        };
        // The period's own percentiles are not part of the answer: only points and
        // agents (and their weeks) gather latencies.
        for grp in [&mut g.points[p], agent] {
            grp.sums.merge(sums);
            grp.priced_micros += priced;
            if perf {
                grp.latencies.absorb(&lat);
            }
        }
        if let Some(w) = week_of(day) {
            let weeks = match g.weeks.get_mut(key.agent_id.as_str()) {
                Some(w) => w,
                None => g
                    .weeks
                    .entry(key.agent_id.clone())
                    .or_insert_with(|| [Group::new(req.exact), Group::new(req.exact)]),
            };
            weeks[w].sums.merge(sums);
            if perf {
                weeks[w].latencies.absorb(&lat);
            }
        }
        if req.user_filter.is_empty() {
            let k = (key.agent_id.clone(), key.second.clone());
            g.tools.entry(k).or_default().merge(sums);
        }
    };

    if req.exact {
        for (key, sums, latencies) in scan_exact(store, req, period, points.hourly)? {
            absorb(&key, &sums, Lat::Raw(&latencies));
        }
    } else {
        let mut scratch = Histogram::new();
        for r in read_rollups(store, req, period)? {
            if perf {
                scratch = Histogram::new();
                scratch
                    .merge_encoded(&r.histogram)
                    .map_err(|e| Error::failed(e.to_string(), None))?;
            }
            absorb(&r.key, &r.sums, Lat::Sketch(&scratch));
        }
    }

    // Infrastructure: replica-hours of the agents shown, by point.
    let mut replica_hours: HashMap<String, f64> = HashMap::new();
    let point_ends: Vec<i64> = points
        .starts
        .iter()
        .skip(1)
        .map(|d| d.timestamp_micros())
        .chain(std::iter::once(
            period.until_us().min(now.timestamp_micros()),
        ))
        .collect();
    let point_starts: Vec<i64> = points
        .starts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i == 0 {
                period.since_us().max(d.timestamp_micros())
            } else {
                d.timestamp_micros()
            }
        })
        .collect();
    for (agent, spans) in spans_by_agent(replicas, now) {
        if !agents_ok(&agent) || !req.user_filter.is_empty() {
            continue;
        }
        let mut hours = 0.0;
        for (i, (s, e)) in point_starts.iter().zip(&point_ends).enumerate() {
            let h = replica_hours_between(&spans, *s, *e);
            if h > 0.0 {
                let cost = h * cfg.replica_hour.unwrap_or(0.0);
                g.points[i].infrastructure += cost;
                g.total.infrastructure += cost;
                if let Some(a) = g.agents.get_mut(&agent) {
                    a.infrastructure += cost;
                } else if cost > 0.0 {
                    let mut a = Group::new(req.exact);
                    a.infrastructure = cost;
                    g.agents.insert(agent.clone(), a);
                }
                hours += h;
            }
        }
        if hours > 0.0 {
            replica_hours.insert(agent, hours);
        }
    }

    let recommendations = if !cfg.advanced() {
        Vec::new()
    } else {
        let forecast = if req.wants(Metric::Costs) && cfg.monthly_budget.is_some() {
            Some(super::forecast::forecast(store, cfg, replicas, now)?)
        } else {
            None
        };
        recommend::rules(
            &mut Facts {
                gathered: &mut g,
                cfg,
                days: req.time_range.days(),
                replica_hours: &replica_hours,
                forecast: forecast.as_ref(),
            },
            req,
        )
    };
    shape(req, &points, g, recommendations, store, now, started)
}

/// The executions of the period gathered as rollups would hold them (per hour or day,
/// agent, tool or user, and model), with every latency: what `--exact` computes from.
fn scan_exact(
    store: &dyn ExecutionStore,
    req: &InsightsRequest,
    p: Period,
    hourly: bool,
) -> Result<Vec<(Key, Sums, Vec<i64>)>> {
    type Fast = foldhash::fast::RandomState;
    let width = if hourly { HOUR_US } else { DAY_US };
    let by_user = !req.user_filter.is_empty();
    // Names are interned so that a row costs hash lookups, not allocations.
    let mut ids: HashMap<String, u32, Fast> = HashMap::default();
    let mut names: Vec<String> = Vec::new();
    let mut cells: HashMap<(i64, u32, u32, u32), usize, Fast> = HashMap::default();
    let mut gathered: Vec<(Sums, Vec<i64>)> = Vec::new();
    let mut intern = |s: &str, ids: &mut HashMap<String, u32, Fast>| -> u32 {
        match ids.get(s) {
            Some(i) => *i,
            None => {
                let i = names.len() as u32;
                names.push(s.to_string());
                ids.insert(s.to_string(), i);
                i
            }
        }
    };
    let mut visit = |e: &Scanned| {
        let second = if by_user { e.user_id } else { e.tool };
        let k = (
            e.at_us.div_euclid(width),
            intern(e.agent_id, &mut ids),
            intern(second, &mut ids),
            intern(e.model, &mut ids),
        );
        let at = *cells.entry(k).or_insert_with(|| {
            gathered.push((Sums::default(), Vec::new()));
            gathered.len() - 1
        });
        let (sums, lat) = &mut gathered[at];
        sums.add_one(
            e.latency_us,
            e.status,
            e.tokens_in,
            e.tokens_out,
            e.cost_micros,
        );
        if let Some(r) = e.rating {
            sums.judge(r, e.correct, 1);
        }
        if e.status != crate::store::ExecutionStatus::Denied {
            lat.push(e.latency_us);
        }
    };
    if by_user {
        for u in &req.user_filter {
            store.scan_executions(p.since_us(), p.until_us(), Some(u), &mut visit)?;
        }
    } else {
        store.scan_executions(p.since_us(), p.until_us(), None, &mut visit)?;
    }
    let mut out = Vec::with_capacity(cells.len());
    for ((bucket, agent, second, model), at) in cells {
        let (sums, lat) = std::mem::take(&mut gathered[at]);
        out.push((
            Key {
                bucket,
                agent_id: names[agent as usize].clone(),
                second: names[second as usize].clone(),
                model: names[model as usize].clone(),
            },
            sums,
            lat,
        ));
    }
    Ok(out)
}

/// The replica counts of each agent over time: (from, until, replicas) spans, summed over
/// its deployment targets. What every infrastructure cost is computed from.
pub fn spans_by_agent(
    changes: &[ReplicaChange],
    now: DateTime<Utc>,
) -> HashMap<String, Vec<(i64, i64, u32)>> {
    let mut by: HashMap<(String, String), Vec<&ReplicaChange>> = HashMap::new();
    for c in changes {
        by.entry((c.agent_id.clone(), c.target.clone()))
            .or_default()
            .push(c);
    }
    let mut out: HashMap<String, Vec<(i64, i64, u32)>> = HashMap::new();
    for ((agent, _), mut cs) in by {
        cs.sort_by_key(|c| c.at);
        for (i, c) in cs.iter().enumerate() {
            let until = cs
                .get(i + 1)
                .map(|n| n.at)
                .unwrap_or(now)
                .timestamp_micros();
            if c.replicas > 0 {
                out.entry(agent.clone()).or_default().push((
                    c.at.timestamp_micros(),
                    until,
                    c.replicas,
                ));
            }
        }
    }
    out
}

/// The replica-hours of `spans` between two times (µs).
pub fn replica_hours_between(spans: &[(i64, i64, u32)], from: i64, until: i64) -> f64 {
    spans
        .iter()
        .map(|(s, e, n)| {
            let overlap = (e.min(&until) - s.max(&from)).max(0);
            overlap as f64 / HOUR_US as f64 * f64::from(*n)
        })
        .sum()
}

/// The rollup rows the request needs: hours for an hourly trend, days otherwise; the
/// user grain when filtered by user.
fn read_rollups(
    store: &dyn ExecutionStore,
    req: &InsightsRequest,
    p: Period,
) -> Result<Vec<RollupRow>> {
    if req.user_filter.is_empty() {
        return if req.granularity == Granularity::Hour {
            store.rollups(Grain::Hour, p.first_day * 24, p.end_day * 24, None)
        } else {
            store.rollups(Grain::Day, p.first_day, p.end_day, None)
        };
    }
    let mut rows = Vec::new();
    for u in &req.user_filter {
        rows.extend(store.rollups(Grain::DayUser, p.first_day, p.end_day, Some(u))?);
    }
    Ok(rows)
}

/// Refuse what cannot be answered, naming the limit or the unknown name.
fn check(
    store: &dyn ExecutionStore,
    req: &InsightsRequest,
    known: &dyn Fn(&str) -> bool,
) -> Result<()> {
    if req.granularity == Granularity::Hour && req.time_range.days() > MAX_HOURLY_DAYS {
        return Err(Error::usage(
            format!(
                "hourly trends cover at most {MAX_HOURLY_DAYS} days ({} points); {} would be {} points",
                MAX_HOURLY_DAYS * 24,
                req.time_range.as_str(),
                req.time_range.days() * 24
            ),
            Some("use --granularity day (or week, month), or --time-range 7d or 30d"),
        ));
    }
    if req.granularity == Granularity::Hour && !req.user_filter.is_empty() && !req.exact {
        return Err(Error::usage(
            "hourly trends of single users are not kept in the rollups (users are rolled up by day)",
            Some("use --granularity day, or add --exact to compute them from the executions"),
        ));
    }
    if req.user_filter.len() > MAX_USERS {
        return Err(Error::usage(
            format!(
                "--user-filter names {} users; at most {MAX_USERS}",
                req.user_filter.len()
            ),
            None,
        ));
    }
    for a in &req.agent_filter {
        let seen = !store
            .executions(&ExecutionQuery {
                agent: Some(a.clone()),
                limit: 1,
                ..Default::default()
            })?
            .is_empty();
        if !seen && !known(a) {
            return Err(Error::usage(
                format!("unknown agent `{a}` in --agent-filter: no such agent or server here, and no execution of it"),
                Some("`pc-hybrid list-agents` and `pc-hybrid mcp list` show the names"),
            ));
        }
    }
    for u in &req.user_filter {
        if u.trim().is_empty() || u.len() > 200 {
            return Err(Error::usage(
                format!("`{u}` in --user-filter is not a user id"),
                None,
            ));
        }
    }
    Ok(())
}

fn shape(
    req: &InsightsRequest,
    points: &Points,
    mut g: Gathered,
    recommendations: Vec<recommend::Recommendation>,
    store: &dyn ExecutionStore,
    now: DateTime<Utc>,
    started: std::time::Instant,
) -> Result<Insights> {
    let (usage, perf, costs, quality) = (
        req.wants(Metric::Usage),
        req.wants(Metric::Performance),
        req.wants(Metric::Costs),
        req.wants(Metric::Quality),
    );
    let summary = Summary {
        total_queries: usage.then_some(g.total.sums.calls as u64),
        avg_response_time_ms: if perf { g.total.avg_ms() } else { None },
        total_cost: costs.then(|| g.total.cost()),
        user_satisfaction: if quality { g.total.rating() } else { None },
        agent_accuracy: if quality { g.total.accuracy() } else { None },
    };
    let mut trends = Trends::default();
    for (i, grp) in g.points.iter_mut().enumerate() {
        let date = points.starts[i];
        if usage {
            trends.query_volume.push(VolumePoint {
                date,
                count: grp.sums.calls as u64,
            });
        }
        if perf {
            if let Some([p50, p95, p99]) = grp.latencies.percentiles() {
                trends.response_times.push(LatencyPoint {
                    date,
                    p50: round3(p50),
                    p95: round3(p95),
                    p99: round3(p99),
                });
            }
        }
        if costs {
            trends.cost_breakdown.push(CostPoint {
                date,
                model_cost: grp.model_cost(),
                infrastructure_cost: round6(grp.infrastructure),
            });
        }
    }
    let mut agent_performance: Vec<AgentPerformance> = g
        .agents
        .iter()
        .map(|(id, a)| AgentPerformance {
            agent_id: id.clone(),
            query_count: a.sums.calls as u64,
            avg_response_time: if perf { a.avg_ms() } else { None },
            success_rate: a.success_rate(),
            user_rating: if quality { a.rating() } else { None },
            cost_per_query: (costs && a.sums.calls > 0)
                .then(|| round6(a.cost() / a.sums.calls as f64)),
        })
        .collect();
    agent_performance.sort_by(|a, b| {
        b.query_count
            .cmp(&a.query_count)
            .then_with(|| a.agent_id.cmp(&b.agent_id))
    });
    let newest = store.newest_execution()?;
    let data_freshness = match (newest, req.exact) {
        (None, _) => "no executions recorded yet".to_string(),
        (Some(t), false) => format!(
            "live: rollups are written with each execution; the newest is from {}",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        (Some(t), true) => format!(
            "live: computed from the executions themselves; the newest is from {}",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    };
    Ok(Insights {
        status: "success".into(),
        data: InsightsData {
            summary,
            trends,
            agent_performance,
            optimization_recommendations: recommendations,
        },
        metadata: InsightsMetadata {
            generated_at: now,
            data_freshness,
            query_duration_ms: round3(started.elapsed().as_secs_f64() * 1000.0),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An agent whose replicas answer 0.5 % of the time is told to scale down, one busy
    /// 90 % of the time to scale up; a tool failing 30 % of calls beside one failing 1 %
    /// is named; costs per query far above the median are named with the saving.
    #[test]
    fn replica_tool_and_cost_rules_quote_their_numbers() {
        let mut g = Gathered::new(1, false);
        let group = |calls: i64, latency_s: f64, cost: f64| {
            let mut a = Group::new(false);
            a.sums.calls = calls;
            a.sums.ok = calls;
            a.sums.latency_sum_us = (latency_s * 1e6) as i64;
            a.sums.cost_micros = (cost * 1e6) as i64;
            a
        };
        // 30 days: 720 hours. idle: 3 replicas, 10 busy hours; busy: 1 replica, 650 hours.
        g.agents
            .insert("idle".into(), group(1000, 10.0 * 3600.0, 10.0));
        g.agents
            .insert("busy".into(), group(1000, 650.0 * 3600.0, 10.0));
        g.agents.insert("cheap".into(), group(1000, 10.0, 10.0));
        g.agents.insert("dear".into(), group(1000, 10.0, 100.0));
        let tool = |calls: i64, errors: i64| Sums {
            calls,
            ok: calls - errors,
            errors,
            ..Default::default()
        };
        g.tools
            .insert(("dear".into(), "lookup".into()), tool(300, 90));
        g.tools
            .insert(("dear".into(), "search".into()), tool(700, 7));
        let hours: HashMap<String, f64> = [
            ("idle".to_string(), 3.0 * 720.0),
            ("busy".to_string(), 720.0),
        ]
        .into();
        let cfg = AnalyticsConfig {
            replica_hour: Some(0.05),
            ..Default::default()
        };
        let req = InsightsRequest::default();
        let recs = recommend::rules(
            &mut Facts {
                gathered: &mut g,
                cfg: &cfg,
                days: 30,
                replica_hours: &hours,
                forecast: None,
            },
            &req,
        );
        let said = |needle: &str| {
            recs.iter()
                .find(|r| r.description.contains(needle))
                .unwrap_or_else(|| panic!("no `{needle}` in {recs:#?}"))
        };
        let idle = said("`idle`'s replicas are idle");
        assert!(
            idle.description.contains("3.0 replicas on average"),
            "{idle:?}"
        );
        assert!(
            idle.estimated_impact.contains("1440 replica-hours (72.00)"),
            "{idle:?}"
        );
        let busy = said("`busy`'s replicas are saturated");
        assert_eq!(busy.priority, recommend::Priority::High);
        let tool = said("`dear`'s tool `lookup` fails 30.0 % of its 300 calls");
        assert!(
            tool.estimated_impact.starts_with("87 fewer failed calls"),
            "{tool:?}"
        );
        let dear = said("`dear` costs 0.1000 per query");
        assert!(
            dear.description
                .contains("10.0× the fleet median of 0.0100"),
            "{dear:?}"
        );
        assert!(!recs.iter().any(|r| r.description.contains("`cheap`")));
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn periods_are_whole_days_ending_today() {
        let now = at("2026-12-08T13:20:00Z");
        let p = Period::of(TimeRange::D7, now);
        assert_eq!(day_start(p.first_day), at("2026-12-02T00:00:00Z"));
        assert_eq!(day_start(p.end_day), at("2026-12-09T00:00:00Z"));
        let weeks = Points::new(p, Granularity::Week, now);
        // Wednesday 2 December is in the week of Monday 30 November.
        assert_eq!(
            weeks.starts,
            [at("2026-11-30T00:00:00Z"), at("2026-12-07T00:00:00Z")]
        );
        let hours = Points::new(p, Granularity::Hour, now);
        // Up to the hour now, not beyond.
        assert_eq!(hours.starts.len(), 6 * 24 + 14);
        assert_eq!(hours.starts.last(), Some(&at("2026-12-08T13:00:00Z")));
        let months = Points::new(Period::of(TimeRange::D90, now), Granularity::Month, now);
        assert_eq!(months.starts.len(), 4);
        assert_eq!(months.starts[0], at("2026-09-01T00:00:00Z"));
    }

    #[test]
    fn replica_hours_count_each_span_once() {
        let now = at("2026-12-08T12:00:00Z");
        let changes = [
            ReplicaChange {
                agent_id: "a".into(),
                target: "local".into(),
                at: at("2026-12-08T08:00:00Z"),
                replicas: 2,
            },
            ReplicaChange {
                agent_id: "a".into(),
                target: "local".into(),
                at: at("2026-12-08T10:00:00Z"),
                replicas: 0,
            },
            ReplicaChange {
                agent_id: "a".into(),
                target: "docker".into(),
                at: at("2026-12-08T11:00:00Z"),
                replicas: 1,
            },
        ];
        let spans = spans_by_agent(&changes, now);
        let h = replica_hours_between(
            &spans["a"],
            at("2026-12-08T00:00:00Z").timestamp_micros(),
            now.timestamp_micros(),
        );
        assert!((h - 5.0).abs() < 1e-9, "{h}");
    }
}
