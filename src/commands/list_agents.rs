//! `pc-hybrid list-agents`: agents with domain, status, created time and repository.

use serde::Serialize;

use crate::error::Result;
use crate::output::{Output, Tabular};
use crate::settings::Settings;
use crate::store::AgentRecord;

use super::{open_store, when};

#[derive(Serialize)]
#[serde(transparent)]
struct Agents(Vec<AgentRecord>);

impl Tabular for Agents {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&[
            "name",
            "display name",
            "domain",
            "status",
            "created",
            "repository",
        ]);
        for a in &self.0 {
            t.add_row(vec![
                a.name.clone(),
                a.display_name.clone(),
                a.domain.clone(),
                a.status.clone(),
                when(&a.created_at),
                a.repository_url
                    .clone()
                    .unwrap_or_else(|| a.project_dir.clone()),
            ]);
        }
        vec![t]
    }
}

pub fn run(s: &Settings, out: &Output) -> Result<()> {
    let agents = open_store(s)?.list_agents()?;
    if agents.is_empty() && out.format == crate::output::Format::Table {
        out.note("no agents yet: create one with `pc-hybrid create-agent --name NAME --domain DOMAIN --description TEXT`");
    }
    out.data(&Agents(agents))
}
