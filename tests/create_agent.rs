//! create-agent, status and list-agents, black-box: real files, real git repositories and
//! remotes, the real SQLite store.

mod common;

use std::path::Path;

use common::{git, py, Env};

#[test]
fn creates_commits_registers_and_documents_its_json() {
    let env = Env::new()
        .var("GIT_AUTHOR_NAME", "Ada Admin")
        .var("GIT_AUTHOR_EMAIL", "ada@example.com");
    let out = env.create(
        "tax_advisor",
        &["--capability", "tax_planning", "--keyword", "tax"],
    );
    assert_eq!(out["status"], "succeeded");
    assert_eq!(out["registered"], true);
    assert_eq!(out["pushed"], false);
    let project = env.work.join("tax_advisor");
    assert_eq!(
        Path::new(out["project_dir"].as_str().unwrap()),
        project.canonicalize().unwrap()
    );
    for f in [
        "pyproject.toml",
        "Dockerfile",
        "README.md",
        ".gitignore",
        "mcp-manifest.yaml",
        "config/config.yaml",
        "src/tax_advisor/server.py",
        "knowledge/schema.json",
        "tests/test_tools.py",
    ] {
        assert!(project.join(f).is_file(), "{f} missing");
    }
    // One commit on main holding exactly the reported files, authored from the settings.
    assert_eq!(
        git(&project, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main"
    );
    assert_eq!(git(&project, &["rev-list", "--count", "HEAD"]), "1");
    assert_eq!(
        git(&project, &["rev-parse", "HEAD"]),
        out["commit"].as_str().unwrap()
    );
    assert_eq!(
        git(&project, &["log", "-1", "--format=%an <%ae>"]),
        "Ada Admin <ada@example.com>"
    );
    let tracked: Vec<String> = git(&project, &["ls-files"])
        .lines()
        .map(str::to_owned)
        .collect();
    let mut reported: Vec<String> = out["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    reported.sort();
    assert_eq!(tracked, reported);
    assert_eq!(git(&project, &["status", "--porcelain"]), "");
    // No staging folders are left beside the project.
    assert_eq!(env.work_entries(), vec!["tax_advisor"]);

    // Steps are recorded under the creation id.
    let id = out["creation_id"].as_str().unwrap();
    let status = env.ok(&["status", id, "-o", "json"]).json();
    let steps: Vec<(String, String)> = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("validate", "succeeded"),
        ("render", "succeeded"),
        ("git", "succeeded"),
        ("push", "skipped"),
        ("register", "succeeded"),
        ("deploy", "skipped"),
    ];
    assert_eq!(
        steps,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        status["steps"][1]["started_at"].is_string()
            && status["steps"][1]["finished_at"].is_string()
    );

    let agents = env.ok(&["list-agents", "-o", "json"]).json();
    assert_eq!(agents[0]["name"], "tax_advisor");
    assert_eq!(agents[0]["domain"], "finance");
    assert_eq!(
        agents[0]["spec"]["agent_spec"]["capabilities"][0],
        "tax_planning"
    );
    let table = env.ok(&["list-agents"]).stdout;
    assert!(
        table.contains("tax_advisor") && table.contains("Tax Advisor") && table.contains("created")
    );
    let yaml = env.ok(&["list-agents", "-o", "yaml"]).stdout;
    assert!(yaml.contains("name: tax_advisor"));

    // Every JSON field is documented in docs/output.md.
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output.md"))
            .unwrap();
    let mut keys = Vec::new();
    collect_keys(&out, &mut keys, false);
    collect_keys(&status, &mut keys, false);
    collect_keys(&agents[0], &mut keys, true);
    for k in keys {
        assert!(
            docs.contains(&format!("`{k}`")),
            "JSON field `{k}` is not documented in docs/output.md"
        );
    }
}

fn collect_keys(v: &serde_json::Value, out: &mut Vec<String>, skip_spec: bool) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                if !(skip_spec && k == "spec") {
                    collect_keys(v, out, skip_spec);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_keys(v, out, skip_spec)),
        _ => {}
    }
}

