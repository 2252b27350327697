//! The npm packages live checks run: each version installed once under the cache directory
//! and started by its own executable, as `npx` would start it, without `npx` resolving the
//! package again (and loading npm) on every check.

use std::path::{Path, PathBuf};

use super::model::Package;

/// Whether the live check installs `p` itself rather than handing it to `npx`: an npm
/// package at a pinned version, run by `npx` (the default runtime).
pub fn installs(p: &Package) -> bool {
    p.registry_type == "npm"
        && p.version.is_some()
        && p.runtime_hint.as_deref().is_none_or(|r| r == "npx")
}

/// A folder name for `identifier@version` that cannot leave the cache (`@scope/name` becomes
/// `@scope+name`; anything outside `[A-Za-z0-9@._+-]` becomes `_`).
fn folder(p: &Package) -> String {
    let raw = format!(
        "{}@{}",
        p.identifier.replace('/', "+"),
        p.version.as_deref().unwrap_or("")
    );
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.trim_start_matches('.').to_owned()
}

/// The executable a package's `bin` names: its only one, else the one named after the
/// package (without its scope), as `npx` chooses.
fn bin_of(dir: &Path, identifier: &str) -> Result<PathBuf, String> {
    let manifest = dir
        .join("node_modules")
        .join(identifier)
        .join("package.json");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("reading {}: {e}", manifest.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let short = identifier.rsplit('/').next().unwrap_or(identifier);
    let name = match &v["bin"] {
        serde_json::Value::String(_) => short.to_owned(),
        serde_json::Value::Object(m) if m.len() == 1 => {
            m.keys().next().cloned().unwrap_or_default()
        }
        serde_json::Value::Object(m) if m.contains_key(short) => short.to_owned(),
        serde_json::Value::Object(m) => {
            let mut names: Vec<&String> = m.keys().collect();
            names.sort();
            return Err(format!(
                "{identifier} has several executables ({}) and none is named {short}; give `runtimeHint` and `runtimeArguments` to choose",
                names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        _ => {
            return Err(format!(
                "{identifier} declares no executable (`bin` in its package.json)"
            ))
        }
    };
    let bin = dir.join("node_modules/.bin").join(&name);
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{identifier} names the executable {name}, which npm did not install"
        ))
    }
}

/// The executable of `p`, installed under `cache` the first time (npm with the same
/// environment as the server: PATH, a private HOME, the trust store and proxy variables).
pub async fn ensure_installed(
    p: &Package,
    cache: &Path,
    env: &[(String, String)],
    limit: std::time::Duration,
) -> Result<PathBuf, String> {
    let root = cache.join("npm-packages");
    let dir = root.join(folder(p));
    if dir.join(".ready").exists() {
        return bin_of(&dir, &p.identifier);
    }
    std::fs::create_dir_all(&root).map_err(|e| format!("creating {}: {e}", root.display()))?;
    let tmp = root.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
    let spec = format!("{}@{}", p.identifier, p.version.as_deref().unwrap_or(""));
    // A package.json of its own makes the folder the project npm installs into; `--prefix`
    // would also move npm's global configuration (and the CA file it may name) there.
    std::fs::write(tmp.join("package.json"), b"{\"private\": true}\n")
        .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    let mut cmd = tokio::process::Command::new("npm");
    cmd.args(["install", "--no-audit", "--no-fund", "--no-save"])
        .arg(&spec)
        .current_dir(&tmp)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(base) = &p.registry_base_url {
        cmd.env("npm_config_registry", base);
    }
    let out = match tokio::time::timeout(limit, cmd.output()).await {
        Err(_) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(format!(
                "`npm install {spec}` did not finish within {}s",
                limit.as_secs()
            ));
        }
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(format!("could not run `npm install {spec}`: {e}"));
        }
    };
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        let text = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = text.lines().rev().take(8).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "`npm install {spec}` failed:\n      {}",
            tail.join("\n      ")
        ));
    }
    let _ = std::fs::write(tmp.join(".ready"), b"");
    // Another check may have installed the same version meanwhile; either copy is fine.
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    bin_of(&dir, &p.identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_stay_inside_the_cache() {
        let mut p = Package {
            registry_type: "npm".into(),
            identifier: "@modelcontextprotocol/server-memory".into(),
            version: Some("2026.8.31".into()),
            registry_base_url: None,
            file_sha256: None,
            runtime_hint: None,
            transport: super::super::model::Transport::Stdio,
            transport_url: None,
            headers: vec![],
            runtime_arguments: vec![],
            package_arguments: vec![],
            environment_variables: vec![],
        };
        assert_eq!(folder(&p), "@modelcontextprotocol+server-memory@2026.8.31");
        p.identifier = "../../etc/x".into();
        let f = folder(&p);
        assert!(!f.contains('/') && !f.starts_with('.'), "{f}");
    }
}
