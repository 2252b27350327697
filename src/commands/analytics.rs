//! `pc-hybrid analytics ...`: its requests and how insights look to a person (the summary,
//! a sparkline per trend, the agents, the recommendations).

use serde::Serialize;

use crate::analytics::insights::{Granularity, Insights, InsightsRequest, Metric, TimeRange};
use crate::cli::AnalyticsCommand;
use crate::ops::Request;
use crate::output::{Output, Tabular};

pub fn request(a: &AnalyticsCommand) -> Request {
    match a {
        AnalyticsCommand::Alerts(crate::cli::AlertsCommand::Check) => Request::CheckAlerts,
        AnalyticsCommand::Report(r) => Request::Report(InsightsRequest {
            time_range: TimeRange::parse(&r.time_range).unwrap_or(TimeRange::D30),
            granularity: Granularity::parse(&r.granularity).unwrap_or(Granularity::Day),
            agent_filter: r.agent_filter.clone(),
            ..Default::default()
        }),
        AnalyticsCommand::Insights(i) => Request::Insights(InsightsRequest {
            // clap took only the listed words.
            time_range: TimeRange::parse(&i.time_range).unwrap_or(TimeRange::D30),
            metrics: i.metrics.iter().filter_map(|m| Metric::parse(m)).collect(),
            granularity: Granularity::parse(&i.granularity).unwrap_or(Granularity::Day),
            agent_filter: i.agent_filter.clone(),
            user_filter: i.user_filter.clone(),
            exact: i.exact,
        }),
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Shown<'a>(pub &'a Insights);

/// Eight levels of a block: a trend drawn in one line.
fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().fold(0.0f64, f64::max);
    values
        .iter()
        .map(|v| {
            if max <= 0.0 {
                BARS[0]
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{v:.2}{unit}"))
        .unwrap_or_else(|| "-".into())
}

impl Tabular for Shown<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let d = &self.0.data;
        let s = &d.summary;
        let summary = out.record(&[
            (
                "queries",
                s.total_queries
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            ("mean response time", opt(s.avg_response_time_ms, " ms")),
            ("total cost", opt(s.total_cost, "")),
            ("user satisfaction (1-5)", opt(s.user_satisfaction, "")),
            ("agent accuracy (0-1)", opt(s.agent_accuracy, "")),
            ("freshness", self.0.metadata.data_freshness.clone()),
        ]);
        let t = &d.trends;
        let mut trends = out.table(&["trend", "points", "from", "to", "min", "max"]);
        let mut line = |name: &str, dates: Vec<String>, v: Vec<f64>, unit: &str| {
            if v.is_empty() {
                return;
            }
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = v.iter().copied().fold(0.0f64, f64::max);
            trends.add_row(vec![
                name.to_string(),
                sparkline(&v),
                dates.first().cloned().unwrap_or_default(),
                dates.last().cloned().unwrap_or_default(),
                format!("{min:.2}{unit}"),
                format!("{max:.2}{unit}"),
            ]);
        };
        let day = |d: &chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M").to_string();
        line(
            "queries",
            t.query_volume.iter().map(|p| day(&p.date)).collect(),
            t.query_volume.iter().map(|p| p.count as f64).collect(),
            "",
        );
        for (name, pick) in [
            ("p50 latency", 0usize),
            ("p95 latency", 1),
            ("p99 latency", 2),
        ] {
            line(
                name,
                t.response_times.iter().map(|p| day(&p.date)).collect(),
                t.response_times
                    .iter()
                    .map(|p| [p.p50, p.p95, p.p99][pick])
                    .collect(),
                " ms",
            );
        }
        line(
            "model cost",
            t.cost_breakdown.iter().map(|p| day(&p.date)).collect(),
            t.cost_breakdown.iter().map(|p| p.model_cost).collect(),
            "",
        );
        line(
            "infrastructure cost",
            t.cost_breakdown.iter().map(|p| day(&p.date)).collect(),
            t.cost_breakdown
                .iter()
                .map(|p| p.infrastructure_cost)
                .collect(),
            "",
        );
        let mut agents = out.table(&[
            "agent",
            "queries",
            "mean latency",
            "success",
            "rating",
            "cost/query",
        ]);
        for a in &d.agent_performance {
            agents.add_row(vec![
                a.agent_id.clone(),
                a.query_count.to_string(),
                opt(a.avg_response_time, " ms"),
                format!("{:.1} %", a.success_rate * 100.0),
                opt(a.user_rating, ""),
                a.cost_per_query
                    .map(|c| format!("{c:.6}"))
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        let mut tables = vec![summary, trends, agents];
        if !d.optimization_recommendations.is_empty() {
            let mut r = out.table(&["type", "priority", "recommendation", "impact", "effort"]);
            for x in &d.optimization_recommendations {
                r.add_row(vec![
                    x.kind.as_str().to_string(),
                    x.priority.as_str().to_string(),
                    x.description.clone(),
                    x.estimated_impact.clone(),
                    x.implementation_effort.as_str().to_string(),
                ]);
            }
            tables.push(r);
        }
        tables
    }
}

/// Write the page to `path` whole: a temporary file beside it, renamed over it, so that a
/// reader never sees half a page and a failure leaves what was there.
pub fn write_page(path: &std::path::Path, html: &str) -> crate::error::Result<()> {
    use crate::error::Error;
    let dir = check_destination(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, html.as_bytes()).and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path.display().to_string(), e));
    }
    Ok(())
}

/// The folder a page will be written in: it must exist, and the page must not be a folder.
pub fn check_destination(path: &std::path::Path) -> crate::error::Result<std::path::PathBuf> {
    use crate::error::Error;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::invalid(
            "--html",
            format!(
                "{}: the folder {} does not exist",
                path.display(),
                dir.display()
            ),
        ));
    }
    // A page replaces a file, never a folder, a device or a pipe (renaming over
    // /dev/null would replace it).
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if !m.file_type().is_file() {
            return Err(Error::invalid(
                "--html",
                format!("{} exists and is not a regular file", path.display()),
            ));
        }
    }
    Ok(dir)
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Alerts<'a>(pub &'a crate::analytics::alerts::Evaluation);

impl Tabular for Alerts<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["rule", "agent", "value", "threshold", "sent", "message"]);
        for f in &self.0.firing {
            t.add_row(vec![
                f.rule.clone(),
                f.agent.clone().unwrap_or_else(|| "-".into()),
                format!("{:.2}", f.value),
                format!("{:.2}", f.threshold),
                if f.delivered {
                    "yes".into()
                } else if f.throttled {
                    "throttled".into()
                } else if let Some(e) = &f.error {
                    format!("no: {e}")
                } else {
                    "no webhook".into()
                },
                f.message.clone(),
            ]);
        }
        vec![t]
    }
}
