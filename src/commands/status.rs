//! `pc-hybrid status CREATION_ID`: the steps of one creation, as a table.

use crate::output::{Output, Tabular};
use crate::store::CreationRecord;

use super::when;

impl Tabular for CreationRecord {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut rows = vec![
            ("creation_id", self.id.clone()),
            ("agent", self.agent_name.clone()),
            ("status", self.status.to_string()),
            ("started", when(&self.started_at)),
            (
                "finished",
                self.finished_at
                    .as_ref()
                    .map(when)
                    .unwrap_or_else(|| "-".into()),
            ),
        ];
        if let Some(s) = &self.failed_step {
            rows.push(("failed_step", s.clone()));
        }
        if let Some(e) = &self.error {
            rows.push(("error", e.clone()));
        }
        let mut steps = out.table(&["step", "status", "duration", "message"]);
        for s in &self.steps {
            let dur = match (s.started_at, s.finished_at) {
                (Some(a), Some(b)) => format!("{} ms", (b - a).num_milliseconds()),
                _ => "-".into(),
            };
            steps.add_row(vec![
                s.name.clone(),
                s.status.to_string(),
                dur,
                s.message.clone().unwrap_or_default(),
            ]);
        }
        vec![out.record(&rows), steps]
    }
}
