//! What an operation tells its caller while it runs: notes, warnings, step progress and
//! streamed items, to a terminal in-process or as frames over the daemon's socket.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::StepStatus;

pub use tokio_util::sync::CancellationToken as Cancel;

/// One step of a multi-step operation (a creation, a deploy, a live check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step {
    pub index: usize,
    pub total: usize,
    pub name: String,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Where an operation reports while it runs. Each call is whole: a frame on the wire.
pub trait Sink: Send + Sync {
    /// Something worth knowing (stderr, unless quiet).
    fn note(&self, msg: &str);
    /// Something that may need attention (stderr, always).
    fn warn(&self, msg: &str);
    /// A step of the work titled `title` started or ended.
    fn step(&self, title: &str, step: &Step);
    /// The work titled `title` has no more steps (a progress bar is cleared).
    fn steps_done(&self, title: &str);
    /// One record of a stream (`audit tail --follow`), with the cells of its table line.
    /// False once nobody reads any more.
    fn item(&self, item: &Value, cells: &[String]) -> bool;
    /// Bytes of a raw stream (logs, an export, ingest acknowledgements). False once nobody
    /// reads any more.
    fn bytes(&self, data: &[u8]) -> bool;
    /// Whether the reader has gone, asked while a stream waits for new data.
    fn closed(&self) -> bool {
        false
    }
}

/// The step progress of one piece of work, as the factory and deploy backends report it.
pub struct Steps<'a> {
    sink: &'a dyn Sink,
    title: String,
    cancel: Option<&'a Cancel>,
}

impl<'a> Steps<'a> {
    pub fn new(sink: &'a dyn Sink, title: impl Into<String>) -> Steps<'a> {
        Steps {
            sink,
            title: title.into(),
            cancel: None,
        }
    }

    /// The work stops, and undoes itself, once `cancel` is cancelled.
    pub fn cancelled_by(mut self, cancel: &'a Cancel) -> Steps<'a> {
        self.cancel = Some(cancel);
        self
    }
}

impl crate::progress::Progress for Steps<'_> {
    fn step(
        &self,
        index: usize,
        total: usize,
        name: &str,
        status: StepStatus,
        message: Option<&str>,
    ) {
        self.sink.step(
            &self.title,
            &Step {
                index,
                total,
                name: name.into(),
                status,
                message: message.map(str::to_owned),
            },
        );
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(Cancel::is_cancelled)
    }
}

impl Drop for Steps<'_> {
    fn drop(&mut self) {
        self.sink.steps_done(&self.title);
    }
}
