//! The daemon's HTTP/1.1 server on its Unix socket: every connection's peer checked by its
//! uid, the protocol version checked on every call, each operation run on a blocking thread
//! through `ops::execute`, its frames streamed back.

// A problem is the error path of one request, made at most once per request: its size
// costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Request as HttpRequest, Response as HttpResponse, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, Limited, StreamBody};
use hyper::body::{Bytes, Frame as BodyFrame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::sync::mpsc;

use super::api::{
    self, BytesFrame, Endpoint, FailedFrame, Frame, ItemFrame, Message, Problem, ReplyFrame,
    StepFrame, Title, PROTOCOL_HEADER, PROTOCOL_VERSION,
};
use crate::audit::event::{Category, EventType, Severity, Status};
use crate::error::{Error, Result};
use crate::ops::{self, Caller, Cancel, Context, Request, Runs, Sink, Step};

/// Largest request body taken.
pub const MAX_BODY: usize = 1 << 20;
/// Largest request head taken on the team API.
const MAX_HEADERS: usize = 2 << 20;
/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a running operation with nothing to send shows its client it is there.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long a client may take to send a request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

type Body = BoxBody<Bytes, Infallible>;

/// What the server shares between connections.
pub struct State {
    pub ctx: Arc<Context>,
    pub started: Instant,
    pub socket: std::path::PathBuf,
    /// The daemon's own user: the only one served.
    pub uid: u32,
    served: AtomicU64,
    running: AtomicU64,
    /// Cancelled to stop: no new connections, then the running operations are waited for.
    pub stop: Cancel,
    /// The gateway's MCP client sessions.
    pub mcp: super::mcp::Sessions,
}

impl State {
    pub fn new(ctx: Arc<Context>, socket: std::path::PathBuf) -> State {
        State {
            ctx,
            started: Instant::now(),
            socket,
            // SAFETY: geteuid has no preconditions.
            uid: unsafe { libc::geteuid() },
            served: AtomicU64::new(0),
            running: AtomicU64::new(0),
            stop: Cancel::new(),
            mcp: Default::default(),
        }
    }

    /// The audit pipeline's events waiting to be written, and written since it started.
    fn audit_counts(&self) -> (u64, u64) {
        self.ctx
            .recorder()
            .ok()
            .and_then(|r| {
                r.pipeline().map(|p| {
                    (
                        p.stats().queued.load(Ordering::Relaxed),
                        p.stats().written.load(Ordering::Relaxed),
                    )
                })
            })
            .unwrap_or_default()
    }

    fn status(&self) -> api::Status {
        let (depth, written) = self.audit_counts();
        let s = &self.ctx.settings;
        api::Status {
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            uptime_seconds: self.started.elapsed().as_secs_f64(),
            socket: self.socket.clone(),
            store: s.database.value.display(),
            audit_store: s.audit.store.display(),
            audit_queue_depth: depth,
            audit_events_written: written,
            requests_served: self.served.load(Ordering::Relaxed),
            requests_running: self.running.load(Ordering::Relaxed),
        }
    }
}

/// Serve connections on `listener` until `state.stop` is cancelled, then wait (at most
/// `drain`) for the operations still running.
pub async fn serve(
    listener: tokio::net::UnixListener,
    state: Arc<State>,
    drain: Duration,
) -> Result<()> {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                match accepted {
                    Ok((stream, _)) => {
                        let state = state.clone();
                        tokio::spawn(async move { connection(stream, state).await });
                    }
                    Err(e) => log::warn!("accepting a connection: {e}"),
                }
            }
            _ = state.stop.cancelled() => break,
        }
    }
    let deadline = Instant::now() + drain;
    while state.running.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Who is at the other end of a connection.
#[derive(Debug, Clone, Copy)]
pub enum Peer {
    /// On the socket: the peer's uid, as the kernel says.
    Local(Option<u32>),
    /// Over TCP (the team API): its address; who it is comes from its bearer token.
    Remote(std::net::SocketAddr),
}

async fn connection(stream: tokio::net::UnixStream, state: Arc<State>) {
    let peer = Peer::Local(stream.peer_cred().ok().map(|c| c.uid()));
    serve_connection(stream, state, peer).await
}

