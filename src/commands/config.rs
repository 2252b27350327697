//! `pc-hybrid config show` and the git token kept in the keyring.

use serde::Serialize;

use crate::auth::token_store::{TokenStore, GIT_TOKEN};
use crate::error::{Error, Result};
use crate::output::{Output, Tabular};
use crate::secret::Secret;
use crate::settings::{Settings, ShownSetting};

#[derive(Serialize)]
#[serde(transparent)]
struct View(Vec<ShownSetting>);

impl Tabular for View {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let mut t = out.table(&["setting", "value", "source"]);
        for r in &self.0 {
            t.add_row(vec![
                r.key.clone(),
                r.value.clone().unwrap_or_else(|| "-".into()),
                r.source.clone(),
            ]);
        }
        vec![t]
    }
}

pub fn show(s: &Settings, out: &Output) -> Result<()> {
    out.data(&View(s.show()))
}

/// Read a token from stdin (never from argv, where `ps` would show it) into the keyring.
pub fn set_git_token(out: &Output) -> Result<()> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the token from stdin", e))?;
    let token = line.trim();
    if token.is_empty() {
        return Err(Error::usage(
            "no token on stdin",
            Some("pipe it in: `printf %s \"$TOKEN\" | pc-hybrid config set-git-token`"),
        ));
    }
    TokenStore::new().set(GIT_TOKEN, &Secret::new(token))?;
    out.note("git token stored in the keyring; it is used for HTTPS pushes of agent repositories");
    Ok(())
}

pub fn clear_git_token(out: &Output) -> Result<()> {
    let removed = TokenStore::new().delete(GIT_TOKEN)?;
    out.note(if removed {
        "git token removed from the keyring"
    } else {
        "no git token was stored"
    });
    Ok(())
}
