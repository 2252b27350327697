//! Agent repositories: initialise on `main`, commit every file, add `origin`, push with
//! git and the user's own credentials (ssh-agent, git credential helpers, or a stored token).

use std::path::Path;

use git2::Repository;

use super::gitfile;
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

/// The commit's author: explicit, else the user's git configuration, else a fallback.
fn signature(author: &Author) -> gitfile::Signature {
    let cfg = (author.name.is_none() || author.email.is_none())
        .then(|| git2::Config::open_default().ok())
        .flatten();
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
    let now = chrono::Local::now();
    gitfile::Signature {
        name: name.trim().to_owned(),
        email: email.trim().to_owned(),
        time: now.timestamp(),
        offset_minutes: now.offset().local_minus_utc() / 60,
    }
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
    let sig = signature(author);
    let files: Vec<gitfile::File> = files
        .iter()
        .map(|f| gitfile::File {
            path: &f.path,
            contents: &f.contents,
        })
        .collect();
    let commit = gitfile::write_repository(
        dir,
        &files,
        &gitfile::Commit {
            message,
            author: &sig,
            branch: BRANCH,
            remote,
        },
    )
    .map_err(|e| FactoryError::Git(format!("git commit: {e}")))?;
    Ok(Committed {
        commit: gitfile::hex(&commit),
        author: format!("{} <{}>", sig.name, sig.email),
    })
}

/// Push `main` to `origin`. Returns whether the branch is new on the remote, so that a
/// later failure can take it back.
///
/// Pushing is git's own (`git push`): it uses whatever the user's git uses for that remote
/// (ssh with its agent and config, credential helpers, proxies, `insteadOf` rules), which a
/// library only imitates. A token, when given, reaches git through its environment and a
/// credential helper that reads it there, never through its command line.
pub fn push(dir: &Path, token: Option<&Secret>) -> Result<bool, FactoryError> {
    let refspec = format!("refs/heads/{BRANCH}:refs/heads/{BRANCH}");
    let out = git_push(dir, &refspec, token)?;
    // `--porcelain`: one line per ref, flag `*` for a ref the remote did not have.
    Ok(out
        .lines()
        .any(|l| l.starts_with('*') && l.contains(&format!("\t{refspec}\t"))))
}

/// Delete the branch we pushed, after a later step failed.
pub fn unpush(dir: &Path, token: Option<&Secret>) -> Result<(), FactoryError> {
    git_push(dir, &format!(":refs/heads/{BRANCH}"), token).map(|_| ())
}

/// Where git finds the token: its environment, read by the helper below.
const TOKEN_VAR: &str = "PC_HYBRID_GIT_TOKEN";

/// `git push --porcelain origin REFSPEC` in `dir`; its standard output.
fn git_push(dir: &Path, refspec: &str, token: Option<&Secret>) -> Result<String, FactoryError> {
    git_text(dir, &["push", "--porcelain", "origin", refspec], token).map_err(|e| {
        // Read for the message only: the remote `init_and_commit` recorded.
        let url = Repository::open(dir)
            .ok()
            .and_then(|r| r.find_remote("origin").ok()?.url().map(str::to_owned))
            .unwrap_or_default();
        FactoryError::Push(format!("pushing to {}: {e}", redact_url(&url)))
    })
}

