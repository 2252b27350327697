//! `pc-hybrid audit ...`: ingest, query, tail, export and verify as operation requests,
//! and their results as tables.

use serde::Serialize;
use serde_json::Value;

use crate::audit::trail;
use crate::cli::AuditCommand;
use crate::ops::{self, CallerPath, Request};
use crate::output::{Output, Tabular};

pub fn request(cmd: &AuditCommand) -> Request {
    match cmd {
        AuditCommand::Ingest(a) => Request::Ingest(ops::Ingest {
            source: if a.file == "-" {
                ops::IngestSource::Stdin
            } else {
                ops::IngestSource::File(CallerPath::here(a.file.clone().into()))
            },
            ack: a.ack,
        }),
        AuditCommand::Query(a) => Request::AuditQuery(ops::AuditFilter {
            since: a.since.clone(),
            until: a.until.clone(),
            user: a.user.clone(),
            event_type: a.event_type.clone(),
            severity: a.severity.clone(),
            outcome: a.outcome.clone(),
            resource: a.resource.clone(),
            agent: a.agent.clone(),
            match_hmac: a.match_hmac.clone(),
            limit: a.limit,
        }),
        AuditCommand::Tail(a) => Request::AuditTail {
            lines: a.lines,
            follow: a.follow,
        },
        AuditCommand::Export(a) => Request::AuditExport {
            format: a.format,
            since: a.since.clone(),
        },
        AuditCommand::Verify => Request::AuditVerify,
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Ingested<'a>(pub &'a trail::IngestReport);

impl Tabular for Ingested<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        vec![out.record(&[
            ("stored", self.0.stored.to_string()),
            ("already stored", self.0.duplicates.to_string()),
            ("rejected", self.0.rejected.len().to_string()),
            (
                "sequences",
                match (self.0.first_sequence, self.0.last_sequence) {
                    (Some(a), Some(b)) => format!("{a}..{b}"),
                    _ => String::new(),
                },
            ),
        ])]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Events<'a>(pub &'a [Value]);

impl Tabular for Events<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "seq",
            "time",
            "user",
            "type",
            "severity",
            "operation",
            "resource",
            "outcome",
        ]);
        for e in self.0 {
            t.add_row(trail::cells(e));
        }
        vec![t]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Verified<'a>(pub &'a trail::VerifyReport);

impl Tabular for Verified<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let r = self.0;
        vec![out.record(&[
            (
                "result",
                if r.ok {
                    "verified".into()
                } else {
                    "FAILED".into()
                },
            ),
            ("events", r.events.to_string()),
            ("checkpoints", r.checkpoints.to_string()),
            (
                "last checkpoint",
                r.last_checkpoint.map(|c| c.to_string()).unwrap_or_default(),
            ),
            (
                "first bad sequence",
                r.first_bad_sequence
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("message", r.message.clone()),
        ])]
    }
}
