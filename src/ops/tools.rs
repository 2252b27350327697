//! The gateway's operations: call a tool (from `invoke` or an MCP client), show what the
//! gateway offers, approve changed tool definitions. A call is recorded once, when it
//! ends: one audit event and one execution row, whatever happened to it.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::event::{Category, EventType, Severity, Status};
use crate::error::{Error, Result};
use crate::gateway::catalog::{self, ReplicaState, Withheld};
use crate::gateway::{CallOutcome, RpcError, Who};
use crate::store::{ExecutionRecord, ExecutionStatus};

use super::{Caller, Cancel, Context, Reply, Request, Response, Sink};

/// `pc-hybrid invoke`, or `tools/call` of an MCP client.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallTool {
    /// The agent or server, when `tool` is its own name for the tool (`invoke`); absent
    /// when `tool` is the gateway's name (an MCP client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub tool: String,
    #[serde(default)]
    pub arguments: Value,
    /// The client's progress token: progress is sent back as items carrying it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_token: Option<Value>,
    /// The client's W3C trace context (`_meta.traceparent`): the call's span continues it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The MCP session the call came in, for its span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_session: Option<String>,
}

/// How a call ended, as `invoke` prints it and an MCP client gets it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Called {
    pub execution_id: String,
    pub server: String,
    pub tool: String,
    pub status: ExecutionStatus,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RpcError>,
}

/// `pc-hybrid mcp approve`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    pub server: String,
    /// One tool; absent: every pending definition of the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

