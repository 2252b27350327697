//! `pc-hybrid invoke`, `gateway status|stdio` and `mcp approve`: their requests, how their
//! answers look, and the stdio transport of the gateway.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

use crate::cli::{GatewayCommand, InvokeArgs};
use crate::error::{Error, Result};
use crate::ops::tools::{Approve, CallTool, Called, GatewayView};
use crate::ops::{self, mcp, Caller, Cancel, Context, Request};
use crate::output::{Output, Tabular};
use crate::settings::Settings;

pub fn invoke_request(a: &InvokeArgs) -> Result<Request> {
    let arguments = match &a.json {
        Some(text) => {
            let v: Value = serde_json::from_str(text)
                .map_err(|e| Error::invalid("--json", format!("not JSON: {e}")))?;
            if !v.is_object() {
                return Err(Error::invalid(
                    "--json",
                    "the arguments are one JSON object",
                ));
            }
            v
        }
        None => {
            let mut m = Map::new();
            for arg in &a.args {
                let (k, v) = if let Some((k, raw)) = arg.split_once(":=") {
                    let v: Value = serde_json::from_str(raw).map_err(|e| {
                        Error::invalid(
                            "--arg",
                            format!(
                                "`{}`: the value after := is not JSON: {e}",
                                k.escape_debug()
                            ),
                        )
                    })?;
                    (k, v)
                } else if let Some((k, v)) = arg.split_once('=') {
                    (k, Value::String(v.to_owned()))
                } else {
                    return Err(Error::invalid(
                        "--arg",
                        format!(
                            "`{}` is not KEY=VALUE (a string) or KEY:=JSON",
                            arg.escape_debug()
                        ),
                    ));
                };
                if k.is_empty() {
                    return Err(Error::invalid("--arg", "an argument needs a name before ="));
                }
                m.insert(k.to_owned(), v);
            }
            Value::Object(m)
        }
    };
    Ok(Request::CallTool(Box::new(CallTool {
        server: Some(a.agent.clone()),
        tool: a.tool.clone(),
        arguments,
        progress_token: None,
        traceparent: None,
        mcp_session: None,
    })))
}

pub fn request(c: &GatewayCommand) -> Request {
    match c {
        GatewayCommand::Status => Request::GatewayStatus,
        GatewayCommand::Stdio => unreachable!("the stdio gateway is a transport, not an operation"),
    }
}

pub fn approve_request(a: &crate::cli::McpApproveArgs) -> Request {
    Request::ApproveTools(Approve {
        server: a.name.clone(),
        tool: a.tool.clone(),
    })
}

/// A call's answer: the text the tool gave (table output), or the whole record.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Answer<'a>(pub &'a Called);

impl Answer<'_> {
    /// The text parts of the result, one per line; other parts named by their type.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(parts) = self
            .0
            .result
            .as_ref()
            .and_then(|r| r.get("content"))
            .and_then(Value::as_array)
        {
            for p in parts {
                match (p.get("type").and_then(Value::as_str), p.get("text")) {
                    (Some("text"), Some(Value::String(t))) => out.push_str(t),
                    (kind, _) => out.push_str(&format!("[{} content]", kind.unwrap_or("unknown"))),
                }
                out.push('\n');
            }
        }
        if out.is_empty() {
            if let Some(s) = self
                .0
                .result
                .as_ref()
                .and_then(|r| r.get("structuredContent"))
            {
                out = format!("{s}\n");
            }
        }
        out
    }
}

impl Tabular for Answer<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        vec![out.record(&[
            ("execution", self.0.execution_id.clone()),
            ("status", self.0.status.as_str().into()),
            ("text", self.text()),
        ])]
    }
}

#[derive(Serialize)]
#[serde(transparent)]
pub struct View<'a>(pub &'a GatewayView);

impl Tabular for View<'_> {
    fn tables(&self, out: &Output) -> Vec<comfy_table::Table> {
        let v = self.0;
        let mut tools = out.table(&["tool", "server", "as published", "description"]);
        for t in &v.tools {
            tools.add_row(vec![
                t.name.clone(),
                t.server.clone(),
                t.tool.clone(),
                t.description
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect(),
            ]);
        }
        let mut tables = vec![tools];
        if !v.withheld.is_empty() {
            let mut w = out.table(&["withheld", "server", "why"]);
            for x in &v.withheld {
                w.add_row(vec![x.tool.clone(), x.server.clone(), x.reason.clone()]);
            }
            tables.push(w);
        }
        let mut r = out.table(&["server", "replica", "endpoint", "healthy", "in flight"]);
        for x in &v.replicas {
            r.add_row(vec![
                x.server.clone(),
                x.replica.to_string(),
                x.endpoint.clone(),
                match &x.failure {
                    None => "yes".into(),
                    Some(f) => format!("no: {f}"),
                },
                x.outstanding.to_string(),
            ]);
        }
        tables.push(r);
        tables
    }
}

