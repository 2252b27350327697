//! The gateway itself: the upstreams of every deployed agent and runnable registered server,
//! their live tools merged under the gateway's names (definitions checked against their
//! pins), and the path of one call: find, authorise, limit, validate, route to the least
//! busy healthy replica, time out, cancel, measure.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use super::names::{self, Hidden};
use super::pins::{self, Verdict};
use super::policy::{GatewayConfig, Meter};
use super::upstream::{Endpoint, Note, Upstream, UpstreamError};
use crate::store::{DomainStore, ExecutionStatus, ToolPin};

/// Where one server's replicas are reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub server: String,
    /// A deployed agent (else a registered server).
    pub agent: bool,
    pub replicas: Vec<(u32, Endpoint)>,
}

/// What the gateway is built with.
pub struct Options {
    pub http: reqwest::Client,
    pub config: GatewayConfig,
    pub connect_timeout: Duration,
    /// The calls already recorded, which limits count from when a process starts.
    pub recorded: Option<Arc<dyn crate::store::ExecutionStore>>,
}

/// One tool as clients see it.
pub struct Tool {
    pub name: String,
    pub server: String,
    pub tool: String,
    /// The upstream's definition with the gateway's name.
    pub definition: Value,
    validator: OnceLock<Option<Arc<jsonschema::Validator>>>,
}

/// A tool not offered, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Withheld {
    pub server: String,
    pub tool: String,
    pub reason: String,
}

/// One replica's state, as `gateway status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReplicaState {
    pub server: String,
    pub replica: u32,
    pub endpoint: String,
    pub healthy: bool,
    pub outstanding: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// The merged tools at one moment.
#[derive(Default)]
pub struct Catalog {
    pub version: u64,
    pub tools: Vec<Arc<Tool>>,
    index: HashMap<String, usize>,
    pub withheld: Vec<Withheld>,
    /// Prompts under the gateway's names: (name, server, the server's name, definition).
    pub prompts: Vec<(String, String, String, Value)>,
    /// Resources as their servers publish them (a URI two servers publish is left out),
    /// with their server.
    pub resources: Vec<(String, Value)>,
    /// Resource templates with their server.
    pub templates: Vec<(String, Value)>,
}

impl Catalog {
    pub fn tool(&self, name: &str) -> Option<&Arc<Tool>> {
        self.index.get(name).map(|i| &self.tools[*i])
    }

    /// The server and its own name of the prompt clients know as `name`.
    pub fn prompt(&self, name: &str) -> Option<(&str, &str)> {
        self.prompts
            .iter()
            .find(|p| p.0 == name)
            .map(|p| (p.1.as_str(), p.2.as_str()))
    }

    /// The server of the resource at `uri`: the one that lists it, else the one with a
    /// template whose fixed start the URI has (the longest such start).
    pub fn resource_server(&self, uri: &str) -> Option<&str> {
        if let Some((s, _)) = self
            .resources
            .iter()
            .find(|(_, r)| r.get("uri").and_then(Value::as_str) == Some(uri))
        {
            return Some(s);
        }
        self.templates
            .iter()
            .filter_map(|(s, t)| {
                let tpl = t.get("uriTemplate")?.as_str()?;
                let fixed = tpl.split('{').next().unwrap_or(tpl);
                (!fixed.is_empty() && uri.starts_with(fixed)).then_some((fixed.len(), s))
            })
            .max_by_key(|(n, _)| *n)
            .map(|(_, s)| s.as_str())
    }
}

/// A warning the gateway raised while refreshing (a definition that changed, a new tool),
/// for the caller to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub server: String,
    pub tool: String,
    pub message: String,
}

/// Who is calling, as the gateway needs it.
#[derive(Debug, Clone)]
pub struct Who {
    pub user: String,
    /// The caller's roles, when the access rules apply to it.
    pub roles: Option<Vec<String>>,
}

/// A JSON-RPC error for the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
}

