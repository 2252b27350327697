//! `pc-hybrid doctor`: run the environment checks and report them.

use serde::Serialize;

use crate::doctor::{self, Check, Status};
use crate::error::{Error, Result};
use crate::output::{Output, Tabular};
use crate::settings::Settings;

#[derive(Serialize)]
#[serde(transparent)]
struct Report(Vec<Check>);

impl Tabular for Report {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["check", "status", "detail", "hint"]);
        for c in &self.0 {
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

pub async fn run(s: &Settings, out: &Output) -> Result<()> {
    let checks = doctor::run(&doctor::Inputs {
        python: &s.python.value,
        docker_host: &s.docker_host.value,
        author_name: s.git_author_name.value.as_deref(),
        author_email: s.git_author_email.value.as_deref(),
        store: &s.database.value,
        data_dir: &s.paths.data_dir,
    })
    .await;
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    out.data(&Report(checks))?;
    if failed > 0 {
        return Err(Error::failed(
            format!("{failed} check(s) failed"),
            Some("follow the hints above"),
        ));
    }
    Ok(())
}
