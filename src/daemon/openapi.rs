//! The daemon API's OpenAPI 3.1 document, generated from the route table and the wire
//! types it answers with (their JSON Schemas derived from the same serde declarations the
//! server and the client use).

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use super::api::{self, Endpoint, Route, PREFIX, PROTOCOL_HEADER, ROUTES};
use crate::ops;

/// The document, as served at `/api/v4/openapi.json` and committed as `docs/openapi.json`.
pub fn document() -> Value {
    let mut gen: SchemaGenerator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let problem = schema::<api::Problem>(&mut gen);
    let mut paths = Map::new();
    for r in ROUTES {
        let entry = paths
            .entry(format!("{PREFIX}{}", r.path))
            .or_insert_with(|| json!({}));
        entry[r.method.to_ascii_lowercase()] = operation(&mut gen, r, &problem);
    }
    let mut schemas = Map::new();
    for (name, s) in gen.definitions() {
        schemas.insert(name.clone(), s.clone());
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "pc-hybrid daemon API",
            "version": api::PROTOCOL_VERSION.to_string(),
            "description": "HTTP/1.1 on the daemon's Unix socket, which `pc-hybrid daemon \
                status` names (`curl --unix-socket <socket> http://localhost/api/v4/health`). \
                Only the daemon's own user is served. Every response carries the protocol version \
                in the `pc-hybrid-protocol` header; a request that sends another version is \
                refused. Errors are `application/problem+json` (RFC 9457) with the CLI's \
                message, hint, field pointers and exit code.",
        },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

fn schema<T: JsonSchema>(gen: &mut SchemaGenerator) -> Value {
    gen.subschema_for::<T>().to_value()
}

/// Optional query parameters: (name, type, description).
fn query(params: &[(&str, &str, &str)]) -> Vec<Value> {
    params
        .iter()
        .map(|(name, ty, description)| {
            json!({
                "name": name, "in": "query", "required": false,
                "description": description, "schema": { "type": ty },
            })
        })
        .collect()
}

fn content(media: &str, schema: Value) -> Value {
    json!({ media: { "schema": schema } })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": content("application/json", schema) })
}

fn path_param(name: &str, description: &str) -> Value {
    json!({
        "name": name, "in": "path", "required": true, "description": description,
        "schema": { "type": "string", "minLength": 1 },
    })
}

/// One operation of the document: what `route` takes and answers.
fn operation(gen: &mut SchemaGenerator, route: &Route, problem: &Value) -> Value {
    let mut parameters = vec![json!({
        "name": PROTOCOL_HEADER, "in": "header", "required": false,
        "description": "The protocol version the client speaks; another than the daemon's is refused",
        "schema": { "type": "string", "enum": [api::PROTOCOL_VERSION.to_string()] },
    })];
    let mut body = None;
    let mut responses = Map::new();
    match route.endpoint {
        Endpoint::Health | Endpoint::DaemonStop => {
            let code = if route.endpoint == Endpoint::Health {
                "200"
            } else {
                "202"
            };
            responses.insert(
                code.into(),
                ok("The daemon's state", schema::<api::Health>(gen)),
            );
        }
        Endpoint::Version => {
            responses.insert("200".into(), ok("Versions", schema::<api::Version>(gen)));
        }
        Endpoint::OpenApi => {
            responses.insert(
                "200".into(),
                ok("The OpenAPI document", json!({ "type": "object" })),
            );
        }
        Endpoint::DaemonStatus => {
            responses.insert("200".into(), ok("Status", schema::<api::Status>(gen)));
        }
        Endpoint::Operations => {
            body = Some(content(
                "application/json",
                schema::<api::OperationCall>(gen),
            ));
            responses.insert(
                "200".into(),
                json!({
                    "description": "The operation's frames, one JSON object per line; the last \
                        is `reply` or `failed`",
                    "content": content("application/x-ndjson", schema::<api::Frame>(gen)),
                }),
            );
        }
        Endpoint::Agents => {
            responses.insert(
                "200".into(),
                ok("The agents", schema::<Vec<ops::AgentRow>>(gen)),
            );
        }
        Endpoint::CreateAgent => {
            body = Some(content(
                "application/json",
                schema::<crate::factory::spec::AgentRequest>(gen),
            ));
            responses.insert(
                "202".into(),
                ok(
                    "Accepted: the creation goes on in the daemon; its steps at `progress_endpoint`",
                    schema::<api::CreationAccepted>(gen),
                ),
            );
        }
        Endpoint::CreationStatus => {
            parameters.push(path_param(
                "creation_id",
                "The id the creation was accepted with",
            ));
            responses.insert(
                "200".into(),
                ok(
                    "The creation and its steps",
                    schema::<crate::store::CreationRecord>(gen),
                ),
            );
        }
        Endpoint::Deploy => {
            parameters.push(path_param("name", "The agent"));
            // The body is the deploy request without its name: the path names the agent.
            let reference = schema::<ops::Deploy>(gen);
            let name = reference["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or("Deploy")
                .to_owned();
            let mut deploy = gen.definitions().get(&name).cloned().unwrap_or_default();
            if let Some(props) = deploy.get_mut("properties").and_then(Value::as_object_mut) {
                props.remove("name");
            }
            if let Some(req) = deploy.get_mut("required").and_then(Value::as_array_mut) {
                req.retain(|v| v != "name");
            }
            body = Some(content("application/json", deploy));
            responses.insert(
                "200".into(),
                ok(
                    "The deployment",
                    schema::<crate::deploy::DeployOutcome>(gen),
                ),
            );
        }
        Endpoint::Undeploy => {
            parameters.push(path_param("name", "The agent"));
            parameters.push(json!({
                "name": "target", "in": "query", "required": false,
                "description": "Only the deployment on this target",
                "schema": schema::<crate::deploy::Target>(gen),
            }));
            responses.insert(
                "200".into(),
                ok(
                    "The deployments removed",
                    schema::<Vec<crate::store::DeploymentRecord>>(gen),
                ),
            );
        }
        Endpoint::Servers => {
            responses.insert(
                "200".into(),
                ok(
                    "The registered servers",
                    schema::<Vec<crate::store::RegistryEntry>>(gen),
                ),
            );
        }
        Endpoint::Register => {
            let any = json!({
                "type": "object",
                "description": "A registration (reference design section 2.3), a manifest \
                    (apiVersion promptcraft.io/v1, kind MCPServer) or an official MCP \
                    Registry server.json; YAML is taken too",
            });
            body = Some(json!({
                "application/json": { "schema": any },
                "application/yaml": { "schema": { "type": "string" } },
            }));
            responses.insert(
                "201".into(),
                ok("Registered", schema::<api::Registered>(gen)),
            );
            for (code, why) in [
                (
                    "409",
                    "It passed its checks but conflicts with what is registered",
                ),
                ("422", "It did not pass its checks; the report says why"),
            ] {
                responses.insert(
                    code.into(),
                    json!({
                        "description": why,
                        "content": content("application/problem+json", problem.clone()),
                    }),
                );
            }
        }
        Endpoint::Insights => {
            parameters.extend(query(api::INSIGHTS_QUERY));
            responses.insert(
                "200".into(),
                ok(
                    "The insights (section 2.2)",
                    schema::<crate::analytics::insights::Insights>(gen),
                ),
            );
        }
        Endpoint::AuditEvents => {
            parameters.extend(query(api::AUDIT_QUERY));
            responses.insert(
                "200".into(),
                ok(
                    "The events, oldest first",
                    json!({ "type": "array", "items": { "type": "object" } }),
                ),
            );
        }
        Endpoint::AuditIngest => {
            for (name, ty, description) in api::AUDIT_INGEST {
                parameters.push(json!({
                    "name": name, "in": "query", "required": false,
                    "description": description, "schema": { "type": ty },
                }));
            }
            body = Some(json!({
                "application/x-ndjson": { "schema": {
                    "type": "array",
                    "items": { "type": "object" },
                    "description": "Audit events (reference design section 2.4, \
                        schemas/audit-event.schema.json), each sent as one line of JSON",
                } },
            }));
            responses.insert(
                "415".into(),
                json!({
                    "description": "The body is not application/x-ndjson",
                    "content": content("application/problem+json", problem.clone()),
                }),
            );
            responses.insert(
                "200".into(),
                json!({
                    "description": "The operation's frames, one JSON object per line, as                         `POST /operations` streams them: acknowledgements as `bytes`, the                         rejected lines as `warn`, the report in the last `reply`",
                    "content": content("application/x-ndjson", schema::<api::Frame>(gen)),
                }),
            );
        }
        Endpoint::WhoAmI => {
            responses.insert(
                "200".into(),
                ok("The caller", schema::<ops::auth::WhoAmI>(gen)),
            );
        }
        Endpoint::Sessions => {
            body = Some(content("application/json", schema::<api::NewSession>(gen)));
            responses.insert(
                "201".into(),
                ok(
                    "The daemon holds the session",
                    schema::<api::SessionKept>(gen),
                ),
            );
        }
    }
    responses.insert(
        "default".into(),
        json!({
            "description": "A problem: what is wrong and where, with the CLI's exit code",
            "content": content("application/problem+json", problem.clone()),
        }),
    );
    let mut op = json!({
        "operationId": operation_id(route),
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(content) = body {
        // A deploy without a body takes every default; an ingest without one ingests nothing.
        let required = !matches!(route.endpoint, Endpoint::Deploy | Endpoint::AuditIngest);
        op["requestBody"] = json!({ "required": required, "content": content });
    }
    op
}

/// A stable id: the operation's own id where the route runs one, else the route's name.
fn operation_id(route: &Route) -> &'static str {
    match route.endpoint {
        Endpoint::Health => "daemon.health",
        Endpoint::Version => "daemon.version",
        Endpoint::OpenApi => "daemon.openapi",
        Endpoint::DaemonStatus => "daemon.status",
        Endpoint::DaemonStop => "daemon.stop",
        Endpoint::Operations => "daemon.operation",
        Endpoint::Agents => "agent.list",
        Endpoint::CreateAgent => "agent.create",
        Endpoint::CreationStatus => "creation.status",
        Endpoint::Deploy => "agent.deploy",
        Endpoint::Undeploy => "agent.undeploy",
        Endpoint::Servers => "mcp.list",
        Endpoint::Register => "mcp.register",
        Endpoint::AuditEvents => "audit.query",
        Endpoint::Insights => "analytics.insights",
        Endpoint::AuditIngest => "audit.ingest",
        Endpoint::WhoAmI => "auth.whoami",
        Endpoint::Sessions => "auth.session_keep",
    }
}
