//! The recorder every command goes through: each action becomes audit events, written
//! durably before it is acknowledged. Fail-closed refuses an action whose event cannot be
//! made durable; fail-open goes on and counts the loss, written as a gap marker event as
//! soon as writing works again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::event::{Category, Component, EventType, Severity, Status};
use super::pipeline::{Outcome, Pipeline};
use super::{own_event, Action, Event};
use crate::error::{Error, Result};
use crate::store::{self, AuditStore, StoreUrl};

pub struct Recorder {
    /// The write pipeline into the trail, when it could be opened.
    trail: Option<Pipeline>,
    fail_closed: bool,
    min_severity: Severity,
    gaps: PathBuf,
    organization: String,
    host: String,
    component: Component,
    /// Why the trail could not be opened (fail-open only).
    unavailable: Option<String>,
}

/// What the recorder needs, resolved from settings.
pub struct RecorderOptions<'a> {
    pub store: &'a StoreUrl,
    pub data_dir: &'a Path,
    pub fail_closed: bool,
    pub min_severity: Severity,
    pub organization: &'a str,
    /// Who writes the events: the CLI, or the daemon on a caller's behalf.
    pub component: Component,
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) } == 0;
    let end = buf.iter().position(|b| *b == 0).unwrap_or(0);
    if ok && end > 0 {
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        "localhost".into()
    }
}

/// What became of an event under fail-open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Durable,
    /// Handed to the pipeline, durable shortly after; a loss is counted for the gap marker.
    Behind,
    /// Counted for the gap marker; why it could not be written.
    Lost(String),
}

/// Events lost so far (fail-open), as the gap file counts them.
fn lost(gaps: &Path) -> u64 {
    std::fs::read_to_string(gaps)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn count_loss(gaps: &Path, n: u64) {
    let _ = std::fs::write(gaps, (lost(gaps) + n).to_string());
}

fn refused(why: &str) -> Error {
    Error::unavailable(
        format!("refusing to act: the audit trail cannot record it ({why}), and audit is fail-closed"),
        Some("make the audit store writable again (`pc-hybrid doctor`), or set AUDIT_FAIL_MODE=open where compliance allows"),
    )
}

impl Recorder {
    pub fn open(o: &RecorderOptions) -> Result<Recorder> {
        let opened = store::open_audit(o.store).and_then(|s| {
            let keys = super::keys::load(o.data_dir)?;
            Ok(Pipeline::start(Arc::from(s), Arc::new(keys)))
        });
        let (trail, unavailable) = match opened {
            Ok(t) => (Some(t), None),
            Err(e) if o.fail_closed => return Err(refused(&e.to_string())),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(Recorder {
            trail,
            fail_closed: o.fail_closed,
            min_severity: o.min_severity,
            gaps: o.data_dir.join("audit-gaps"),
            organization: o.organization.into(),
            host: hostname(),
            component: o.component,
            unavailable,
        })
    }

    /// The trail, when it could be opened.
    pub fn store(&self) -> Option<Arc<dyn AuditStore>> {
        self.trail.as_ref().map(Pipeline::shared_store)
    }

    /// Sign the tail of the trail (on a daemon's stop; a process's end does it too).
    pub fn seal(&self) -> Result<()> {
        match &self.trail {
            Some(p) => p.seal(),
            None => Ok(()),
        }
    }

    /// The one write pipeline into the trail, when it could be opened.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.trail.as_ref()
    }

    fn lost(&self) -> u64 {
        lost(&self.gaps)
    }

    fn count_loss(&self, n: u64) {
        count_loss(&self.gaps, n)
    }

    /// The event of `caller`'s action, as this installation writes it.
    fn event(&self, a: Action, caller: &crate::auth::Caller) -> Event {
        own_event(a, caller, &self.organization, &self.host, self.component)
    }

    /// Append events and wait until they are durable.
    fn append(&self, events: Vec<Event>) -> std::result::Result<(), String> {
        let Some(pipeline) = &self.trail else {
            return Err(self.unavailable.clone().unwrap_or_default());
        };
        for outcome in pipeline.producer().record_all(events) {
            if let Outcome::Failed(why) = outcome {
                return Err(why);
            }
        }
        Ok(())
    }

    /// Record one event of `caller`'s operation. Under fail-closed it is durable when this
    /// returns Ok; under fail-open it may have been lost, which the result says.
    pub fn record(&self, a: Action, caller: &crate::auth::Caller) -> Result<Recorded> {
        if a.severity < self.min_severity {
            return Ok(Recorded::Durable);
        }
        let mut events = Vec::new();
        let lost = self.lost();
        if lost > 0 {
            let gap = Action {
                event_type: EventType::Error,
                category: Category::Compliance,
                severity: Severity::Critical,
                operation: "audit.gap".into(),
                resource: "audit_trail".into(),
                resource_id: None,
                status: Status::Failure,
                error: Some(format!(
                    "{lost} audit event(s) were lost while the trail could not be written (fail-open)"
                )),
                response_time_ms: 0.0,
                agent_id: None,
                data: Default::default(),
                method: None,
                status_code: None,
            };
            events.push(self.event(gap, caller));
        }
        events.push(self.event(a, caller));
        match self.append(events) {
            Ok(()) => {
                if lost > 0 {
                    let _ = std::fs::remove_file(&self.gaps);
                }
                Ok(Recorded::Durable)
            }
            Err(why) if self.fail_closed => Err(refused(&why)),
            Err(why) => {
                self.count_loss(1);
                Ok(Recorded::Lost(why))
            }
        }
    }

    /// Record the outcome of an operation that has run. Under fail-closed it is durable
    /// when this returns, as `record` makes it; under fail-open the answer does not wait
    /// for the disk: the event is written behind it (within the next group commit, and
    /// before a graceful stop or the process's end), and a failure is counted as a loss.
    pub fn record_outcome(&self, a: Action, caller: &crate::auth::Caller) -> Result<Recorded> {
        let Some(pipeline) = self.trail.as_ref().filter(|_| !self.fail_closed) else {
            return self.record(a, caller);
        };
        if a.severity < self.min_severity {
            return Ok(Recorded::Durable);
        }
        if self.lost() > 0 {
            // The gap marker is written first, and waited for.
            return self.record(a, caller);
        }
        let event = self.event(a, caller);
        let gaps = self.gaps.clone();
        pipeline
            .producer()
            .record_all_then(vec![event], move |outcomes| {
                let failed = outcomes
                    .iter()
                    .filter(|o| matches!(o, Outcome::Failed(_)))
                    .count() as u64;
                if failed > 0 {
                    count_loss(&gaps, failed);
                }
            });
        Ok(Recorded::Behind)
    }

    /// Wait until every event recorded so far is durable, so that a read of the trail sees
    /// the outcomes written behind earlier answers.
    pub fn flush(&self) {
        if let Some(p) = &self.trail {
            p.producer().flush();
        }
    }
}