/// Serve the gateway on stdin and stdout until stdin ends: each request answered in a task
/// of its own (a slow tool does not hold the others), cancellations passed on, the client
/// told when the tools change.
pub async fn stdio(settings: Settings) -> Result<()> {
    let ctx = Arc::new(Context::new(settings, crate::audit::event::Component::Cli).long_lived());
    let caller = Caller::local(&ctx.settings.audit.user);
    let caller = Arc::new(ops::auth::identify(&ctx, caller, ops::auth::Credential::Local).await?);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(msg) = rx.recv().await {
            let mut line = serde_json::to_vec(&msg).unwrap_or_default();
            line.push(b'\n');
            if stdout.write_all(&line).await.is_err() || stdout.flush().await.is_err() {
                break;
            }
        }
    });
    let stop = Cancel::new();
    {
        let (ctx, stop) = (ctx.clone(), stop.clone());
        tokio::spawn(async move {
            mcp::watch(&ctx, std::time::Duration::from_secs(30), &stop).await;
        });
    }
    let running: Arc<std::sync::Mutex<std::collections::HashMap<String, Cancel>>> =
        Default::default();
    let mut announced = false;
    // One client per process: its session, for the calls' spans.
    let session = Arc::new(uuid::Uuid::new_v4().simple().to_string());
    let mut calls = tokio::task::JoinSet::new();
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        match mcp::parse(line.as_bytes()) {
            mcp::Message::Invalid(answer) => {
                if !answer.is_null() {
                    let _ = tx.send(answer);
                }
            }
            mcp::Message::Notification(method, params) => {
                if method == "notifications/cancelled" {
                    let id = params.get("requestId").map(Value::to_string);
                    if let Some(c) = id.and_then(|id| running.lock().ok()?.remove(&id)) {
                        c.cancel();
                    }
                }
                if method == "notifications/initialized" && !announced {
                    announced = true;
                    let (tx, ctx, stop) = (tx.clone(), ctx.clone(), stop.clone());
                    tokio::spawn(async move {
                        let Ok(g) = ctx.gateway(None).await else {
                            return;
                        };
                        let mut changes = g.subscribe();
                        loop {
                            tokio::select! {
                                r = changes.recv() => if r.is_err() { return },
                                _ = stop.cancelled() => return,
                            }
                            let note = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
                            if tx.send(note).is_err() {
                                return;
                            }
                        }
                    });
                }
            }
            mcp::Message::Request(id, method, params) => {
                let cancel = Cancel::new();
                if let Ok(mut r) = running.lock() {
                    r.insert(id.to_string(), cancel.clone());
                }
                let (ctx, caller, tx, running, session) = (
                    ctx.clone(),
                    caller.clone(),
                    tx.clone(),
                    running.clone(),
                    session.clone(),
                );
                calls.spawn(async move {
                    let sink = mcp::Progress { tx: tx.clone() };
                    let answer = mcp::answer(
                        &ctx,
                        &caller,
                        Some(&session),
                        &id,
                        &method,
                        params,
                        &sink,
                        &cancel,
                    )
                    .await;
                    let cancelled = running
                        .lock()
                        .ok()
                        .and_then(|mut r| r.remove(&id.to_string()))
                        .is_none();
                    // A request the client cancelled gets no answer (MCP).
                    if !cancelled {
                        let _ = tx.send(answer);
                    }
                });
            }
        }
    }
    // The client closed its side: what it asked is still answered, then everything stops.
    while calls.join_next().await.is_some() {}
    stop.cancel();
    drop(tx);
    if let Some(g) = ctx.gateway_built() {
        g.shutdown().await;
    }
    if let Ok(w) = ctx.execution_writer() {
        w.flush();
    }
    ctx.flush_spans().await;
    let _ = writer.await;
    Ok(())
}
