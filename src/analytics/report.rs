//! The HTML report: one self-contained page (no script, no stylesheet or font fetched from
//! anywhere) with the insights of a period drawn as inline SVG charts, the agents, the
//! recommendations and the alerts that fired.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::insights::Insights;

const W: f64 = 960.0;
const H: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 40.0;

/// Text for HTML and SVG: the five characters with a meaning there, escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

fn number(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 10.0 {
        format!("{:.0}", v)
    } else if v.abs() >= 1.0 {
        format!("{:.1}", v)
    } else {
        format!("{:.3}", v)
    }
}

/// The frame of a chart: its title, the y axis with four ticks and its unit, the x axis
/// labelled at its first, middle and last point.
fn frame(out: &mut String, title: &str, unit: &str, max: f64, labels: &[String]) {
    let plot_h = H - TOP - BOTTOM;
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{W}" height="{H}" viewBox="0 0 {W} {H}" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#e3e3e3"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{v}</text>"##,
            x2 = W - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            v = esc(&number(v)),
        );
    }
    let _ = write!(
        out,
        r##"<text class="axis" x="14" y="{y}" transform="rotate(-90 14 {y})" text-anchor="middle">{u}</text><line x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}" stroke="#555"/>"##,
        y = TOP + plot_h / 2.0,
        u = esc(unit),
        b = TOP + plot_h,
        r = W - RIGHT,
    );
    let n = labels.len();
    if n > 0 {
        let mut shown = vec![0, n / 2, n - 1];
        shown.dedup();
        for i in shown {
            let _ = write!(
                out,
                r#"<text class="tick" x="{x:.1}" y="{y}" text-anchor="middle">{l}</text>"#,
                x = x_of(i, n),
                y = H - 12.0,
                l = esc(&labels[i]),
            );
        }
    }
}

fn x_of(i: usize, n: usize) -> f64 {
    let plot_w = W - LEFT - RIGHT;
    LEFT + plot_w * (i as f64 + 0.5) / n.max(1) as f64
}

fn y_of(v: f64, max: f64) -> f64 {
    let plot_h = H - TOP - BOTTOM;
    TOP + plot_h - plot_h * (v / max).clamp(0.0, 1.0)
}

/// Bars, one stack per point: each series a layer, in order.
fn stacked_bars(
    title: &str,
    unit: &str,
    labels: &[String],
    series: &[(&str, &str, Vec<f64>)],
) -> String {
    let n = labels.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| series.iter().map(|s| s.2[i]).sum())
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let mut out = String::new();
    frame(&mut out, title, unit, max, labels);
    let plot_w = W - LEFT - RIGHT;
    let bw = (plot_w / n.max(1) as f64 * 0.8).max(1.0);
    for i in 0..n {
        let mut base = 0.0;
        for (name, color, values) in series {
            let v = values[i];
            if v > 0.0 {
                let (y0, y1) = (y_of(base, max), y_of(base + v, max));
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y1:.1}" width="{bw:.1}" height="{h:.1}" fill="{color}"><title>{l}: {name} {v}</title></rect>"#,
                    x = x_of(i, n) - bw / 2.0,
                    h = (y0 - y1).max(0.5),
                    l = esc(&labels[i]),
                    name = esc(name),
                    v = esc(&number(v)),
                );
            }
            base += v;
        }
    }
    legend(&mut out, series.iter().map(|s| (s.0, s.1)));
    out.push_str("</svg>");
    out
}

/// Lines through the points that have a value.
fn lines(title: &str, unit: &str, labels: &[String], series: &[(&str, &str, Vec<f64>)]) -> String {
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .fold(0.0, f64::max),
    );
    let n = labels.len();
    let mut out = String::new();
    frame(&mut out, title, unit, max, labels);
    for (name, color, values) in series {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i, n), y_of(*v, max)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"><title>{}</title></polyline>"#,
            pts.join(" "),
            esc(name)
        );
        if n == 1 {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{color}"/>"#,
                x_of(0, 1),
                y_of(values[0], max)
            );
        }
    }
    legend(&mut out, series.iter().map(|s| (s.0, s.1)));
    out.push_str("</svg>");
    out
}

