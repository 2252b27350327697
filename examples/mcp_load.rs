//! The client side of bench/gateway.py: call one MCP tool over and over, the same way for
//! every path measured (a server's own stdio, the gateway's `/mcp` on a Unix socket, an MCP
//! proxy on a loopback port), and print the latencies or the rate.
//!
//! Usage:
//!   mcp_load latency    TARGET TOOL CALLS
//!   mcp_load throughput TARGET TOOL CONNECTIONS SECONDS
//! TARGET: `unix:/path/to/socket` (POST /mcp), `http://127.0.0.1:PORT/mcp`, or
//! `stdio:PROGRAM ARG...` (one process per connection).
//! Prints one JSON object.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

// One per connection, a handful per run: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Conn {
    Http {
        send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
        host: String,
        path: String,
        session: Option<String>,
    },
    Stdio {
        _child: tokio::process::Child,
        stdin: tokio::process::ChildStdin,
        lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    },
}

struct Client {
    conn: Conn,
    next: i64,
}

impl Client {
    async fn connect(target: &str) -> Client {
        let conn = if let Some(cmd) = target.strip_prefix("stdio:") {
            let argv: Vec<&str> = cmd.split(' ').collect();
            let mut child = tokio::process::Command::new(argv[0])
                .args(&argv[1..])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("start the server");
            let stdin = child.stdin.take().unwrap();
            let lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
            Conn::Stdio {
                _child: child,
                stdin,
                lines,
            }
        } else {
            let (send, host, path) = if let Some(sock) = target.strip_prefix("unix:") {
                let s = tokio::net::UnixStream::connect(sock)
                    .await
                    .expect("the socket");
                (
                    handshake(s).await,
                    "localhost".to_string(),
                    "/mcp".to_string(),
                )
            } else {
                let u = url::Url::parse(target).expect("a URL");
                let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
                let s = tokio::net::TcpStream::connect(&addr)
                    .await
                    .expect("the port");
                s.set_nodelay(true).unwrap();
                (handshake(s).await, addr, u.path().to_string())
            };
            Conn::Http {
                send,
                host,
                path,
                session: None,
            }
        };
        let mut c = Client { conn, next: 1 };
        c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "mcp_load", "version": "1"}}),
        )
        .await;
        c.notify("notifications/initialized").await;
        c
    }

    async fn notify(&mut self, method: &str) {
        let msg = json!({"jsonrpc": "2.0", "method": method});
        match &mut self.conn {
            Conn::Stdio { stdin, .. } => {
                stdin
                    .write_all(format!("{msg}\n").as_bytes())
                    .await
                    .unwrap();
            }
            Conn::Http { .. } => {
                self.post(&msg).await;
            }
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let answer = match &mut self.conn {
            Conn::Stdio { stdin, lines, .. } => {
                stdin
                    .write_all(format!("{msg}\n").as_bytes())
                    .await
                    .unwrap();
                loop {
                    let line = lines.next_line().await.unwrap().expect("an answer");
                    let v: Value = serde_json::from_str(&line).unwrap();
                    if v.get("id") == Some(&json!(id)) {
                        break v;
                    }
                }
            }
            Conn::Http { .. } => self.post(&msg).await.expect("an answer"),
        };
        assert!(answer.get("result").is_some(), "{method}: {answer}");
        answer
    }

    async fn post(&mut self, msg: &Value) -> Option<Value> {
        let Conn::Http {
            send,
            host,
            path,
            session,
        } = &mut self.conn
        else {
            unreachable!()
        };
        let mut req = http::Request::post(path.as_str())
            .header("host", host.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18");
        if let Some(s) = session.as_deref() {
            req = req.header("mcp-session-id", s);
        }
        let req = req
            .body(Full::new(Bytes::from(serde_json::to_vec(msg).unwrap())))
            .unwrap();
        send.ready().await.unwrap();
        let resp = send.send_request(req).await.expect("a response");
        if let Some(s) = resp.headers().get("mcp-session-id") {
            *session = Some(s.to_str().unwrap().to_owned());
        }
        let sse = resp
            .headers()
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/event-stream"));
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        if body.is_empty() {
            return None;
        }
        if !sse {
            return Some(serde_json::from_slice(&body).unwrap());
        }
        let text = String::from_utf8_lossy(&body);
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
            .find(|v| v.get("id").is_some())
    }

    async fn call(&mut self, tool: &str, n: u64) {
        self.request(
            "tools/call",
            json!({"name": tool, "arguments": {"message": format!("m{n}")}}),
        )
        .await;
    }
}

async fn handshake<S>(s: S) -> hyper::client::conn::http1::SendRequest<Full<Bytes>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(s))
        .await
        .expect("an HTTP connection");
    tokio::spawn(conn);
    send
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("latency") if args.len() == 5 => {
            let mut c = Client::connect(&args[2]).await;
            let n: u64 = args[4].parse().unwrap();
            for i in 0..n / 10 {
                c.call(&args[3], i).await;
            }
            let mut ms = Vec::with_capacity(n as usize);
            for i in 0..n {
                let t = Instant::now();
                c.call(&args[3], i).await;
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "{}",
                json!({"calls": n, "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99), "mean_ms": ms.iter().sum::<f64>() / ms.len() as f64})
            );
        }
        Some("throughput") if args.len() == 6 => {
            let conns: usize = args[4].parse().unwrap();
            let secs: f64 = args[5].parse().unwrap();
            let done = Arc::new(AtomicU64::new(0));
            let mut clients = Vec::new();
            for _ in 0..conns {
                clients.push(Client::connect(&args[2]).await);
            }
            let start = Instant::now();
            let end = start + Duration::from_secs_f64(secs);
            let mut tasks = Vec::new();
            for mut c in clients {
                let (done, tool) = (done.clone(), args[3].clone());
                tasks.push(tokio::spawn(async move {
                    let mut i = 0;
                    while Instant::now() < end {
                        c.call(&tool, i).await;
                        i += 1;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            let elapsed = start.elapsed().as_secs_f64();
            let n = done.load(Ordering::Relaxed);
            println!(
                "{}",
                json!({"calls": n, "seconds": elapsed, "per_second": n as f64 / elapsed})
            );
        }
        _ => {
            eprintln!("usage: mcp_load latency TARGET TOOL CALLS | throughput TARGET TOOL CONNECTIONS SECONDS");
            std::process::exit(2);
        }
    }
}