/// Serve HTTP/1.1 on one accepted connection of any kind.
pub async fn serve_connection<S>(stream: S, state: Arc<State>, peer: Peer)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(req, state, peer).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // An oversized bearer token is read and refused as a token (401, audited) rather than
    // dropped by the HTTP parser unseen.
    if matches!(peer, Peer::Remote(_)) {
        builder.max_buf_size(MAX_HEADERS);
    }
    let conn = builder.serve_connection(TokioIo::new(stream), svc);
    if let Err(e) = conn.await {
        log::debug!("connection: {e}");
    }
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> HttpResponse<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    HttpResponse::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .body(Full::new(Bytes::from(body)).boxed())
        .expect("a valid response")
}

fn problem(p: &Problem) -> HttpResponse<Body> {
    let mut r = json(
        StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        p,
    );
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/problem+json"),
    );
    r
}

/// Record a refused connection as an authorization failure.
fn refuse_peer(state: &State, uid: Option<u32>) -> HttpResponse<Body> {
    let who = uid
        .map(|u| format!("uid {u}"))
        .unwrap_or_else(|| "an unknown peer".into());
    let message = format!(
        "{who} may not use this daemon: it serves only uid {}",
        state.uid
    );
    if let Ok(r) = state.ctx.recorder() {
        let caller = Caller {
            user: uid
                .map(|u| format!("uid:{u}"))
                .unwrap_or_else(|| "unknown".into()),
            uid: uid.unwrap_or(u32::MAX),
            ..Caller::local("")
        };
        let _ = r.record(
            crate::audit::Action {
                event_type: EventType::Authorization,
                category: Category::Security,
                severity: Severity::Warning,
                operation: "daemon.connect".into(),
                resource: "daemon_socket".into(),
                resource_id: None,
                status: Status::Failure,
                error: Some(message.clone()),
                response_time_ms: 0.0,
                agent_id: None,
                data: Default::default(),
                method: None,
                status_code: None,
            },
            &caller,
        );
    }
    problem(&Problem::of(&Error::Permission {
        message,
        hint: Some("run pc-hybrid as the daemon's user, or start a daemon of your own".into()),
    }))
}

/// The credential a request presents: a bearer token, or (on the socket only) the handle of
/// a session the daemon holds.
fn credential(
    req: &HttpRequest<Incoming>,
    remote: bool,
) -> std::result::Result<ops::auth::Credential, Problem> {
    use ops::auth::Credential;
    if let Some(v) = req.headers().get(http::header::AUTHORIZATION) {
        let token = v
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty());
        return match token {
            Some(t) => Ok(Credential::Bearer(crate::secret::Secret::new(t))),
            None => Err(Problem::of(&Error::Unauthenticated {
                message: "the Authorization header is not `Bearer <token>`".into(),
                hint: None,
            })),
        };
    }
    if remote {
        return Err(Problem::of(&Error::Unauthenticated {
            message: "this API needs `Authorization: Bearer <access token>` of the SSO provider"
                .into(),
            hint: Some("get one with `pc-hybrid auth token`".into()),
        }));
    }
    match req
        .headers()
        .get(api::SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        Some(id) => Ok(Credential::Session(id.trim().to_owned())),
        None => Ok(Credential::Nothing),
    }
}

fn unauthorized(p: Problem) -> HttpResponse<Body> {
    let mut r = problem(&p);
    r.headers_mut().insert(
        http::header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Bearer realm=\"pc-hybrid\""),
    );
    r
}

