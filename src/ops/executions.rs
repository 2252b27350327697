//! The executions operations: list them, import them from elsewhere, give feedback on one.

use serde::{Deserialize, Serialize};

use crate::analytics::executions as domain;
use crate::error::{Error, Result};
use crate::store::{ExecutionQuery, ExecutionStatus, Feedback};

use super::{Caller, CallerPath, Context, Reply, Response, Sink};

/// `pc-hybrid executions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// RFC 3339, or a duration back from now (`30m`, `24h`, `7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ExecutionStatus>,
    #[serde(default = "hundred")]
    pub limit: usize,
}

fn hundred() -> usize {
    100
}

/// Where an import reads: the caller's stdin or a file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportSource {
    Stdin,
    File(CallerPath),
}

/// `pc-hybrid feedback`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveFeedback {
    pub execution_id: String,
    pub rating: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
}

fn time(s: &Option<String>, field: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    s.as_deref()
        .map(|s| {
            let t = super::trail::when(s, field)?;
            chrono::DateTime::parse_from_rfc3339(&t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|e| Error::invalid(field, e.to_string()))
        })
        .transpose()
}

pub fn list(ctx: &Context, f: &ExecutionFilter) -> Result<Reply> {
    let q = ExecutionQuery {
        agent: f.agent.clone(),
        user: f.user.clone(),
        status: f.status,
        since: time(&f.since, "--since")?,
        until: time(&f.until, "--until")?,
        limit: f.limit,
    };
    Ok(Response::Executions(ctx.executions()?.executions(&q)?).into())
}

pub fn import(ctx: &Context, source: &ImportSource, sink: &dyn Sink) -> Result<Reply> {
    let (input, shown): (Box<dyn std::io::BufRead + Send>, String) = match source {
        ImportSource::Stdin => (
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())),
            "-".into(),
        ),
        ImportSource::File(f) => {
            let shown = f.path.display().to_string();
            let file =
                std::fs::File::open(f.resolved()).map_err(|e| Error::io(shown.clone(), e))?;
            (
                Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
                shown,
            )
        }
    };
    let known = super::analytics::known_agents(ctx)?;
    let report = domain::import(ctx.executions()?.as_ref(), input, known, chrono::Utc::now())?;
    if !report.unknown_agents.is_empty() {
        let listed: Vec<String> = report
            .unknown_agents
            .iter()
            .take(10)
            .map(|(a, n)| format!("{a} ({n})"))
            .collect();
        sink.warn(&format!(
            "stored executions of {} agent(s) not made, registered or deployed here: {}{}",
            report.unknown_agents.len(),
            listed.join(", "),
            if report.unknown_agents.len() > 10 {
                ", ..."
            } else {
                ""
            }
        ));
    }
    let error = super::trail::rejected_lines(sink, &shown, &report.rejected, "executions");
    sink.note(&format!(
        "{} read, {} stored, {} already stored, {} rejected",
        report.read,
        report.stored,
        report.duplicates,
        report.rejected.len()
    ));
    Ok(Reply {
        response: Response::ExecutionsImported(report),
        error,
    })
}

pub fn feedback(
    ctx: &Context,
    caller: &Caller,
    f: &GiveFeedback,
    sink: &dyn Sink,
) -> Result<Reply> {
    if !(1..=5).contains(&f.rating) {
        return Err(Error::invalid(
            "--rating",
            format!("{} is not from 1 to 5", f.rating),
        ));
    }
    let given = Feedback {
        rating: f.rating,
        correct: f.correct,
        user_id: caller
            .identity
            .as_ref()
            .map(|i| i.subject.clone())
            .unwrap_or_else(|| caller.user.clone()),
        given_at: chrono::Utc::now(),
    };
    if !ctx.executions()?.set_feedback(&f.execution_id, &given)? {
        return Err(Error::not_found(
            format!(
                "no execution has the id `{}`",
                f.execution_id.escape_debug()
            ),
            Some("`pc-hybrid executions` lists them"),
        ));
    }
    sink.note(&format!("feedback recorded on {}", f.execution_id));
    Ok(Response::Done.into())
}
