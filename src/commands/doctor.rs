//! `pc-hybrid doctor`: the environment checks as a table.

use serde::Serialize;

use crate::doctor::{Check, Status};
use crate::output::{Output, Tabular};

#[derive(Serialize)]
#[serde(transparent)]
pub struct Report<'a>(pub &'a [Check]);

impl Tabular for Report<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["check", "status", "detail", "hint"]);
        for c in self.0 {
            let status = match c.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "fail",
            };
            t.add_row(vec![
                c.check.clone(),
                status.into(),
                c.detail.clone(),
                c.hint.clone().unwrap_or_default(),
            ]);
        }
        vec![t]
    }
}