async fn handle(req: HttpRequest<Incoming>, state: Arc<State>, peer: Peer) -> HttpResponse<Body> {
    let mut caller = Caller::local(&state.ctx.settings.audit.user);
    let remote = match peer {
        Peer::Local(uid) if uid == Some(state.uid) => false,
        Peer::Local(uid) => return refuse_peer(&state, uid),
        Peer::Remote(addr) => {
            caller.remote = true;
            caller.user = "anonymous".into();
            caller.ip_address = Some(addr.ip().to_string());
            true
        }
    };
    let credential = match credential(&req, remote) {
        Ok(c) => c,
        Err(p) => {
            ops::auth::record_auth(
                &state.ctx,
                &caller,
                "auth.bearer",
                crate::audit::event::Status::Failure,
                Some(p.detail.clone()),
            );
            return unauthorized(p);
        }
    };
    let caller = match ops::auth::identify(&state.ctx, caller, credential).await {
        Ok(c) => c,
        Err(e @ Error::Unauthenticated { .. }) => return unauthorized(Problem::of(&e)),
        Err(e) => return problem(&Problem::of(&e)),
    };
    state.served.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_owned();
    if path == "/mcp" {
        return super::mcp::handle(req, state, caller).await;
    }
    if path == "/metrics" {
        return metrics(&state, &caller, req.method());
    }
    let found = match path.strip_prefix(api::PREFIX) {
        Some(route) => api::route(req.method().as_str(), route),
        None => Err(api::Miss::NotFound),
    };
    let (route, mut params) = match found {
        Ok(found) => found,
        Err(api::Miss::NotFound) => {
            return problem(&Problem::http(
                404,
                "not found",
                format!("no such path: {path}"),
            ))
        }
        Err(api::Miss::Method(allowed)) => {
            let mut r = problem(&Problem::http(
                405,
                "method not allowed",
                format!("{} is not allowed on {path}", req.method()),
            ));
            if let Ok(v) = http::HeaderValue::from_str(&allowed.join(", ")) {
                r.headers_mut().insert(http::header::ALLOW, v);
            }
            return r;
        }
    };
    if let Some(v) = req.headers().get(PROTOCOL_HEADER) {
        if v.to_str().ok().and_then(|v| v.trim().parse::<u32>().ok()) != Some(PROTOCOL_VERSION) {
            let mut p = Problem::of(&Error::Unavailable {
                message: format!(
                    "the client speaks protocol {}, this daemon protocol {PROTOCOL_VERSION}",
                    v.to_str().unwrap_or("?")
                ),
                hint: Some("run `pc-hybrid daemon restart` with the pc-hybrid you use".into()),
            });
            // The request is the caller's mistake, not the daemon's state.
            p.status = 400;
            return problem(&p);
        }
    }
    let param = params.pop().unwrap_or_default();
    match route.endpoint {
        Endpoint::Health => json(
            StatusCode::OK,
            &api::Health {
                status: "ok".into(),
            },
        ),
        Endpoint::Version => json(
            StatusCode::OK,
            &api::Version {
                version: env!("CARGO_PKG_VERSION").into(),
                protocol: PROTOCOL_VERSION,
            },
        ),
        Endpoint::OpenApi => json(StatusCode::OK, &super::openapi::document()),
        Endpoint::DaemonStatus => json(StatusCode::OK, &state.status()),
        Endpoint::DaemonStop | Endpoint::Sessions if remote => {
            problem(&Problem::of(&Error::Permission {
                message: format!("{path} is served only on the daemon's socket"),
                hint: None,
            }))
        }
        Endpoint::DaemonStop => {
            state.stop.cancel();
            json(
                StatusCode::ACCEPTED,
                &api::Health {
                    status: "stopping".into(),
                },
            )
        }
        Endpoint::Operations => match body::<api::OperationCall>(req).await {
            Ok(call) => operation(&state, caller, call.request),
            Err(p) => problem(&p),
        },
        Endpoint::Agents => answer(&state, caller, Request::ListAgents).await,
        Endpoint::Servers => answer(&state, caller, Request::ListServers).await,
        Endpoint::WhoAmI => answer(&state, caller, Request::WhoAmI).await,
        Endpoint::Sessions => match body::<api::NewSession>(req).await {
            Ok(s) => keep_session(&state, s.0).await,
            Err(p) => problem(&p),
        },
        Endpoint::Insights => match insights_query(req.uri().query()) {
            Ok(r) => answer(&state, caller, Request::Insights(r)).await,
            Err(p) => problem(&p),
        },
        Endpoint::AuditEvents => match audit_filter(req.uri().query()) {
            Ok(f) => answer(&state, caller, Request::AuditQuery(f)).await,
            Err(p) => problem(&p),
        },
        Endpoint::AuditIngest => match ingest_query(req.uri().query()) {
            Ok((ack, source)) => ingest(&state, caller, req, ack, source).await,
            Err(p) => problem(&p),
        },
        Endpoint::CreateAgent => match body::<crate::factory::spec::AgentRequest>(req).await {
            Ok(spec) => create(&state, caller, spec).await,
            Err(p) => problem(&p),
        },
        Endpoint::CreationStatus => {
            answer(
                &state,
                caller,
                Request::CreationStatus { creation_id: param },
            )
            .await
        }
        Endpoint::Register => match raw_body(req).await {
            Ok(text) => register(&state, caller, text).await,
            Err(p) => problem(&p),
        },
        Endpoint::Deploy => match deploy_body(req, param).await {
            Ok(d) => answer(&state, caller, Request::Deploy(Box::new(d))).await,
            Err(p) => problem(&p),
        },
        Endpoint::Undeploy => match target_of(req.uri().query()) {
            Ok(target) => {
                answer(
                    &state,
                    caller,
                    Request::Undeploy(ops::Undeploy {
                        name: param,
                        target,
                    }),
                )
                .await
            }
            Err(p) => problem(&p),
        },
    }
}

