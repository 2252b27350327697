//! The daemon's client: connects to its socket, checks the protocol version of every
//! answer, and runs operations there, handing their frames to a sink as they come.

use std::path::Path;

use http::{Method, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;

use super::api::{self, Frame, Problem, PROTOCOL_HEADER, PROTOCOL_VERSION};
use crate::error::{Error, Result};
use crate::ops::{Cancel, Reply, Request, Sink};

/// What a request's body is: whole, or streamed as it is read (an ingest's input).
type RequestBody = BoxBody<Bytes, std::io::Error>;

/// An open connection to a daemon.
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<RequestBody>,
    /// Where the daemon is, for messages: its socket or its team API's URL.
    socket: String,
    /// The Host header: `localhost` on the socket, the URL's authority over TCP.
    host: String,
    /// Who the requests are made as: a session handle or a bearer token.
    credential: Option<(http::HeaderName, http::HeaderValue)>,
}

/// Why no connection was made.
#[derive(Debug)]
pub enum ConnectError {
    /// Nothing listens there (no socket, or a dead daemon's).
    NotRunning,
    /// Something is there but the connection failed otherwise.
    Failed(Error),
}

fn unreachable(socket: &str, why: impl std::fmt::Display) -> Error {
    Error::unavailable(
        format!("the daemon at {socket} cannot be reached: {why}"),
        Some("start it with `pc-hybrid daemon start`, or set PC_HYBRID_DAEMON=never"),
    )
}

/// Connect to the daemon listening on `socket`.
pub async fn connect(socket: &Path) -> std::result::Result<Connection, ConnectError> {
    let stream = match tokio::net::UnixStream::connect(socket).await {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Err(ConnectError::NotRunning)
        }
        Err(e) => {
            return Err(ConnectError::Failed(unreachable(
                &socket.display().to_string(),
                e,
            )))
        }
    };
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| ConnectError::Failed(unreachable(&socket.display().to_string(), e)))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(Connection {
        sender,
        socket: socket.display().to_string(),
        host: "localhost".into(),
        credential: None,
    })
}

/// Connect to a daemon's team API at `url` (http on loopback, else https verified against
/// the system's trust store).
pub async fn connect_url(url: &str) -> Result<Connection> {
    let u = crate::net::http_url(url).map_err(|m| Error::invalid("$PC_HYBRID_DAEMON_URL", m))?;
    if u.scheme() == "http" && !crate::net::is_loopback_url(&u) {
        return Err(Error::usage(
            format!("{url}: a team API off this machine is reached over https only"),
            None,
        ));
    }
    let host = u
        .host_str()
        .unwrap_or("localhost")
        .trim_matches(['[', ']'])
        .to_owned();
    let port = u.port_or_known_default().unwrap_or(443);
    let place = url.trim_end_matches('/').to_owned();
    let tcp = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| unreachable(&place, "no answer within 5 s"))?
    .map_err(|e| unreachable(&place, e))?;
    let _ = tcp.set_nodelay(true);
    let authority = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap_or(&host)),
        None => u.host_str().unwrap_or(&host).to_owned(),
    };
    macro_rules! handshake {
        ($io:expr) => {{
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new($io))
                .await
                .map_err(|e| unreachable(&place, e))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            sender
        }};
    }
    let sender = if u.scheme() == "https" {
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| Error::invalid("$PC_HYBRID_DAEMON_URL", e.to_string()))?;
        let tls = tokio_rustls::TlsConnector::from(crate::net::tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(|e| unreachable(&place, e))?;
        handshake!(tls)
    } else {
        handshake!(tcp)
    };
    Ok(Connection {
        sender,
        socket: place,
        host: authority,
        credential: None,
    })
}

