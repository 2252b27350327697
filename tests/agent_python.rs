//! The generated agent is a real, runnable MCP server on the official Python SDK: its own
//! test suite passes, an MCP client finds planted knowledge, and its console script serves
//! streamable HTTP with /health.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{py, python, Env};

fn pytest(project: &Path) {
    let out = Command::new(python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .current_dir(project)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generated tests failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_generated_test_suite_passes_even_with_a_hostile_description() {
    let env = Env::new();
    let hostile = "Quotes \" ' \"\"\" ''' \\ {braces} $(x) `y`\nsecond line ünïcødé 税";
    let out = env.create(
        "tax_advisor",
        &[
            "--description",
            hostile,
            "--capability",
            "tax_planning",
            "--capability",
            "vat_returns",
        ],
    );
    pytest(Path::new(out["project_dir"].as_str().unwrap()));
}

#[test]
fn an_mcp_client_finds_a_phrase_planted_in_a_knowledge_document() {
    let env = Env::new();
    let out = env.create("tax_advisor", &[]);
    let project = Path::new(out["project_dir"].as_str().unwrap());
    std::fs::write(
        project.join("knowledge/documents/planted.md"),
        format!(
            "---\ntitle: Planted\n---\n{}\n\nThe xylophone-quartz exemption applies to imported marimbas.\n",
            "Ordinary words first, long enough to be a passage of their own. ".repeat(30)
        ),
    )
    .unwrap();
    let r = py(
        "mcp_search.py",
        &[
            project.to_str().unwrap(),
            "tax_advisor",
            "xylophone quartz exemption",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        v["tools"],
        serde_json::json!(["general_assistance", "get_agent_info", "search_knowledge"])
    );
    assert_eq!(v["is_error"], false);
    let top = &v["result"]["results"][0];
    assert_eq!(top["id"], "planted");
    assert_eq!(top["source"], "knowledge/documents/planted.md");
    assert!(top["passage"]
        .as_str()
        .unwrap()
        .contains("xylophone-quartz exemption"));
    assert!(
        !top["passage"].as_str().unwrap().contains("Ordinary words"),
        "the passage, not the whole document"
    );
}

#[test]
fn the_console_script_serves_streamable_http_with_health() {
    let env = Env::new();
    let out = env.create("tax_advisor", &[]);
    let project = Path::new(out["project_dir"].as_str().unwrap());
    // A fresh venv that borrows the test environment's packages (the MCP SDK) through a .pth
    // file, so installing needs no network.
    let venv = env.dir.path().join("venv");
    let st = Command::new(python())
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(st.success());
    let paths = |py: &Path| {
        let o = Command::new(py)
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ])
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    let site = paths(&venv.join("bin/python"));
    std::fs::write(
        Path::new(&site).join("parent-env.pth"),
        paths(&python()) + "\n",
    )
    .unwrap();
    let pip = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
        ])
        .arg(project)
        .output()
        .unwrap();
    assert!(
        pip.status.success(),
        "pip install: {}",
        String::from_utf8_lossy(&pip.stderr)
    );
    assert!(
        venv.join("bin/tax_advisor").exists(),
        "console script named after the agent"
    );
    assert!(venv.join("bin/tax_advisor-refresh").exists());

    let port = common::free_port();
    let mut child = Command::new(venv.join("bin/tax_advisor"))
        .args([
            "--transport",
            "streamable-http",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .env("AGENT_HOME", project)
        .current_dir(env.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            break buf;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("agent exited with {status}: {err}");
        }
        assert!(
            Instant::now() < deadline,
            "agent did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        body.starts_with("HTTP/1.1 200") || body.starts_with("HTTP/1.0 200"),
        "{body}"
    );
    assert!(
        body.contains("\"status\":\"ok\"") && body.contains("\"agent\":\"tax_advisor\""),
        "{body}"
    );
}
