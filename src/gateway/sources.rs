//! Which upstreams the gateway fronts: every deployed agent (its replicas' endpoints) and
//! every registered server it can run by itself (a stdio command, or a URL). What it
//! cannot run is said, with the reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::catalog::{Source, Withheld};
use super::upstream::Endpoint;
use crate::error::Result;
use crate::model::{EntryKind, Target};
use crate::registry::model::{Server, Transport};
use crate::store::{DeploymentStatus, DomainStore};

/// What running a registered server's command needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Each server's working folder and HOME is made under here.
    pub dir: PathBuf,
    pub path_env: String,
    pub passthrough_env: Vec<(String, String)>,
    pub cache_dir: PathBuf,
    pub docker_host: String,
}

/// The sources, and the servers left out with why.
pub fn sources(store: &dyn DomainStore, o: &RunOptions) -> Result<(Vec<Source>, Vec<Withheld>)> {
    let mut out: BTreeMap<String, Source> = BTreeMap::new();
    let mut left = Vec::new();
    for d in store.deployments(None)? {
        if d.status != DeploymentStatus::Running || d.target == Target::Kubernetes {
            continue;
        }
        // One deployment per agent serves the gateway: local before Docker.
        if out.contains_key(&d.agent_name) {
            continue;
        }
        let replicas: Vec<(u32, Endpoint)> = d
            .replicas
            .iter()
            .map(|r| {
                (
                    r.index,
                    Endpoint::Http {
                        url: r.endpoint.clone(),
                        headers: Vec::new(),
                    },
                )
            })
            .collect();
        if replicas.is_empty() {
            continue;
        }
        out.insert(
            d.agent_name.clone(),
            Source {
                server: d.agent_name.clone(),
                agent: true,
                replicas,
            },
        );
    }
    for e in store.registry_entries()? {
        if e.kind == EntryKind::Agent || out.contains_key(&e.name) {
            continue;
        }
        let server = match crate::registry::server_of(&e) {
            Ok(s) => s,
            Err(err) => {
                left.push(withheld(&e.name, format!("its stored definition: {err}")));
                continue;
            }
        };
        if !crate::gateway::names::valid(&e.name) || e.name.contains(super::names::SEPARATOR) {
            left.push(withheld(
                &e.name,
                "its name cannot prefix tool names (A-Z, a-z, 0-9, `_`, `-`, `.`, no `__`)".into(),
            ));
            continue;
        }
        match endpoint(&server, o) {
            Ok(ep) => {
                out.insert(
                    e.name.clone(),
                    Source {
                        server: e.name.clone(),
                        agent: false,
                        replicas: vec![(0, ep)],
                    },
                );
            }
            Err(why) => left.push(withheld(&e.name, why)),
        }
    }
    Ok((out.into_values().collect(), left))
}

/// A server's folder (its HOME, its stderr log): private to the user, like everything it
/// may write there.
fn private_dir(dir: &std::path::Path) -> std::result::Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
}

fn withheld(server: &str, reason: String) -> Withheld {
    Withheld {
        server: server.into(),
        tool: "*".into(),
        reason,
    }
}

/// How the gateway reaches a registered server: a stdio command it starts, or its URL.
fn endpoint(s: &Server, o: &RunOptions) -> std::result::Result<Endpoint, String> {
    if let Some(why) = &s.not_launchable {
        return Err(why.clone());
    }
    let live = crate::registry::live::LiveOptions {
        launch: None,
        timeout: None,
        workdir: o.dir.clone(),
        scratch: o.dir.clone(),
        path_env: o.path_env.clone(),
        docker_host: o.docker_host.clone(),
        client_version: env!("CARGO_PKG_VERSION").into(),
        inputs: BTreeMap::new(),
        passthrough_env: o.passthrough_env.clone(),
        cache_dir: o.cache_dir.clone(),
        cancel: Default::default(),
    };
    if s.command.is_some() || s.launch_package.is_some() {
        if s.transport != Transport::Stdio {
            return Err("its command serves HTTP: deploy it, or register its URL".into());
        }
        let (argv, _, env, _) = match crate::registry::live::command_plan(s, &live) {
            Ok(Ok(plan)) => plan,
            Ok(Err(finding)) => return Err(finding.3),
            Err(e) => return Err(e.to_string()),
        };
        let dir = o.dir.join(&s.name);
        private_dir(&dir)?;
        let mut vars: Vec<(String, String)> = vec![
            ("PATH".into(), o.path_env.clone()),
            ("HOME".into(), dir.display().to_string()),
            (
                "npm_config_cache".into(),
                o.cache_dir.join("npm").display().to_string(),
            ),
            (
                "UV_CACHE_DIR".into(),
                o.cache_dir.join("uv").display().to_string(),
            ),
        ];
        vars.extend(o.passthrough_env.iter().cloned());
        vars.extend(env);
        return Ok(Endpoint::Stdio {
            argv,
            env: vars,
            dir,
        });
    }
    if let Some(url) = &s.url {
        let has_vars = s
            .remotes
            .iter()
            .any(|r| &r.url == url && !r.variables.is_empty());
        if has_vars {
            return Err("its URL needs values only a caller can give".into());
        }
        return Ok(Endpoint::Http {
            url: url.clone(),
            headers: crate::registry::live::remote_headers(s, &live),
        });
    }
    if let Some(image) = &s.image {
        if s.transport != Transport::Stdio {
            return Err("its image serves HTTP: deploy it, or register its URL".into());
        }
        let names: Vec<String> = s.env.keys().cloned().collect();
        let mut argv = vec!["docker".to_string()];
        let mut run = crate::registry::client_config::docker_args(image, &names, &[]);
        // Named, so that it is removed with its connection; labelled, so that it is found.
        run.splice(
            3..3,
            [
                "--name".to_string(),
                super::upstream::CONTAINER.to_string(),
                "--label".into(),
                format!("promptcraft.gateway={}", s.name),
            ],
        );
        argv.extend(run);
        let dir = o.dir.join(&s.name);
        private_dir(&dir)?;
        let mut vars: Vec<(String, String)> = vec![
            ("PATH".into(), o.path_env.clone()),
            ("HOME".into(), dir.display().to_string()),
            ("DOCKER_HOST".into(), o.docker_host.clone()),
        ];
        vars.extend(s.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        return Ok(Endpoint::Stdio {
            argv,
            env: vars,
            dir,
        });
    }
    Err("it declares no command, URL or image".into())
}