impl Connection {
    /// Make the requests as `credential` presents.
    pub fn with_credential(mut self, credential: &crate::ops::auth::Credential) -> Result<Self> {
        use crate::ops::auth::Credential;
        let header = |name: http::HeaderName, value: String| {
            let mut v =
                http::HeaderValue::from_str(&value).map_err(|_| Error::Unauthenticated {
                    message: "the stored credential is not a valid header value".into(),
                    hint: Some("run `pc-hybrid login`".into()),
                })?;
            // Kept out of any debug output of the request.
            v.set_sensitive(true);
            Ok::<_, Error>(Some((name, v)))
        };
        self.credential = match credential {
            Credential::Session(id) => header(
                http::HeaderName::from_static(api::SESSION_HEADER),
                id.clone(),
            )?,
            Credential::Bearer(t) => header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", t.expose()),
            )?,
            Credential::Local | Credential::Nothing => None,
        };
        Ok(self)
    }

    /// Send one request and check the protocol of the answer.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<http::Response<Incoming>> {
        let body = Full::new(Bytes::from(body.unwrap_or_default()))
            .map_err(|never| match never {})
            .boxed();
        self.send_body(method, path, "application/json", body).await
    }

    async fn send_body(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: RequestBody,
    ) -> Result<http::Response<Incoming>> {
        let mut req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", api::PREFIX))
            .header(http::header::HOST, self.host.as_str())
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(http::header::CONTENT_TYPE, content_type);
        if let Some((name, value)) = &self.credential {
            req = req.header(name, value.clone());
        }
        let req = req.body(body).map_err(|e| Error::Internal(e.to_string()))?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| unreachable(&self.socket, e))?;
        let theirs = resp
            .headers()
            .get(PROTOCOL_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok());
        if theirs != Some(PROTOCOL_VERSION) {
            return Err(Error::unavailable(
                format!(
                    "the daemon at {} speaks protocol {}, this pc-hybrid protocol {PROTOCOL_VERSION}",
                    self.socket,
                    theirs.map(|v| v.to_string()).unwrap_or_else(|| "unknown".into())
                ),
                Some("run `pc-hybrid daemon restart` to run the daemon of this pc-hybrid"),
            ));
        }
        Ok(resp)
    }

    /// A JSON resource, or the problem the daemon answered with.
    pub async fn get<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None).await
    }

    /// POST a JSON body; the answer decoded, or the problem.
    pub async fn post<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T> {
        let body = serde_json::to_vec(body).map_err(|e| Error::Internal(e.to_string()))?;
        self.call(Method::POST, path, Some(body)).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T> {
        let resp = self.send(method, path, body).await?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(&self.socket, e))?
            .to_bytes();
        decode(status, &bytes)
    }

    /// Run `request` in the daemon: its frames go to `sink` as they arrive; cancelling
    /// `cancel` drops the connection, which cancels the operation there.
    pub async fn execute(
        mut self,
        request: Request,
        sink: &dyn Sink,
        cancel: &Cancel,
    ) -> Result<Reply> {
        let call = api::OperationCall { request };
        let body = serde_json::to_vec(&call).map_err(|e| Error::Internal(e.to_string()))?;
        let resp = self.send(Method::POST, "/operations", Some(body)).await?;
        self.frames(resp, sink, cancel).await
    }

    /// Ingest the events `input` holds through the daemon's pipeline (`audit ingest`): read
    /// here, streamed to the daemon as they are read, acknowledgements to `sink` as they
    /// come back. `source` names the input in messages.
    pub async fn ingest(
        mut self,
        input: Box<dyn std::io::Read + Send>,
        source: &str,
        ack: bool,
        sink: &dyn Sink,
        cancel: &Cancel,
    ) -> Result<Reply> {
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
        // A thread of its own, not the runtime's blocking pool: a read of a terminal or a
        // pipe that never ends must not hold the process open once the operation is over.
        std::thread::Builder::new()
            .name("ingest-input".into())
            .spawn(move || {
                let mut input = input;
                loop {
                    let mut buf = vec![0u8; 1 << 16];
                    let chunk = match input.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            buf.truncate(n);
                            Ok(Bytes::from(buf))
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => Err(e),
                    };
                    let failed = chunk.is_err();
                    if tx.blocking_send(chunk).is_err() || failed {
                        break;
                    }
                }
            })
            .map_err(|e| Error::io("starting the ingest's reader", e))?;
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|chunk| (chunk.map(hyper::body::Frame::data), rx))
        });
        let body = BodyExt::boxed(StreamBody::new(stream));
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("ack", if ack { "true" } else { "false" })
            .append_pair("source", source)
            .finish();
        let resp = self
            .send_body(
                Method::POST,
                &format!("/audit/events?{query}"),
                "application/x-ndjson",
                body,
            )
            .await?;
        self.frames(resp, sink, cancel).await
    }

    /// Read an operation's frames from `resp`, handing them to `sink`, to its reply.
    async fn frames(
        &self,
        resp: http::Response<Incoming>,
        sink: &dyn Sink,
        cancel: &Cancel,
    ) -> Result<Reply> {
        let status = resp.status();
        let mut body = resp.into_body();
        if status != StatusCode::OK {
            let bytes = body
                .collect()
                .await
                .map_err(|e| unreachable(&self.socket, e))?
                .to_bytes();
            return Err(decode::<serde_json::Value>(status, &bytes)
                .err()
                .unwrap_or_else(|| Error::Internal(format!("the daemon answered {status}"))));
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let frame = tokio::select! {
                f = body.frame() => f,
                _ = cancel.cancelled() => {
                    return Err(Error::failed("interrupted: the operation was cancelled in the daemon", None));
                }
            };
            let Some(frame) = frame else {
                return Err(unreachable(
                    &self.socket,
                    "it closed the connection before the operation ended",
                ));
            };
            let frame = frame.map_err(|e| unreachable(&self.socket, e))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buf.extend_from_slice(&data);
            while let Some(nl) = memchr::memchr(b'\n', &buf) {
                let line: Vec<u8> = buf.drain(..=nl).collect();
                let f: Frame = serde_json::from_slice(&line[..line.len() - 1]).map_err(|e| {
                    Error::Internal(format!(
                        "a frame from the daemon that this pc-hybrid cannot read: {e}"
                    ))
                })?;
                if let Some(done) = dispatch(f, sink)? {
                    return Ok(done);
                }
            }
        }
    }
}

