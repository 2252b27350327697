//! The API contract stage: each capability's input and output schema is a valid JSON Schema,
//! capability names are unique, and so are endpoint/method pairs.

use std::collections::HashMap;

use serde_json::Value;

use super::model::{Findings, Server, SourceFormat, Stage};

pub(super) fn schema_keys(format: SourceFormat) -> (&'static str, &'static str) {
    match format {
        SourceFormat::Registration => ("input_schema", "output_schema"),
        _ => ("parameters", "response"),
    }
}

/// Why `schema` is not a usable JSON Schema, as (pointer inside it, message).
pub fn schema_problem(schema: &Value) -> Option<(String, String)> {
    if !schema.is_object() && !schema.is_boolean() {
        return Some((
            String::new(),
            "a JSON Schema is a mapping (or true/false)".into(),
        ));
    }
    if let Err(e) = jsonschema::meta::validate(schema) {
        return Some((e.instance_path().to_string(), e.to_string()));
    }
    // Valid against the meta-schema but unusable, e.g. a $ref that cannot be resolved or a
    // pattern that is not a regular expression. Compiling is the costly part of this stage,
    // so it is done only for schemas that use such keywords.
    if needs_compiling(schema) {
        if let Err(e) = jsonschema::validator_for(schema) {
            return Some((e.instance_path().to_string(), e.to_string()));
        }
    }
    None
}

/// Whether `schema` uses a keyword whose value the meta-schema cannot fully check.
fn needs_compiling(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => m.iter().any(|(k, v)| {
            matches!(
                k.as_str(),
                "$ref"
                    | "$dynamicRef"
                    | "$recursiveRef"
                    | "pattern"
                    | "patternProperties"
                    | "$id"
                    | "$anchor"
            ) || needs_compiling(v)
        }),
        Value::Array(a) => a.iter().any(needs_compiling),
        _ => false,
    }
}

pub fn check(s: &Server, f: &mut Findings) {
    let base = s.pointer("capabilities");
    let (input_key, output_key) = schema_keys(s.format);
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut routes: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, c) in s.capabilities.iter().enumerate() {
        let at = format!("{base}/{i}");
        for (key, schema, what) in [
            (input_key, &c.input_schema, "input"),
            (output_key, &c.output_schema, "output"),
        ] {
            let ptr = format!("{at}/{key}");
            if let Some((inner, msg)) = schema_problem(schema) {
                f.error(
                    Stage::Contract,
                    "contract/json-schema",
                    &format!("{ptr}{inner}"),
                    format!(
                        "the {what} schema of `{}` is not a valid JSON Schema: {msg}",
                        c.name
                    ),
                );
            }
        }
        // MCP tools take named arguments: their input schema describes an object.
        if let Some(t) = c.input_schema.get("type") {
            if t != "object" {
                f.error(
                    Stage::Contract,
                    "contract/input-object",
                    &format!("{at}/{input_key}/type"),
                    format!(
                        "the input schema of `{}` must have type `object`, not {t}",
                        c.name
                    ),
                );
            }
        }
        if let Some(first) = names.insert(&c.name, i) {
            f.error(
                Stage::Contract,
                "contract/unique-capability",
                &format!("{at}/name"),
                format!(
                    "capability `{}` is declared twice (first at index {first})",
                    c.name
                ),
            );
        }
        // Only REST-style capabilities have routes that can collide.
        let Some(endpoint) = c.endpoint.as_deref() else {
            continue;
        };
        let method = c.method.as_deref().unwrap_or("POST");
        if let Some(first) = routes.insert((endpoint, method), i) {
            f.error(
                Stage::Contract,
                "contract/unique-endpoint",
                &format!("{at}/endpoint"),
                format!(
                    "{} {} is already the endpoint of capability {first} (`{}`)",
                    method, endpoint, s.capabilities[first].name
                ),
            );
        }
    }
}
