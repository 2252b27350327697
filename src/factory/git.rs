//! Agent repositories: initialise on `main`, commit every file, add `origin`, push with
//! the user's own credentials (ssh-agent, git credential helpers, or a keyring token).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::Path;

use git2::{
    Cred, CredentialType, Oid, PushOptions, RemoteCallbacks, Repository, RepositoryInitOptions,
    Signature,
};

use super::template::RenderedFile;
use super::FactoryError;
use crate::secret::{redact_url, Secret};

pub const BRANCH: &str = "main";

/// Who commits, when the user's git configuration says nothing.
pub const FALLBACK_NAME: &str = "PromptCraft Agent Factory";
pub const FALLBACK_EMAIL: &str = "agent-factory@promptcraft.invalid";

#[derive(Debug, Clone, Default)]
pub struct Author {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What `init_and_commit` made.
#[derive(Debug, Clone)]
pub struct Committed {
    pub commit: String,
    pub author: String,
}

fn git_err(what: &str, e: git2::Error) -> FactoryError {
    FactoryError::Git(format!("{what}: {}", e.message()))
}

/// The signature for the commit: explicit author, else git config, else a fallback.
fn signature(repo: &Repository, author: &Author) -> Result<Signature<'static>, FactoryError> {
    let cfg = repo.config().ok();
    let from_cfg = |key: &str| cfg.as_ref().and_then(|c| c.get_string(key).ok());
    let name = author
        .name
        .clone()
        .or_else(|| from_cfg("user.name"))
        .unwrap_or_else(|| FALLBACK_NAME.into());
    let email = author
        .email
        .clone()
        .or_else(|| from_cfg("user.email"))
        .unwrap_or_else(|| FALLBACK_EMAIL.into());
    Signature::now(&name, &email).map_err(|e| git_err("commit author", e))
}

/// Create a repository at `dir` with one commit of exactly `files`, on branch `main`.
/// Objects are written from memory rather than by scanning the folder: the commit holds
/// what was rendered, whatever a template's .gitignore says, and no directory walk is paid.
pub fn init_and_commit(
    dir: &Path,
    files: &[RenderedFile],
    message: &str,
    author: &Author,
    remote: Option<&str>,
) -> Result<Committed, FactoryError> {
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head(BRANCH).no_reinit(true).mkdir(false);
    let repo = Repository::init_opts(dir, &opts).map_err(|e| git_err("git init", e))?;
    let mut root = Node::default();
    for f in files {
        let oid = repo
            .blob(&f.contents)
            .map_err(|e| git_err("git hash-object", e))?;
        root.insert(&f.path, oid);
    }
    let tree_id = root.write(&repo)?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| git_err("git write-tree", e))?;
    let sig = signature(&repo, author)?;
    let oid = repo
        .commit(Some("HEAD"), &sig, &sig, message, &tree, &[])
        .map_err(|e| git_err("git commit", e))?;
    let mut index = repo.index().map_err(|e| git_err("git index", e))?;
    index
        .read_tree(&tree)
        .map_err(|e| git_err("git read-tree", e))?;
    index.write().map_err(|e| git_err("git index", e))?;
    if let Some(url) = remote {
        repo.remote("origin", url)
            .map_err(|e| git_err("git remote add origin", e))?;
    }
    Ok(Committed {
        commit: oid.to_string(),
        author: format!(
            "{} <{}>",
            sig.name().unwrap_or(""),
            sig.email().unwrap_or("")
        ),
    })
}

/// A folder of the tree being built.
#[derive(Default)]
struct Node {
    files: BTreeMap<String, Oid>,
    dirs: BTreeMap<String, Node>,
}

impl Node {
    fn insert(&mut self, path: &str, oid: Oid) {
        match path.split_once('/') {
            Some((dir, rest)) => self
                .dirs
                .entry(dir.to_owned())
                .or_default()
                .insert(rest, oid),
            None => {
                self.files.insert(path.to_owned(), oid);
            }
        }
    }