/// What the gateway offers, to whom it is asked by.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GatewayView {
    pub version: u64,
    pub tools: Vec<ToolRow>,
    pub withheld: Vec<Withheld>,
    pub replicas: Vec<ReplicaState>,
    /// The version of the access rules and limits decisions are made under.
    pub policy: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolRow {
    pub name: String,
    pub server: String,
    pub tool: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The roles the access rules judge `caller` by: those of its identity; none where single
/// sign-on is required and it has none; `None` (the rules do not apply) for the local user
/// otherwise.
pub fn roles_for(ctx: &Context, caller: &Caller) -> Option<Vec<String>> {
    let enforced = ctx.settings.auth.required.value || caller.remote;
    match (&caller.identity, enforced) {
        (Some(i), _) => Some(i.roles()),
        (None, true) => Some(Vec::new()),
        (None, false) => None,
    }
}

/// What of the gateway `caller` may use: decided once (its permission, its roles), then
/// asked per server and tool of what is listed to it.
pub struct Access {
    permitted: bool,
    roles: Option<Vec<String>>,
}

impl Access {
    pub fn of(ctx: &Context, caller: &Caller) -> Access {
        Access {
            permitted: ctx.authorise(caller, &Request::GatewayStatus).is_ok(),
            roles: roles_for(ctx, caller),
        }
    }

    /// Whether `tool` of `server` (or, with `""`, the server's prompts and resources) may
    /// be used under `config`'s allow lists.
    pub fn allows(
        &self,
        config: &crate::gateway::policy::GatewayConfig,
        server: &str,
        tool: &str,
    ) -> bool {
        self.permitted && config.allows(self.roles.as_deref(), server, tool).is_ok()
    }
}

fn who(ctx: &Context, caller: &Caller) -> Who {
    Who {
        user: caller.user.clone(),
        roles: roles_for(ctx, caller),
    }
}

/// Run one call through the gateway and record it.
pub async fn call(
    ctx: &Context,
    caller: &Caller,
    request: Request,
    sink: &dyn Sink,
    cancel: &Cancel,
) -> Result<Reply> {
    let started = Instant::now();
    let wall = std::time::SystemTime::now();
    let denial = ctx.authorise(caller, &request).err();
    let Request::CallTool(c) = request else {
        return Err(Error::Internal("tools::call takes a tool call".into()));
    };
    let trace = crate::gateway::trace::ids(c.traceparent.as_deref());
    // The upstream's own spans, if it makes any, become children of this call's.
    let meta = json!({"traceparent": crate::gateway::trace::traceparent(&trace.0, &trace.1)});
    let gateway = ctx.gateway(c.server.as_deref()).await?;
    let name = match &c.server {
        Some(server) => gateway
            .catalog()
            .tools
            .iter()
            .find(|t| &t.server == server && t.tool == c.tool)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("{server}{}{}", crate::gateway::names::SEPARATOR, c.tool)),
        None => c.tool.clone(),
    };
    let outcome = match &denial {
        Some(e) => {
            let (server, tool) = match &c.server {
                Some(s) => (s.clone(), c.tool.clone()),
                None => split(&name),
            };
            CallOutcome {
                answer: Err(RpcError::new(catalog::DENIED, e.to_string())),
                status: ExecutionStatus::Denied,
                status_code: 403,
                server,
                tool,
                replica: None,
                request_bytes: serde_json::to_vec(&c.arguments)
                    .map(|v| v.len() as u64)
                    .unwrap_or(0),
                response_bytes: 0,
                tokens_in: None,
                tokens_out: None,
                cost: None,
                model: None,
                latency: started.elapsed(),
            }
        }
        None => {
            let arguments = if c.arguments.is_null() {
                json!({})
            } else {
                c.arguments.clone()
            };
            match &c.progress_token {
                None => {
                    gateway
                        .call(&who(ctx, caller), &name, arguments, meta, None, cancel)
                        .await
                }
                Some(token) => {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
                    let who = who(ctx, caller);
                    let call = gateway.call(&who, &name, arguments, meta, Some(tx), cancel);
                    tokio::pin!(call);
                    loop {
                        tokio::select! {
                            out = &mut call => break out,
                            Some(mut p) = rx.recv() => {
                                if let Some(o) = p.as_object_mut() {
                                    o.insert("progressToken".into(), token.clone());
                                }
                                sink.item(&p, &[]);
                            }
                        }
                    }
                }
            }
        }
    };
    let execution_id = uuid::Uuid::now_v7().to_string();
    record(ctx, caller, &execution_id, &trace.0, &c.arguments, &outcome)?;
    if let Some(e) = ctx.exporter() {
        e.send(crate::gateway::trace::Span {
            trace_id: trace.0.clone(),
            span_id: trace.1.clone(),
            parent_span_id: trace.2.clone(),
            method: "tools/call".into(),
            target: name.clone(),
            server: outcome.server.clone(),
            session: c.mcp_session.clone(),
            start: wall,
            duration: outcome.latency,
            error: outcome
                .answer
                .as_ref()
                .err()
                .map(|e| (e.code, e.message.clone())),
            status_code: outcome.status_code,
        });
        if !ctx.is_long_lived() {
            ctx.flush_spans().await;
        }
    }
    let called = Called {
        execution_id,
        server: outcome.server.clone(),
        tool: outcome.tool.clone(),
        status: outcome.status,
        latency_ms: outcome.latency.as_secs_f64() * 1000.0,
        result: outcome.answer.as_ref().ok().cloned(),
        error: outcome.answer.as_ref().err().cloned(),
    };
    let error = match (denial, &outcome.answer) {
        (Some(e), _) => Some(e),
        (_, Err(e)) => Some(match outcome.status_code {
            403 | 429 => Error::Permission {
                message: e.message.clone(),
                hint: None,
            },
            400 | 404 | 413 => Error::usage(e.message.clone(), None),
            _ => Error::failed(e.message.clone(), None),
        }),
        (_, Ok(_)) if outcome.status != ExecutionStatus::Success => Some(Error::failed(
            format!(
                "the tool reported an error: {}",
                outcome.error().unwrap_or_default()
            ),
            None,
        )),
        _ => None,
    };
    Ok(Reply {
        response: Response::Called(Box::new(called)),
        error,
    })
}

fn split(name: &str) -> (String, String) {
    match name.split_once(crate::gateway::names::SEPARATOR) {
        Some((s, t)) => (s.into(), t.into()),
        None => (String::new(), name.into()),
    }
}

