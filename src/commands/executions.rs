//! `pc-hybrid executions [import]` and `feedback`: their requests and how their answers look.

use serde::Serialize;

use crate::analytics::executions::ImportReport;
use crate::cli::{ExecutionsArgs, ExecutionsCommand, FeedbackArgs};
use crate::error::Result;
use crate::ops::executions::{ExecutionFilter, GiveFeedback, ImportSource};
use crate::ops::{CallerPath, Request};
use crate::output::{Output, Tabular};
use crate::store::{ExecutionRecord, ExecutionStatus};

pub fn request(a: &ExecutionsArgs) -> Result<Request> {
    Ok(match &a.command {
        Some(ExecutionsCommand::Import { file }) => Request::ImportExecutions(match file {
            Some(f) if f.as_os_str() != "-" => ImportSource::File(CallerPath::here(f.clone())),
            _ => ImportSource::Stdin,
        }),
        None => Request::Executions(ExecutionFilter {
            agent: a.agent.clone(),
            user: a.user.clone(),
            since: a.since.clone(),
            until: a.until.clone(),
            status: a.status.as_deref().and_then(ExecutionStatus::parse),
            limit: a.limit,
        }),
    })
}

pub fn feedback_request(a: &FeedbackArgs) -> Request {
    Request::Feedback(GiveFeedback {
        execution_id: a.execution_id.clone(),
        rating: a.rating,
        correct: a.correct,
    })
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Listed<'a>(pub &'a [ExecutionRecord]);

impl Tabular for Listed<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "id", "time", "agent", "tool", "user", "status", "latency", "cost", "rating",
        ]);
        for e in self.0 {
            t.add_row(vec![
                e.execution_id.clone(),
                super::when(&e.timestamp),
                e.agent_id.clone(),
                e.tool.clone(),
                e.user_id.clone(),
                e.status.as_str().into(),
                format!("{:.1} ms", e.latency_ms),
                e.cost
                    .map(|c| format!("{c:.6}"))
                    .unwrap_or_else(|| "-".into()),
                e.feedback
                    .as_ref()
                    .map(|f| f.rating.to_string())
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Imported<'a>(pub &'a ImportReport);

impl Tabular for Imported<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let r = self.0;
        vec![out.record(&[
            ("read", r.read.to_string()),
            ("stored", r.stored.to_string()),
            ("already stored", r.duplicates.to_string()),
            ("rejected", r.rejected.len().to_string()),
            ("unknown agents", r.unknown_agents.len().to_string()),
        ])]
    }
}
