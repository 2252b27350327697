//! `pc-hybrid login | logout | whoami | auth token | auth status`: the request of each (the
//! flow chosen from where the user is) and how their answers are shown.

use std::io::{IsTerminal, Read};

use serde::Serialize;

use crate::cli::{AuthCommand, LoginArgs};
use crate::error::{Error, Result};
use crate::ops::auth::{Flow, LoggedIn, LoggedOut, Login, WhoAmI};
use crate::ops::Request;
use crate::output::{Output, Tabular};
use crate::secret::Secret;

/// Whether a person at this terminal could use a browser on this machine: someone watching
/// (stderr is a terminal: a background job opens no tabs), a display, and not a remote shell
/// or a container (where a loopback callback cannot be reached).
fn has_browser(env: &dyn Fn(&str) -> Option<String>) -> bool {
    use crate::env_vars as ev;
    if !std::io::stderr().is_terminal() {
        return false;
    }
    let set = |n: &str| env(n).is_some_and(|v| !v.is_empty());
    if set(ev::SSH_CONNECTION) || set("SSH_TTY") || set("container") {
        return false;
    }
    if std::path::Path::new("/.dockerenv").exists()
        || std::path::Path::new("/run/.containerenv").exists()
    {
        return false;
    }
    cfg!(target_os = "macos") || set(ev::DISPLAY) || set(ev::WAYLAND_DISPLAY)
}

/// Read a secret from stdin (never from argv, where `ps` would show it); at most 64 KiB.
fn stdin_secret(what: &str) -> Result<Secret> {
    let mut buf = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut buf)
        .map_err(|e| Error::io(format!("reading {what} from stdin"), e))?;
    Ok(Secret::new(buf.trim()))
}

pub fn login_request(a: &LoginArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Request> {
    let browser = has_browser(env);
    let flow = if a.device {
        Flow::Device
    } else if a.browser || a.port.is_some() {
        Flow::Browser
    } else if a.client_credentials {
        Flow::ClientCredentials
    } else if a.with_token {
        Flow::Token
    } else if browser {
        Flow::Browser
    } else {
        Flow::Device
    };
    let mut login = Login {
        flow,
        port: a.port,
        open_browser: browser,
        secret: None,
        token: None,
    };
    match flow {
        Flow::Token => login.token = Some(stdin_secret("the token")?),
        // The secret comes from KEYCLOAK_CLIENT_SECRET, or from stdin when it is piped in.
        Flow::ClientCredentials
            if env(crate::env_vars::KEYCLOAK_CLIENT_SECRET).is_none()
                && !std::io::stdin().is_terminal() =>
        {
            login.secret = Some(stdin_secret("the client secret")?)
        }
        _ => {}
    }
    Ok(Request::Login(Box::new(login)))
}

pub fn request(c: &AuthCommand) -> Request {
    match c {
        AuthCommand::Token => Request::AuthToken,
        AuthCommand::Status => Request::AuthStatus,
    }
}

fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| super::when(&d))
        .unwrap_or_else(|| "-".into())
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Who<'a>(pub &'a WhoAmI);

impl Tabular for Who<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let w = self.0;
        let i = &w.identity;
        let mut rows = vec![
            ("user", i.username.clone()),
            ("subject", i.subject.clone()),
            ("email", i.email.clone().unwrap_or_else(|| "-".into())),
            (
                "organization",
                i.organization.clone().unwrap_or_else(|| "-".into()),
            ),
            ("issuer", i.issuer.clone()),
            ("realm roles", list(&i.realm_roles)),
            ("client roles", list(&i.client_roles)),
            ("access token expires", when(i.access_expires_at)),
        ];
        if let Some(s) = &w.session {
            rows.push((
                "refresh token expires",
                s.refresh_expires_at.map(when).unwrap_or_else(|| "-".into()),
            ));
            rows.push(("session ends", when(s.expires_at)));
            rows.push(("session", format!("{} ({})", s.id, s.grant.as_str())));
            rows.push(("profile", s.profile.clone()));
            rows.push(("tokens kept in", s.storage.clone()));
        }
        rows.push((
            "SSO required",
            if w.required { "yes" } else { "no" }.to_string(),
        ));
        rows.push((
            "allowed operations",
            if w.operations.is_empty() {
                "-".into()
            } else {
                w.operations.join("\n")
            },
        ));
        vec![out.record(&rows)]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct In<'a>(pub &'a LoggedIn);

impl Tabular for In<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let l = self.0;
        vec![out.record(&[
            ("user", l.identity.username.clone()),
            ("issuer", l.identity.issuer.clone()),
            ("roles", list(&l.identity.roles())),
            ("session ends", when(l.session.expires_at)),
            ("tokens kept in", l.session.storage.clone()),
        ])]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Out<'a>(pub &'a LoggedOut);

impl Tabular for Out<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let l = self.0;
        vec![out.record(&[
            ("profile", l.profile.clone()),
            ("session ended", if l.ended { "yes" } else { "no" }.into()),
            (
                "revoked at the provider",
                if l.revoked { "yes" } else { "no" }.into(),
            ),
        ])]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct Token<'a>(pub &'a crate::ops::auth::AccessToken);

impl Tabular for Token<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        vec![out.record(&[("expires", when(self.0.expires_at))])]
    }
}
