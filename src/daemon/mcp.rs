//! `/mcp`: the gateway over MCP's streamable HTTP, on the socket and the team API alike.
//! Sessions are made at `initialize` and belong to the user who made them; a call runs in
//! a task of its own, so that a client that goes away cancels it (and it is still
//! recorded); progress comes back as server-sent events.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Request as HttpRequest, Response as HttpResponse, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, Limited, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

use super::server::State;
use crate::ops::{mcp, Caller, Cancel};

type Body = BoxBody<Bytes, Infallible>;

const SESSION: &str = "mcp-session-id";

/// One client session.
struct Session {
    user: String,
    /// Calls in flight, by request id, to cancel.
    running: HashMap<String, Cancel>,
}

/// The sessions of every client.
#[derive(Default)]
pub struct Sessions {
    inner: Mutex<HashMap<String, Session>>,
}

/// The most sessions kept; the oldest is dropped past it.
const MAX_SESSIONS: usize = 10_000;

fn reply(status: StatusCode, body: Option<&Value>, session: Option<&str>) -> HttpResponse<Body> {
    let mut b = HttpResponse::builder().status(status);
    if let Some(s) = session {
        b = b.header(SESSION, s);
    }
    match body {
        Some(v) => b
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(v).unwrap_or_default())).boxed()),
        None => b.body(Full::new(Bytes::new()).boxed()),
    }
    .expect("a valid response")
}

fn rpc_error(status: StatusCode, code: i64, message: &str) -> HttpResponse<Body> {
    reply(status, Some(&mcp::error(&Value::Null, code, message)), None)
}

