//! One connection of the gateway to one upstream MCP server (a replica of a deployed agent,
//! a registered server's process or URL): many calls in flight at once, progress passed
//! back, cancellation passed on, and a session that expired or a process that ended
//! re-initialised on the next call without troubling anyone else.

use std::collections::HashMap;
use std::os::unix::fs::OpenOptionsExt;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use crate::net::describe;

/// The protocol revision the gateway asks its upstreams for.
pub const PROTOCOL_VERSION: &str = "2025-06-18";
/// Largest message taken from an upstream.
pub const MAX_MESSAGE: usize = 16 << 20;

/// How an upstream is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Streamable HTTP at this URL, with these headers on every request.
    Http {
        url: String,
        headers: Vec<(String, String)>,
    },
    /// A process speaking newline-delimited JSON-RPC on stdin and stdout. An argument
    /// `{container}` is replaced by a new container name at each start, and that container
    /// is removed (`docker rm -f`) when the connection ends: `docker run` itself does not
    /// stop its container when it is killed.
    Stdio {
        argv: Vec<String>,
        env: Vec<(String, String)>,
        dir: std::path::PathBuf,
    },
}

impl Endpoint {
    /// How it is shown: the URL, or the program (never its environment).
    pub fn shown(&self) -> String {
        match self {
            Endpoint::Http { url, .. } => url.clone(),
            Endpoint::Stdio { argv, .. } => format!("stdio: {}", argv.join(" ")),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    /// Could not be reached or started: another replica may be tried.
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the upstream closed the connection")]
    Closed,
    #[error("{0}")]
    Protocol(String),
    #[error("the upstream answered HTTP {0}: {1}")]
    Http(u16, String),
}

/// What an upstream tells the gateway without being asked.
#[derive(Debug, Clone)]
pub enum Note {
    /// `notifications/tools/list_changed` (or the resources' or prompts').
    ListChanged { server: String },
    /// The process ended or the connection broke.
    Gone { server: String, replica: u32 },
}

type Pending = Mutex<HashMap<i64, oneshot::Sender<Value>>>;
type Progress = Mutex<HashMap<String, mpsc::UnboundedSender<Value>>>;

struct StdioConn {
    child: Mutex<Option<tokio::process::Child>>,
    /// The container started for it, removed with it.
    container: Option<(String, Vec<(String, String)>)>,
    /// Set when its output ends: the process is gone.
    dead: Arc<AtomicBool>,
    writer: mpsc::UnboundedSender<Vec<u8>>,
    pending: Arc<Pending>,
}

struct HttpConn {
    url: String,
    headers: Vec<(String, String)>,
    session: Mutex<Option<String>>,
    listening: AtomicBool,
}

enum Conn {
    Http(HttpConn),
    Stdio(StdioConn),
}

/// One live connection; replaced as a whole when its process ends.
struct Live {
    conn: Conn,
    /// What `initialize` answered.
    pub init: Value,
}

/// One upstream replica.
pub struct Upstream {
    pub server: String,
    pub replica: u32,
    pub endpoint: Endpoint,
    http: reqwest::Client,
    live: tokio::sync::Mutex<Option<Arc<Live>>>,
    next_id: AtomicI64,
    outstanding: AtomicUsize,
    /// Why the last attempt to reach it failed, while it stays unreachable.
    failure: Mutex<Option<String>>,
    progress: Arc<Progress>,
    notes: mpsc::UnboundedSender<Note>,
    /// How long connecting and `initialize` may take.
    connect_timeout: Duration,
}

/// A call's answer: the upstream's JSON-RPC response message (`result` or `error`).
pub type Answer = Value;

impl Upstream {
    pub fn new(
        server: &str,
        replica: u32,
        endpoint: Endpoint,
        http: reqwest::Client,
        notes: mpsc::UnboundedSender<Note>,
        connect_timeout: Duration,
    ) -> Arc<Upstream> {
        Arc::new(Upstream {
            server: server.to_owned(),
            replica,
            endpoint,
            http,
            live: tokio::sync::Mutex::new(None),
            next_id: AtomicI64::new(1),
            outstanding: AtomicUsize::new(0),
            failure: Mutex::new(None),
            progress: Arc::new(Mutex::new(HashMap::new())),
            notes,
            connect_timeout,
        })
    }

    pub fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::Relaxed)
    }