/// `POST /auth/sessions`: hold a new login's session once its access token verifies.
async fn keep_session(
    state: &Arc<State>,
    mut s: crate::auth::session::Session,
) -> HttpResponse<Body> {
    let Some(agent) = state.ctx.agent() else {
        return problem(&Problem::of(&Error::Internal(
            "this daemon keeps no sessions".into(),
        )));
    };
    let provider = match state.ctx.provider().await {
        Ok(p) => p,
        Err(e) => return problem(&Problem::of(&e)),
    };
    if let Err(e) = provider.verify(s.access_token.expose()).await {
        return unauthorized(Problem::of(&Error::Unauthenticated {
            message: format!("the session's access token is not valid: {e}"),
            hint: Some("run `pc-hybrid login`".into()),
        }));
    }
    s.id = uuid::Uuid::new_v4().to_string();
    s.last_activity = crate::auth::session::now();
    match agent.put(&s) {
        Ok(()) => json(StatusCode::CREATED, &api::SessionKept { session_id: s.id }),
        Err(e) => problem(&Problem::of(&e)),
    }
}

/// The deploy request of `POST /agents/{name}/deploy`: the body's fields (all optional)
/// for the agent the path names.
async fn deploy_body(
    req: HttpRequest<Incoming>,
    name: String,
) -> std::result::Result<ops::Deploy, Problem> {
    let bytes = collect(req).await?;
    let mut fields: serde_json::Map<String, serde_json::Value> =
        if bytes.iter().all(u8::is_ascii_whitespace) {
            Default::default()
        } else {
            decode_json(&bytes)?
        };
    if fields.contains_key("name") {
        return Err(Problem::of(&Error::invalid(
            "/name",
            "the agent is named by the path",
        )));
    }
    fields.insert("name".into(), serde_json::Value::String(name));
    let de = serde_json::Value::Object(fields);
    serde_path_to_error::deserialize(de).map_err(|e| {
        Problem::of(&Error::invalid(
            format!("/{}", e.path().to_string().replace('.', "/")),
            e.inner().to_string(),
        ))
    })
}

/// `?target=` of `DELETE /agents/{name}/deployment`.
fn target_of(query: Option<&str>) -> std::result::Result<Option<crate::deploy::Target>, Problem> {
    let Some(v) = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "target")
        .map(|(_, v)| v.into_owned())
    else {
        return Ok(None);
    };
    serde_json::from_value(serde_json::Value::String(v.clone()))
        .map(Some)
        .map_err(|_| {
            Problem::of(&Error::invalid(
                "target",
                format!("`{v}` is not local, docker or kubernetes"),
            ))
        })
}