pub const INVALID_PARAMS: i64 = -32602;
/// The gateway's own refusals and upstream failures (the implementation-defined range).
pub const DENIED: i64 = -32001;
pub const LIMITED: i64 = -32002;
pub const TIMED_OUT: i64 = -32003;
pub const UPSTREAM: i64 = -32004;
pub const TOO_LARGE: i64 = -32005;
pub const CANCELLED: i64 = -32800;

/// What one request to an upstream came to.
pub struct Sent {
    pub answer: Result<Value, RpcError>,
    pub status: ExecutionStatus,
    pub status_code: i64,
    pub replica: Option<u32>,
}

/// How one call went: the answer for the client and the facts for its execution record.
#[derive(Debug, Clone)]
pub struct CallOutcome {
    pub answer: Result<Value, RpcError>,
    pub status: ExecutionStatus,
    /// HTTP-like: 200, 400 (arguments), 403, 404, 413, 429, 499 (cancelled), 502, 504.
    pub status_code: i64,
    pub server: String,
    pub tool: String,
    pub replica: Option<u32>,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub tokens_in: Option<u64>,
    pub tokens_out: Option<u64>,
    pub cost: Option<f64>,
    pub model: Option<String>,
    pub latency: Duration,
}

impl CallOutcome {
    fn refused(
        server: &str,
        tool: &str,
        status: ExecutionStatus,
        status_code: i64,
        error: RpcError,
        request_bytes: u64,
    ) -> CallOutcome {
        CallOutcome {
            answer: Err(error),
            status,
            status_code,
            server: server.into(),
            tool: tool.into(),
            replica: None,
            request_bytes,
            response_bytes: 0,
            tokens_in: None,
            tokens_out: None,
            cost: None,
            model: None,
            latency: Duration::ZERO,
        }
    }

    /// The message of a failure, for the records.
    pub fn error(&self) -> Option<String> {
        match &self.answer {
            Err(e) => Some(e.message.clone()),
            Ok(r) if r.get("isError").and_then(Value::as_bool) == Some(true) => Some(
                r.pointer("/content/0/text")
                    .and_then(Value::as_str)
                    .unwrap_or("the tool reported an error")
                    .chars()
                    .take(500)
                    .collect(),
            ),
            Ok(_) => None,
        }
    }
}

pub struct Gateway {
    opts: Options,
    catalog: RwLock<Arc<Catalog>>,
    upstreams: Mutex<BTreeMap<String, Vec<Arc<Upstream>>>>,
    refreshing: tokio::sync::Mutex<()>,
    changed: broadcast::Sender<u64>,
    notes: mpsc::UnboundedSender<Note>,
    notes_rx: Mutex<Option<mpsc::UnboundedReceiver<Note>>>,
    meter: Meter,
    version: AtomicU64,
}

impl Gateway {
    pub fn new(opts: Options) -> Gateway {
        let (notes, rx) = mpsc::unbounded_channel();
        Gateway {
            opts,
            catalog: RwLock::new(Arc::new(Catalog::default())),
            upstreams: Mutex::new(BTreeMap::new()),
            refreshing: tokio::sync::Mutex::new(()),
            changed: broadcast::channel(16).0,
            notes,
            notes_rx: Mutex::new(Some(rx)),
            meter: Meter::default(),
            version: AtomicU64::new(0),
        }
    }

    pub fn config(&self) -> &GatewayConfig {
        &self.opts.config
    }