    /// Why it is unreachable, when the last attempt failed.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    fn set_failure(&self, why: Option<String>) {
        if let Ok(mut f) = self.failure.lock() {
            *f = why;
        }
    }

    /// The `initialize` answer, connecting first when needed.
    pub async fn initialized(self: &Arc<Self>) -> Result<Value, UpstreamError> {
        Ok(self.connection().await?.init.clone())
    }

    async fn connection(self: &Arc<Self>) -> Result<Arc<Live>, UpstreamError> {
        let mut slot = self.live.lock().await;
        if let Some(l) = slot.as_ref() {
            let alive = match &l.conn {
                Conn::Stdio(s) => !s.dead.load(Ordering::Relaxed),
                Conn::Http(_) => true,
            };
            if alive {
                return Ok(l.clone());
            }
        }
        *slot = None;
        let made = tokio::time::timeout(self.connect_timeout, self.connect()).await;
        let made = match made {
            Ok(r) => r,
            Err(_) => Err(UpstreamError::Connect(format!(
                "no answer to initialize within {} s",
                self.connect_timeout.as_secs()
            ))),
        };
        match made {
            Ok(l) => {
                self.set_failure(None);
                let l = Arc::new(l);
                *slot = Some(l.clone());
                if let Conn::Http(h) = &l.conn {
                    self.listen(h);
                }
                Ok(l)
            }
            Err(e) => {
                let e = match e {
                    UpstreamError::Connect(_) => e,
                    other => UpstreamError::Connect(other.to_string()),
                };
                self.set_failure(Some(e.to_string()));
                Err(e)
            }
        }
    }

    /// Forget the connection (its session expired, its process ended): the next call makes
    /// a new one.
    async fn reset(&self, stale: &Arc<Live>) {
        let mut slot = self.live.lock().await;
        if slot.as_ref().is_some_and(|l| Arc::ptr_eq(l, stale)) {
            if let Some(l) = slot.take() {
                if let Conn::Stdio(s) = &l.conn {
                    if let Ok(mut c) = s.child.lock() {
                        if let Some(mut c) = c.take() {
                            let _ = c.start_kill();
                        }
                    }
                    remove_container(s);
                }
            }
        }
    }

    async fn connect(self: &Arc<Self>) -> Result<Live, UpstreamError> {
        let conn = match &self.endpoint {
            Endpoint::Http { url, headers } => Conn::Http(HttpConn {
                url: url.clone(),
                headers: headers.clone(),
                session: Mutex::new(None),
                listening: AtomicBool::new(false),
            }),
            Endpoint::Stdio { argv, env, dir } => Conn::Stdio(self.spawn(argv, env, dir)?),
        };
        let mut live = Live {
            conn,
            init: Value::Null,
        };
        let init = self
            .exchange(
                &live,
                "initialize",
                json!({
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "pc-hybrid-gateway", "version": env!("CARGO_PKG_VERSION")},
                }),
                None,
            )
            .await?;
        let result = match (init.get("result"), init.get("error")) {
            (Some(r), _) => r.clone(),
            (None, Some(e)) => {
                return Err(UpstreamError::Protocol(format!(
                    "initialize was refused: {}",
                    e.get("message").and_then(Value::as_str).unwrap_or("?")
                )))
            }
            _ => return Err(UpstreamError::Protocol("initialize has no result".into())),
        };
        live.init = result;
        self.send_notification(&live, "notifications/initialized", json!({}))
            .await?;
        Ok(live)
    }

    fn spawn(
        self: &Arc<Self>,
        argv: &[String],
        env: &[(String, String)],
        dir: &std::path::Path,
    ) -> Result<StdioConn, UpstreamError> {
        let container = argv.iter().any(|a| a == CONTAINER).then(|| {
            format!(
                "pc-hybrid-gw-{}-{}",
                self.server,
                uuid::Uuid::new_v4().simple()
            )
        });
        let argv: Vec<String> = argv
            .iter()
            .map(|a| match (&container, a.as_str()) {
                (Some(n), CONTAINER) => n.clone(),
                _ => a.clone(),
            })
            .collect();
        // What the server says on stderr is kept beside it (`stderr.log` in its folder),
        // private to the user: a server may print what it was given.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(dir.join("stderr.log"))
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null());
        let mut cmd = tokio::process::Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .process_group(0);
        let mut child = cmd
            .spawn()
            .map_err(|e| UpstreamError::Connect(format!("starting `{}`: {e}", argv[0])))?;
        let mut stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                if stdin.write_all(&bytes).await.is_err() || stdin.flush().await.is_err() {
                    break;
                }
            }
        });
        let pending: Arc<Pending> = Arc::new(Mutex::new(HashMap::new()));
        let reader_pending = pending.clone();
        let progress = self.progress.clone();
        let notes = self.notes.clone();
        let server = self.server.clone();
        let replica = self.replica;
        let answer = tx.clone();
        let dead = Arc::new(AtomicBool::new(false));
        let reader_dead = dead.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::with_capacity(1 << 16, stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.len() > MAX_MESSAGE {
                    continue;
                }
                let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                dispatch(
                    &msg,
                    &reader_pending,
                    &progress,
                    &notes,
                    &server,
                    Some(&answer),
                );
            }
            // The process ended: every call waiting on it fails now, not at its timeout.
            reader_dead.store(true, Ordering::Relaxed);
            if let Ok(mut p) = reader_pending.lock() {
                p.clear();
            }
            let _ = notes.send(Note::Gone { server, replica });
        });
        Ok(StdioConn {
            child: Mutex::new(Some(child)),
            container: container.map(|n| (n, env.to_vec())),
            dead,
            writer: tx,
            pending,
        })
    }

    /// For an HTTP upstream: read the server's own stream (GET) for the notifications it
    /// sends outside any call. A server without one (405) is simply not listened to.
    fn listen(self: &Arc<Self>, h: &HttpConn) {
        if h.listening.swap(true, Ordering::Relaxed) {
            return;
        }
        let session = h.session.lock().ok().and_then(|s| s.clone());
        let mut req = self
            .http
            .get(h.url.as_str())
            .header("accept", "text/event-stream")
            .header("mcp-protocol-version", PROTOCOL_VERSION);
        for (k, v) in &h.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(s) = session {
            req = req.header("mcp-session-id", s);
        }
        let notes = self.notes.clone();
        let server = self.server.clone();
        let progress = self.progress.clone();
        tokio::spawn(async move {
            let Ok(mut resp) = req.send().await else {
                return;
            };
            if !resp.status().is_success() {
                return;
            }
            let none: Pending = Mutex::new(HashMap::new());
            let mut buf = Vec::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                buf.extend_from_slice(&chunk);
                while let Some(data) = crate::net::next_event(&mut buf) {
                    if let Ok(msg) = serde_json::from_str::<Value>(&data) {
                        dispatch(&msg, &none, &progress, &notes, &server, None);
                    }
                }
                if buf.len() > MAX_MESSAGE {
                    return;
                }
            }
        });
    }

    /// Send `method` and wait for its answer; notifications/progress for the call go to
    /// `progress`. Dropping the future leaves the upstream call running: the caller sends
    /// `notifications/cancelled` (see [`Upstream::cancel`]).
    pub async fn request(
        self: &Arc<Self>,
        method: &str,
        params: Value,
        progress: Option<mpsc::UnboundedSender<Value>>,
    ) -> Result<(Answer, i64), UpstreamError> {
        self.request_tracked(method, params, progress, &AtomicI64::new(0))
            .await
    }

    /// As [`Upstream::request`], keeping the id of the request in flight in `current`, so
    /// that a caller that stops waiting can cancel it.
    pub async fn request_tracked(
        self: &Arc<Self>,
        method: &str,
        params: Value,
        progress: Option<mpsc::UnboundedSender<Value>>,
        current: &AtomicI64,
    ) -> Result<(Answer, i64), UpstreamError> {
        self.outstanding.fetch_add(1, Ordering::Relaxed);
        let _done = Outstanding(&self.outstanding);
        // A session that expired (HTTP 404) or a process that ended is made again once.
        for attempt in 0..2 {
            let live = self.connection().await?;
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            current.store(id, Ordering::Relaxed);
            let mut params = params.clone();
            let token = progress.as_ref().map(|tx| {
                let token = format!("{}-{id}", self.replica);
                if let Ok(mut p) = self.progress.lock() {
                    p.insert(token.clone(), tx.clone());
                }
                if let Some(o) = params.as_object_mut() {
                    let meta = o.entry("_meta").or_insert_with(|| json!({}));
                    if let Some(m) = meta.as_object_mut() {
                        m.insert("progressToken".into(), json!(token));
                    }
                }
                token
            });
            let answer = self.exchange_id(&live, id, method, params, token).await;
            match answer {
                // Refused unseen: safe to send again. A call whose process died under it is
                // not sent twice (a tool may not be idempotent).
                Err(UpstreamError::Http(404, _)) if attempt == 0 => {
                    log::info!(
                        "upstream {}#{}: session ended, initializing again",
                        self.server,
                        self.replica
                    );
                    self.reset(&live).await;
                    continue;
                }
                Err(e @ UpstreamError::Closed) => {
                    self.reset(&live).await;
                    return Err(e);
                }
                // Unreachable now (its process died): marked, so that calls go elsewhere
                // until it answers again.
                Err(e @ UpstreamError::Connect(_)) => {
                    self.set_failure(Some(e.to_string()));
                    self.reset(&live).await;
                    return Err(e);
                }
                Ok(a) => {
                    if self.failure().is_some() {
                        self.set_failure(None);
                    }
                    return Ok((a, id));
                }
                Err(e) => return Err(e),
            }
        }
        Err(UpstreamError::Closed)
    }

    /// Pass a client's cancellation of request `id` on.
    pub async fn cancel(self: &Arc<Self>, id: i64, reason: &str) {
        let live = self.live.lock().await.clone();
        if let Some(live) = live {
            let _ = self
                .send_notification(
                    &live,
                    "notifications/cancelled",
                    json!({"requestId": id, "reason": reason}),
                )
                .await;
            if let Conn::Stdio(s) = &live.conn {
                if let Ok(mut p) = s.pending.lock() {
                    p.remove(&id);
                }
            }
        }
    }

    async fn exchange(
        &self,
        live: &Live,
        method: &str,
        params: Value,
        token: Option<String>,
    ) -> Result<Answer, UpstreamError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.exchange_id(live, id, method, params, token).await
    }

    async fn exchange_id(
        &self,
        live: &Live,
        id: i64,
        method: &str,
        params: Value,
        token: Option<String>,
    ) -> Result<Answer, UpstreamError> {
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let out = match &live.conn {
            Conn::Stdio(s) => {
                let (tx, rx) = oneshot::channel();
                if let Ok(mut p) = s.pending.lock() {
                    p.insert(id, tx);
                }
                let mut bytes = serde_json::to_vec(&msg).unwrap_or_default();
                bytes.push(b'\n');
                if s.writer.send(bytes).is_err() {
                    Err(UpstreamError::Closed)
                } else {
                    rx.await.map_err(|_| UpstreamError::Closed)
                }
            }
            Conn::Http(h) => self.post(h, &msg, Some(id)).await.and_then(|v| {
                v.ok_or_else(|| UpstreamError::Protocol("no answer in the response".into()))
            }),
        };
        if let Some(t) = token {
            if let Ok(mut p) = self.progress.lock() {
                p.remove(&t);
            }
        }
        out
    }

    async fn send_notification(
        &self,
        live: &Live,
        method: &str,
        params: Value,
    ) -> Result<(), UpstreamError> {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        match &live.conn {
            Conn::Stdio(s) => {
                let mut bytes = serde_json::to_vec(&msg).unwrap_or_default();
                bytes.push(b'\n');
                s.writer.send(bytes).map_err(|_| UpstreamError::Closed)
            }
            Conn::Http(h) => self.post(h, &msg, None).await.map(|_| ()),
        }
    }

    async fn post(
        &self,
        h: &HttpConn,
        msg: &Value,
        want: Option<i64>,
    ) -> Result<Option<Value>, UpstreamError> {
        let mut req = self
            .http
            .post(h.url.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", PROTOCOL_VERSION)
            .body(serde_json::to_vec(msg).unwrap_or_default());
        for (k, v) in &h.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let session = h.session.lock().ok().and_then(|s| s.clone());
        if let Some(s) = &session {
            req = req.header("mcp-session-id", s.as_str());
        }
        let mut resp = req.send().await.map_err(|e| {
            if e.is_connect() {
                UpstreamError::Connect(describe(&e))
            } else {
                UpstreamError::Protocol(describe(&e))
            }
        })?;
        if let Some(s) = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            if let Ok(mut slot) = h.session.lock() {
                *slot = Some(s.to_owned());
            }
        }
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(UpstreamError::Http(
                status.as_u16(),
                body.chars().take(300).collect(),
            ));
        }
        let Some(id) = want else { return Ok(None) };
        let sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"));
        if !sse {
            let body = resp
                .bytes()
                .await
                .map_err(|e| UpstreamError::Protocol(describe(&e)))?;
            if body.len() > MAX_MESSAGE {
                return Err(UpstreamError::Protocol(format!(
                    "an answer of {} bytes, over the limit of {MAX_MESSAGE}",
                    body.len()
                )));
            }
            return serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| UpstreamError::Protocol(format!("the answer is not JSON: {e}")));
        }
        let none: Pending = Mutex::new(HashMap::new());
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let chunk = resp
                .chunk()
                .await
                .map_err(|e| UpstreamError::Protocol(describe(&e)))?;
            let Some(chunk) = chunk else {
                return Err(UpstreamError::Closed);
            };
            buf.extend_from_slice(&chunk);
            while let Some(data) = crate::net::next_event(&mut buf) {
                let Ok(v) = serde_json::from_str::<Value>(&data) else {
                    continue;
                };
                if v.get("id").and_then(Value::as_i64) == Some(id) && v.get("method").is_none() {
                    return Ok(Some(v));
                }
                dispatch(&v, &none, &self.progress, &self.notes, &self.server, None);
            }
            if buf.len() > MAX_MESSAGE {
                return Err(UpstreamError::Protocol(
                    "an SSE event larger than 16 MiB".into(),
                ));
            }
        }
    }

    /// Stop its process, if it has one.
    pub async fn shutdown(&self) {
        let mut slot = self.live.lock().await;
        if let Some(l) = slot.take() {
            if let Conn::Stdio(s) = &l.conn {
                let child = s.child.lock().ok().and_then(|mut c| c.take());
                if let Some(mut c) = child {
                    let _ = c.start_kill();
                    let _ = tokio::time::timeout(Duration::from_secs(2), c.wait()).await;
                }
                if let Some(rm) = remove_container(s) {
                    let _ = tokio::time::timeout(Duration::from_secs(10), rm).await;
                }
            }
        }
    }
}