fn legend<'a>(out: &mut String, items: impl Iterator<Item = (&'a str, &'a str)>) {
    let mut x = LEFT + 10.0;
    for (name, color) in items {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="6" width="10" height="10" fill="{color}"/><text class="legend" x="{tx:.1}" y="15">{n}</text>"#,
            tx = x + 14.0,
            n = esc(name),
        );
        x += 24.0 + 7.5 * name.len() as f64;
    }
}

fn empty_chart(title: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="60" viewBox="0 0 {W} 60" aria-label="{t}"><title>{t}</title><text class="axis" x="{LEFT}" y="35">No data in this period</text></svg>"##,
        t = esc(title)
    )
}

/// The page.
pub fn render(
    ins: &Insights,
    alerts: &[crate::store::executions::AlertRecord],
    forecast: Option<&super::forecast::Forecast>,
    range: &str,
) -> String {
    let d = &ins.data;
    let t = &d.trends;
    let label = |dt: &DateTime<Utc>| {
        if dt.format("%H:%M").to_string() == "00:00" {
            dt.format("%Y-%m-%d").to_string()
        } else {
            dt.format("%m-%d %H:%M").to_string()
        }
    };
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>pc-hybrid analytics: last {range}</title><style>
body{{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}}h1{{font-size:22px}}h2{{font-size:17px;margin-top:28px}}
.cards{{display:flex;gap:12px;flex-wrap:wrap}}.card{{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}}
.card b{{display:block;font-size:20px}}table{{border-collapse:collapse;width:100%;font-size:13px}}th,td{{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left}}
td.n{{text-align:right}}svg text{{font-family:sans-serif}}.tick{{font-size:11px;fill:#444}}.axis{{font-size:12px;fill:#222}}.legend{{font-size:12px;fill:#222}}
.high{{color:#b00020}}.medium{{color:#a05a00}}.low{{color:#555}}small{{color:#666}}
</style></head><body><h1>Analytics: the last {range}</h1><small>Generated {gen}. {fresh}</small>"#,
        range = esc(range),
        gen = esc(&ins
            .metadata
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        fresh = esc(&ins.metadata.data_freshness),
    );
    let s = &d.summary;
    let card = |name: &str, v: Option<String>| {
        format!(
            r#"<div class="card">{}<b>{}</b></div>"#,
            esc(name),
            esc(&v.unwrap_or_else(|| "–".into()))
        )
    };
    html.push_str(r#"<div class="cards">"#);
    html.push_str(&card("Queries", s.total_queries.map(|v| v.to_string())));
    html.push_str(&card(
        "Mean response time",
        s.avg_response_time_ms.map(|v| format!("{v:.1} ms")),
    ));
    html.push_str(&card("Total cost", s.total_cost.map(|v| format!("{v:.2}"))));
    html.push_str(&card(
        "Satisfaction (1–5)",
        s.user_satisfaction.map(|v| format!("{v:.2}")),
    ));
    html.push_str(&card(
        "Accuracy",
        s.agent_accuracy.map(|v| format!("{:.1} %", v * 100.0)),
    ));
    html.push_str("</div>");

    html.push_str("<h2>Query volume</h2>");
    if t.query_volume.iter().any(|p| p.count > 0) {
        let labels: Vec<String> = t.query_volume.iter().map(|p| label(&p.date)).collect();
        html.push_str(&stacked_bars(
            "Query volume",
            "queries",
            &labels,
            &[(
                "queries",
                "#3366cc",
                t.query_volume.iter().map(|p| p.count as f64).collect(),
            )],
        ));
    } else {
        html.push_str(&empty_chart("Query volume"));
    }

    html.push_str("<h2>Response time</h2>");
    if t.response_times.is_empty() {
        html.push_str(&empty_chart("Response time"));
    } else {
        let labels: Vec<String> = t.response_times.iter().map(|p| label(&p.date)).collect();
        html.push_str(&lines(
            "Response time p50, p95, p99",
            "milliseconds",
            &labels,
            &[
                (
                    "p50",
                    "#109618",
                    t.response_times.iter().map(|p| p.p50).collect(),
                ),
                (
                    "p95",
                    "#ff9900",
                    t.response_times.iter().map(|p| p.p95).collect(),
                ),
                (
                    "p99",
                    "#dc3912",
                    t.response_times.iter().map(|p| p.p99).collect(),
                ),
            ],
        ));
    }

    html.push_str("<h2>Cost</h2>");
    if t.cost_breakdown
        .iter()
        .any(|p| p.model_cost > 0.0 || p.infrastructure_cost > 0.0)
    {
        let labels: Vec<String> = t.cost_breakdown.iter().map(|p| label(&p.date)).collect();
        html.push_str(&stacked_bars(
            "Cost by kind",
            "cost",
            &labels,
            &[
                (
                    "model",
                    "#990099",
                    t.cost_breakdown.iter().map(|p| p.model_cost).collect(),
                ),
                (
                    "infrastructure",
                    "#0099c6",
                    t.cost_breakdown
                        .iter()
                        .map(|p| p.infrastructure_cost)
                        .collect(),
                ),
            ],
        ));
    } else {
        html.push_str(&empty_chart("Cost by kind"));
    }

    html.push_str("<h2>Agents</h2><table><tr><th>Agent</th><th>Queries</th><th>Mean latency</th><th>Success</th><th>Rating</th><th>Cost per query</th></tr>");
    for a in &d.agent_performance {
        let _ = write!(
            html,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{:.1} %</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(&a.agent_id),
            a.query_count,
            a.avg_response_time
                .map(|v| format!("{v:.1} ms"))
                .unwrap_or_else(|| "–".into()),
            a.success_rate * 100.0,
            a.user_rating
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "–".into()),
            a.cost_per_query
                .map(|v| format!("{v:.6}"))
                .unwrap_or_else(|| "–".into()),
        );
    }
    html.push_str("</table>");

    if let Some(f) = forecast {
        let _ = write!(
            html,
            "<h2>Forecast</h2><p>At the trend of the last four weeks (Holt's linear method): about {:.0} calls and a cost of {:.2} over the next seven days. This month has cost {:.2} so far and is forecast to cost {:.2}.",
            f.next_7_days_calls, f.next_7_days_cost, f.month_to_date_cost, f.month_forecast_cost
        );
        match (f.monthly_budget, f.budget_runs_out) {
            (Some(b), Some(d)) => {
                let _ = write!(
                    html,
                    r#" <b class="high">The monthly budget of {b:.2} runs out on {d}.</b>"#
                );
            }
            (Some(b), None) => {
                let _ = write!(html, " The monthly budget of {b:.2} lasts the month.");
            }
            _ => {}
        }
        html.push_str("</p>");
    }

    html.push_str("<h2>Recommendations</h2>");
    if d.optimization_recommendations.is_empty() {
        html.push_str("<p>None: nothing in this period crossed a rule.</p>");
    } else {
        html.push_str("<table><tr><th>Priority</th><th>Type</th><th>Recommendation</th><th>Estimated impact</th><th>Effort</th></tr>");
        for r in &d.optimization_recommendations {
            let _ = write!(
                html,
                r#"<tr><td class="{p}">{p}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                r.kind.as_str(),
                esc(&r.description),
                esc(&r.estimated_impact),
                r.implementation_effort.as_str(),
                p = r.priority.as_str(),
            );
        }
        html.push_str("</table>");
    }

    html.push_str("<h2>Alerts fired</h2>");
    if alerts.is_empty() {
        html.push_str("<p>None in this period.</p>");
    } else {
        html.push_str("<table><tr><th>When</th><th>Rule</th><th>What</th></tr>");
        for a in alerts {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&a
                    .fired_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                esc(&a.rule),
                esc(&a.message)
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round_and_text_is_escaped() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130.0), 200.0);
        assert_eq!(nice_max(4500.0), 5000.0);
        assert_eq!(esc("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }
}
