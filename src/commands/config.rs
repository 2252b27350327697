//! `pc-hybrid config show` and the git token kept in the keyring.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ops::Request;
use crate::output::{Output, Tabular};
use crate::secret::Secret;
use crate::settings::ShownSetting;

#[derive(Serialize)]
#[serde(transparent)]
pub struct View<'a>(pub &'a [ShownSetting]);

impl Tabular for View<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["setting", "value", "source"]);
        for r in self.0 {
            t.add_row(vec![
                r.key.clone(),
                r.value.clone().unwrap_or_else(|| "-".into()),
                r.source.clone(),
            ]);
        }
        vec![t]
    }
}

/// Read a token from stdin (never from argv, where `ps` would show it).
pub fn set_git_token_request() -> Result<Request> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the token from stdin", e))?;
    Ok(Request::SetGitToken {
        token: Secret::new(line.trim()),
    })
}
