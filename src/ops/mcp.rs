//! The gateway's MCP face: one client session's JSON-RPC messages (from the daemon's `/mcp`
//! or `gateway stdio`) answered, each tool call run as a `tool.call` operation, and the
//! catalog kept fresh while anyone is connected.

use std::time::Duration;

use serde_json::{json, Value};

use super::{Caller, Cancel, Context, Request, Response, Sink};
use crate::gateway::catalog;
use crate::gateway::upstream::Note;

/// Protocol revisions the gateway speaks to its clients, newest first.
pub const PROTOCOL_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INTERNAL_ERROR: i64 = -32603;

/// What a message is, before it is answered.
pub enum Message {
    /// A request: its id, method and params.
    Request(Value, String, Value),
    /// A notification (no answer).
    Notification(String, Value),
    /// Not a JSON-RPC message we take: the error answer (id null unless known).
    Invalid(Value),
}

/// Parse one message of a client.
pub fn parse(bytes: &[u8]) -> Message {
    let v: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Message::Invalid(error(&Value::Null, PARSE_ERROR, &format!("not JSON: {e}")))
        }
    };
    if v.is_array() {
        return Message::Invalid(error(
            &Value::Null,
            INVALID_REQUEST,
            "JSON-RPC batches are not part of MCP since 2025-06-18; send one message at a time",
        ));
    }
    let id = v.get("id").cloned();
    let method = v.get("method").and_then(Value::as_str).map(str::to_owned);
    if v.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Message::Invalid(error(
            id.as_ref().unwrap_or(&Value::Null),
            INVALID_REQUEST,
            "not a JSON-RPC 2.0 message (`jsonrpc` must be \"2.0\")",
        ));
    }
    let params = v.get("params").cloned().unwrap_or(json!({}));
    match (id, method) {
        (Some(id), Some(m)) if id.is_string() || id.is_i64() || id.is_u64() => {
            Message::Request(id, m, params)
        }
        (Some(id), Some(_)) => Message::Invalid(error(
            &id,
            INVALID_REQUEST,
            "a request id is a string or an integer",
        )),
        (None, Some(m)) => Message::Notification(m, params),
        // An answer to a request of ours: the gateway sends clients none.
        (Some(_), None) | (None, None) => Message::Invalid(Value::Null),
    }
}

pub fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// The protocol revision answered to a client asking for `asked`.
pub fn negotiate(asked: Option<&str>) -> &'static str {
    PROTOCOL_VERSIONS
        .iter()
        .find(|v| Some(**v) == asked)
        .copied()
        .unwrap_or(PROTOCOL_VERSIONS[1])
}

