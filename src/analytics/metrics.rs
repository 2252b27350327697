//! Prometheus metrics (text exposition 0.0.4): tool calls, failures, latency histograms and
//! cost per agent, tool and status, summed from the rollups (never per user); the audit
//! pipeline's depth and throughput; replicas wanted and healthy per deployment.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::histogram::Histogram;
use crate::store::rollups::{RollupRow, Sums};

/// Bucket bounds of the latency histograms, in seconds.
pub const LATENCY_BOUNDS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// One deployment's replicas.
#[derive(Debug, Clone, PartialEq)]
pub struct Replicas {
    pub agent: String,
    pub target: String,
    pub wanted: u32,
    pub healthy: u32,
}

/// What the exposition is made of.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Every day rollup row (all time).
    pub rows: Vec<RollupRow>,
    /// Audit events waiting to be written.
    pub audit_depth: u64,
    pub audit_written: u64,
    /// The daemon's execution writer: handed over, written, failed.
    pub executions: Option<(u64, u64, u64)>,
    pub replicas: Vec<Replicas>,
    pub uptime_seconds: f64,
}

/// Every metric name `render` may write (a dashboard may use only these).
pub const NAMES: &[&str] = &[
    "pc_hybrid_up",
    "pc_hybrid_build_info",
    "pc_hybrid_uptime_seconds",
    "pc_hybrid_tool_calls_total",
    "pc_hybrid_tool_call_failures_total",
    "pc_hybrid_tool_call_duration_seconds",
    "pc_hybrid_tool_call_cost_total",
    "pc_hybrid_tool_call_tokens_total",
    "pc_hybrid_audit_queue_depth",
    "pc_hybrid_audit_events_written_total",
    "pc_hybrid_executions_pending",
    "pc_hybrid_executions_write_failures_total",
    "pc_hybrid_replicas_wanted",
    "pc_hybrid_replicas_healthy",
];

/// A label value, escaped as the exposition format asks.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

