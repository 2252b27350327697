//! Single sign-on against a real OpenID provider (npm `oidc-provider`, shaped like a
//! Keycloak realm by tests/oidc/provider.mjs) and a real Redis: every login flow, the
//! person at the browser played by tests/oidc/browser.py on the provider's own pages,
//! refresh with rotation across processes, roles over the operation layer, daemon-held
//! sessions shared through Redis, and the team API's bearer checks against forged tokens.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, Out};
use serde_json::{json, Value};

fn tools() -> PathBuf {
    let t = std::env::var_os("PC_HYBRID_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".test-tools"));
    assert!(
        t.join("node_modules/oidc-provider").is_dir(),
        "npm oidc-provider is not installed in {}: run the tests through scripts/test.sh",
        t.display()
    );
    t
}

fn oidc(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oidc")
        .join(file)
}

/// A running test provider, stopped by PID when dropped.
struct Idp {
    child: Child,
    issuer: String,
    keys: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Idp {
    fn start(config: Value) -> Idp {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys.json");
        let mut config = config;
        config["keys_file"] = json!(keys);
        let path = dir.path().join("config.json");
        std::fs::write(&path, config.to_string()).unwrap();
        let (child, issuer) = Self::launch(&path);
        Idp {
            child,
            issuer,
            keys,
            config: path,
            _dir: dir,
        }
    }

    fn launch(config: &Path) -> (Child, String) {
        let mut child = Command::new("node")
            .arg(oidc("provider.mjs"))
            .arg(config)
            .env("PC_HYBRID_TEST_TOOLS", tools())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (Debian's nodejs)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = loop {
            let line = lines.next().expect("the provider printed `ready`").unwrap();
            if let Some(i) = line.strip_prefix("ready ") {
                break i.to_owned();
            }
        };
        // Its notices keep coming on stdout: drained, so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        (child, issuer)
    }

    /// Stop, then start again on the same port with a new signing key first.
    fn rotate(&mut self) {
        let port: u16 = self
            .issuer
            .rsplit(':')
            .next()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut c: Value =
            serde_json::from_str(&std::fs::read_to_string(&self.config).unwrap()).unwrap();
        c["rotate"] = json!(true);
        c["port"] = json!(port);
        std::fs::write(&self.config, c.to_string()).unwrap();
        let (child, issuer) = Self::launch(&self.config);
        self.child = child;
        assert_eq!(issuer, self.issuer);
    }

    fn token_endpoint(&self) -> String {
        format!("{}/protocol/openid-connect/token", self.issuer)
    }

    /// The environment that points pc-hybrid at this provider with the CLI's public client.
    fn env(&self) -> Env {
        Env::new()
            .var("OIDC_ISSUER_URL", &self.issuer)
            .var("KEYCLOAK_CLIENT_ID", "pc-hybrid-cli")
            .var("OIDC_AUDIENCE", "promptcraft-app")
            .var("PC_HYBRID_TOKEN_STORAGE", "file")
            .var("PC_HYBRID_DAEMON", "never")
    }

    /// Tokens the provider signs as the tests ask (tests/oidc/forge.mjs).
    fn forge(&self, specs: &[Value]) -> Vec<String> {
        let f = self._dir.path().join("specs.json");
        std::fs::write(&f, Value::Array(specs.to_vec()).to_string()).unwrap();
        let o = Command::new("node")
            .arg(oidc("forge.mjs"))
            .arg(&self.keys)
            .arg(&f)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `tests/oidc/browser.py` on `url`: the person at the browser.
fn browse(url: &str, extra: &[&str]) -> Out {
    let o = Command::new(common::python())
        .arg(oidc("browser.py"))
        .arg(url)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A `login` running in the background, its stderr read until it shows a URL.
struct Pending {
    child: Child,
    url: String,
    stderr: String,
    rest: std::thread::JoinHandle<String>,
}

fn start_login(env: &Env, args: &[&str]) -> Pending {
    let mut child = env
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut stderr = String::new();
    let url = loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("login ended without a URL: {stderr}");
        }
        stderr.push_str(&line);
        if let Some(i) = line.find("http://") {
            break line[i..].split_whitespace().next().unwrap().to_owned();
        }
    };
    // The rest of stderr is read as it comes, so that the login never blocks on it.
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    Pending {
        child,
        url,
        stderr,
        rest,
    }
}

impl Pending {
    fn finish(mut self) -> Out {
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let status = self.child.wait().unwrap();
        Out {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr: self.stderr + &self.rest.join().unwrap(),
        }
    }
}

/// Log in `user` by the device flow.
fn device_login(env: &Env, user: &str) -> Out {
    let p = start_login(env, &["login", "--device"]);
    assert!(p.url.contains("user_code="), "{}", p.url);
    let b = browse(&p.url, &["--user", user]);
    assert_eq!(b.code, 0, "{b:?}");
    p.finish()
}

fn audit_events(env: &Env) -> Vec<Value> {
    let o = env.run(&["audit", "query", "--limit", "1000", "-o", "json"]);
    assert_eq!(o.code, 0, "{o:?}");
    o.json().as_array().unwrap().clone()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file under `dir` except those `keep` names, as text.
fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !keep(&p) {
                if let Ok(b) = std::fs::read(&p) {
                    out.push((p, b));
                }
            }
        }
    }
    out
}

fn assert_nowhere(dir: &Path, secrets: &[&str], keep: &dyn Fn(&Path) -> bool) {
    for (p, body) in files_under(dir, keep) {
        for s in secrets {
            assert!(
                memchr::memmem::find(&body, s.as_bytes()).is_none(),
                "{} holds a secret ({}...)",
                p.display(),
                &s[..12.min(s.len())]
            );
        }
    }
}

#[test]
fn device_login_whoami_token_and_logout_with_file_storage() {
    let idp = Idp::start(json!({}));
    let env = idp.env();
    assert_eq!(env.run(&["auth", "status"]).code, 3);
    let o = device_login(&env, "bob");
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.stderr.contains("logged in as bob"), "{o:?}");

    let who = env.ok(&["whoami", "-o", "json"]).json();
    assert_eq!(who["identity"]["username"], "bob");
    assert_eq!(who["identity"]["subject"], "bob");
    assert_eq!(who["identity"]["organization"], "promptcraft");
    assert_eq!(who["identity"]["realm_roles"], json!(["agent-developer"]));
    assert_eq!(who["session"]["grant"], "device");
    assert!(
        who["session"]["storage"].as_str().unwrap().contains("0600"),
        "{who}"
    );
    let ops: Vec<&str> = who["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        ops.contains(&"agent.deploy") && !ops.contains(&"mcp.remove"),
        "{ops:?}"
    );

    // Tokens are in a 0600 file in a 0700 folder, and nowhere else.
    let creds = env.home.join("credentials");
    assert_eq!(mode(&creds), 0o700);
    assert_eq!(mode(&creds.join("sso.default")), 0o600);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(creds.join("sso.default")).unwrap()).unwrap();
    let (access, refresh) = (
        stored["access_token"].as_str().unwrap().to_owned(),
        stored["refresh_token"].as_str().unwrap().to_owned(),
    );
    let token = env.ok(&["auth", "token"]).stdout;
    assert_eq!(token.trim(), access);
    assert_eq!(env.run(&["auth", "status"]).code, 0);

    // Logout revokes at the provider: the refresh token is refused there afterwards.
    let out = env.ok(&["logout", "-o", "json"]).json();
    assert_eq!(out["revoked"], true, "{out}");
    assert!(!creds.join("sso.default").exists());
    let r = Command::new("curl")
        .args([
            "-s",
            "-d",
            "grant_type=refresh_token",
            "-d",
            "client_id=pc-hybrid-cli",
        ])
        .arg("-d")
        .arg(format!("refresh_token={refresh}"))
        .arg(idp.token_endpoint())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&r.stdout).contains("invalid_grant"));
    let st = env.run(&["auth", "status"]);
    assert_eq!(st.code, 3, "{st:?}");
    assert!(st.stderr.contains("pc-hybrid login"), "{st:?}");

    // Every login and logout is an authentication event with the subject and session.
    let events = audit_events(&env);
    let login = events
        .iter()
        .find(|e| e["action"]["operation"] == "auth.login" && e["outcome"]["status"] == "success")
        .expect("a login event");
    assert_eq!(login["event_type"], "authentication");
    assert_eq!(login["event_category"], "security");
    assert_eq!(login["user_id"], "bob");
    assert_eq!(login["session_id"], who["session"]["id"]);
    assert!(events
        .iter()
        .any(|e| e["action"]["operation"] == "auth.logout" && e["user_id"] == "bob"));
    // No token reached the audit trail, the logs or any other file.
    let keep = |p: &Path| p.starts_with(&creds);
    assert_nowhere(&env.home, &[&access, &refresh], &keep);
}