/// Hand one frame to the sink; the reply when it is the last.
fn dispatch(f: Frame, sink: &dyn Sink) -> Result<Option<Reply>> {
    match f {
        Frame::Note(m) => sink.note(&m.message),
        Frame::Warn(m) => sink.warn(&m.message),
        Frame::Step(s) => sink.step(&s.title, &s.step),
        Frame::StepsDone(t) => sink.steps_done(&t.title),
        Frame::Item(i) => {
            sink.item(&i.item, &i.cells);
        }
        Frame::Bytes(api::BytesFrame { data }) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| Error::Internal(format!("a bytes frame from the daemon: {e}")))?;
            sink.bytes(&bytes);
        }
        Frame::Reply(api::ReplyFrame { response, error }) => {
            return Ok(Some(Reply {
                response,
                error: error.map(Problem::into_error),
            }))
        }
        Frame::Failed(f) => return Err(f.problem.into_error()),
    }
    Ok(None)
}

fn decode<T: serde::de::DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T> {
    if status.is_success() {
        return serde_json::from_slice(bytes)
            .map_err(|e| Error::Internal(format!("an answer from the daemon: {e}")));
    }
    match serde_json::from_slice::<Problem>(bytes) {
        Ok(p) => Err(p.into_error()),
        Err(_) => Err(Error::Internal(format!("the daemon answered {status}"))),
    }
}

/// Hands new sessions to the daemon on `socket` (`token_storage: daemon`) and keeps their
/// handles in `handles` (a private folder; a handle is useful only on the daemon's socket).
pub struct SessionKeeper {
    pub socket: std::path::PathBuf,
    pub handles: std::path::PathBuf,
}

/// The name of a profile's session handle in the handles folder.
pub fn handle_key(profile: &str) -> String {
    format!("session.{profile}")
}

impl crate::auth::Keeper for SessionKeeper {
    fn keep<'a>(
        &'a self,
        s: &'a crate::auth::session::Session,
    ) -> crate::auth::BoxFuture<'a, String> {
        Box::pin(async move {
            let mut c = match connect(&self.socket).await {
                Ok(c) => c,
                Err(ConnectError::NotRunning) => return Err(Error::unavailable(
                    "the daemon that keeps sessions stopped during the login; nothing was stored",
                    Some("start it with `pc-hybrid daemon start` and log in again"),
                )),
                Err(ConnectError::Failed(e)) => return Err(e),
            };
            let kept: api::SessionKept = c
                .post("/auth/sessions", &api::NewSession(s.clone()))
                .await?;
            crate::auth::token_store::TokenStore::file(self.handles.clone()).set(
                &handle_key(&s.profile),
                &crate::secret::Secret::new(kept.session_id.clone()),
            )?;
            Ok(kept.session_id)
        })
    }
}