/// `POST /admin/agents/create`: answered 202 once the request is validated and the
/// creation recorded; it goes on in the daemon, its steps at the progress endpoint.
async fn create(
    state: &Arc<State>,
    caller: Caller,
    spec: crate::factory::spec::AgentRequest,
) -> HttpResponse<Body> {
    let id = uuid::Uuid::now_v7().to_string();
    let name = spec.agent_spec.name.clone();
    let flags = ops::CreateFlags {
        creation_id: Some(id.clone()),
        ..Default::default()
    };
    let mut rx = spawn(
        state,
        caller,
        Request::CreateAgent(Box::new(ops::CreateAgent {
            request: spec,
            flags,
        })),
    );
    loop {
        let Some((b, _)) = rx.recv().await else {
            return problem(&Problem::http(
                500,
                "internal error",
                "the creation ended without a reply",
            ));
        };
        match serde_json::from_slice::<Frame>(&b) {
            Ok(Frame::Step(StepFrame { step, .. })) if step.name == "validate" => break,
            Ok(Frame::Failed(FailedFrame { problem: p }))
            | Ok(Frame::Reply(ReplyFrame { error: Some(p), .. })) => return problem(&p),
            Ok(Frame::Reply(_)) => break,
            _ => {}
        }
    }
    // Nobody reads the rest of the creation's frames: the progress endpoint has its steps.
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let s = &state.ctx.settings;
    let repository_url = match &s.git_base_url.value {
        Some(base) => format!("{}/{name}.git", base.trim_end_matches('/')),
        None => format!("file://{}", s.output_dir.value.join(&name).display()),
    };
    let progress = format!("{}/admin/agents/creation/{id}/status", api::PREFIX);
    let mut r = json(
        StatusCode::ACCEPTED,
        &api::CreationAccepted {
            status: "accepted".into(),
            data: api::CreationAcceptedData {
                progress_endpoint: progress.clone(),
                creation_id: id,
                estimated_duration_minutes: 1.0,
                agent_name: name,
                repository_url,
            },
            next_steps: vec![
                "Render the agent's project from its template".into(),
                "Commit it to a git repository".into(),
                "Push it to the remote, when one is configured".into(),
                "Register it as an MCP server".into(),
                "Deploy it, when auto_deploy is asked for".into(),
            ],
        },
    );
    if let Ok(v) = http::HeaderValue::from_str(&progress) {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    r
}

/// `POST /admin/mcp/register`: the definition in the body, in any of the three formats.
async fn register(state: &Arc<State>, caller: Caller, text: String) -> HttpResponse<Body> {
    let request = Request::RegisterServer(Box::new(ops::RegisterServer {
        source: ops::ServerSource::Body(text),
        live: Default::default(),
        replace: false,
    }));
    let last = finished(state, caller, request).await;
    let summary = |r: &crate::registry::Report| api::Registered {
        name: r.name.clone(),
        version: r.version.clone(),
        format: r.format.map(|f| f.as_str().to_owned()),
        phase: r.phase.as_str().to_owned(),
        conditions: serde_json::to_value(&r.conditions).unwrap_or_default(),
        findings: serde_json::to_value(&r.findings).unwrap_or_default(),
    };
    match last {
        Some(Frame::Reply(ReplyFrame {
            response: ops::Response::Reports(reports),
            error,
        })) => {
            let Some(r) = reports.first() else {
                return problem(&Problem::http(500, "internal error", "no report"));
            };
            match error {
                None => json(StatusCode::CREATED, &summary(r)),
                Some(mut p) => {
                    // A definition that fails its checks is unprocessable; one that passes
                    // but is not stored conflicts with what is registered.
                    p.status = if r.passed() { 409 } else { 422 };
                    p.report = serde_json::to_value(summary(r)).ok();
                    problem(&p)
                }
            }
        }
        Some(Frame::Failed(FailedFrame { problem: p })) => problem(&p),
        _ => problem(&Problem::http(
            500,
            "internal error",
            "the registration ended without a reply",
        )),
    }
}

/// A body of at most `MAX_BODY` bytes as text.
async fn raw_body(req: HttpRequest<Incoming>) -> std::result::Result<String, Problem> {
    let bytes = collect(req).await?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Problem::http(400, "bad request", "the body is not UTF-8 text"))
}

/// A body of at most `MAX_BODY` bytes, read within `BODY_TIMEOUT`.
async fn collect(req: HttpRequest<Incoming>) -> std::result::Result<Bytes, Problem> {
    let limited = Limited::new(req.into_body(), MAX_BODY);
    match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Err(_) => Err(Problem::http(
            408,
            "request timeout",
            "the body did not arrive in time",
        )),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return Err(Problem::http(
                    413,
                    "content too large",
                    format!("the body is larger than {MAX_BODY} bytes"),
                ));
            }
            Err(Problem::http(
                400,
                "bad request",
                format!("reading the body: {e}"),
            ))
        }
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// JSON into `T`, a mistake named by its JSON pointer.
fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> std::result::Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let pointer = if path == "." {
            "/".to_string()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        let mut p = Problem::of(&Error::invalid(pointer, e.inner().to_string()));
        p.detail = format!("the body is not a valid request: {}", e.inner());
        p
    })
}

/// A JSON body of at most `MAX_BODY` bytes, read within `BODY_TIMEOUT`.
async fn body<T: serde::de::DeserializeOwned>(
    req: HttpRequest<Incoming>,
) -> std::result::Result<T, Problem> {
    decode_json(&collect(req).await?)
}