/// The call's one audit event and one execution row.
fn record(
    ctx: &Context,
    caller: &Caller,
    execution_id: &str,
    trace_id: &str,
    arguments: &Value,
    o: &CallOutcome,
) -> Result<()> {
    let denied = o.status == ExecutionStatus::Denied;
    let failed = o.status != ExecutionStatus::Success;
    // Looked up once: it decides the event's flags and what the execution keeps.
    let classified = ctx.classified(Some(o.server.as_str()).filter(|s| !s.is_empty()))?;
    let mut data = super::context::data_of(classified.as_ref());
    data.request_size_bytes = Some(o.request_bytes);
    data.response_size_bytes = Some(o.response_bytes);
    data.cost = o.cost;
    let error = o.error();
    let action = crate::audit::Action {
        event_type: if denied {
            EventType::Authorization
        } else {
            EventType::Execution
        },
        category: if denied {
            Category::Security
        } else {
            Category::Operational
        },
        severity: match (denied, failed) {
            (true, _) => Severity::Warning,
            (false, true) => Severity::Error,
            _ => Severity::Info,
        },
        operation: "tool.call".into(),
        resource: format!("{}/{}", o.server, o.tool),
        resource_id: Some(execution_id.into()),
        status: if failed {
            Status::Failure
        } else {
            Status::Success
        },
        error: error.clone(),
        response_time_ms: o.latency.as_secs_f64() * 1000.0,
        agent_id: Some(o.server.clone()).filter(|s| !s.is_empty()),
        data,
        method: Some("tools/call".into()),
        status_code: Some(o.status_code),
    };
    ctx.recorder()?.record_outcome(action, caller)?;
    let writer = ctx.execution_writer()?;
    writer.record(ExecutionRecord {
        execution_id: execution_id.into(),
        timestamp: chrono::Utc::now(),
        agent_id: o.server.clone(),
        tool: o.tool.clone(),
        user_id: caller
            .identity
            .as_ref()
            .map(|i| i.subject.clone())
            .unwrap_or_else(|| caller.user.clone()),
        organization: caller
            .identity
            .as_ref()
            .and_then(|i| i.organization.clone())
            .or_else(|| Some(ctx.settings.organization.value.clone())),
        session_id: caller.session_id.clone(),
        replica: o.replica,
        latency_ms: o.latency.as_secs_f64() * 1000.0,
        status: o.status,
        request_bytes: o.request_bytes,
        response_bytes: o.response_bytes,
        tokens_in: o.tokens_in,
        tokens_out: o.tokens_out,
        cost: o.cost,
        model: o.model.clone(),
        trace_id: Some(trace_id.to_owned()),
        error,
        arguments: Some(kept_arguments(classified.as_ref(), arguments)),
        feedback: None,
    });
    if !ctx.is_long_lived() {
        // The process ends soon after: the row is written before it does.
        writer.flush();
    }
    Ok(())
}

/// What an execution keeps of a call's arguments: their values only where data
/// classification is on and the server is classified `public` (`classified`), else their
/// shape (as Docker's gateway logs calls), so that no secret or personal value is stored.
fn kept_arguments(classified: Option<&(String, Vec<String>)>, arguments: &Value) -> Value {
    if classified.is_some_and(|(level, _)| level == "public") {
        return arguments.clone();
    }
    crate::store::executions::shape(arguments)
}