pub fn render(i: &Inputs) -> String {
    let mut out = String::new();
    head(
        &mut out,
        "pc_hybrid_up",
        "gauge",
        "1 while the daemon answers.",
    );
    out.push_str("pc_hybrid_up 1\n");
    head(
        &mut out,
        "pc_hybrid_build_info",
        "gauge",
        "The running version.",
    );
    let _ = writeln!(
        out,
        "pc_hybrid_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    head(
        &mut out,
        "pc_hybrid_uptime_seconds",
        "gauge",
        "Seconds since the daemon started.",
    );
    let _ = writeln!(out, "pc_hybrid_uptime_seconds {:.3}", i.uptime_seconds);

    // Per agent and tool, all days and models together.
    let mut by: BTreeMap<(&str, &str), (Sums, Histogram)> = BTreeMap::new();
    for r in &i.rows {
        let e = by
            .entry((r.key.agent_id.as_str(), r.key.second.as_str()))
            .or_default();
        e.0.merge(&r.sums);
        // A malformed stored histogram leaves that row out of the latency buckets only.
        let _ = e.1.merge_encoded(&r.histogram);
    }
    head(
        &mut out,
        "pc_hybrid_tool_calls_total",
        "counter",
        "Tool calls recorded, by agent, tool and how they ended.",
    );
    for ((agent, tool), (s, _)) in &by {
        for (status, n) in [
            ("success", s.ok),
            ("error", s.errors),
            ("timeout", s.timeouts),
            ("denied", s.denied),
        ] {
            let _ = writeln!(
                out,
                "pc_hybrid_tool_calls_total{{agent=\"{}\",tool=\"{}\",status=\"{status}\"}} {n}",
                label(agent),
                label(tool)
            );
        }
    }
    head(
        &mut out,
        "pc_hybrid_tool_call_failures_total",
        "counter",
        "Tool calls that failed (errors and timeouts), by agent and tool.",
    );
    for ((agent, tool), (s, _)) in &by {
        let _ = writeln!(
            out,
            "pc_hybrid_tool_call_failures_total{{agent=\"{}\",tool=\"{}\"}} {}",
            label(agent),
            label(tool),
            s.errors + s.timeouts
        );
    }
    head(
        &mut out,
        "pc_hybrid_tool_call_duration_seconds",
        "histogram",
        "Latency of the calls that reached the agent (bucket edges within 1 %).",
    );
    for ((agent, tool), (s, h)) in &by {
        let (a, t) = (label(agent), label(tool));
        let mut cumulative = vec![0u64; LATENCY_BOUNDS.len()];
        for (b, n) in h.buckets() {
            let seconds = crate::histogram::value(b) / 1e6;
            for (k, bound) in LATENCY_BOUNDS.iter().enumerate() {
                if seconds <= *bound {
                    cumulative[k] += n;
                }
            }
        }
        for (k, bound) in LATENCY_BOUNDS.iter().enumerate() {
            let _ = writeln!(
                out,
                "pc_hybrid_tool_call_duration_seconds_bucket{{agent=\"{a}\",tool=\"{t}\",le=\"{bound}\"}} {}",
                cumulative[k]
            );
        }
        let _ = writeln!(
            out,
            "pc_hybrid_tool_call_duration_seconds_bucket{{agent=\"{a}\",tool=\"{t}\",le=\"+Inf\"}} {}\n\
             pc_hybrid_tool_call_duration_seconds_sum{{agent=\"{a}\",tool=\"{t}\"}} {:.6}\n\
             pc_hybrid_tool_call_duration_seconds_count{{agent=\"{a}\",tool=\"{t}\"}} {}",
            s.timed(),
            s.latency_sum_us as f64 / 1e6,
            s.timed()
        );
    }
    head(
        &mut out,
        "pc_hybrid_tool_call_cost_total",
        "counter",
        "Cost the calls reported, by agent and tool.",
    );
    for ((agent, tool), (s, _)) in &by {
        let _ = writeln!(
            out,
            "pc_hybrid_tool_call_cost_total{{agent=\"{}\",tool=\"{}\"}} {:.6}",
            label(agent),
            label(tool),
            s.cost_micros as f64 / 1e6
        );
    }
    head(
        &mut out,
        "pc_hybrid_tool_call_tokens_total",
        "counter",
        "Tokens the calls used, by agent, tool and direction.",
    );
    for ((agent, tool), (s, _)) in &by {
        for (dir, n) in [("in", s.tokens_in), ("out", s.tokens_out)] {
            let _ = writeln!(
                out,
                "pc_hybrid_tool_call_tokens_total{{agent=\"{}\",tool=\"{}\",direction=\"{dir}\"}} {n}",
                label(agent),
                label(tool)
            );
        }
    }

    head(
        &mut out,
        "pc_hybrid_audit_queue_depth",
        "gauge",
        "Audit events waiting to be written.",
    );
    let _ = writeln!(out, "pc_hybrid_audit_queue_depth {}", i.audit_depth);
    head(
        &mut out,
        "pc_hybrid_audit_events_written_total",
        "counter",
        "Audit events the daemon's pipeline wrote since it started.",
    );
    let _ = writeln!(
        out,
        "pc_hybrid_audit_events_written_total {}",
        i.audit_written
    );
    let (handed, written, failed) = i.executions.unwrap_or_default();
    head(
        &mut out,
        "pc_hybrid_executions_pending",
        "gauge",
        "Executions handed to the writer, not yet written.",
    );
    let _ = writeln!(
        out,
        "pc_hybrid_executions_pending {}",
        handed.saturating_sub(written + failed)
    );
    head(
        &mut out,
        "pc_hybrid_executions_write_failures_total",
        "counter",
        "Executions the writer could not store.",
    );
    let _ = writeln!(out, "pc_hybrid_executions_write_failures_total {failed}");

    head(
        &mut out,
        "pc_hybrid_replicas_wanted",
        "gauge",
        "Replicas a deployment asks for.",
    );
    for r in &i.replicas {
        let _ = writeln!(
            out,
            "pc_hybrid_replicas_wanted{{agent=\"{}\",target=\"{}\"}} {}",
            label(&r.agent),
            label(&r.target),
            r.wanted
        );
    }
    head(
        &mut out,
        "pc_hybrid_replicas_healthy",
        "gauge",
        "Replicas of a deployment answering their health check.",
    );
    for r in &i.replicas {
        let _ = writeln!(
            out,
            "pc_hybrid_replicas_healthy{{agent=\"{}\",target=\"{}\"}} {}",
            label(&r.agent),
            label(&r.target),
            r.healthy
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_every_name_is_declared() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let mut h = Histogram::new();
        h.add(3_000);
        h.add(700_000);
        let inputs = Inputs {
            rows: vec![RollupRow {
                key: crate::store::rollups::Key {
                    bucket: 1,
                    agent_id: "a\"x".into(),
                    second: "t".into(),
                    model: String::new(),
                },
                sums: Sums {
                    calls: 2,
                    ok: 2,
                    latency_sum_us: 703_000,
                    ..Default::default()
                },
                histogram: h.encode(),
            }],
            replicas: vec![Replicas {
                agent: "a".into(),
                target: "local".into(),
                wanted: 2,
                healthy: 1,
            }],
            ..Default::default()
        };
        let text = render(&inputs);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            assert!(NAMES.contains(&base), "{name} is not in NAMES");
        }
        assert!(text.contains(
            "pc_hybrid_tool_call_duration_seconds_bucket{agent=\"a\\\"x\",tool=\"t\",le=\"0.005\"} 1"
        ), "{text}");
        assert!(text.contains("le=\"1\"} 2"), "{text}");
        assert!(text.contains("pc_hybrid_replicas_healthy{agent=\"a\",target=\"local\"} 1"));
    }
}