fn audit_filter(query: Option<&str>) -> std::result::Result<ops::AuditFilter, Problem> {
    let mut f = ops::AuditFilter {
        limit: 100,
        ..Default::default()
    };
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "since" => f.since = Some(v),
            "until" => f.until = Some(v),
            "user" => f.user = Some(v),
            "type" => f.event_type = Some(v),
            "severity" => f.severity = Some(v),
            "outcome" => f.outcome = Some(v),
            "resource" => f.resource = Some(v),
            "agent" => f.agent = Some(v),
            "limit" => {
                f.limit = v.parse().map_err(|_| {
                    Problem::of(&Error::invalid("limit", format!("`{v}` is not a number")))
                })?
            }
            other => return Err(unknown_parameter(other, api::AUDIT_QUERY)),
        }
    }
    Ok(f)
}

/// A query parameter a route does not take, with those it does.
fn unknown_parameter(name: &str, known: &[(&str, &str, &str)]) -> Problem {
    Problem::of(&Error::invalid(
        name,
        format!(
            "unknown query parameter ({})",
            known
                .iter()
                .map(|(n, ..)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// `GET /metrics`: the Prometheus exposition, for callers allowed to read analytics. Not an
/// operation: a scraper asks every few seconds, and an audit event per scrape would bury
/// the trail (as `/health` is not one either).
fn metrics(state: &Arc<State>, caller: &Caller, method: &http::Method) -> HttpResponse<Body> {
    if method != http::Method::GET {
        return problem(&Problem::http(
            405,
            "method not allowed",
            format!("{method} is not allowed on /metrics"),
        ));
    }
    let probe = Request::Insights(Default::default());
    if let Err(e) = state.ctx.authorise(caller, &probe) {
        return problem(&Problem::of(&e));
    }
    match ops::analytics::metrics(
        &state.ctx,
        state.audit_counts(),
        state.started.elapsed().as_secs_f64(),
    ) {
        Ok(text) => HttpResponse::builder()
            .status(StatusCode::OK)
            .header(
                http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )
            .body(Full::new(Bytes::from(text)).boxed())
            .expect("a valid response"),
        Err(e) => problem(&Problem::of(&e)),
    }
}

/// The insights request of `GET /analytics/insights`: each parameter checked, an unknown
/// word named with the words it may be.
fn insights_query(
    query: Option<&str>,
) -> std::result::Result<crate::analytics::insights::InsightsRequest, Problem> {
    use crate::analytics::insights::{Granularity, InsightsRequest, Metric, TimeRange};
    use crate::model::Wire;
    fn word<T: Wire>(field: &str, v: &str) -> std::result::Result<T, Problem> {
        T::parse(v).ok_or_else(|| {
            Problem::of(&Error::invalid(
                field,
                format!(
                    "`{}` is not a {} ({})",
                    v.escape_debug(),
                    T::WHAT,
                    T::ALL
                        .iter()
                        .map(|w| w.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        })
    }
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    let mut r = InsightsRequest::default();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "time_range" => r.time_range = word::<TimeRange>("time_range", &v)?,
            "granularity" => r.granularity = word::<Granularity>("granularity", &v)?,
            "metrics" => {
                r.metrics = list(&v)
                    .iter()
                    .map(|m| word::<Metric>("metrics", m))
                    .collect::<std::result::Result<_, _>>()?
            }
            "agent_filter" => r.agent_filter = list(&v),
            "user_filter" => r.user_filter = list(&v),
            "exact" => {
                r.exact = v.parse().map_err(|_| {
                    Problem::of(&Error::invalid(
                        "exact",
                        format!("`{v}` is not true or false"),
                    ))
                })?
            }
            other => return Err(unknown_parameter(other, api::INSIGHTS_QUERY)),
        }
    }
    Ok(r)
}

/// `ack` and `source` of `POST /audit/events`.
fn ingest_query(query: Option<&str>) -> std::result::Result<(bool, String), Problem> {
    let (mut ack, mut source) = (false, "-".to_owned());
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "ack" => {
                ack = v.parse().map_err(|_| {
                    Problem::of(&Error::invalid(
                        "ack",
                        format!("`{v}` is not true or false"),
                    ))
                })?
            }
            "source" => source = v.into_owned(),
            other => {
                return Err(Problem::of(&Error::invalid(
                    other,
                    "unknown query parameter (ack, source)",
                )))
            }
        }
    }
    Ok((ack, source))
}

/// The body of a request, read as it arrives by a blocking reader: the ingest's lines.
struct BodyReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    left: Bytes,
}

impl std::io::Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.left.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.left = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.left.len());
        buf[..n].copy_from_slice(&self.left.split_to(n));
        Ok(n)
    }
}

/// `POST /audit/events`: the events stream in with the request and go through the daemon's
/// one pipeline; acknowledgements stream back while the rest still arrives. No size or time
/// limit: a producer may stream for as long as it runs (its lines are limited each). An
/// empty body is an ingest of nothing, as an empty file is.
async fn ingest(
    state: &Arc<State>,
    caller: Caller,
    req: HttpRequest<Incoming>,
    ack: bool,
    source: String,
) -> HttpResponse<Body> {
    let ndjson = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-ndjson"));
    if !ndjson {
        return problem(&Problem::http(
            415,
            "unsupported media type",
            "the body must be application/x-ndjson: audit events, one JSON object per line",
        ));
    }
    let mut body = req.into_body();
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Some(frame) = body.frame().await {
            let chunk = match frame {
                Ok(f) => match f.into_data() {
                    Ok(d) => Ok(d),
                    Err(_) => continue,
                },
                // The client went away mid-line: what it sent whole is taken, the rest not.
                Err(e) => Err(std::io::Error::other(e)),
            };
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                break;
            }
        }
    });
    let reader = BodyReader {
        rx,
        left: Bytes::new(),
    };
    let input = ops::Input::new(
        source,
        Box::new(std::io::BufReader::with_capacity(1 << 16, reader)),
    );
    let request = Request::Ingest(ops::Ingest {
        source: ops::IngestSource::Stream(input),
        ack,
    });
    frames(spawn(state, caller, request))
}