    /// The merged tools now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Told each time the tools offered change (their catalog version).
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.changed.subscribe()
    }

    /// What upstreams say by themselves (a list changed, a process ended); taken once, by
    /// whoever keeps the catalog fresh.
    pub fn take_notes(&self) -> Option<mpsc::UnboundedReceiver<Note>> {
        self.notes_rx.lock().ok().and_then(|mut r| r.take())
    }

    /// Every replica and how it is.
    pub fn replicas(&self) -> Vec<ReplicaState> {
        let ups = self.upstreams.lock().map(|u| u.clone()).unwrap_or_default();
        ups.values()
            .flatten()
            .map(|u| {
                let failure = u.failure();
                ReplicaState {
                    server: u.server.clone(),
                    replica: u.replica,
                    endpoint: u.endpoint.shown(),
                    healthy: failure.is_none(),
                    outstanding: u.outstanding(),
                    failure,
                }
            })
            .collect()
    }

    /// Make the catalog anew from `sources`: connect what is new, drop what is gone, list
    /// every server's tools live and judge them against the pins in `store`. `pin` names
    /// servers whose definitions are taken as they are now (just deployed or registered).
    pub async fn refresh(
        &self,
        sources: Vec<Source>,
        store: &dyn DomainStore,
        pin: &[String],
    ) -> crate::error::Result<Vec<Warning>> {
        let _one = self.refreshing.lock().await;
        let wanted: BTreeMap<String, Source> =
            sources.into_iter().map(|s| (s.server.clone(), s)).collect();
        let mut stale = Vec::new();
        {
            let mut ups = self.upstreams.lock().map_err(|_| poisoned())?;
            let gone: Vec<String> = ups
                .keys()
                .filter(|k| !wanted.contains_key(*k))
                .cloned()
                .collect();
            for g in gone {
                stale.extend(ups.remove(&g).unwrap_or_default());
            }
            for (name, src) in &wanted {
                let have = ups.entry(name.clone()).or_default();
                let same = have.len() == src.replicas.len()
                    && have
                        .iter()
                        .zip(&src.replicas)
                        .all(|(u, (i, e))| u.replica == *i && &u.endpoint == e);
                if !same {
                    stale.append(have);
                    *have = src
                        .replicas
                        .iter()
                        .map(|(i, e)| {
                            Upstream::new(
                                name,
                                *i,
                                e.clone(),
                                self.opts.http.clone(),
                                self.notes.clone(),
                                self.opts.connect_timeout,
                            )
                        })
                        .collect();
                }
            }
        }
        for s in stale {
            tokio::spawn(async move { s.shutdown().await });
        }
        let ups = self.upstreams.lock().map_err(|_| poisoned())?.clone();
        let listed =
            futures_util::future::join_all(ups.iter().map(|(name, replicas)| async move {
                (name.clone(), list_server(replicas).await)
            }))
            .await;
        let mut prompt_names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut prompt_defs: HashMap<(String, String), Value> = HashMap::new();
        let mut resources: Vec<(String, Value)> = Vec::new();
        let mut templates: Vec<(String, Value)> = Vec::new();
        let listed: Vec<(String, Result<Vec<Value>, String>)> = listed
            .into_iter()
            .map(|(server, l)| match l {
                Ok(l) => {
                    for p in l.prompts {
                        if let Some(n) = p.get("name").and_then(Value::as_str) {
                            prompt_names
                                .entry(server.clone())
                                .or_default()
                                .push(n.to_owned());
                            prompt_defs.insert((server.clone(), n.to_owned()), p);
                        }
                    }
                    resources.extend(l.resources.into_iter().map(|r| (server.clone(), r)));
                    templates.extend(l.templates.into_iter().map(|t| (server.clone(), t)));
                    let named = l
                        .tools
                        .into_iter()
                        .filter(|t| t.get("name").and_then(Value::as_str).is_some())
                        .collect();
                    (server, Ok(named))
                }
                Err(e) => (server, Err(e)),
            })
            .collect();
        // A URI two servers publish would be read from one of them at random: neither is.
        let mut uris: HashMap<String, usize> = HashMap::new();
        for (_, r) in &resources {
            if let Some(u) = r.get("uri").and_then(Value::as_str) {
                *uris.entry(u.to_owned()).or_default() += 1;
            }
        }
        resources.retain(|(_, r)| {
            r.get("uri")
                .and_then(Value::as_str)
                .is_some_and(|u| uris[u] == 1)
        });
        let (named_prompts, _) =
            names::assign(&prompt_names, self.opts.config.naming, &HashMap::new());
        let prompts: Vec<(String, String, String, Value)> = named_prompts
            .into_iter()
            .filter_map(|e| {
                let mut def = prompt_defs.remove(&(e.server.clone(), e.tool.clone()))?;
                if let Some(o) = def.as_object_mut() {
                    o.insert("name".into(), json!(e.name));
                }
                Some((e.name, e.server, e.tool, def))
            })
            .collect();

        let mut warnings = Vec::new();
        let mut withheld = Vec::new();
        let mut offered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut defs: HashMap<(String, String), Value> = HashMap::new();
        for (server, tools) in listed {
            let tools = match tools {
                Ok(t) => t,
                Err(why) => {
                    withheld.push(Withheld {
                        server: server.clone(),
                        tool: "*".into(),
                        reason: format!("no replica answers tools/list: {why}"),
                    });
                    continue;
                }
            };
            let judged = judge(store, &server, &tools, pin.contains(&server))?;
            warnings.extend(judged.warnings);
            withheld.extend(judged.withheld);
            for def in judged.allowed {
                let tool = def
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                offered
                    .entry(server.clone())
                    .or_default()
                    .push(tool.clone());
                defs.insert((server.clone(), tool), def);
            }
        }
        let aliases: HashMap<(String, String), String> = self
            .opts
            .config
            .aliases
            .iter()
            .filter_map(|(k, v)| {
                k.split_once('/')
                    .map(|(s, t)| ((s.to_owned(), t.to_owned()), v.clone()))
            })
            .collect();
        let (exposed, hidden) = names::assign(&offered, self.opts.config.naming, &aliases);
        withheld.extend(hidden.into_iter().map(|h: Hidden| Withheld {
            server: h.server,
            tool: h.tool,
            reason: h.reason,
        }));
        let mut tools = Vec::with_capacity(exposed.len());
        let mut index = HashMap::with_capacity(exposed.len());
        for e in exposed {
            let Some(mut def) = defs.remove(&(e.server.clone(), e.tool.clone())) else {
                continue;
            };
            if let Some(o) = def.as_object_mut() {
                o.insert("name".into(), json!(e.name));
            }
            index.insert(e.name.clone(), tools.len());
            tools.push(Arc::new(Tool {
                name: e.name,
                server: e.server,
                tool: e.tool,
                definition: def,
                validator: OnceLock::new(),
            }));
        }
        withheld.sort_by(|a, b| (&a.server, &a.tool).cmp(&(&b.server, &b.tool)));
        let old = self.catalog();
        let same = old.tools.len() == tools.len()
            && old
                .tools
                .iter()
                .zip(&tools)
                .all(|(a, b)| a.name == b.name && a.definition == b.definition);
        let version = if same {
            old.version
        } else {
            self.version.fetch_add(1, Ordering::Relaxed) + 1
        };
        let catalog = Arc::new(Catalog {
            version,
            tools,
            index,
            withheld,
            prompts,
            resources,
            templates,
        });
        if let Ok(mut c) = self.catalog.write() {
            *c = catalog;
        }
        if !same {
            let _ = self.changed.send(version);
        }
        Ok(warnings)
    }

    /// Call the tool the client knows as `name`.
    pub async fn call(
        &self,
        who: &Who,
        name: &str,
        arguments: Value,
        meta: Value,
        progress: Option<mpsc::UnboundedSender<Value>>,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> CallOutcome {
        let started = Instant::now();
        let request_bytes = serde_json::to_vec(&arguments)
            .map(|v| v.len() as u64)
            .unwrap_or(0);
        let catalog = self.catalog();
        let Some(tool) = catalog.tool(name).cloned() else {
            let (server, t) = name.split_once(names::SEPARATOR).unwrap_or(("", name));
            let why = catalog
                .withheld
                .iter()
                .find(|w| w.server == server && w.tool == t)
                .map(|w| format!("tool `{name}` is withheld: {}", w.reason))
                .unwrap_or_else(|| format!("no tool `{name}`; tools/list shows the tools"));
            let mut out = CallOutcome::refused(
                server,
                t,
                ExecutionStatus::Error,
                404,
                RpcError::new(INVALID_PARAMS, why),
                request_bytes,
            );
            out.latency = started.elapsed();
            return out;
        };
        let refuse = |status, code, err: RpcError| {
            let mut o =
                CallOutcome::refused(&tool.server, &tool.tool, status, code, err, request_bytes);
            o.latency = started.elapsed();
            o
        };
        let cfg = &self.opts.config;
        if let Err(why) = cfg.allows(who.roles.as_deref(), &tool.server, &tool.tool) {
            return refuse(
                ExecutionStatus::Denied,
                403,
                RpcError::new(DENIED, format!("{} may not call `{name}`: {why}", who.user)),
            );
        }
        if request_bytes > cfg.max_argument_bytes() {
            return refuse(
                ExecutionStatus::Error,
                413,
                RpcError::new(
                    TOO_LARGE,
                    format!(
                        "the arguments are {request_bytes} bytes, over the gateway's limit of {}",
                        cfg.max_argument_bytes()
                    ),
                ),
            );
        }
        if let Some(errors) = tool.invalid(&arguments) {
            let mut e = RpcError::new(
                INVALID_PARAMS,
                format!(
                    "the arguments do not fit the input schema of `{name}`: {}",
                    errors.join("; ")
                ),
            );
            e.data = Some(json!({"errors": errors}));
            return refuse(ExecutionStatus::Error, 400, e);
        }
        let seed = |w: super::policy::Whose| -> (u32, f64) {
            let Some(store) = &self.opts.recorded else {
                return (0, 0.0);
            };
            let now = chrono::Utc::now();
            let mut u = crate::store::executions::Usage::default();
            match w {
                super::policy::Whose::User(x) => u.user = Some(x.into()),
                super::policy::Whose::Agent(a) => u.agent = Some(a.into()),
                super::policy::Whose::Tool(a, t) => {
                    u.agent = Some(a.into());
                    u.tool = Some(t.into());
                }
            }
            let minute = store
                .usage(&u, now - chrono::Duration::seconds(60))
                .map(|r| r.0 as u32)
                .unwrap_or(0);
            let day = now
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map(|d| d.and_utc())
                .unwrap_or(now);
            let cost = store
                .usage(&u, day)
                .map(|r| r.1 as f64 / 1e6)
                .unwrap_or(0.0);
            (minute, cost)
        };
        if let Err(why) = self.meter.admit(
            &cfg.limits,
            &who.user,
            &tool.server,
            &tool.tool,
            Some(&seed),
        ) {
            return refuse(ExecutionStatus::Denied, 429, RpcError::new(LIMITED, why));
        }

        let params = json!({"name": tool.tool, "arguments": arguments, "_meta": meta});
        let sent = self
            .send(
                &tool.server,
                name,
                "tools/call",
                params,
                progress,
                cancel,
                started,
            )
            .await;
        let response_bytes = match &sent.answer {
            Ok(r) => serde_json::to_vec(r).map(|v| v.len() as u64).unwrap_or(0),
            Err(_) => 0,
        };
        let failed = sent
            .answer
            .as_ref()
            .is_ok_and(|r| r.get("isError").and_then(Value::as_bool) == Some(true));
        let mut out = CallOutcome {
            status: if failed {
                ExecutionStatus::Error
            } else {
                sent.status
            },
            status_code: sent.status_code,
            server: tool.server.clone(),
            tool: tool.tool.clone(),
            replica: sent.replica,
            request_bytes,
            response_bytes,
            tokens_in: None,
            tokens_out: None,
            cost: None,
            model: None,
            latency: started.elapsed(),
            answer: sent.answer,
        };
        if response_bytes > cfg.max_result_bytes() {
            out.answer = Err(RpcError::new(
                TOO_LARGE,
                format!(
                    "the result is {response_bytes} bytes, over the gateway's limit of {}",
                    cfg.max_result_bytes()
                ),
            ));
            out.status = ExecutionStatus::Error;
            out.status_code = 413;
        }
        if let Ok(r) = &out.answer {
            let meta = r.get("_meta").cloned();
            usage(meta.as_ref(), &mut out);
        }
        if let Some(c) = out.cost {
            self.meter
                .spend(&cfg.limits, &who.user, &tool.server, &tool.tool, c);
        }
        out
    }

    /// Send `method` to the least busy healthy replica of `server` (another one when it
    /// cannot be reached), within the call timeout from `started`, passing a cancellation
    /// on. `what` names the request in messages.
    #[allow(clippy::too_many_arguments)]
    pub async fn send(
        &self,
        server: &str,
        what: &str,
        method: &str,
        params: Value,
        progress: Option<mpsc::UnboundedSender<Value>>,
        cancel: &tokio_util::sync::CancellationToken,
        started: Instant,
    ) -> Sent {
        let cfg = &self.opts.config;
        let replicas = self
            .upstreams
            .lock()
            .ok()
            .and_then(|u| u.get(server).cloned())
            .unwrap_or_default();
        let mut tried = Vec::new();
        let mut last = String::from("no replica");
        let deadline = started + cfg.call_timeout();
        loop {
            let Some(up) = pick(&replicas, &tried) else {
                return Sent {
                    answer: Err(RpcError::new(
                        UPSTREAM,
                        format!("no replica of `{server}` could take the call: {last}"),
                    )),
                    status: ExecutionStatus::Error,
                    status_code: 502,
                    replica: None,
                };
            };
            tried.push(up.replica);
            let current = std::sync::atomic::AtomicI64::new(0);
            let call = up.request_tracked(method, params.clone(), progress.clone(), &current);
            let result = tokio::select! {
                r = call => Ok(r),
                _ = tokio::time::sleep_until(deadline.into()) => Err((TIMED_OUT, "timeout")),
                _ = cancel.cancelled() => Err((CANCELLED, "cancelled")),
            };
            let (answer, status_code, status) = match result {
                Err((code, why)) => {
                    let id = current.load(Ordering::Relaxed);
                    if id > 0 {
                        let up = up.clone();
                        let reason = if code == TIMED_OUT {
                            "the pc-hybrid gateway's call timeout"
                        } else {
                            "the client cancelled"
                        };
                        tokio::spawn(async move { up.cancel(id, reason).await });
                    }
                    let (message, status, http) = if code == TIMED_OUT {
                        (
                            format!(
                                "`{what}` did not answer within {} s",
                                cfg.call_timeout().as_secs()
                            ),
                            ExecutionStatus::Timeout,
                            504,
                        )
                    } else {
                        (
                            format!("the call to `{what}` was {why}"),
                            ExecutionStatus::Error,
                            499,
                        )
                    };
                    (Err(RpcError::new(code, message)), http, status)
                }
                Ok(Err(UpstreamError::Connect(why))) => {
                    last = format!("replica {}: {why}", up.replica);
                    continue;
                }
                Ok(Err(e)) => (
                    Err(RpcError::new(
                        UPSTREAM,
                        format!("`{server}` replica {} failed: {e}", up.replica),
                    )),
                    502,
                    ExecutionStatus::Error,
                ),
                Ok(Ok((msg, _))) => match (msg.get("result"), msg.get("error")) {
                    (Some(r), _) => (Ok(r.clone()), 200, ExecutionStatus::Success),
                    (None, Some(e)) => (
                        Err(RpcError {
                            code: e.get("code").and_then(Value::as_i64).unwrap_or(UPSTREAM),
                            message: e
                                .get("message")
                                .and_then(Value::as_str)
                                .unwrap_or("the upstream failed")
                                .chars()
                                .take(1000)
                                .collect(),
                            data: None,
                        }),
                        502,
                        ExecutionStatus::Error,
                    ),
                    _ => (
                        Err(RpcError::new(
                            UPSTREAM,
                            format!("`{server}` answered neither a result nor an error"),
                        )),
                        502,
                        ExecutionStatus::Error,
                    ),
                },
            };
            return Sent {
                answer,
                status,
                status_code,
                replica: Some(up.replica),
            };
        }
    }

    /// Stop every upstream process.
    pub async fn shutdown(&self) {
        let ups: Vec<Arc<Upstream>> = self
            .upstreams
            .lock()
            .map(|mut u| std::mem::take(&mut *u).into_values().flatten().collect())
            .unwrap_or_default();
        for u in ups {
            u.shutdown().await;
        }
    }
}