#[test]
fn dry_run_writes_nothing() {
    let env = Env::new();
    let out = env.create("tax_advisor", &["--dry-run"]);
    assert_eq!(out["status"], "dry_run");
    assert!(out["creation_id"].is_null());
    assert!(out["files"].as_array().unwrap().len() > 15);
    assert!(env.work_entries().is_empty());
    assert_eq!(
        env.ok(&["list-agents", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn bad_names_and_values_exit_2_and_leave_nothing() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--name", "Tax-Advisor"], "--name"),
        (&["--name", "x"], "--name"),
        (&["--name", "../../etc"], "--name"),
        (&["--name", "import"], "reserved"),
        (
            &["--name", "ok_name", "--capability", "Bad Cap"],
            "--capability #1",
        ),
        (
            &["--name", "ok_name", "--capability", "search_knowledge"],
            "built-in",
        ),
        (
            &["--name", "ok_name", "--knowledge-source", "ftp:/x"],
            "--knowledge-source #1 (type)",
        ),
        (
            &["--name", "ok_name", "--knowledge-source", "api:not-a-url"],
            "http",
        ),
        (
            &[
                "--name",
                "ok_name",
                "--knowledge-source",
                "database:postgresql://u:secretpw@db/kb",
            ],
            "credentials",
        ),
        (&["--name", "ok_name", "--memory", "lots"], "--memory"),
    ];
    for (args, needle) in cases {
        let mut a = vec!["create-agent", "--domain", "finance", "--description", "d"];
        a.extend_from_slice(args);
        let out = env.run(&a);
        assert_eq!(out.code, 2, "{a:?}: {out:?}");
        assert!(
            out.stderr.contains(needle),
            "{a:?} should mention {needle}: {out:?}"
        );
        assert!(
            !out.stderr.contains("secretpw"),
            "a password leaked into an error: {out:?}"
        );
    }
    assert!(env.work_entries().is_empty(), "{:?}", env.work_entries());
    assert_eq!(
        env.ok(&["list-agents", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn spec_file_errors_point_at_file_line_and_pointer() {
    let env = Env::new();
    let spec = env.work.join("spec.yaml");
    std::fs::write(
        &spec,
        "agent_spec:\n  name: tax_advisor\n  description: d\n  domain: finance\n  capabilities:\n    - tax_planning\n    - Not Valid\n",
    )
    .unwrap();
    let out = env.run(&["create-agent", "--from-spec", spec.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("spec.yaml:7:7: /agent_spec/capabilities/1"),
        "{out:?}"
    );

    std::fs::write(
        &spec,
        "agent_spec:\n  name: tax_advisor\n  descripton: typo\n",
    )
    .unwrap();
    let out = env.run(&["create-agent", "--from-spec", spec.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("spec.yaml:3:3: /agent_spec/descripton: unknown field"),
        "{out:?}"
    );

    let json = env.work.join("spec.json");
    std::fs::write(&json, "{\n  \"agent_spec\": {\"name\": \"tax_advisor\", \"description\": \"d\", \"domain\": \"finance\",\n  \"knowledge_sources\": [{\"type\": \"csv\", \"source\": \"x\"}]}\n}\n").unwrap();
    let out = env.run(&["create-agent", "--from-spec", json.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("spec.json:3:26: /agent_spec/knowledge_sources/0/type"),
        "{out:?}"
    );

    std::fs::write(&json, [0xffu8, 0xfe, 0, 1]).unwrap();
    let out = env.run(&["create-agent", "--from-spec", json.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("UTF-8"), "{out:?}");
    assert_eq!(env.work_entries(), vec!["spec.json", "spec.yaml"]);
}

#[test]
fn spec_file_in_the_reference_format_creates_the_agent() {
    let env = Env::new();
    let spec = env.work.join("request.json");
    std::fs::write(
        &spec,
        serde_json::json!({
            "agent_spec": {
                "name": "security_reviewer",
                "display_name": "Security Reviewer",
                "description": "Reviews code for vulnerabilities",
                "domain": "security",
                "keywords": ["owasp", "cve"],
                "capabilities": ["code_analysis", "security_scanning"],
                "knowledge_sources": [
                    {"type": "markdown", "source": "docs/", "update_frequency": "weekly"},
                    {"type": "database", "source": "sqlite:///var/kb.db", "update_frequency": "daily", "query": "SELECT title, content FROM kb"}
                ]
            },
            "deployment_config": {"environment": "staging", "resource_limits": {"memory": "1G", "cpu": "1"}, "auto_deploy": false},
            "integration_config": {"required_tools": ["zen"], "optional_tools": [], "custom_endpoints": ["/hooks/review"]}
        })
        .to_string(),
    )
    .unwrap();
    let out = env
        .ok(&[
            "create-agent",
            "--from-spec",
            spec.to_str().unwrap(),
            "-o",
            "json",
        ])
        .json();
    assert_eq!(out["display_name"], "Security Reviewer");
    let cfg =
        std::fs::read_to_string(env.work.join("security_reviewer/config/config.yaml")).unwrap();
    assert!(
        cfg.contains("query: \"SELECT title, content FROM kb\""),
        "{cfg}"
    );
    assert!(cfg.contains("environment: \"staging\"") && cfg.contains("memory: \"1G\""));
    let manifest =
        std::fs::read_to_string(env.work.join("security_reviewer/mcp-manifest.yaml")).unwrap();
    assert!(
        manifest.contains("name: security-reviewer")
            && manifest.contains("name: security_scanning")
    );
}

#[test]
fn existing_agent_is_refused_unless_force() {
    let env = Env::new();
    let first = env.create("tax_advisor", &[]);
    let out = env.run(&[
        "create-agent",
        "--name",
        "tax_advisor",
        "--domain",
        "finance",
        "--description",
        "again",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("already exists") && out.stderr.contains("--force"));
    let second = env.create("tax_advisor", &["--force", "--description", "replaced"]);
    assert_ne!(first["commit"], second["commit"]);
    let agents = env.ok(&["list-agents", "-o", "json"]).json();
    assert_eq!(agents.as_array().unwrap().len(), 1);
    assert_eq!(agents[0]["description"], "replaced");
    assert_eq!(env.work_entries(), vec!["tax_advisor"]);

    // A folder that is not an agent's project is never replaced.
    std::fs::create_dir_all(env.work.join("mine")).unwrap();
    std::fs::write(env.work.join("mine/precious.txt"), "keep").unwrap();
    let out = env.run(&[
        "create-agent",
        "--name",
        "mine",
        "--domain",
        "finance",
        "--description",
        "d",
        "--force",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refusing to replace"));
    assert!(env.work.join("mine/precious.txt").exists());
}

#[test]
fn push_lands_in_a_real_bare_repository() {
    let env = Env::new();
    let remotes = env.dir.path().join("remotes");
    std::fs::create_dir_all(&remotes).unwrap();
    git(&remotes, &["init", "--bare", "-q", "tax_advisor.git"]);
    let base = format!("file://{}", remotes.display());
    let env = env.var("AGENT_FACTORY_GIT_BASE_URL", &base);
    let out = env.create("tax_advisor", &[]);
    assert_eq!(out["pushed"], true);
    assert_eq!(out["repository_url"], format!("{base}/tax_advisor.git"));
    let bare = remotes.join("tax_advisor.git");
    assert_eq!(
        git(&bare, &["rev-parse", "refs/heads/main"]),
        out["commit"].as_str().unwrap()
    );
    let project = env.work.join("tax_advisor");
    assert_eq!(
        git(&project, &["remote", "get-url", "origin"]),
        format!("{base}/tax_advisor.git")
    );

    // --no-push keeps it local even with a remote configured.
    git(&remotes, &["init", "--bare", "-q", "other.git"]);
    let out = env.create("other", &["--no-push"]);
    assert_eq!(out["pushed"], false);
    assert!(
        std::process::Command::new("git")
            .args(["rev-parse", "--verify", "-q", "refs/heads/main"])
            .current_dir(remotes.join("other.git"))
            .status()
            .unwrap()
            .code()
            != Some(0)
    );
}

#[test]
fn a_failing_push_rolls_everything_back() {
    let env = Env::new();
    let missing = env.dir.path().join("no-such-remotes");
    let env = env.var(
        "AGENT_FACTORY_GIT_BASE_URL",
        &format!("file://{}", missing.display()),
    );
    let out = env.run(&[
        "create-agent",
        "--name",
        "tax_advisor",
        "--domain",
        "finance",
        "--description",
        "d",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("failed at step `push`"), "{out:?}");
    assert!(out.stderr.contains("rolled back"), "{out:?}");
    assert!(
        env.work_entries().is_empty(),
        "left behind: {:?}",
        env.work_entries()
    );
    assert_eq!(
        env.ok(&["list-agents", "-o", "json"]).json(),
        serde_json::json!([])
    );

    let id = out
        .stderr
        .split("creation ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let status = env.ok(&["status", id, "-o", "json"]).json();
    assert_eq!(status["status"], "failed");
    assert_eq!(status["failed_step"], "push");
    let by_name = |n: &str| {
        status["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(by_name("render"), "rolled_back");
    assert_eq!(by_name("git"), "rolled_back");
    assert_eq!(by_name("push"), "failed");
    assert_eq!(by_name("register"), "skipped");

    // --keep-on-failure leaves the project for inspection, and says where.
    let out = env.run(&[
        "create-agent",
        "--name",
        "tax_advisor",
        "--domain",
        "finance",
        "--description",
        "d",
        "--keep-on-failure",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("kept for inspection"), "{out:?}");
    assert_eq!(env.work_entries().len(), 1);
    assert_eq!(
        env.ok(&["list-agents", "-o", "json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn hostile_descriptions_give_valid_files() {
    let env = Env::new();
    let hostile = "He said \"hi\" and 'bye' ''' \"\"\" \\ \\n {{name}} {% raw %} ${HOME} $(rm -rf /) `id` <script>alert(1)</script>\n# not a heading\n- not a list\n```\ncode fence\n\tTabbed ünïcødé 税务 🚀 \u{2028}end";
    let out = env.create(
        "tax_advisor",
        &[
            "--description",
            hostile,
            "--display-name",
            "Tax \"Advisor\" <b>",
        ],
    );
    let project = Path::new(out["project_dir"].as_str().unwrap());
    let expected = env.dir.path().join("expected.json");
    std::fs::write(
        &expected,
        serde_json::json!({
            "name": "tax_advisor",
            "description": hostile,
            "one_line": pc_hybrid::factory::escape::one_line(hostile),
        })
        .to_string(),
    )
    .unwrap();
    let check = py(
        "check_files.py",
        &[project.to_str().unwrap(), expected.to_str().unwrap()],
        &[],
    );
    assert_eq!(check.code, 0, "{check:?}");
}

#[test]
fn without_a_terminal_missing_answers_are_an_error_not_a_hang() {
    let env = Env::new();
    // Stdin is a pipe that stays open and never sends a byte: a command that asked for
    // its answers there would wait forever instead of ending with the error.
    let run = |args: &[&str]| {
        let mut child = env
            .cmd(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["create-agent", "--name", "tax_advisor"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--domain, --description") && stderr.contains("no terminal"),
        "{stderr}"
    );
    let (code, stderr) = run(&["create-agent", "--interactive"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
}

#[test]
fn a_user_template_folder_renders_with_the_same_variables() {
    let env = Env::new();
    let tpl = env.dir.path().join("tpl");
    std::fs::create_dir_all(tpl.join("src/__name__")).unwrap();
    std::fs::write(tpl.join("README.md.hbs"), "# {{md_inline display_name}}\n{{md description}}\n{{#each capabilities}}- {{this}}\n{{/each}}").unwrap();
    std::fs::write(
        tpl.join("src/__name__/info.py.hbs"),
        "NAME = {{py name}}\nDESC = {{py description}}\nBARE = \"{{description}}\"\n",
    )
    .unwrap();
    std::fs::write(tpl.join("LICENSE"), "verbatim {{not rendered}}").unwrap();
    let out = env.create(
        "tax_advisor",
        &[
            "--template",
            tpl.to_str().unwrap(),
            "--description",
            "a \"b\" $(c)",
            "--capability",
            "vat",
        ],
    );
    assert_eq!(out["template"], tpl.to_str().unwrap());
    let p = env.work.join("tax_advisor");
    assert_eq!(
        std::fs::read_to_string(p.join("LICENSE")).unwrap(),
        "verbatim {{not rendered}}"
    );
    let info = std::fs::read_to_string(p.join("src/tax_advisor/info.py")).unwrap();
    assert_eq!(
        info,
        "NAME = \"tax_advisor\"\nDESC = \"a \\\"b\\\" $(c)\"\nBARE = \"a _b_ __c_\"\n"
    );
    assert!(std::fs::read_to_string(p.join("README.md"))
        .unwrap()
        .contains("- vat"));
    assert!(p.join("mcp-manifest.yaml").exists());

    // A template error names the file and changes nothing.
    std::fs::write(tpl.join("broken.txt.hbs"), "{{no_such_variable}}").unwrap();
    let out = env.run(&[
        "create-agent",
        "--name",
        "other",
        "--domain",
        "finance",
        "--description",
        "d",
        "--template",
        tpl.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("broken.txt.hbs"), "{out:?}");
    assert!(!env.work.join("other").exists());
    let out = env.run(&[
        "create-agent",
        "--name",
        "other",
        "--domain",
        "finance",
        "--description",
        "d",
        "--template",
        "nope",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no template `nope`"));
}