/// Answer one request of `caller`. Progress of a tool call goes to `sink` as items (each a
/// `notifications/progress` params object).
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    ctx: &Context,
    caller: &Caller,
    session: Option<&str>,
    id: &Value,
    method: &str,
    params: Value,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Value {
    match method {
        "initialize" => result(
            id,
            json!({
                "protocolVersion": negotiate(params.get("protocolVersion").and_then(Value::as_str)),
                "capabilities": {
                    "tools": {"listChanged": true},
                    "prompts": {},
                    "resources": {},
                },
                "serverInfo": {
                    "name": "pc-hybrid-gateway",
                    "title": "PromptCraft-Hybrid gateway",
                    "version": env!("CARGO_PKG_VERSION"),
                },
                "instructions": "Every tool of the deployed agents and registered MCP servers, named <server>__<tool>. Calls are governed and recorded.",
            }),
        ),
        "ping" => result(id, json!({})),
        "tools/list" => match tools(ctx, caller).await {
            Ok(tools) => result(id, json!({ "tools": tools })),
            Err(e) => error(id, INTERNAL_ERROR, &e.to_string()),
        },
        "tools/call" => {
            let Some(name) = params.get("name").and_then(Value::as_str) else {
                return error(id, catalog::INVALID_PARAMS, "tools/call needs `name`");
            };
            let arguments = params.get("arguments").cloned().unwrap_or(json!({}));
            if !arguments.is_object() {
                return error(
                    id,
                    catalog::INVALID_PARAMS,
                    "`arguments` of tools/call is an object",
                );
            }
            let request = Request::CallTool(Box::new(super::tools::CallTool {
                server: None,
                tool: name.to_owned(),
                arguments,
                progress_token: params.pointer("/_meta/progressToken").cloned(),
                traceparent: params
                    .pointer("/_meta/traceparent")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                mcp_session: session.map(str::to_owned),
            }));
            // What `execute` runs for a call, called here directly: `execute`'s future as a
            // whole (every operation's) cannot move between threads, and a call's must.
            match super::tools::call(ctx, caller, request, sink, cancel).await {
                Ok(reply) => match reply.response {
                    Response::Called(c) => match (c.result, c.error) {
                        (Some(r), _) => result(id, r),
                        (None, Some(e)) => json!({"jsonrpc": "2.0", "id": id, "error": e}),
                        (None, None) => error(id, INTERNAL_ERROR, "the call gave nothing back"),
                    },
                    _ => error(id, INTERNAL_ERROR, "the call gave something else back"),
                },
                Err(e) => error(id, INTERNAL_ERROR, &e.to_string()),
            }
        }
        "resources/list" | "resources/templates/list" | "prompts/list" => {
            match super::tools::offered(ctx, caller, method).await {
                Ok(v) => result(id, v),
                Err(e) => error(id, INTERNAL_ERROR, &e.to_string()),
            }
        }
        "resources/read" | "prompts/get" => {
            match super::tools::forward(ctx, caller, method, params, cancel).await {
                Ok(v) => result(id, v),
                Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": e}),
            }
        }
        "logging/setLevel" => result(id, json!({})),
        other => error(
            id,
            METHOD_NOT_FOUND,
            &format!("the gateway does not serve `{}`", other.escape_debug()),
        ),
    }
}

/// The tools `caller` may use, as tools/list gives them.
async fn tools(ctx: &Context, caller: &Caller) -> crate::error::Result<Vec<Value>> {
    let gateway = ctx.gateway(None).await?;
    let catalog = gateway.catalog();
    let access = super::tools::Access::of(ctx, caller);
    Ok(catalog
        .tools
        .iter()
        .filter(|t| access.allows(gateway.config(), &t.server, &t.tool))
        .map(|t| t.definition.clone())
        .collect())
}

/// Where the progress of a call goes: the client, as `notifications/progress` messages.
pub struct Progress {
    pub tx: tokio::sync::mpsc::UnboundedSender<Value>,
}

impl Sink for Progress {
    fn note(&self, _: &str) {}
    fn warn(&self, msg: &str) {
        log::warn!("{msg}");
    }
    fn step(&self, _: &str, _: &super::Step) {}
    fn steps_done(&self, _: &str) {}
    fn item(&self, item: &Value, _: &[String]) -> bool {
        self.tx
            .send(json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": item}))
            .is_ok()
    }
    fn bytes(&self, _: &[u8]) -> bool {
        true
    }
}

/// Keep the gateway's catalog fresh for as long as it runs: again when an upstream says its
/// list changed or its process ended, and every `every` (what was deployed or registered
/// by another process).
pub async fn watch(ctx: &Context, every: Duration, stop: &Cancel) {
    let Ok(gateway) = ctx.gateway(None).await else {
        return;
    };
    let Some(mut notes) = gateway.take_notes() else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            note = notes.recv() => match note {
                Some(Note::ListChanged { .. }) | Some(Note::Gone { .. }) => {
                    // A burst of notes makes one refresh.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    while notes.try_recv().is_ok() {}
                }
                None => return,
            },
            _ = tick.tick() => {}
            _ = stop.cancelled() => return,
        }
        if let Err(e) = ctx.refresh_gateway(None, &[]).await {
            log::warn!("refreshing the gateway: {e}");
        }
    }
}