#[test]
fn browser_login_checks_state_and_refuses_a_taken_port() {
    let idp = Idp::start(json!({}));
    let env = idp.env();
    let p = start_login(&env, &["login", "--browser"]);
    assert!(p.url.contains("code_challenge_method=S256"), "{}", p.url);
    assert!(
        p.url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{}",
        p.url
    );
    let b = browse(&p.url, &["--user", "alice"]);
    assert_eq!(b.code, 0, "{b:?}");
    assert!(b.stdout.contains("/callback?"), "{b:?}");
    let o = p.finish();
    assert_eq!(o.code, 0, "{o:?}");
    let who = env.ok(&["whoami", "-o", "json"]).json();
    assert_eq!(who["identity"]["username"], "alice");
    assert_eq!(who["session"]["grant"], "browser");

    // A callback with another state is refused and nothing is stored.
    let env2 = idp.env();
    let p = start_login(&env2, &["login", "--browser"]);
    let port = p
        .url
        .split("127.0.0.1%3A")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap()
        .to_owned();
    let r = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .arg(format!(
            "http://127.0.0.1:{port}/callback?code=abc&state=forged"
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&r.stdout), "400");
    let o = p.finish();
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("state"), "{o:?}");
    assert!(!env2.home.join("credentials/sso.default").exists());

    // A port that is taken is an error at once, not a hang.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let started = Instant::now();
    let o = env2.run(&["login", "--browser", "--port", &port]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains(&format!("port {port}")) && o.stderr.contains("--port"),
        "{o:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn client_credentials_and_a_token_on_stdin() {
    let idp = Idp::start(json!({}));
    let secret = "app-secret-for-tests-only";
    let env = idp.env().var("KEYCLOAK_CLIENT_ID", "promptcraft-app");
    let mut c = env
        .cmd(&["login", "--client-credentials"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let who = env.ok(&["whoami", "-o", "json"]).json();
    assert_eq!(
        who["identity"]["username"],
        "service-account-promptcraft-app"
    );
    assert_eq!(who["session"]["grant"], "client_credentials");

    // A wrong secret: refused, exit 3, the secret in no message.
    let env2 = idp
        .env()
        .var("KEYCLOAK_CLIENT_ID", "promptcraft-app")
        .var("KEYCLOAK_CLIENT_SECRET", "wrong-secret-value");
    let o = env2.run(&["login", "--client-credentials"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(!o.stderr.contains("wrong-secret-value"));
    assert!(!env2.home.join("credentials/sso.default").exists());

    // --with-token: a provider's token is verified, then kept; garbage is refused.
    let access = idp
        .forge(&[json!({"claims": {
        "iss": idp.issuer, "aud": "promptcraft-app", "sub": "dave",
        "preferred_username": "dave", "realm_access": {"roles": ["auditor"]},
        "exp": chrono::Utc::now().timestamp() + 300}, "sign": "key"})])
        .remove(0);
    let env3 = idp.env();
    let pipe = |env: &Env, input: &str| {
        let mut c = env
            .cmd(&["login", "--with-token"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    };
    let o = pipe(&env3, "not-a-token");
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!env3.home.join("credentials/sso.default").exists());
    let o = pipe(&env3, &access);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        env3.ok(&["whoami", "-o", "json"]).json()["identity"]["username"],
        "dave"
    );
}

#[test]
fn device_flow_denied_expired_and_a_provider_that_is_down() {
    let idp = Idp::start(json!({}));
    let env = idp.env();
    let p = start_login(&env, &["login", "--device"]);
    let b = browse(&p.url, &["--user", "bob", "--abort"]);
    assert_eq!(b.code, 0, "{b:?}");
    let o = p.finish();
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("denied"), "{o:?}");
    assert!(!env.home.join("credentials/sso.default").exists());
    let failed = audit_events(&env)
        .into_iter()
        .find(|e| e["action"]["operation"] == "auth.login" && e["outcome"]["status"] == "failure")
        .expect("a failed login is audited");
    assert_eq!(failed["event_type"], "authentication");
    assert_eq!(failed["severity"], "error");

    let short = Idp::start(json!({"device_ttl": 3}));
    let env = short.env();
    let p = start_login(&env, &["login", "--device"]);
    let o = p.finish();
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("expired"), "{o:?}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = Env::new()
        .var(
            "OIDC_ISSUER_URL",
            &format!("http://127.0.0.1:{port}/realms/promptcraft"),
        )
        .var("PC_HYBRID_TOKEN_STORAGE", "file")
        .var("PC_HYBRID_DAEMON", "never");
    let o = env.run(&["login", "--device"]);
    assert_eq!(o.code, 4, "{o:?}");
    assert!(o.stderr.contains("cannot be reached"), "{o:?}");
}

#[test]
fn roles_decide_what_a_user_may_do_when_sso_is_required() {
    let idp = Idp::start(json!({}));
    let env = idp.env().var("ENTERPRISE_MODE", "true");
    let o = env.run(&["mcp", "list"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("pc-hybrid login"), "{o:?}");
    // Diagnosing and logging in need no role.
    assert_ne!(env.run(&["doctor"]).code, 3);

    assert_eq!(device_login(&env, "bob").code, 0);
    env.ok(&["mcp", "list"]);
    let o = env.run(&["mcp", "remove", "anything"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(
        o.stderr.contains("`mcp_remove`") && o.stderr.contains("platform-admin"),
        "{o:?}"
    );
    let o = env.run(&["deploy-agent", "x", "--environment", "production"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("agent_deploy_production"), "{o:?}");
    let o = env.run(&["audit", "verify"]);
    assert_eq!(o.code, 3, "{o:?}");

    // Denials are audited as authorization failures of the user (an auditor reads them).
    let dave = idp.env().var("ENTERPRISE_MODE", "true");
    let env_home = env.home.display().to_string();
    let dave = dave.var("PROMPTCRAFT_HOME", &env_home);
    env.ok(&["logout"]);
    assert_eq!(device_login(&dave, "dave").code, 0);
    let events = audit_events(&dave);
    let denial = events
        .iter()
        .find(|e| e["action"]["operation"] == "mcp.remove")
        .expect("the denial is recorded");
    assert_eq!(denial["event_type"], "authorization");
    assert_eq!(denial["outcome"]["status"], "failure");
    assert_eq!(denial["user_id"], "bob");
    assert_eq!(dave.run(&["mcp", "list"]).code, 3);

    // A client role (resource_access) grants too: carol is an analyst of promptcraft-app.
    let carol = idp.env().var("ENTERPRISE_MODE", "true");
    assert_eq!(device_login(&carol, "carol").code, 0);
    carol.ok(&["mcp", "list"]);
    assert_eq!(
        carol
            .run(&[
                "create-agent",
                "--name",
                "x_y",
                "--domain",
                "d",
                "--description",
                "t"
            ])
            .code,
        3
    );

    // Roles are overridable in config.
    let eve = idp.env().var("ENTERPRISE_MODE", "true");
    std::fs::create_dir_all(&eve.home).unwrap();
    std::fs::write(
        eve.home.join("config.yaml"),
        "auth:\n  roles:\n    agent-developer: [mcp_read, mcp_remove]\n",
    )
    .unwrap();
    assert_eq!(device_login(&eve, "bob").code, 0);
    assert_ne!(eve.run(&["mcp", "remove", "nothing-here"]).code, 3);
    assert_eq!(eve.run(&["list-agents"]).code, 3);
}

#[test]
fn an_expiring_token_is_refreshed_once_for_many_processes() {
    let idp = Idp::start(json!({"access_ttl": 6}));
    let env = idp.env();
    assert_eq!(device_login(&env, "bob").code, 0);
    let before: Value =
        serde_json::from_slice(&std::fs::read(env.home.join("credentials/sso.default")).unwrap())
            .unwrap();
    std::thread::sleep(Duration::from_secs(7));
    // Eight processes need a token at once; refresh tokens rotate, so a second refresh with
    // the same one would be refused and end the session.
    let kids: Vec<Child> = (0..8)
        .map(|_| {
            env.cmd(&["whoami", "-o", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in kids {
        let o = k.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let after: Value =
        serde_json::from_slice(&std::fs::read(env.home.join("credentials/sso.default")).unwrap())
            .unwrap();
    assert_ne!(before["access_token"], after["access_token"]);
    assert_ne!(
        before["refresh_token"], after["refresh_token"],
        "the refresh token rotated"
    );
    // Read without SSO settings, so that the read itself refreshes nothing.
    let reader = Env::new().var("PROMPTCRAFT_HOME", &env.home.display().to_string());
    let refreshes = audit_events(&reader)
        .into_iter()
        .filter(|e| e["action"]["operation"] == "auth.refresh")
        .count();
    assert_eq!(refreshes, 1);
}

struct Daemon<'a> {
    env: &'a Env,
    child: Child,
}

impl Drop for Daemon<'_> {
    fn drop(&mut self) {
        let _ = self.env.run(&["daemon", "stop"]);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_daemon<'a>(env: &'a Env, args: &[&str]) -> Daemon<'a> {
    let mut all = vec!["daemon", "run"];
    all.extend_from_slice(args);
    // Its log is kept beside the home, where the tests look for leaked secrets.
    let log = std::fs::File::create(env.dir.path().join("daemon.stderr")).unwrap();
    let child = env
        .cmd(&all)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while env.run(&["daemon", "status"]).code != 0 {
        assert!(Instant::now() < deadline, "the daemon did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Daemon { env, child }
}

/// GET `url` (plain http on loopback) with a bearer token: the status and body. Written
/// by hand, because curl will not send a header of a megabyte.
fn curl(url: &str, token: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let code = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

#[test]
fn the_team_api_takes_only_valid_bearer_tokens() {
    let idp = Idp::start(json!({}));
    let env = idp.env().var("PC_HYBRID_DAEMON", "auto");
    // TLS is required off loopback.
    let o = env.run(&["daemon", "run", "--listen", "0.0.0.0:1"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("TLS is required"), "{o:?}");

    let port = common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let _d = run_daemon(&env, &["--listen", &listen]);
    let base = format!("http://{listen}/api/v4");
    let now = chrono::Utc::now().timestamp();
    let good = json!({"iss": idp.issuer, "aud": "promptcraft-app", "sub": "alice",
        "preferred_username": "alice", "realm_access": {"roles": ["platform-admin"]}, "exp": now + 300});
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let specs = vec![
        json!({"claims": good, "sign": "key"}),
        json!({"claims": good, "sign": "none", "header": {"alg": "none"}}),
        json!({"claims": good, "sign": "hs256-public", "header": {"alg": "HS256"}}),
        json!({"claims": with("exp", json!(now - 600)), "sign": "key"}),
        json!({"claims": with("nbf", json!(now + 3600)), "sign": "key"}),
        json!({"claims": with("iss", json!("http://127.0.0.1:1/realms/evil")), "sign": "key"}),
        json!({"claims": with("aud", json!("account")), "sign": "key"}),
        json!({"claims": good, "sign": "key", "header": {"kid": "no-such-key"}}),
        json!({"claims": good, "sign": "tamper"}),
        json!({"claims": no_exp, "sign": "key"}),
        json!({"claims": good, "sign": "key", "pad": 1_000_000}),
        json!({"claims": good, "sign": "stranger"}),
    ];
    let first = idp
        .forge(&[json!({"claims": good, "sign": "key"})])
        .remove(0);
    let (code, body) = curl(&format!("{base}/agents"), Some(&first));
    assert_eq!(code, 200, "{body}");
    // Key rotation: a token of a new key is taken once the key set is fetched again.
    let mut idp = idp;
    idp.rotate();
    let tokens = idp.forge(&specs);
    assert_ne!(
        first.split('.').next(),
        tokens[0].split('.').next(),
        "a new kid"
    );
    let (code, body) = curl(&format!("{base}/agents"), Some(&tokens[0]));
    assert_eq!(code, 200, "{body}");
    let (code, body) = curl(&format!("{base}/auth/whoami"), Some(&tokens[0]));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"username\":\"alice\""), "{body}");
    let expect = [
        "algorithm `none`",
        "algorithm `HS256`",
        "expired",
        "not valid before",
        "issued by",
        "audience",
        "no-such-key",
        "signature",
        "`exp`",
        "larger than",
        "signature",
    ];
    for (t, words) in tokens[1..].iter().zip(expect) {
        let (code, body) = curl(&format!("{base}/agents"), Some(t));
        assert_eq!(code, 401, "{words}: {body}");
        assert!(body.contains(words), "{words}: {body}");
    }
    for junk in ["garbage", "a.b.c", "....", &"e".repeat(5000)] {
        let (code, _) = curl(&format!("{base}/agents"), Some(junk));
        assert_eq!(code, 401, "{junk:.20}");
    }
    let (code, _) = curl(&format!("{base}/agents"), None);
    assert_eq!(code, 401);
    // The socket-only endpoints are refused over TCP even with a valid token.
    let r = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {}", tokens[0]))
        .arg(format!("{base}/daemon/stop"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&r.stdout), "403");
    // The daemon still runs and every refusal is audited.
    assert_eq!(env.run(&["daemon", "status"]).code, 0);
    let refused = audit_events(&env)
        .into_iter()
        .filter(|e| e["event_type"] == "authentication" && e["outcome"]["status"] == "failure")
        .count();
    assert!(refused >= 16, "{refused}");

    // A roles check over TCP: bob (agent-developer) may not remove a server.
    let bob = json!({"iss": idp.issuer, "aud": "promptcraft-app", "sub": "bob",
        "preferred_username": "bob", "realm_access": {"roles": ["agent-developer"]}, "exp": now + 300});
    let bob = idp
        .forge(&[json!({"claims": bob, "sign": "key"})])
        .remove(0);
    let (code, body) = curl(&format!("{base}/mcp/servers"), Some(&bob));
    assert_eq!(code, 200, "{body}");
    let r = Command::new("curl")
        .args(["-s", "-X", "POST", "-H", "Content-Type: application/json"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {bob}"))
        .arg("--data")
        .arg(r#"{"request": {"op": "mcp.remove", "args": {"name": "some-server"}}}"#)
        .arg(format!("{base}/operations"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(
        text.contains("\"status\":403") && text.contains("`mcp_remove`"),
        "{text}"
    );

    // The gateway's /mcp on the team API: a bearer token is required, and its user owns
    // the session it makes.
    let mcp = |token: Option<&str>, session: Option<&str>, body: &str| -> (String, String) {
        let mut c = Command::new("curl");
        c.args([
            "-s",
            "-i",
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
        ]);
        if let Some(t) = token {
            c.arg("-H").arg(format!("Authorization: Bearer {t}"));
        }
        if let Some(sid) = session {
            c.arg("-H").arg(format!("mcp-session-id: {sid}"));
        }
        let o = c
            .arg("--data")
            .arg(body)
            .arg(format!("http://{listen}/mcp"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let code = text.split(' ').nth(1).unwrap_or("").to_owned();
        (code, text)
    };
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#;
    let (code, _) = mcp(None, None, init);
    assert_eq!(code, "401");
    let (code, text) = mcp(Some(&bob), None, init);
    assert_eq!(code, "200", "{text}");
    let sid = text
        .to_lowercase()
        .lines()
        .find_map(|l| {
            l.strip_prefix("mcp-session-id: ")
                .map(|v| v.trim().to_owned())
        })
        .unwrap();
    let list = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
    let (code, text) = mcp(Some(&bob), Some(&sid), list);
    assert_eq!(code, "200", "{text}");
    assert!(text.contains("\"tools\":"), "{text}");
    // Another user cannot use bob's session.
    let (code, _) = mcp(Some(&tokens[0]), Some(&sid), list);
    assert_eq!(code, "404");
}

fn redis() -> (Child, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server runs (Debian's redis-server; .ci/run installs it)");
    let url = format!("redis://127.0.0.1:{port}/0");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "redis did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, url, dir)
}

fn redis_cli(url: &str, args: &[&str]) -> String {
    let o = Command::new("redis-cli")
        .arg("-u")
        .arg(url)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

#[test]
fn daemons_share_sessions_through_redis_and_seal_the_tokens() {
    let idp = Idp::start(json!({}));
    let (mut redis, url, _rdir) = redis();
    let key = "a-shared-key-of-the-daemons-0123456789";
    let shared = tempfile::tempdir().unwrap();
    let db = format!("sqlite:///{}", shared.path().join("pc-hybrid.db").display());
    let mk = || {
        idp.env()
            .var("PC_HYBRID_TOKEN_STORAGE", "daemon")
            .var("PC_HYBRID_DAEMON", "auto")
            .var("REDIS_URL", &url)
            .var("ENCRYPTION_KEY", key)
            .var("ANALYTICS_DB_URL", &db)
            .var("ENTERPRISE_MODE", "true")
            .var("LOG_LEVEL", "DEBUG")
    };
    let (a, b) = (mk(), mk());
    {
        // Without the key, a daemon refuses Redis rather than store tokens in clear.
        let nokey = idp.env().var("REDIS_URL", &url);
        let o = nokey.run(&["daemon", "run"]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(o.stderr.contains("ENCRYPTION_KEY"), "{o:?}");
    }
    let da = run_daemon(&a, &[]);
    let db_ = run_daemon(&b, &[]);
    let o = device_login(&a, "alice");
    assert_eq!(o.code, 0, "{o:?}");
    let who = a.ok(&["whoami", "-o", "json"]).json();
    assert_eq!(who["identity"]["username"], "alice");
    assert!(
        who["session"]["storage"]
            .as_str()
            .unwrap()
            .contains("Redis"),
        "{who}"
    );
    let id = who["session"]["id"].as_str().unwrap().to_owned();
    // The CLI keeps only the handle, never a token.
    let creds = a.home.join("credentials");
    let files: Vec<String> = std::fs::read_dir(&creds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec!["session.default"]);
    assert_eq!(
        std::fs::read_to_string(creds.join("session.default"))
            .unwrap()
            .trim(),
        id
    );

    // Redis holds the reference design's hash, tokens sealed.
    let k = format!("session:{id}");
    assert_eq!(redis_cli(&url, &["HGET", &k, "username"]), "alice");
    assert_eq!(redis_cli(&url, &["HGET", &k, "roles"]), "platform-admin");
    let ttl: i64 = redis_cli(&url, &["TTL", &k]).parse().unwrap();
    assert!(ttl > 7 * 3600 && ttl <= 8 * 3600, "{ttl}");
    let sealed = redis_cli(&url, &["HGET", &k, "token"]);
    assert!(
        sealed.starts_with("v1:") && !sealed.contains("eyJ"),
        "{sealed:.40}"
    );

    // The other daemon serves the same session.
    std::fs::create_dir_all(b.home.join("credentials")).unwrap();
    std::fs::set_permissions(
        b.home.join("credentials"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    std::fs::copy(
        creds.join("session.default"),
        b.home.join("credentials/session.default"),
    )
    .unwrap();
    let who_b = b.ok(&["whoami", "-o", "json"]).json();
    assert_eq!(who_b["identity"]["username"], "alice");
    assert_eq!(who_b["session"]["id"], id.as_str());
    b.ok(&["mcp", "list"]);
    let token = b.ok(&["auth", "token"]).stdout.trim().to_owned();
    assert!(token.starts_with("eyJ"));
    // A request records its use in `last_activity` alone: the sealed tokens are not
    // written again for it.
    assert_eq!(redis_cli(&url, &["HGET", &k, "token"]), sealed);
    let active = redis_cli(&url, &["HGET", &k, "last_activity"]);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&active).is_ok(),
        "{active}"
    );

    // Logging out through one ends it for both.
    b.ok(&["logout"]);
    assert_eq!(redis_cli(&url, &["EXISTS", &k]), "0");
    let o = a.run(&["mcp", "list"]);
    assert_eq!(o.code, 3, "{o:?}");
    drop(da);
    drop(db_);
    // Without its daemon, the CLI says where the sessions are, and logout forgets the handle.
    let o = a.run(&["whoami"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("daemon start"), "{o:?}");
    let o = a.run(&["logout"]);
    assert_eq!(o.code, 0, "{o:?}");
    assert!(!creds.join("session.default").exists());
    let _ = redis.kill();
    let _ = redis.wait();
    // No token in any file the daemons or the CLI wrote.
    let keep = |_: &Path| false;
    let logged = std::fs::read_to_string(a.dir.path().join("daemon.stderr")).unwrap();
    assert!(logged.contains("info:"), "the daemon logged: {logged:.200}");
    assert_nowhere(a.dir.path(), &[&token], &keep);
    assert_nowhere(b.dir.path(), &[&token], &keep);
    assert_nowhere(shared.path(), &[&token], &keep);
}

#[test]
fn keycloak_variables_name_the_issuer_with_or_without_the_legacy_prefix() {
    let idp = Idp::start(json!({"prefix": "/auth/realms/promptcraft"}));
    let server = idp.issuer.split("/auth/realms").next().unwrap().to_owned();
    for server_url in [format!("{server}/auth"), server.clone()] {
        let env = Env::new()
            .var("KEYCLOAK_SERVER_URL", &server_url)
            .var("KEYCLOAK_REALM", "promptcraft")
            .var("KEYCLOAK_CLIENT_ID", "pc-hybrid-cli")
            .var("OIDC_AUDIENCE", "promptcraft-app")
            .var("PC_HYBRID_TOKEN_STORAGE", "file")
            .var("PC_HYBRID_DAEMON", "never");
        let o = device_login(&env, "bob");
        assert_eq!(o.code, 0, "{server_url}: {o:?}");
        let who = env.ok(&["whoami", "-o", "json"]).json();
        assert_eq!(who["identity"]["issuer"], idp.issuer.as_str());
    }
    // The audience Keycloak puts in a token without a mapper is named with the one expected.
    let env = idp.env().var("OIDC_AUDIENCE", "pc-hybrid-cli");
    let env = env.var("OIDC_ISSUER_URL", &idp.issuer);
    let o = device_login(&env, "bob");
    assert_eq!(o.code, 3, "{o:?}");
    assert!(
        o.stderr.contains("`promptcraft-app`") && o.stderr.contains("`pc-hybrid-cli`"),
        "{o:?}"
    );
    assert!(!env.home.join("credentials/sso.default").exists());
}

#[test]
fn the_keyring_that_cannot_store_names_the_alternatives() {
    let idp = Idp::start(json!({}));
    let env = idp.env().var("PC_HYBRID_TOKEN_STORAGE", "keyring");
    let p = start_login(&env, &["login", "--device"]);
    let b = browse(&p.url, &["--user", "bob"]);
    assert_eq!(b.code, 0, "{b:?}");
    let o = p.finish();
    // This machine's kernel keyring refuses storage: an error that says so. Where a
    // keyring works, the tokens are there. Never a file either way.
    if o.code == 0 {
        assert_eq!(
            env.ok(&["whoami", "-o", "json"]).json()["identity"]["username"],
            "bob"
        );
        env.ok(&["logout"]);
    } else {
        assert_eq!(o.code, 4, "{o:?}");
        assert!(
            o.stderr.contains("keyring")
                && o.stderr.contains("`file`")
                && o.stderr.contains("`daemon`"),
            "{o:?}"
        );
    }
    assert!(!env.home.join("credentials").exists());
}

/// A CA and a certificate for localhost and 127.0.0.1 it signed: (ca, cert, key).
fn tls_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (Debian's openssl)");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=pc-hybrid test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
    ]);
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

#[test]
fn another_machines_cli_uses_the_team_api_over_tls() {
    let idp = Idp::start(json!({}));
    let tls = tempfile::tempdir().unwrap();
    let (ca, cert, key) = tls_files(tls.path());
    let server = idp.env().var("PC_HYBRID_DAEMON", "auto");
    // A key others can read is refused.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let port = common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let (c, k) = (cert.display().to_string(), key.display().to_string());
    let o = server.run(&[
        "daemon",
        "run",
        "--listen",
        &listen,
        "--tls-cert",
        &c,
        "--tls-key",
        &k,
    ]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("chmod 600"), "{o:?}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let _d = run_daemon(
        &server,
        &["--listen", &listen, "--tls-cert", &c, "--tls-key", &k],
    );

    // The other machine: its own home, its own login, the daemon's URL.
    let client = idp
        .env()
        .var("PC_HYBRID_DAEMON", "auto")
        .var("PC_HYBRID_DAEMON_URL", &format!("https://localhost:{port}"))
        .var("SSL_CERT_FILE", &ca.display().to_string());
    let o = client.run(&["list-agents"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("pc-hybrid login"), "{o:?}");
    assert_eq!(device_login(&client, "bob").code, 0);
    client.ok(&["list-agents"]);
    client.ok(&["mcp", "list"]);
    let o = client.run(&["mcp", "remove", "some-server"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("`mcp_remove`"), "{o:?}");
    // The server's trail names the remote user, from its token.
    let events = audit_events(&server);
    let listed = events
        .iter()
        .find(|e| e["action"]["operation"] == "agent.list" && e["user_id"] == "bob")
        .expect("the remote call is recorded as bob's");
    assert_eq!(listed["source"]["ip_address"], "127.0.0.1");
    // Without the CA the server is not trusted.
    let untrusting = idp
        .env()
        .var("PC_HYBRID_DAEMON", "auto")
        .var("PC_HYBRID_DAEMON_URL", &format!("https://localhost:{port}"));
    assert_eq!(device_login(&untrusting, "bob").code, 0);
    let o = untrusting.run(&["list-agents"]);
    assert_eq!(o.code, 4, "{o:?}");
}

#[test]
fn doctor_checks_the_provider_and_the_session() {
    let idp = Idp::start(json!({}));
    let env = idp.env();
    let checks = |env: &Env| -> Vec<(String, String, String)> {
        let o = env.run(&["doctor", "-o", "json"]);
        o.json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["check"].as_str().unwrap().starts_with("sso"))
            .map(|c| {
                (
                    c["check"].as_str().unwrap().to_owned(),
                    c["status"].as_str().unwrap().to_owned(),
                    c["detail"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let c = checks(&env);
    let names: Vec<&str> = c.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "sso discovery",
            "sso flows",
            "sso keys",
            "sso clock",
            "sso token storage",
            "sso session"
        ]
    );
    for (name, status, detail) in &c[..5] {
        assert_eq!(status, "ok", "{name}: {detail}");
    }
    assert!(c[0].2.contains(&idp.issuer), "{c:?}");
    assert!(c[2].2.contains("1 signing key"), "{c:?}");
    assert_eq!(c[5].1, "warn", "not logged in: {c:?}");
    // Doctor makes no folder of its own.
    assert!(!env.home.join("credentials").exists());
    assert_eq!(device_login(&env, "bob").code, 0);
    let c = checks(&env);
    assert_eq!(c[5].1, "ok");
    assert!(c[5].2.contains("logged in as bob"), "{c:?}");

    // The keyring that cannot store, and a provider that is down, fail with what to do.
    let down = Env::new()
        .var(
            "OIDC_ISSUER_URL",
            &format!("http://127.0.0.1:{}/realms/x", common::free_port()),
        )
        .var("PC_HYBRID_TOKEN_STORAGE", "daemon")
        .var("PC_HYBRID_DAEMON", "never");
    let c = checks(&down);
    assert_eq!(c[0].0, "sso discovery");
    assert_eq!(c[0].1, "fail", "{c:?}");
    let storage = c.iter().find(|c| c.0 == "sso token storage").unwrap();
    assert_eq!(storage.1, "fail");
    assert!(storage.2.contains("none answers"), "{c:?}");
}

#[test]
fn parallel_logins_make_one_flow() {
    let idp = Idp::start(json!({}));
    let env = idp.env();
    let first = start_login(&env, &["login", "--device"]);
    // Started while the first waits for its user: they wait for it, and start no flow.
    let others: Vec<Child> = (0..3)
        .map(|_| {
            env.cmd(&["login", "--device"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let b = browse(&first.url, &["--user", "bob"]);
    assert_eq!(b.code, 0, "{b:?}");
    let o = first.finish();
    assert_eq!(o.code, 0, "{o:?}");
    for c in others {
        let o = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(err.contains("waiting for it"), "{err}");
        assert!(err.contains("finished while this one waited"), "{err}");
        assert!(
            !err.contains("user_code"),
            "a second flow was started: {err}"
        );
    }
    assert_eq!(
        env.ok(&["whoami", "-o", "json"]).json()["identity"]["username"],
        "bob"
    );
}

#[test]
fn profiles_keep_their_own_sessions() {
    let idp = Idp::start(json!({}));
    let env = Env::new()
        .var("PC_HYBRID_TOKEN_STORAGE", "file")
        .var("PC_HYBRID_DAEMON", "never");
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        format!(
            "auth:\n  profile: corp\n  profiles:\n    corp: {{issuer: \"{i}\", client_id: pc-hybrid-cli, audience: promptcraft-app}}\n    lab: {{issuer: \"{i}\", client_id: pc-hybrid-cli, audience: promptcraft-app}}\n",
            i = idp.issuer
        ),
    )
    .unwrap();
    assert_eq!(device_login(&env, "bob").code, 0);
    let p = start_login(&env, &["--profile", "lab", "login", "--device"]);
    assert_eq!(browse(&p.url, &["--user", "carol"]).code, 0);
    assert_eq!(p.finish().code, 0);
    let who = |args: &[&str]| env.ok(args).json()["identity"]["username"].clone();
    assert_eq!(who(&["whoami", "-o", "json"]), "bob");
    assert_eq!(who(&["--profile", "lab", "whoami", "-o", "json"]), "carol");
    let env_lab = Env::new().var("PROMPTCRAFT_HOME", &env.home.display().to_string());
    let env_lab = env_lab
        .var("PC_HYBRID_PROFILE", "lab")
        .var("PC_HYBRID_TOKEN_STORAGE", "file");
    assert_eq!(
        env_lab.ok(&["whoami", "-o", "json"]).json()["identity"]["username"],
        "carol"
    );
    let o = env.run(&["--profile", "nope", "whoami"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("`nope`") && o.stderr.contains("corp, lab"),
        "{o:?}"
    );
    // A profile with neither an issuer nor Keycloak's server is named with its file and key.
    std::fs::write(
        env.home.join("config.yaml"),
        "auth:\n  profiles:\n    broken: {client_id: x}\n",
    )
    .unwrap();
    let o = env.run(&["whoami"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("config.yaml: auth.profiles.broken"),
        "{o:?}"
    );
}

/// `gateway stdio` fed `lines` on stdin; its answers by request id.
fn gateway_stdio(env: &Env, lines: &[Value]) -> std::collections::HashMap<i64, Value> {
    let mut c = env.cmd(&["gateway", "stdio"]);
    c.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v.get("id")?.as_i64()?, v)))
        .collect()
}

#[test]
fn the_gateway_offers_and_runs_only_what_a_callers_roles_allow() {
    let idp = Idp::start(json!({}));
    let env = idp.env().var("ENTERPRISE_MODE", "true");
    std::fs::create_dir_all(&env.home).unwrap();
    std::fs::write(
        env.home.join("config.yaml"),
        "gateway:\n  access:\n    everything:\n      tools:\n        get-env: [platform-admin]\n",
    )
    .unwrap();
    let manifest = env.work.join("everything.yaml");
    std::fs::write(
        &manifest,
        format!(
            "apiVersion: mcp.promptcraft.io/v1\nkind: MCPServer\nmetadata:\n  name: everything\n  version: 1.0.0\nspec:\n  command:\n  - {}\n  - stdio\n  capabilities:\n  - name: echo\n    endpoint: /tools/echo\n    method: POST\n",
            tools().join("node_modules/.bin/mcp-server-everything").display()
        ),
    )
    .unwrap();
    assert_eq!(device_login(&env, "alice").code, 0);
    env.ok(&["mcp", "register", manifest.to_str().unwrap()]);
    let names = |env: &Env| -> Vec<String> {
        env.ok(&["gateway", "status", "-o", "json"]).json()["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(names(&env).contains(&"everything__get-env".to_string()));
    env.ok(&["invoke", "everything", "get-env"]);
    env.ok(&["logout"]);

    // An agent developer may call tools, but not the one kept for admins: it is not listed
    // to bob, and calling it anyway is refused, naming the rule's version, and audited.
    assert_eq!(device_login(&env, "bob").code, 0);
    let listed = names(&env);
    assert!(
        listed.contains(&"everything__echo".to_string()),
        "{listed:?}"
    );
    assert!(
        !listed.contains(&"everything__get-env".to_string()),
        "{listed:?}"
    );
    let o = env.run(&["invoke", "everything", "get-env"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(
        o.stderr.contains("may not call") && o.stderr.contains("platform-admin"),
        "{o:?}"
    );
    env.ok(&["invoke", "everything", "echo", "--arg", "message=hi"]);
    // The same over MCP: tools/list leaves it out, tools/call refuses it.
    let answers = gateway_stdio(
        &env,
        &[
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "everything__get-env", "arguments": {}}}),
        ],
    );
    let listed: Vec<&str> = answers[&2]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"everything__echo") && !listed.contains(&"everything__get-env"));
    assert_eq!(answers[&3]["error"]["code"], -32001, "{answers:?}");
    env.ok(&["logout"]);

    // An auditor may not call tools at all: nothing is listed, a call is refused.
    assert_eq!(device_login(&env, "dave").code, 0);
    let o = env.run(&["invoke", "everything", "echo", "--arg", "message=hi"]);
    assert_eq!(o.code, 3, "{o:?}");
    assert!(o.stderr.contains("tools_call"), "{o:?}");
    let answers = gateway_stdio(
        &env,
        &[
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        ],
    );
    assert_eq!(answers[&2]["result"]["tools"], json!([]), "{answers:?}");

    // Every refusal is an authorization event of the user and a denied execution.
    let events = audit_events(&env);
    let refused: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"]["operation"] == "tool.call" && e["event_type"] == "authorization")
        .collect();
    let users: Vec<&str> = refused
        .iter()
        .map(|e| e["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        users.iter().filter(|u| **u == "bob").count(),
        2,
        "{users:?}"
    );
    assert_eq!(
        users.iter().filter(|u| **u == "dave").count(),
        1,
        "{users:?}"
    );
    assert!(refused.iter().all(|e| e["outcome"]["status_code"] == 403));
    env.ok(&["logout"]);
    assert_eq!(device_login(&env, "alice").code, 0);
    let rows = env
        .ok(&["executions", "--status", "denied", "-o", "json"])
        .json();
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
}