/// A sink that turns what an operation reports into frames on a channel.
struct Frames {
    tx: mpsc::UnboundedSender<Chunk>,
}

/// A frame's line, and whether it is the last of its operation: the stream ends there,
/// not when the last sender of the channel is dropped (the heartbeat's, a wake-up later).
type Chunk = (Bytes, bool);

impl Frames {
    fn send(&self, f: &Frame) -> bool {
        self.send_line(f, false)
    }
    fn send_line(&self, f: &Frame, last: bool) -> bool {
        let mut line = serde_json::to_vec(f).unwrap_or_default();
        line.push(b'\n');
        self.tx.send((Bytes::from(line), last)).is_ok()
    }
}

impl Sink for Frames {
    fn note(&self, msg: &str) {
        self.send(&Frame::Note(Message {
            message: msg.into(),
        }));
    }
    fn warn(&self, msg: &str) {
        self.send(&Frame::Warn(Message {
            message: msg.into(),
        }));
    }
    fn step(&self, title: &str, step: &Step) {
        self.send(&Frame::Step(StepFrame {
            title: title.into(),
            step: step.clone(),
        }));
    }
    fn steps_done(&self, title: &str) {
        self.send(&Frame::StepsDone(Title {
            title: title.into(),
        }));
    }
    fn item(&self, item: &serde_json::Value, cells: &[String]) -> bool {
        self.send(&Frame::Item(ItemFrame {
            item: item.clone(),
            cells: cells.to_vec(),
        }))
    }
    fn bytes(&self, data: &[u8]) -> bool {
        if data.is_empty() {
            return !self.tx.is_closed();
        }
        use base64::Engine;
        self.send(&Frame::Bytes(BytesFrame {
            data: base64::engine::general_purpose::STANDARD.encode(data),
        }))
    }
    fn closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// Run `request` on a blocking thread of its own (stores are synchronous; one request never
/// waits behind another), its frames on the channel returned. Dropping the receiver (the
/// client went away) cancels the operation.
fn spawn(state: &Arc<State>, caller: Caller, request: Request) -> mpsc::UnboundedReceiver<Chunk> {
    let (tx, rx) = mpsc::unbounded_channel();
    let cancel = Cancel::new();
    // Ends with the operation, so that its sender does not hold the stream open.
    let done = Cancel::new();
    {
        let (tx, cancel, done) = (tx.clone(), cancel.clone(), done.clone());
        tokio::spawn(async move {
            // A client that went away is noticed only when a write to it fails: while the
            // operation has nothing to say (a deploy waiting for health), an empty `bytes`
            // frame goes out every HEARTBEAT, so that Ctrl-C on the CLI cancels it here.
            let beat_frame = {
                let mut line = serde_json::to_vec(&Frame::Bytes(BytesFrame {
                    data: String::new(),
                }))
                .unwrap_or_default();
                line.push(b'\n');
                (Bytes::from(line), false)
            };
            let mut beat = tokio::time::interval(HEARTBEAT);
            beat.tick().await;
            loop {
                tokio::select! {
                    _ = tx.closed() => {
                        cancel.cancel();
                        break;
                    }
                    _ = done.cancelled() => break,
                    _ = beat.tick() => {
                        let _ = tx.send(beat_frame.clone());
                    }
                }
            }
        });
    }
    let state = state.clone();
    state.running.fetch_add(1, Ordering::Relaxed);
    tokio::task::spawn_blocking(move || {
        let (op, started) = (request.id(), Instant::now());
        let frames = Frames { tx };
        let run = |rt: &tokio::runtime::Runtime| match rt
            .block_on(ops::execute(&state.ctx, &caller, request, &frames, &cancel))
        {
            Ok(reply) => Frame::Reply(ReplyFrame {
                response: reply.response,
                error: reply.error.as_ref().map(Problem::of),
            }),
            Err(e) => Frame::Failed(FailedFrame {
                problem: Problem::of(&e),
            }),
        };
        let last = REQUEST_RUNTIME.with(|rt| match rt {
            Ok(rt) => run(rt),
            Err(e) => Frame::Failed(FailedFrame {
                problem: Problem::of(&Error::Internal(format!("a runtime for the request: {e}"))),
            }),
        });
        frames.send_line(&last, true);
        drop(frames);
        done.cancel();
        let outcome = match &last {
            Frame::Reply(ReplyFrame { error: None, .. }) => "succeeded",
            _ => "failed",
        };
        log::info!("{op} {outcome} in {} ms", started.elapsed().as_millis());
        state.running.fetch_sub(1, Ordering::Relaxed);
    });
    rx
}

thread_local! {
    /// The runtime an operation runs on, on its own thread of the blocking pool: operations
    /// call the synchronous stores, which must not hold up the threads serving requests.
    /// One per thread, kept while the pool keeps the thread: building one zeroes its
    /// drivers' tables, which was a fifth of the daemon's time for a small read.
    static REQUEST_RUNTIME: std::io::Result<tokio::runtime::Runtime> =
        tokio::runtime::Builder::new_current_thread().enable_all().build();
}

/// `POST /operations`: the operation's frames as they come (`application/x-ndjson`).
fn operation(state: &Arc<State>, caller: Caller, request: Request) -> HttpResponse<Body> {
    if request.spec().runs == Runs::Caller {
        return problem(&Problem::of(&Error::usage(
            format!(
                "{} runs in the caller's own process, not in the daemon",
                request.id()
            ),
            None,
        )));
    }
    frames(spawn(state, caller, request))
}

/// An operation's frames as they come (`application/x-ndjson`).
fn frames(rx: mpsc::UnboundedReceiver<Chunk>) -> HttpResponse<Body> {
    let stream = futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        let (b, last) = rx.recv().await?;
        Some((
            Ok::<_, Infallible>(BodyFrame::data(b)),
            (!last).then_some(rx),
        ))
    });
    HttpResponse::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/x-ndjson")
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .expect("a valid response")
}

/// Run `request` to its end; its last frame (the reply, or its failure). What it reported
/// on the way has no reader here.
async fn finished(state: &Arc<State>, caller: Caller, request: Request) -> Option<Frame> {
    let mut rx = spawn(state, caller, request);
    while let Some((b, last)) = rx.recv().await {
        if last {
            return serde_json::from_slice(&b).ok();
        }
    }
    None
}

/// A resource endpoint: run `request`, answer with its data as JSON, or its problem.
async fn answer(state: &Arc<State>, caller: Caller, request: Request) -> HttpResponse<Body> {
    match finished(state, caller, request).await {
        Some(Frame::Reply(ReplyFrame { error: Some(p), .. }))
        | Some(Frame::Failed(FailedFrame { problem: p })) => problem(&p),
        Some(Frame::Reply(ReplyFrame { response, .. })) => {
            let data = serde_json::to_value(&response)
                .ok()
                .and_then(|mut v| v.get_mut("data").map(serde_json::Value::take))
                .unwrap_or(serde_json::Value::Null);
            json(StatusCode::OK, &data)
        }
        _ => problem(&Problem::http(
            500,
            "internal error",
            "the operation ended without a reply",
        )),
    }
}