/// The argument of a stdio command replaced by the name of the container it starts.
pub const CONTAINER: &str = "{container}";

/// Remove the container a connection started, if any; the removal runs on its own, and
/// can be waited for.
fn remove_container(s: &StdioConn) -> Option<tokio::task::JoinHandle<()>> {
    let (name, env) = s.container.clone()?;
    Some(tokio::spawn(async move {
        let _ = tokio::process::Command::new("docker")
            .args(["rm", "-f", &name])
            .env_clear()
            .envs(env)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }))
}

struct Outstanding<'a>(&'a AtomicUsize);

impl Drop for Outstanding<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Route one message an upstream sent: an answer to its waiter, progress to its call, a
/// change of lists to the gateway, a ping answered.
fn dispatch(
    msg: &Value,
    pending: &Pending,
    progress: &Progress,
    notes: &mpsc::UnboundedSender<Note>,
    server: &str,
    answer: Option<&mpsc::UnboundedSender<Vec<u8>>>,
) {
    let method = msg.get("method").and_then(Value::as_str);
    match (method, msg.get("id")) {
        (None, Some(id)) => {
            if let Some(id) = id.as_i64() {
                let waiter = pending.lock().ok().and_then(|mut p| p.remove(&id));
                if let Some(w) = waiter {
                    let _ = w.send(msg.clone());
                }
            }
        }
        (Some("notifications/progress"), None) => {
            let params = msg.get("params").cloned().unwrap_or(Value::Null);
            let token = match params.get("progressToken") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => return,
            };
            let tx = progress.lock().ok().and_then(|p| p.get(&token).cloned());
            if let Some(tx) = tx {
                let _ = tx.send(params);
            }
        }
        (
            Some(
                "notifications/tools/list_changed"
                | "notifications/resources/list_changed"
                | "notifications/prompts/list_changed",
            ),
            None,
        ) => {
            let _ = notes.send(Note::ListChanged {
                server: server.to_owned(),
            });
        }
        (Some(m), Some(id)) => {
            // A request of the server: ping is answered; the gateway offers no client
            // features (sampling, roots, elicitation) to upstreams.
            let reply = if m == "ping" {
                json!({"jsonrpc": "2.0", "id": id, "result": {}})
            } else {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "the pc-hybrid gateway does not offer this to servers"}})
            };
            if let Some(tx) = answer {
                let mut bytes = serde_json::to_vec(&reply).unwrap_or_default();
                bytes.push(b'\n');
                let _ = tx.send(bytes);
            }
        }
        _ => {}
    }
}