fn poisoned() -> crate::error::Error {
    crate::error::Error::Internal("the gateway's state is poisoned".into())
}

impl Tool {
    /// What is wrong with `arguments` by the tool's input schema, if anything.
    fn invalid(&self, arguments: &Value) -> Option<Vec<String>> {
        let v = self.validator.get_or_init(|| {
            let schema = self.definition.get("inputSchema")?;
            jsonschema::validator_for(schema).ok().map(Arc::new)
        });
        let v = v.as_ref()?;
        let errors: Vec<String> = v
            .iter_errors(arguments)
            .take(5)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".into() } else { at };
                format!("at {at}: {e}")
            })
            .collect();
        (!errors.is_empty()).then_some(errors)
    }
}

/// The least busy healthy replica not yet tried; an unhealthy one only when none is left
/// (it may have come back).
fn pick(replicas: &[Arc<Upstream>], tried: &[u32]) -> Option<Arc<Upstream>> {
    let left = replicas.iter().filter(|u| !tried.contains(&u.replica));
    let healthy = left
        .clone()
        .filter(|u| u.failure().is_none())
        .min_by_key(|u| u.outstanding());
    healthy
        .or_else(|| left.min_by_key(|u| u.outstanding()))
        .cloned()
}

/// Tokens, cost and model, when the result's `_meta` reports them.
fn usage(meta: Option<&Value>, out: &mut CallOutcome) {
    let Some(meta) = meta else {
        return;
    };
    let num = |p: &str| meta.pointer(p).and_then(Value::as_u64);
    out.tokens_in = num("/tokens_in").or_else(|| num("/usage/input_tokens"));
    out.tokens_out = num("/tokens_out").or_else(|| num("/usage/output_tokens"));
    out.cost = meta
        .get("cost")
        .and_then(Value::as_f64)
        .filter(|c| c.is_finite() && *c >= 0.0);
    out.model = meta.get("model").and_then(Value::as_str).map(str::to_owned);
}