/// Run git in `dir`, never asking anyone anything: its standard output, or what it said
/// went wrong (credentials in it redacted).
fn git_text(dir: &Path, args: &[&str], token: Option<&Secret>) -> Result<String, String> {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove(TOKEN_VAR);
    if let Some(t) = token {
        // The first entry empties the list of helpers, so that only the token answers.
        cmd.env("GIT_CONFIG_COUNT", "2")
            .env("GIT_CONFIG_KEY_0", "credential.helper")
            .env("GIT_CONFIG_VALUE_0", "")
            .env("GIT_CONFIG_KEY_1", "credential.helper")
            .env(
                "GIT_CONFIG_VALUE_1",
                format!(
                    "!f() {{ test \"$1\" = get && echo username=x-access-token && echo \"password=${TOKEN_VAR}\"; }}; f"
                ),
            )
            .env(TOKEN_VAR, t.expose());
    }
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "git is not installed; pushing needs it".to_string(),
        _ => format!("running git: {e}"),
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        return Ok(stdout);
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let mut said: Vec<&str> = said
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("hint:") && *l != "Done")
        .collect();
    // A refused ref is reported on standard output, with its reason.
    said.extend(stdout.lines().filter(|l| l.starts_with('!')).map(str::trim));
    let text = if said.is_empty() {
        format!("git exited with {}", out.status)
    } else {
        said.join("; ")
    };
    Err(crate::secret::redact_url_in_text(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command};

    /// A smart-HTTP git remote behind Basic authentication (tests/support).
    struct Forge {
        child: Child,
        port: u16,
        log: std::path::PathBuf,
    }

    impl Drop for Forge {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn forge(root: &Path, user: &str, token: &str) -> Forge {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/git_http_server.py");
        let port_file = root.join("port");
        let log = root.join("requests.log");
        let child = Command::new("python3")
            .arg(script)
            .args([root.join("repos").as_os_str(), port_file.as_os_str()])
            .args([user, token])
            .arg(&log)
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let port = loop {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                break p.trim().parse().unwrap();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the git server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Forge { child, port, log }
    }

    fn git(dir: &Path, args: &[&str]) -> std::process::Output {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
    }

    #[test]
    fn a_token_pushes_over_https_style_auth_and_a_wrong_one_is_refused_without_being_shown() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("repos")).unwrap();
        assert!(git(
            &tmp.path().join("repos"),
            &["init", "--bare", "-q", "tax.git"]
        )
        .status
        .success());
        let token = "s3cr3t-token-value";
        let f = forge(tmp.path(), "x-access-token", token);
        let url = format!("http://127.0.0.1:{}/tax.git", f.port);
        let project = tmp.path().join("tax");
        std::fs::create_dir_all(&project).unwrap();
        let files = [RenderedFile {
            path: "README.md".into(),
            contents: b"# tax\n".to_vec(),
        }];
        // The factory writes the files, then commits what it rendered.
        std::fs::write(project.join("README.md"), &files[0].contents).unwrap();
        let committed =
            init_and_commit(&project, &files, "init\n", &Author::default(), Some(&url)).unwrap();
        // One pack, no loose objects, and git finds nothing wrong with it.
        let counts = String::from_utf8(git(&project, &["count-objects", "-v"]).stdout).unwrap();
        assert!(
            counts.contains("count: 0\n") && counts.contains("in-pack: 3\n"),
            "{counts}"
        );
        assert!(git(&project, &["fsck", "--strict"]).status.success());
        assert_eq!(
            String::from_utf8(git(&project, &["status", "--porcelain"]).stdout).unwrap(),
            "",
            "the index matches the commit"
        );

        // No token: git may not ask anyone, so the push fails at once.
        let e = push(&project, None).unwrap_err().to_string();
        assert!(e.contains(&format!("pushing to {url}")), "{e}");
        // A wrong token: refused, and the error names neither token.
        let wrong = "wrong-token-value";
        let e = push(&project, Some(&Secret::new(wrong)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Authentication failed"), "{e}");
        assert!(!e.contains(wrong) && !e.contains(token), "{e}");

        assert!(
            push(&project, Some(&Secret::new(token))).unwrap(),
            "new on the remote"
        );
        let bare = tmp.path().join("repos/tax.git");
        let head = git(&bare, &["rev-parse", "refs/heads/main"]);
        assert_eq!(
            String::from_utf8_lossy(&head.stdout).trim(),
            committed.commit
        );
        assert!(
            !push(&project, Some(&Secret::new(token))).unwrap(),
            "a second push finds the branch there"
        );
        unpush(&project, Some(&Secret::new(token))).unwrap();
        assert!(
            !git(&bare, &["rev-parse", "--verify", "-q", "refs/heads/main"])
                .status
                .success()
        );

        let log = std::fs::read_to_string(&f.log).unwrap();
        assert!(log.contains("refused") && log.contains(" ok"), "{log}");
        // Nothing git wrote to the project holds the token.
        let config = std::fs::read_to_string(project.join(".git/config")).unwrap();
        assert!(!config.contains(token), "{config}");
    }
}
