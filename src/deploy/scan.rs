//! The pre-deploy scan: committed secrets (key and token patterns, private keys) anywhere in
//! the project, and the Dockerfile's hygiene (non-root user, health check, no secrets in
//! ENV/ARG, base image pinned by digest in production). Findings never quote a secret.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ScanFinding {
    pub file: String,
    pub line: Option<usize>,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct ScanReport {
    pub files_scanned: usize,
    pub findings: Vec<ScanFinding>,
}

impl ScanReport {
    pub fn lines(&self) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| match f.line {
                Some(l) => format!("  - {}:{l}: [{}] {}", f.file, f.rule, f.message),
                None => format!("  - {}: [{}] {}", f.file, f.rule, f.message),
            })
            .collect()
    }
}

static SECRETS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("private-key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
        ("aws-access-key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
        ("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
        ("openai-key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b"),
        ("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        (
            "assigned-secret",
            r#"(?i)\b[A-Za-z0-9_]*(?:api[_-]?key|secret|token|passw(?:or)?d)[A-Za-z0-9_]*\s*[:=]\s*["'][^"'\s]{12,}["']"#,
        ),
        ("url-password", r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@"),
    ]
    .into_iter()
    .map(|(n, p)| (n, Regex::new(p).expect("static regex")))
    .collect()
});

const SKIP_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
];
const MAX_FILE: u64 = 1 << 20;

fn walk(dir: &Path, root: &Path, report: &mut ScanReport) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                walk(&path, root, report);
            }
            continue;
        }
        if !ft.is_file() || e.metadata().map(|m| m.len() > MAX_FILE).unwrap_or(true) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.contains(&0) {
            continue;
        }
        report.files_scanned += 1;
        let text = String::from_utf8_lossy(&bytes);
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            for (rule, re) in SECRETS.iter() {
                if re.is_match(line) {
                    report.findings.push(ScanFinding {
                        file: rel.clone(),
                        line: Some(i + 1),
                        rule: format!("secret/{rule}"),
                        message: "looks like a committed secret (value not shown); remove it and rotate it".into(),
                    });
                    break;
                }
            }
        }
    }
}

fn dockerfile(root: &Path, production: bool, report: &mut ScanReport) {
    let Ok(text) = std::fs::read_to_string(root.join("Dockerfile")) else {
        report.findings.push(ScanFinding {
            file: "Dockerfile".into(),
            line: None,
            rule: "dockerfile/missing".into(),
            message: "the project has no Dockerfile".into(),
        });
        return;
    };
    let mut push = |line: Option<usize>, rule: &str, message: String| {
        report.findings.push(ScanFinding {
            file: "Dockerfile".into(),
            line,
            rule: format!("dockerfile/{rule}"),
            message,
        })
    };
    let mut last_user: Option<(usize, String)> = None;
    let mut healthcheck = false;
    let mut args: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut from: Option<(usize, String)> = None;
    let secretish = Regex::new(r"(?i)(key|secret|token|passw|credential)").expect("static regex");
    // Continuation lines are joined so that each instruction is read whole.
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut buf = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if buf.is_empty() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            start = i + 1;
        }
        match line.strip_suffix('\\') {
            Some(l) => {
                buf.push_str(l);
                buf.push(' ');
            }
            None => {
                buf.push_str(line);
                logical.push((start, std::mem::take(&mut buf)));
            }
        }
    }
    for (n, ins) in &logical {
        let (kw, rest) = ins.split_once(char::is_whitespace).unwrap_or((ins, ""));
        let rest = rest.trim();
        match kw.to_ascii_uppercase().as_str() {
            "USER" => last_user = Some((*n, rest.to_owned())),
            "HEALTHCHECK" => healthcheck = !rest.eq_ignore_ascii_case("NONE"),
            "ARG" | "ENV" => {
                for part in rest.split_whitespace() {
                    let (k, v) = part.split_once('=').unwrap_or((part, ""));
                    if kw.eq_ignore_ascii_case("ARG") {
                        args.insert(k.to_owned(), v.trim_matches('"').to_owned());
                    }
                    if secretish.is_match(k) && !v.is_empty() {
                        push(
                            Some(*n),
                            "secret-in-build",
                            format!(
                                "{kw} {k} carries a value; secrets must not be baked into images"
                            ),
                        );
                    }
                }
            }
            "FROM" => from = Some((*n, rest.split_whitespace().next().unwrap_or("").to_owned())),
            _ => {}
        }
    }
    match &last_user {
        None => push(
            None,
            "root-user",
            "no USER instruction: the container would run as root".into(),
        ),
        Some((n, u)) => {
            let user = u.split(':').next().unwrap_or("");
            if user == "root" || user == "0" {
                push(Some(*n), "root-user", format!("USER {u} runs as root"));
            }
        }
    }
    if !healthcheck {
        push(None, "no-healthcheck", "no HEALTHCHECK instruction".into());
    }
    if production {
        if let Some((n, image)) = &from {
            let resolved =
                if let Some(name) = image.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
                    args.get(name).cloned().unwrap_or_default()
                } else {
                    image.clone()
                };
            if !resolved.contains("@sha256:") {
                push(Some(*n), "unpinned-base", format!("the base image `{resolved}` is not pinned by digest, which production requires"));
            }
        }
    }
}

/// Scan `root`; `production` adds the rules only production enforces.
pub fn scan(root: &Path, production: bool) -> ScanReport {
    let mut report = ScanReport::default();
    walk(root, root, &mut report);
    dockerfile(root, production, &mut report);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_secrets_without_quoting_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.py"),
            "x = 1\nAPI_KEY = \"abcdefghijklmnop\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("k.pem"),
            "-----BEGIN RSA PRIVATE KEY-----\nMII\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            "ARG BASE=python:3.11\nFROM ${BASE}\nENV DB_PASSWORD=hunter22\nHEALTHCHECK CMD true\n",
        )
        .unwrap();
        let r = scan(dir.path(), true);
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&"secret/assigned-secret"), "{rules:?}");
        assert!(rules.contains(&"secret/private-key"), "{rules:?}");
        assert!(rules.contains(&"dockerfile/secret-in-build"), "{rules:?}");
        assert!(rules.contains(&"dockerfile/root-user"), "{rules:?}");
        assert!(rules.contains(&"dockerfile/unpinned-base"), "{rules:?}");
        let all = r.lines().join("\n");
        assert!(
            !all.contains("abcdefghijklmnop") && !all.contains("hunter22"),
            "{all}"
        );
    }
}
