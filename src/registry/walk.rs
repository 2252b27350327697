//! A strict walker over JSON values for the schema stage: typed reads that record every
//! problem (wrong type, missing field, unknown field, bad value) at its JSON pointer and go on.

use serde_json::{Map, Value};

use super::model::{Findings, Stage};
use crate::document::escape_token;

pub fn child(ptr: &str, key: &str) -> String {
    if key.contains(['~', '/']) {
        return format!("{ptr}/{}", escape_token(key));
    }
    let mut s = String::with_capacity(ptr.len() + 1 + key.len());
    s.push_str(ptr);
    s.push('/');
    s.push_str(key);
    s
}

pub fn index(ptr: &str, i: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(ptr.len() + 4);
    s.push_str(ptr);
    let _ = write!(s, "/{i}");
    s
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// An object being read: its fields are looked up by name.
pub struct Obj<'v> {
    pub map: &'v Map<String, Value>,
    pub ptr: String,
}

impl<'v> Obj<'v> {
    pub fn ptr(&self, key: &str) -> String {
        child(&self.ptr, key)
    }
}

pub struct Walker<'f, 'd> {
    pub f: &'f mut Findings<'d>,
}

impl<'f, 'd> Walker<'f, 'd> {
    pub fn new(f: &'f mut Findings<'d>) -> Self {
        Walker { f }
    }

    pub fn err(&mut self, rule: &str, ptr: &str, msg: impl Into<String>) {
        self.f.error(Stage::Schema, rule, ptr, msg);
    }

    fn wrong_type(&mut self, ptr: &str, want: &str, v: &Value) {
        self.err(
            "schema/type",
            ptr,
            format!("expected {want}, found {}", type_name(v)),
        );
    }