    fn write(&self, repo: &Repository) -> Result<Oid, FactoryError> {
        let mut tb = repo
            .treebuilder(None)
            .map_err(|e| git_err("git mktree", e))?;
        for (name, node) in &self.dirs {
            let oid = node.write(repo)?;
            tb.insert(name, oid, 0o040000)
                .map_err(|e| git_err("git mktree", e))?;
        }
        for (name, oid) in &self.files {
            tb.insert(name, *oid, 0o100644)
                .map_err(|e| git_err("git mktree", e))?;
        }
        tb.write().map_err(|e| git_err("git mktree", e))
    }
}

/// Push `main` to `origin`. Returns whether the branch is new on the remote, so that a
/// later failure can take it back.
pub fn push(dir: &Path, token: Option<&Secret>) -> Result<bool, FactoryError> {
    let repo = Repository::open(dir).map_err(|e| git_err("open repository", e))?;
    let mut remote = repo
        .find_remote("origin")
        .map_err(|e| git_err("find origin", e))?;
    let url = remote.url().unwrap_or("").to_owned();
    let refspec = format!("refs/heads/{BRANCH}:refs/heads/{BRANCH}");
    let rejected = RefCell::new(None);
    let created = Cell::new(false);
    {
        let mut callbacks = callbacks(&repo, token);
        // The old remote id of each update tells whether the branch existed before.
        callbacks.push_negotiation(|updates| {
            created.set(updates.iter().all(|u| u.src().is_zero()));
            Ok(())
        });
        callbacks.push_update_reference(|refname, status| {
            if let Some(msg) = status {
                *rejected.borrow_mut() = Some(format!("{refname}: {msg}"));
            }
            Ok(())
        });
        let mut opts = PushOptions::new();
        opts.remote_callbacks(callbacks);
        remote
            .push(&[refspec.as_str()], Some(&mut opts))
            .map_err(|e| {
                FactoryError::Push(format!("pushing to {}: {}", redact_url(&url), e.message()))
            })?;
    }
    if let Some(msg) = rejected.into_inner() {
        return Err(FactoryError::Push(format!(
            "{} rejected the push of {msg}",
            redact_url(&url)
        )));
    }
    Ok(created.get())
}

/// Delete the branch we pushed, after a later step failed.
pub fn unpush(dir: &Path, token: Option<&Secret>) -> Result<(), FactoryError> {
    let repo = Repository::open(dir).map_err(|e| git_err("open repository", e))?;
    let mut remote = repo
        .find_remote("origin")
        .map_err(|e| git_err("find origin", e))?;
    let mut opts = PushOptions::new();
    opts.remote_callbacks(callbacks(&repo, token));
    remote
        .push(&[format!(":refs/heads/{BRANCH}").as_str()], Some(&mut opts))
        .map_err(|e| FactoryError::Push(format!("removing pushed branch: {}", e.message())))
}

fn callbacks<'a>(repo: &'a Repository, token: Option<&'a Secret>) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    let attempts = Cell::new(0u32);
    let config = repo.config().ok();
    cb.credentials(move |url, username, allowed| {
        attempts.set(attempts.get() + 1);
        // libgit2 calls again after every refusal; stop rather than loop forever.
        if attempts.get() > 4 {
            return Err(git2::Error::from_str(
                "authentication failed: no credential was accepted",
            ));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Some(t) = token {
                if attempts.get() == 1 {
                    return Cred::userpass_plaintext(
                        username.unwrap_or("x-access-token"),
                        t.expose(),
                    );
                }
            }
            if let Some(cfg) = &config {
                return Cred::credential_helper(cfg, url, username);
            }
        }
        if allowed.contains(CredentialType::DEFAULT) {
            return Cred::default();
        }
        Err(git2::Error::from_str("no usable credential type"))
    });
    cb
}