pub async fn status(ctx: &Context, caller: &Caller) -> Result<Reply> {
    let gateway = ctx.gateway(None).await?;
    let catalog = gateway.catalog();
    let access = Access::of(ctx, caller);
    let config = gateway.config();
    let tools = catalog
        .tools
        .iter()
        .filter(|t| access.allows(config, &t.server, &t.tool))
        .map(|t| ToolRow {
            name: t.name.clone(),
            server: t.server.clone(),
            tool: t.tool.clone(),
            description: t
                .definition
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
        .collect();
    Ok(Response::Gateway(Box::new(GatewayView {
        version: catalog.version,
        tools,
        withheld: catalog.withheld.clone(),
        replicas: gateway.replicas(),
        policy: config.version(),
    }))
    .into())
}

pub async fn approve(ctx: &Context, a: &Approve, sink: &dyn Sink) -> Result<Reply> {
    let store = ctx.store()?;
    crate::registry::find(store.as_ref(), &a.server, None)?;
    let approved = catalog::approve(store.as_ref(), &a.server, a.tool.as_deref())?;
    if approved.is_empty() {
        return Err(Error::not_found(
            match &a.tool {
                Some(t) => format!(
                    "tool `{t}` of `{}` has no definition waiting for approval",
                    a.server
                ),
                None => format!("`{}` has no tool definition waiting for approval", a.server),
            },
            Some("`pc-hybrid gateway status` lists the withheld tools and why"),
        ));
    }
    sink.note(&format!(
        "approved the current definition of {} tool(s) of {}: {}",
        approved.len(),
        a.server,
        approved.join(", ")
    ));
    if ctx.gateway_built().is_some() {
        ctx.refresh_gateway(None, &[]).await?;
    }
    Ok(Response::Approved(approved).into())
}

/// The prompts, resources or resource templates `caller` may use (`method` is the list
/// asked for), as MCP lists them.
pub async fn offered(ctx: &Context, caller: &Caller, method: &str) -> Result<Value> {
    let gateway = ctx.gateway(None).await?;
    let catalog = gateway.catalog();
    let access = Access::of(ctx, caller);
    let open = |server: &str| access.allows(gateway.config(), server, "");
    Ok(match method {
        "prompts/list" => json!({"prompts": catalog
            .prompts
            .iter()
            .filter(|p| open(&p.1))
            .map(|p| p.3.clone())
            .collect::<Vec<_>>()}),
        "resources/list" => json!({"resources": catalog
            .resources
            .iter()
            .filter(|r| open(&r.0))
            .map(|r| r.1.clone())
            .collect::<Vec<_>>()}),
        _ => json!({"resourceTemplates": catalog
            .templates
            .iter()
            .filter(|r| open(&r.0))
            .map(|r| r.1.clone())
            .collect::<Vec<_>>()}),
    })
}

/// `resources/read` or `prompts/get` of `caller`, sent to the server that offers it and
/// recorded as one audit event (a read of upstream data, not a tool call: no execution).
pub async fn forward(
    ctx: &Context,
    caller: &Caller,
    method: &str,
    params: Value,
    cancel: &Cancel,
) -> std::result::Result<Value, RpcError> {
    let started = Instant::now();
    let wall = std::time::SystemTime::now();
    let trace =
        crate::gateway::trace::ids(params.pointer("/_meta/traceparent").and_then(Value::as_str));
    let gateway = ctx
        .gateway(None)
        .await
        .map_err(|e| RpcError::new(catalog::UPSTREAM, e.to_string()))?;
    let catalog = gateway.catalog();
    let (server, what, params) = if method == "prompts/get" {
        let name = params.get("name").and_then(Value::as_str).unwrap_or("");
        let Some((server, own)) = catalog.prompt(name) else {
            return Err(RpcError::new(
                catalog::INVALID_PARAMS,
                format!("no prompt `{name}`; prompts/list shows the prompts"),
            ));
        };
        let mut p = params.clone();
        p["name"] = json!(own);
        (server.to_owned(), name.to_owned(), p)
    } else {
        let uri = params.get("uri").and_then(Value::as_str).unwrap_or("");
        let Some(server) = catalog.resource_server(uri) else {
            return Err(RpcError::new(
                catalog::INVALID_PARAMS,
                format!("no server offers the resource `{uri}`"),
            ));
        };
        (server.to_owned(), uri.to_owned(), params)
    };
    let roles = roles_for(ctx, caller);
    let refusal = ctx
        .authorise(caller, &Request::GatewayStatus)
        .err()
        .map(|e| e.to_string())
        .or_else(|| gateway.config().allows(roles.as_deref(), &server, "").err());
    let request_bytes = serde_json::to_vec(&params)
        .map(|v| v.len() as u64)
        .unwrap_or(0);
    let sent = match &refusal {
        Some(why) => catalog::Sent {
            answer: Err(RpcError::new(
                catalog::DENIED,
                format!("{} may not read `{what}`: {why}", caller.user),
            )),
            status: ExecutionStatus::Denied,
            status_code: 403,
            replica: None,
        },
        None => {
            gateway
                .send(&server, &what, method, params, None, cancel, started)
                .await
        }
    };
    let response_bytes = sent
        .answer
        .as_ref()
        .map(|r| serde_json::to_vec(r).map(|v| v.len() as u64).unwrap_or(0))
        .unwrap_or(0);
    let denied = sent.status == ExecutionStatus::Denied;
    let ok = sent.answer.is_ok();
    if let Some(e) = ctx.exporter() {
        e.send(crate::gateway::trace::Span {
            trace_id: trace.0,
            span_id: trace.1,
            parent_span_id: trace.2,
            method: method.into(),
            target: what.clone(),
            server: server.clone(),
            session: None,
            start: wall,
            duration: started.elapsed(),
            error: sent
                .answer
                .as_ref()
                .err()
                .map(|e| (e.code, e.message.clone())),
            status_code: sent.status_code,
        });
    }
    let mut data = ctx
        .data_flags(Some(&server))
        .map_err(|e| RpcError::new(catalog::UPSTREAM, e.to_string()))?;
    data.request_size_bytes = Some(request_bytes);
    data.response_size_bytes = Some(response_bytes);
    let action = crate::audit::Action {
        event_type: if denied {
            EventType::Authorization
        } else {
            EventType::DataAccess
        },
        category: if denied {
            Category::Security
        } else {
            Category::Operational
        },
        severity: if ok {
            Severity::Info
        } else {
            Severity::Warning
        },
        operation: if method == "prompts/get" {
            "prompt.get".into()
        } else {
            "resource.read".into()
        },
        resource: what,
        resource_id: None,
        status: if ok { Status::Success } else { Status::Failure },
        error: sent.answer.as_ref().err().map(|e| e.message.clone()),
        response_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        agent_id: Some(server),
        data,
        method: Some(method.into()),
        status_code: Some(sent.status_code),
    };
    ctx.recorder()
        .and_then(|r| r.record_outcome(action, caller))
        .map_err(|e| RpcError::new(catalog::UPSTREAM, e.to_string()))?;
    sent.answer
}