    /// Read an object whose keys must all be in `known`.
    pub fn obj<'v>(&mut self, v: &'v Value, ptr: &str, known: &[&str]) -> Option<Obj<'v>> {
        self.obj_with(v, ptr, known, |w, at, k, expected| {
            w.err(
                "schema/unknown-field",
                at,
                format!("unknown field `{k}`; expected one of: {expected}"),
            )
        })
    }

    /// Read an object; `unknown` is told of each key not in `known` (its pointer, the key
    /// escaped for display, and the known keys listed).
    pub fn obj_with<'v>(
        &mut self,
        v: &'v Value,
        ptr: &str,
        known: &[&str],
        unknown: impl Fn(&mut Self, &str, &str, &str),
    ) -> Option<Obj<'v>> {
        let Value::Object(map) = v else {
            self.wrong_type(ptr, "a mapping", v);
            return None;
        };
        for k in map.keys() {
            if !known.contains(&k.as_str()) {
                let mut expected: Vec<&str> = known.to_vec();
                expected.sort_unstable();
                let shown = k.escape_debug().to_string();
                unknown(self, &child(ptr, k), &shown, &expected.join(", "));
            }
        }
        Some(Obj {
            map,
            ptr: ptr.to_owned(),
        })
    }

    /// An optional field; `null` counts as absent.
    pub fn opt<'v>(&mut self, o: &Obj<'v>, key: &str) -> Option<&'v Value> {
        o.map.get(key).filter(|v| !v.is_null())
    }

    /// A required field.
    pub fn req<'v>(&mut self, o: &Obj<'v>, key: &str) -> Option<&'v Value> {
        let v = self.opt(o, key);
        if v.is_none() {
            self.err(
                "schema/required",
                &o.ptr(key),
                format!("`{key}` is required"),
            );
        }
        v
    }

    pub fn string(&mut self, v: &Value, ptr: &str, max_chars: usize) -> Option<String> {
        match v {
            Value::String(s) => {
                if s.chars().count() > max_chars {
                    self.err(
                        "schema/size",
                        ptr,
                        format!(
                            "is {} characters long; the limit is {max_chars}",
                            s.chars().count()
                        ),
                    );
                    None
                } else if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    self.err(
                        "schema/control-characters",
                        ptr,
                        "contains control characters",
                    );
                    None
                } else {
                    Some(s.clone())
                }
            }
            other => {
                self.wrong_type(ptr, "a string", other);
                None
            }
        }
    }

    /// A non-empty single-line string.
    pub fn word(&mut self, v: &Value, ptr: &str, max_chars: usize) -> Option<String> {
        let s = self.string(v, ptr, max_chars)?;
        if s.trim().is_empty() {
            self.err("schema/empty", ptr, "must not be empty");
            return None;
        }
        if s.contains('\n') {
            self.err("schema/single-line", ptr, "must be a single line");
            return None;
        }
        Some(s)
    }

    pub fn opt_string(&mut self, o: &Obj, key: &str, max_chars: usize) -> Option<String> {
        let v = self.opt(o, key)?;
        self.string(v, &o.ptr(key), max_chars)
    }

    pub fn opt_word(&mut self, o: &Obj, key: &str, max_chars: usize) -> Option<String> {
        let v = self.opt(o, key)?;
        self.word(v, &o.ptr(key), max_chars)
    }

    pub fn req_word(&mut self, o: &Obj, key: &str, max_chars: usize) -> Option<String> {
        let v = self.req(o, key)?;
        self.word(v, &o.ptr(key), max_chars)
    }

    pub fn integer(&mut self, v: &Value, ptr: &str, min: i64, max: i64) -> Option<i64> {
        let n = match v {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            }),
            other => {
                self.wrong_type(ptr, "an integer", other);
                return None;
            }
        };
        match n {
            None => {
                self.err(
                    "schema/type",
                    ptr,
                    format!("expected an integer, found {v}"),
                );
                None
            }
            Some(n) if n < min || n > max => {
                self.err(
                    "schema/range",
                    ptr,
                    format!("{n} is out of range: must be from {min} to {max}"),
                );
                None
            }
            Some(n) => Some(n),
        }
    }

    pub fn opt_integer(&mut self, o: &Obj, key: &str, min: i64, max: i64) -> Option<i64> {
        let v = self.opt(o, key)?;
        self.integer(v, &o.ptr(key), min, max)
    }

    pub fn opt_bool(&mut self, o: &Obj, key: &str) -> Option<bool> {
        match self.opt(o, key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(&o.ptr(key), "true or false", other);
                None
            }
        }
    }

    pub fn one_of(&mut self, v: &Value, ptr: &str, allowed: &[&str]) -> Option<String> {
        let s = self.string(v, ptr, 64)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.err(
                "schema/enum",
                ptr,
                format!(
                    "`{}` is not allowed; expected one of: {}",
                    s.escape_debug(),
                    allowed.join(", ")
                ),
            );
            None
        }
    }

    pub fn opt_one_of(&mut self, o: &Obj, key: &str, allowed: &[&str]) -> Option<String> {
        let v = self.opt(o, key)?;
        self.one_of(v, &o.ptr(key), allowed)
    }

    pub fn req_one_of(&mut self, o: &Obj, key: &str, allowed: &[&str]) -> Option<String> {
        let v = self.req(o, key)?;
        self.one_of(v, &o.ptr(key), allowed)
    }

    pub fn array<'v>(&mut self, v: &'v Value, ptr: &str, max_items: usize) -> Option<&'v [Value]> {
        match v {
            Value::Array(a) if a.len() > max_items => {
                self.err(
                    "schema/size",
                    ptr,
                    format!("has {} items; the limit is {max_items}", a.len()),
                );
                None
            }
            Value::Array(a) => Some(a),
            other => {
                self.wrong_type(ptr, "a list", other);
                None
            }
        }
    }

    /// A list of non-empty single-line strings.
    pub fn words(
        &mut self,
        v: &Value,
        ptr: &str,
        max_items: usize,
        max_chars: usize,
    ) -> Option<Vec<String>> {
        let items = self.array(v, ptr, max_items)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.word(item, &index(ptr, i), max_chars) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub fn opt_words(
        &mut self,
        o: &Obj,
        key: &str,
        max_items: usize,
        max_chars: usize,
    ) -> Option<Vec<String>> {
        let v = self.opt(o, key)?;
        self.words(v, &o.ptr(key), max_items, max_chars)
    }

    /// Check a value with a rule function; its error message is recorded under `rule`.
    pub fn check<T>(&mut self, rule: &str, ptr: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(t) => Some(t),
            Err(m) => {
                self.err(rule, ptr, m);
                None
            }
        }
    }
}
