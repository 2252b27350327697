//! Shared helpers for black-box tests: an isolated home per test, the built binary, and the
//! Python interpreter that has the real MCP SDK.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A hermetic environment: its own PROMPTCRAFT_HOME, HOME and working directory.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub work: PathBuf,
    pub user_home: PathBuf,
    pub vars: Vec<(String, String)>,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("pchome");
        let work = dir.path().join("work");
        let user_home = dir.path().join("user");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&user_home).unwrap();
        Env {
            dir,
            home,
            work,
            user_home,
            vars: Vec::new(),
        }
    }

    pub fn var(mut self, k: &str, v: &str) -> Env {
        self.vars.push((k.into(), v.into()));
        self
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pc-hybrid"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.user_home)
            .env("PROMPTCRAFT_HOME", &self.home)
            .env("LANG", "C.UTF-8")
            .env("PC_HYBRID_PYTHON", python().display().to_string())
            .current_dir(&self.work)
            .stdin(Stdio::null());
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Out {
        let o = self.cmd(args).output().expect("run pc-hybrid");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Run and require success.
    pub fn ok(&self, args: &[&str]) -> Out {
        let o = self.run(args);
        assert_eq!(o.code, 0, "{args:?} failed: {o:?}");
        o
    }

    pub fn create(&self, name: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![
            "create-agent",
            "-o",
            "json",
            "--name",
            name,
            "--domain",
            "finance",
            "--description",
            "Answers tax questions",
        ];
        args.extend_from_slice(extra);
        self.ok(&args).json()
    }

    /// Everything in the working directory, hidden entries included.
    pub fn work_entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.work)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// The Python with the real `mcp` SDK, pytest and PyYAML (made by scripts/test.sh).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("PC_HYBRID_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    panic!("no Python with the MCP SDK: run `scripts/test.sh` (it creates .venv from tests/requirements.txt), or set PC_HYBRID_TEST_PYTHON");
}

/// Run a Python script from tests/support with arguments.
pub fn py(script: &str, args: &[&str], envs: &[(&str, &str)]) -> Out {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(script);
    let mut c = Command::new(python());
    c.arg(path).args(args).stdin(Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    let o = c.output().expect("run python");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// A name no other test uses: `prefix_` and ten hex digits.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// Call an agent's `search_knowledge` over streamable HTTP with the MCP SDK's client.
pub fn mcp_call(url: &str) -> serde_json::Value {
    let o = py("mcp_http_call.py", &[url, "questions"], &[]);
    assert_eq!(o.code, 0, "{o:?}");
    serde_json::from_str(&o.stdout).unwrap()
}

/// Live processes (not zombies, not this test nor cargo) whose command line mentions
/// `needle`.
pub fn processes_with(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        if stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().next())
            == Some("Z")
        {
            continue;
        }
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) && !cmd.contains("cargo") {
                found.push(pid);
            }
        }
    }
    found
}

/// An environment for deploy tests: Python environments and pip's cache are shared, so the
/// agent's dependencies are installed once per run instead of once per test.
pub fn deploy_env() -> Env {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    Env::new()
        .var(
            "PC_HYBRID_ENV_DIR",
            target.join("test-envs").to_str().unwrap(),
        )
        .var(
            "PIP_CACHE_DIR",
            target.join("test-pip-cache").to_str().unwrap(),
        )
}

/// Make a generated agent's server exit at start with `message` on stderr.
pub fn break_agent_server(env: &Env, agent: &str, message: &str) {
    let server = env
        .work
        .join(agent)
        .join("src")
        .join(agent)
        .join("server.py");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, format!("{text}\nraise SystemExit('{message}')\n")).unwrap();
}

/// The deployments of `agent` as `list-agents` reports them.
pub fn deployments(env: &Env, agent: &str) -> Vec<serde_json::Value> {
    let list = env.ok(&["list-agents", "-o", "json"]).json();
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == agent)
        .map(|a| a["deployments"].as_array().unwrap().clone())
        .unwrap_or_default()
}

/// A variable scripts/test.sh sets for the services it starts.
pub fn service(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test.sh, which installs docker.io and docker-registry, starts them on private sockets and ports, and builds the Python base image")
    })
}