/// What one server offers.
#[derive(Default)]
struct Offer {
    tools: Vec<Value>,
    prompts: Vec<Value>,
    resources: Vec<Value>,
    templates: Vec<Value>,
}

/// What a server offers, from the first replica that answers: its tools, and its prompts
/// and resources when its capabilities say it has them.
async fn list_server(replicas: &[Arc<Upstream>]) -> Result<Offer, String> {
    let mut last = "no replica".to_string();
    for up in replicas {
        let listed: Result<Offer, String> = async {
            let caps = up
                .initialized()
                .await
                .map_err(|e| e.to_string())?
                .get("capabilities")
                .cloned()
                .unwrap_or(Value::Null);
            let mut offer = Offer {
                tools: list_all(up, "tools/list", "tools").await?,
                ..Offer::default()
            };
            if caps.get("prompts").is_some() {
                offer.prompts = list_all(up, "prompts/list", "prompts").await?;
            }
            if caps.get("resources").is_some() {
                offer.resources = list_all(up, "resources/list", "resources").await?;
                // Templates are optional even for servers with resources.
                offer.templates = list_all(up, "resources/templates/list", "resourceTemplates")
                    .await
                    .unwrap_or_default();
            }
            Ok(offer)
        }
        .await;
        match listed {
            Ok(o) => return Ok(o),
            Err(e) => last = format!("replica {}: {e}", up.replica),
        }
    }
    Err(last)
}

