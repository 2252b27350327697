//! Operations on the tool itself: the git token in the keyring, and the environment checks.

use crate::auth::token_store::{TokenStore, GIT_TOKEN};
use crate::doctor::{self, Status};
use crate::error::{Error, Result};
use crate::secret::Secret;

use super::{Context, Reply, Response, Sink};

pub fn set_git_token(_ctx: &Context, token: &Secret, sink: &dyn Sink) -> Result<Reply> {
    if token.expose().trim().is_empty() {
        return Err(Error::usage(
            "no token on stdin",
            Some("pipe it in: `printf %s \"$TOKEN\" | pc-hybrid config set-git-token`"),
        ));
    }
    TokenStore::new().set(GIT_TOKEN, token)?;
    sink.note("git token stored in the keyring; it is used for HTTPS pushes of agent repositories");
    Ok(Response::Done.into())
}

pub fn clear_git_token(_ctx: &Context, sink: &dyn Sink) -> Result<Reply> {
    let removed = TokenStore::new().delete(GIT_TOKEN)?;
    sink.note(if removed {
        "git token removed from the keyring"
    } else {
        "no git token was stored"
    });
    Ok(Response::Done.into())
}

pub async fn doctor(ctx: &Context, caller: &crate::auth::Caller) -> Result<Reply> {
    let s = &ctx.settings;
    let socket = crate::settings::DaemonPaths::of(&s.paths).socket;
    let mut checks = doctor::run(&doctor::Inputs {
        python: &s.python.value,
        docker_host: &s.docker_host.value,
        author_name: s.git_author_name.value.as_deref(),
        author_email: s.git_author_email.value.as_deref(),
        store: &s.database.value,
        audit_store: &s.audit.store,
        executions_store: &s.executions_store,
        data_dir: &s.paths.data_dir,
        daemon: s.daemon.value,
        socket: &socket,
        probe: ctx.daemon_probe(),
    })
    .await;
    let daemon_answers = match ctx.daemon_probe() {
        Some(p) => matches!(p.probe(&socket).await, Ok(Some(_))),
        None => false,
    };
    checks.extend(
        doctor::sso(&doctor::SsoInputs {
            auth: &s.auth,
            credentials: &super::auth::credentials_dir(ctx),
            daemon_answers,
            session: caller.identity.as_ref().map(|i| {
                (
                    i.username.clone(),
                    caller
                        .session
                        .as_ref()
                        .map_or(i.access_expires_at, |s| s.expires_at),
                )
            }),
        })
        .await,
    );
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let error = (failed > 0).then(|| {
        Error::failed(
            format!("{failed} check(s) failed"),
            Some("follow the hints above"),
        )
    });
    Ok(Reply {
        response: Response::Checks(checks),
        error,
    })
}
