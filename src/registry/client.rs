//! A minimal MCP client: JSON-RPC over newline-delimited stdio (a child process or an
//! attached container) or over streamable HTTP (JSON or SSE responses, session header).

use std::pin::Pin;

use serde_json::{json, Value};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::net::describe;

/// Protocol revisions this client speaks, newest first.
pub const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server closed its side (stdout ended, process exited).
    #[error("the server closed the connection")]
    Closed,
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("the server answered {method} with error {code}: {message}")]
    Rpc {
        method: String,
        code: i64,
        message: String,
    },
    #[error("HTTP: {0}")]
    Http(String),
}

enum Conn {
    Lines {
        writer: Pin<Box<dyn AsyncWrite + Send>>,
        lines: mpsc::Receiver<String>,
    },
    Http {
        http: reqwest::Client,
        url: String,
        session: Option<String>,
        /// Headers the server's definition asks for (an API key of a remote server).
        headers: Vec<(String, String)>,
    },
}

pub struct Client {
    conn: Conn,
    next_id: i64,
    /// Negotiated in `initialize`; sent as a header on HTTP afterwards.
    pub protocol_version: Option<String>,
    /// Lines on stdout that were not JSON-RPC messages (a server must not print those).
    pub stray_lines: usize,
}

impl Client {
    /// Over a byte sink and the lines read from the server's stdout.
    pub fn lines(writer: Pin<Box<dyn AsyncWrite + Send>>, lines: mpsc::Receiver<String>) -> Client {
        Client {
            conn: Conn::Lines { writer, lines },
            next_id: 1,
            protocol_version: None,
            stray_lines: 0,
        }
    }

    pub fn http(http: reqwest::Client, url: String, headers: Vec<(String, String)>) -> Client {
        Client {
            conn: Conn::Http {
                http,
                url,
                session: None,
                headers,
            },
            next_id: 1,
            protocol_version: None,
            stray_lines: 0,
        }
    }

    /// Send a request and wait for its response (no timeout here: the caller sets one).
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let response = match &mut self.conn {
            Conn::Lines { .. } => {
                self.send_line(&msg).await?;
                self.read_response(id).await?
            }
            Conn::Http { .. } => self
                .post(&msg, Some(id))
                .await?
                .ok_or(ClientError::Closed)?,
        };
        if let Some(err) = response.get("error") {
            return Err(ClientError::Rpc {
                method: method.to_owned(),
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .chars()
                    .take(500)
                    .collect(),
            });
        }
        response
            .get("result")
            .cloned()
            .ok_or_else(|| ClientError::Protocol(format!("the response to {method} has no result")))
    }

    pub async fn notify(&mut self, method: &str, params: Value) -> Result<(), ClientError> {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        match &self.conn {
            Conn::Lines { .. } => self.send_line(&msg).await,
            Conn::Http { .. } => self.post(&msg, None).await.map(|_| ()),
        }
    }

    /// End an HTTP session politely; stdio servers end when their process does.
    pub async fn close(&mut self) {
        if let Conn::Http {
            http,
            url,
            session: Some(s),
            ..
        } = &self.conn
        {
            let _ = http
                .delete(url.as_str())
                .header("mcp-session-id", s.as_str())
                .send()
                .await;
        }
    }

    async fn send_line(&mut self, msg: &Value) -> Result<(), ClientError> {
        let Conn::Lines { writer, .. } = &mut self.conn else {
            unreachable!("send_line on a line connection only")
        };
        let mut bytes =
            serde_json::to_vec(msg).map_err(|e| ClientError::Protocol(e.to_string()))?;
        bytes.push(b'\n');
        writer
            .write_all(&bytes)
            .await
            .map_err(|_| ClientError::Closed)?;
        writer.flush().await.map_err(|_| ClientError::Closed)
    }

    async fn read_response(&mut self, id: i64) -> Result<Value, ClientError> {
        loop {
            let line = {
                let Conn::Lines { lines, .. } = &mut self.conn else {
                    unreachable!()
                };
                lines.recv().await.ok_or(ClientError::Closed)?
            };
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                self.stray_lines += 1;
                continue;
            };
            if let Some(reply) = self.answer_server_request(&msg) {
                self.send_line(&reply).await?;
                continue;
            }
            if msg.get("id").and_then(Value::as_i64) == Some(id) {
                return Ok(msg);
            }
        }
    }

    /// Servers may ping us or ask things of a client; answer ping, decline the rest.
    fn answer_server_request(&self, msg: &Value) -> Option<Value> {
        let method = msg.get("method")?.as_str()?;
        let id = msg.get("id")?;
        Some(if method == "ping" {
            json!({"jsonrpc": "2.0", "id": id, "result": {}})
        } else {
            json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "not supported by the pc-hybrid validator"}})
        })
    }

    async fn post(&mut self, msg: &Value, want: Option<i64>) -> Result<Option<Value>, ClientError> {
        let protocol = self.protocol_version.clone();
        let Conn::Http {
            http,
            url,
            session,
            headers,
        } = &mut self.conn
        else {
            unreachable!("post on an HTTP connection only")
        };
        let mut req = http
            .post(url.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(serde_json::to_vec(msg).map_err(|e| ClientError::Protocol(e.to_string()))?);
        for (k, v) in headers.iter() {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(s) = session.as_deref() {
            req = req.header("mcp-session-id", s);
        }
        if let Some(p) = protocol.as_deref() {
            req = req.header("mcp-protocol-version", p);
        }
        let mut resp = req
            .send()
            .await
            .map_err(|e| ClientError::Http(describe(&e)))?;
        if let Some(s) = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            *session = Some(s.to_owned());
        }
        let status = resp.status();
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(ClientError::Http(format!(
                "{url} answered {status}: {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        let Some(id) = want else { return Ok(None) };
        let is_sse = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"));
        if !is_sse {
            let body = resp
                .bytes()
                .await
                .map_err(|e| ClientError::Http(describe(&e)))?;
            let v: Value = serde_json::from_slice(&body)
                .map_err(|e| ClientError::Protocol(format!("the response is not JSON: {e}")))?;
            return Ok(Some(v));
        }
        // Read events until the one answering `id`; the stream may carry others first.
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let chunk = resp
                .chunk()
                .await
                .map_err(|e| ClientError::Http(describe(&e)))?;
            let Some(chunk) = chunk else {
                return Err(ClientError::Closed);
            };
            buf.extend_from_slice(&chunk);
            while let Some(data) = crate::net::next_event(&mut buf) {
                if let Ok(v) = serde_json::from_str::<Value>(&data) {
                    if v.get("id").and_then(Value::as_i64) == Some(id) {
                        return Ok(Some(v));
                    }
                }
            }
            if buf.len() > 16 << 20 {
                return Err(ClientError::Protocol(
                    "an SSE event larger than 16 MiB".into(),
                ));
            }
        }
    }
}