/// Every item of a paginated list (following `nextCursor`).
async fn list_all(up: &Arc<Upstream>, method: &str, key: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let (msg, _) = up
            .request(method, params, None)
            .await
            .map_err(|e| e.to_string())?;
        let result = msg.get("result").ok_or_else(|| {
            format!(
                "{method} was refused: {}",
                msg.pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
            )
        })?;
        if let Some(t) = result.get(key).and_then(Value::as_array) {
            items.extend(t.iter().cloned());
        }
        cursor = result
            .get("nextCursor")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if cursor.is_none() {
            return Ok(items);
        }
    }
    Err(format!("{method} did not end after 100 pages"))
}

struct Judged {
    allowed: Vec<Value>,
    withheld: Vec<Withheld>,
    warnings: Vec<Warning>,
}

/// Compare a server's live tools with their pins: the same are offered; the first ones a
/// server ever shows (or all, when `take` says the server was just deployed or registered)
/// are pinned; a changed or new one is withheld, kept as pending for an admin to approve,
/// and warned about once.
fn judge(
    store: &dyn DomainStore,
    server: &str,
    tools: &[Value],
    take: bool,
) -> crate::error::Result<Judged> {
    let pinned: HashMap<String, ToolPin> = store
        .tool_pins(server)?
        .into_iter()
        .map(|p| (p.tool.clone(), p))
        .collect();
    let first = pinned.is_empty();
    let now = chrono::Utc::now();
    let mut out = Judged {
        allowed: Vec::new(),
        withheld: Vec::new(),
        warnings: Vec::new(),
    };
    let mut save = Vec::new();
    for def in tools {
        let name = def
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let hash = pins::hash(def);
        let pin = pinned.get(&name);
        if take || first {
            if pin.is_none_or(|p| p.hash != hash || p.pending_hash.is_some()) {
                save.push(ToolPin {
                    tool: name,
                    hash,
                    definition: def.clone(),
                    pinned_at: now,
                    pending_hash: None,
                    pending_definition: None,
                });
            }
            out.allowed.push(def.clone());
            continue;
        }
        match pins::judge(pin.map(|p| &p.definition), def) {
            Verdict::Same => {
                if let Some(p) = pin.filter(|p| p.pending_hash.is_some()) {
                    // Back to what was approved: nothing is pending any more.
                    save.push(ToolPin {
                        pending_hash: None,
                        pending_definition: None,
                        ..p.clone()
                    });
                }
                out.allowed.push(def.clone());
            }
            verdict => {
                let what = match &verdict {
                    Verdict::Changed(parts) => format!(
                        "its definition changed since it was pinned ({})",
                        parts.join(", ")
                    ),
                    _ => "it is new since the server's tools were pinned".into(),
                };
                let reason = format!(
                    "{what}; withheld until approved with `pc-hybrid mcp approve {server}`"
                );
                if pin.and_then(|p| p.pending_hash.as_deref()) != Some(hash.as_str()) {
                    out.warnings.push(Warning {
                        server: server.into(),
                        tool: name.clone(),
                        message: format!("tool `{name}` of `{server}`: {reason}"),
                    });
                    save.push(match pin {
                        Some(p) => ToolPin {
                            pending_hash: Some(hash),
                            pending_definition: Some(def.clone()),
                            ..p.clone()
                        },
                        None => ToolPin {
                            tool: name.clone(),
                            // Nothing approved yet: an empty definition no tool has.
                            hash: String::new(),
                            definition: Value::Null,
                            pinned_at: now,
                            pending_hash: Some(hash),
                            pending_definition: Some(def.clone()),
                        },
                    });
                }
                out.withheld.push(Withheld {
                    server: server.into(),
                    tool: name,
                    reason,
                });
            }
        }
    }
    if !save.is_empty() {
        store.save_pins(server, &save)?;
    }
    Ok(out)
}

/// Approve what `server`'s tools present now (their pending definitions); the tools
/// approved.
pub fn approve(
    store: &dyn DomainStore,
    server: &str,
    tool: Option<&str>,
) -> crate::error::Result<Vec<String>> {
    let pins = store.tool_pins(server)?;
    let now = chrono::Utc::now();
    let approved: Vec<ToolPin> = pins
        .into_iter()
        .filter(|p| p.pending_hash.is_some() && tool.is_none_or(|t| t == p.tool))
        .map(|p| ToolPin {
            hash: p.pending_hash.clone().unwrap_or_default(),
            definition: p.pending_definition.clone().unwrap_or(Value::Null),
            pinned_at: now,
            pending_hash: None,
            pending_definition: None,
            tool: p.tool,
        })
        .collect();
    store.save_pins(server, &approved)?;
    Ok(approved.into_iter().map(|p| p.tool).collect())
}

/// Pin `tools` as the approved definitions of `server` (it was just registered or
/// deployed); the number pinned.
pub fn pin_all(
    store: &dyn DomainStore,
    server: &str,
    tools: &[Value],
) -> crate::error::Result<usize> {
    let judged = judge(store, server, tools, true)?;
    Ok(judged.allowed.len())
}
