//! Where long operations report their steps (creations, deploys, client installs): a trait
//! the domain calls and the CLI, the daemon or nobody implements. The domain never prints.

use crate::model::StepStatus;

/// Receives step transitions, for progress display.
pub trait Progress {
    fn step(
        &self,
        index: usize,
        total: usize,
        name: &str,
        status: StepStatus,
        message: Option<&str>,
    );
    /// Whether whoever waits has asked to stop (Ctrl-C, or a daemon's client that went
    /// away): long work stops before its next step, or in its next wait, and undoes what
    /// it made as a failure would.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress nobody watches.
pub struct NoProgress;
impl Progress for NoProgress {
    fn step(&self, _: usize, _: usize, _: &str, _: StepStatus, _: Option<&str>) {}
}