/// Whether a browser's page may be calling (DNS rebinding): only loopback origins are.
fn origin_ok(req: &HttpRequest<Incoming>) -> bool {
    let Some(o) = req.headers().get(http::header::ORIGIN) else {
        return true;
    };
    let Some(host) = o
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

pub async fn handle(
    req: HttpRequest<Incoming>,
    state: Arc<State>,
    caller: Caller,
) -> HttpResponse<Body> {
    if !origin_ok(&req) {
        return rpc_error(
            StatusCode::FORBIDDEN,
            mcp::INVALID_REQUEST,
            "requests from a web page of another origin are refused",
        );
    }
    let session = req
        .headers()
        .get(SESSION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let known = |id: &str| {
        state
            .mcp
            .inner
            .lock()
            .ok()
            .and_then(|m| m.get(id).map(|s| s.user == caller.user))
    };
    match *req.method() {
        http::Method::POST => post(req, state.clone(), caller, session).await,
        http::Method::GET => {
            let Some(id) = session else {
                return rpc_error(
                    StatusCode::BAD_REQUEST,
                    mcp::INVALID_REQUEST,
                    "GET /mcp needs the Mcp-Session-Id of an initialized session",
                );
            };
            if known(&id) != Some(true) {
                return rpc_error(
                    StatusCode::NOT_FOUND,
                    mcp::INVALID_REQUEST,
                    "no such session",
                );
            }
            listen(state).await
        }
        http::Method::DELETE => {
            let Some(id) = session else {
                return rpc_error(
                    StatusCode::BAD_REQUEST,
                    mcp::INVALID_REQUEST,
                    "no session named",
                );
            };
            if known(&id) != Some(true) {
                return rpc_error(
                    StatusCode::NOT_FOUND,
                    mcp::INVALID_REQUEST,
                    "no such session",
                );
            }
            if let Ok(mut m) = state.mcp.inner.lock() {
                if let Some(s) = m.remove(&id) {
                    for c in s.running.values() {
                        c.cancel();
                    }
                }
            }
            reply(StatusCode::NO_CONTENT, None, None)
        }
        _ => {
            let mut r = rpc_error(
                StatusCode::METHOD_NOT_ALLOWED,
                mcp::INVALID_REQUEST,
                "/mcp takes POST, GET and DELETE",
            );
            r.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("POST, GET, DELETE"),
            );
            r
        }
    }
}

async fn post(
    req: HttpRequest<Incoming>,
    state: Arc<State>,
    caller: Caller,
    session: Option<String>,
) -> HttpResponse<Body> {
    let limit = (state.ctx.settings.gateway.max_argument_bytes() as usize).saturating_add(64 << 10);
    let bytes = match Limited::new(req.into_body(), limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let too_big = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            return if too_big {
                rpc_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    mcp::INVALID_REQUEST,
                    &format!("the message is over the gateway's limit of {limit} bytes"),
                )
            } else {
                rpc_error(
                    StatusCode::BAD_REQUEST,
                    mcp::PARSE_ERROR,
                    "the body could not be read",
                )
            };
        }
    };
    let (id, method, params) = match mcp::parse(&bytes) {
        mcp::Message::Invalid(answer) if answer.is_null() => {
            return reply(StatusCode::ACCEPTED, None, None)
        }
        mcp::Message::Invalid(answer) => {
            return reply(StatusCode::BAD_REQUEST, Some(&answer), None)
        }
        mcp::Message::Notification(method, params) => {
            if method == "notifications/cancelled" {
                if let (Some(s), Some(rid)) = (&session, params.get("requestId")) {
                    let c = state.mcp.inner.lock().ok().and_then(|mut m| {
                        m.get_mut(s)
                            .filter(|x| x.user == caller.user)
                            .and_then(|x| x.running.remove(&rid.to_string()))
                    });
                    if let Some(c) = c {
                        c.cancel();
                    }
                }
            }
            return reply(StatusCode::ACCEPTED, None, None);
        }
        mcp::Message::Request(id, method, params) => (id, method, params),
    };
    let session = if method == "initialize" {
        let sid = uuid::Uuid::new_v4().simple().to_string();
        if let Ok(mut m) = state.mcp.inner.lock() {
            if m.len() >= MAX_SESSIONS {
                if let Some(k) = m.keys().next().cloned() {
                    m.remove(&k);
                }
            }
            m.insert(
                sid.clone(),
                Session {
                    user: caller.user.clone(),
                    running: HashMap::new(),
                },
            );
        }
        sid
    } else {
        let Some(s) = session else {
            return reply(
                StatusCode::BAD_REQUEST,
                Some(&mcp::error(
                    &id,
                    mcp::INVALID_REQUEST,
                    "no Mcp-Session-Id: send initialize first",
                )),
                None,
            );
        };
        let mine = state
            .mcp
            .inner
            .lock()
            .ok()
            .and_then(|m| m.get(&s).map(|x| x.user == caller.user));
        if mine != Some(true) {
            // 404 tells the client to initialize a new session.
            return reply(
                StatusCode::NOT_FOUND,
                Some(&mcp::error(&id, mcp::INVALID_REQUEST, "no such session")),
                None,
            );
        }
        s
    };
    let cancel = Cancel::new();
    if let Ok(mut m) = state.mcp.inner.lock() {
        if let Some(s) = m.get_mut(&session) {
            s.running.insert(id.to_string(), cancel.clone());
        }
    }
    let streams = params.pointer("/_meta/progressToken").is_some();
    let (progress_tx, progress_rx) = mpsc::unbounded_channel::<Value>();
    let (done_tx, done_rx) = oneshot::channel::<Value>();
    {
        let (state, caller, cancel, session, id) = (
            state.clone(),
            caller.clone(),
            cancel.clone(),
            session.clone(),
            id.clone(),
        );
        tokio::spawn(async move {
            let sink = mcp::Progress { tx: progress_tx };
            let answer = mcp::answer(
                &state.ctx,
                &caller,
                Some(&session),
                &id,
                &method,
                params,
                &sink,
                &cancel,
            )
            .await;
            if let Ok(mut m) = state.mcp.inner.lock() {
                if let Some(s) = m.get_mut(&session) {
                    s.running.remove(&id.to_string());
                }
            }
            let _ = done_tx.send(answer);
        });
    }
    // Dropped with the response (the client went away): the call is cancelled.
    let guard = CancelOnDrop(Some(cancel));
    if !streams {
        let answer = done_rx.await;
        let mut guard = guard;
        guard.0 = None;
        return match answer {
            Ok(a) => reply(StatusCode::OK, Some(&a), Some(&session)),
            Err(_) => rpc_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                mcp::INTERNAL_ERROR,
                "the call ended without an answer",
            ),
        };
    }
    let stream = futures_util::stream::unfold(
        (progress_rx, Some(done_rx), guard),
        |(mut rx, done, mut guard)| async move {
            let mut done = done?;
            tokio::select! {
                Some(p) = rx.recv() => Some((Ok::<_, Infallible>(Frame::data(event(&p))), (rx, Some(done), guard))),
                answer = &mut done => {
                    guard.0 = None;
                    let a = answer.unwrap_or_else(|_| mcp::error(&Value::Null, mcp::INTERNAL_ERROR, "the call ended without an answer"));
                    Some((Ok(Frame::data(event(&a))), (rx, None, guard)))
                }
            }
        },
    );
    HttpResponse::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/event-stream")
        .header(http::header::CACHE_CONTROL, "no-store")
        .header(SESSION, session)
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .expect("a valid response")
}

fn event(v: &Value) -> Bytes {
    let mut b = b"event: message\ndata: ".to_vec();
    b.extend(serde_json::to_vec(v).unwrap_or_default());
    b.extend_from_slice(b"\n\n");
    Bytes::from(b)
}

struct CancelOnDrop(Option<Cancel>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.cancel();
        }
    }
}

/// A session's own stream: `notifications/tools/list_changed` when the tools change, and a
/// comment now and then so that proxies keep it open.
async fn listen(state: Arc<State>) -> HttpResponse<Body> {
    let gateway = match state.ctx.gateway(None).await {
        Ok(g) => g,
        Err(e) => {
            return rpc_error(
                StatusCode::SERVICE_UNAVAILABLE,
                mcp::INTERNAL_ERROR,
                &e.to_string(),
            )
        }
    };
    let changes = gateway.subscribe();
    let stop = state.stop.clone();
    let stream = futures_util::stream::unfold((changes, stop), |(mut changes, stop)| async move {
        tokio::select! {
            r = changes.recv() => match r {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Some((
                    Ok::<_, Infallible>(Frame::data(event(&json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})))),
                    (changes, stop),
                )),
                Err(_) => None,
            },
            _ = tokio::time::sleep(Duration::from_secs(15)) => Some((Ok(Frame::data(Bytes::from_static(b": keepalive\n\n"))), (changes, stop))),
            _ = stop.cancelled() => None,
        }
    });
    HttpResponse::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/event-stream")
        .header(http::header::CACHE_CONTROL, "no-store")
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .expect("a valid response")
}