/// The docker CLI against the test Engine.
pub fn docker(args: &[&str]) -> Out {
    let o = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", service("PC_HYBRID_TEST_DOCKER_HOST"))
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker CLI");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The two stores every store-touching test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database in the test PostgreSQL cluster that scripts/test.sh starts; its URL.
pub fn postgres_database() -> String {
    let admin = service("PC_HYBRID_TEST_POSTGRES");
    let name = unique_name("t").to_lowercase();
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("test PostgreSQL");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    url.to_string()
}

impl Backend {
    /// A hermetic environment whose store is this backend.
    pub fn env(self) -> Env {
        match self {
            Backend::Sqlite => Env::new(),
            Backend::Postgres => Env::new().var("ANALYTICS_DB_URL", &postgres_database()),
        }
    }
}

/// Raw access to an environment's audit store, for tests that tamper with it or look
/// behind the command line.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Db {
    pub fn open(env: &Env) -> Db {
        match env.vars.iter().find(|(k, _)| k == "ANALYTICS_DB_URL") {
            Some((_, url)) => {
                Db::Postgres(postgres::Client::connect(url, postgres::NoTls).unwrap())
            }
            None => Db::Sqlite(
                rusqlite::Connection::open(env.home.join("data").join("audit.db")).unwrap(),
            ),
        }
    }

    /// Run statements that both dialects understand.
    pub fn exec(&mut self, sql: &str) {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql).unwrap(),
            Db::Postgres(c) => c.batch_execute(sql).unwrap(),
        }
    }

    /// The one integer a query returns.
    pub fn int(&mut self, sql: &str) -> i64 {
        self.column::<i64>(sql)[0]
    }

    /// The first column of every row.
    fn column<T>(&mut self, sql: &str) -> Vec<T>
    where
        T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a>,
    {
        match self {
            Db::Sqlite(c) => c
                .prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect(),
            Db::Postgres(c) => c
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect(),
        }
    }

    pub fn checkpoints(&mut self) -> Vec<i64> {
        self.column("SELECT sequence FROM audit_checkpoints ORDER BY sequence")
    }

    pub fn event_ids(&mut self) -> std::collections::HashSet<String> {
        self.column::<String>("SELECT event_id FROM audit_events")
            .into_iter()
            .collect()
    }

    /// (sequence, body) of every event, in order.
    pub fn bodies(&mut self) -> Vec<(i64, Vec<u8>)> {
        let sql = "SELECT sequence, body FROM audit_events ORDER BY sequence";
        match self {
            Db::Sqlite(c) => c
                .prepare(sql)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect(),
            Db::Postgres(c) => c
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get::<_, String>(1).into_bytes()))
                .collect(),
        }
    }

    pub fn rewrite(&mut self, sequence: i64, body: &[u8], hash: &[u8]) {
        match self {
            Db::Sqlite(c) => {
                c.execute(
                    "UPDATE audit_events SET body = ?1, hash = ?2 WHERE sequence = ?3",
                    rusqlite::params![body, hash, sequence],
                )
                .unwrap();
            }
            Db::Postgres(c) => {
                c.execute(
                    "UPDATE audit_events SET body = $1, hash = $2 WHERE sequence = $3",
                    &[&std::str::from_utf8(body).unwrap(), &hash, &sequence],
                )
                .unwrap();
            }
        }
    }
}

/// Generate one test per store from `fn name(store: Backend)`: `sqlite::name` and
/// `postgres::name`.
#[allow(unused_macros)]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(crate::common::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(crate::common::Backend::Postgres) })*
        }
    };
}

/// The MCP servers and clients nobody here wrote, installed by scripts/test.sh from
/// tests/tools: npm packages under `node_modules`, the PyPI reference servers under `py`.
pub fn tools() -> PathBuf {
    let dir = std::env::var_os("PC_HYBRID_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".test-tools"));
    if !dir.join("node_modules/.bin/mcp-inspector").exists() {
        panic!(
            "the reference MCP servers and the MCP Inspector are not installed in {}: run `scripts/test.sh` (it installs tests/tools with npm and pip)",
            dir.display()
        );
    }
    dir
}

/// An environment for live checks of npm and PyPI servers: `uvx` and the SDK's Python first
/// on PATH, the shared download cache, and the trust store package downloads need here.
pub fn ecosystem_env() -> Env {
    let bin = python().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cache = std::env::var("PC_HYBRID_CACHE_DIR")
        .unwrap_or_else(|_| tools().join("cache").display().to_string());
    let mut env = Env::new()
        .var("PATH", &path)
        .var("PC_HYBRID_CACHE_DIR", &cache);
    for k in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        if let Ok(v) = std::env::var(k) {
            env = env.var(k, &v);
        }
    }
    env
}

/// Run the MCP Inspector CLI with a configuration file and one server of it.
pub fn inspector(config: &Path, server: &str, args: &[&str]) -> Out {
    let exe = tools().join("node_modules/.bin/mcp-inspector");
    let o = Command::new(exe)
        .arg("--cli")
        .arg("--config")
        .arg(config)
        .args(["--server", server])
        .args(args)
        .env("MCP_INSPECTOR_SECRET_STORE", "memory")
        .stdin(Stdio::null())
        .output()
        .expect("run the MCP Inspector");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A loopback port free at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait (at most 5 s) until something listens on loopback `port`.
pub fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}
