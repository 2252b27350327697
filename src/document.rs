//! Reading JSON and YAML documents into values that remember where each value came from
//! (line and column by JSON pointer), bounded against hostile input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Error, FieldError};

pub use crate::error::Location;

/// Limits that make parsing fail fast instead of exhausting memory or stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

/// A parsed document: its value and the location of every node by JSON pointer.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub file: Option<PathBuf>,
    locations: HashMap<String, Location>,
    key_locations: HashMap<String, Location>,
    /// The text of a document parsed without locations, kept to work them out on demand.
    text: Option<String>,
    limits: Limits,
}

impl Document {
    /// Work out the locations of a document parsed with [`parse_lazy`], once: validators
    /// that usually find nothing need not pay for them.
    pub fn locate(&mut self) {
        if let Some(text) = self.text.take() {
            if let Ok(located) = parse_inner(text.as_bytes(), self.file.clone(), self.limits, true)
            {
                self.locations = located.locations;
                self.key_locations = located.key_locations;
            }
        }
    }

    /// Where the value at `pointer` is written: its key when it has one, else the value
    /// itself, else its nearest located parent.
    pub fn location(&self, pointer: &str) -> Option<Location> {
        let mut p = pointer;
        loop {
            if let Some(l) = self.key_locations.get(p).or_else(|| self.locations.get(p)) {
                return Some(*l);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// A field error at `pointer`, carrying this document's file, line and column.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> FieldError {
        FieldError::new(pointer, message).at(self.file.as_ref(), self.location(pointer))
    }

    /// Deserialize into `T`; an error names the JSON pointer and its line and column.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_path_to_error::deserialize(&self.value).map_err(|e| {
            let pointer = path_to_pointer(e.path());
            Error::Invalid(vec![self.error(&pointer, e.inner().to_string())])
        })
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_token(key));
            }
            Segment::Enum { variant } => {
                out.push('/');
                out.push_str(&escape_token(variant));
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// Escape one JSON pointer reference token (RFC 6901).
pub fn escape_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Read and parse a file: size is checked before reading it whole.
pub fn read_file(path: &Path, limits: Limits) -> Result<Document, Error> {
    read_file_with(path, limits, true)
}

/// Like [`read_file`], but locations are only worked out by [`Document::locate`].
pub fn read_file_lazy(path: &Path, limits: Limits) -> Result<Document, Error> {
    read_file_with(path, limits, false)
}

fn read_file_with(path: &Path, limits: Limits, locate: bool) -> Result<Document, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(format!("{}", path.display()), e))?;
    if !meta.is_file() {
        return Err(Error::usage(
            format!("{} is not a regular file", path.display()),
            None,
        ));
    }
    if meta.len() > limits.max_bytes as u64 {
        return Err(Error::Invalid(vec![FieldError::new(
            "",
            format!(
                "file is {} bytes, more than the limit of {} bytes",
                meta.len(),
                limits.max_bytes
            ),
        )
        .at(Some(&path.to_path_buf()), None)]));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("{}", path.display()), e))?;
    let mut doc = parse_inner(&bytes, Some(path.to_path_buf()), limits, locate)?;
    if !locate {
        doc.text = String::from_utf8(bytes).ok();
    }
    Ok(doc)
}

/// Parse JSON or YAML (JSON is parsed as YAML 1.2, which it is a subset of).
pub fn parse(bytes: &[u8], file: Option<PathBuf>, limits: Limits) -> Result<Document, Error> {
    parse_inner(bytes, file, limits, true)
}

fn parse_inner(
    bytes: &[u8],
    file: Option<PathBuf>,
    limits: Limits,
    locate: bool,
) -> Result<Document, Error> {
    let fail = |line: Option<usize>, column: Option<usize>, message: String| {
        let mut e = FieldError::new("", message);
        e.file = file.clone();
        e.line = line;
        e.column = column;
        Error::Invalid(vec![e])
    };
    if bytes.len() > limits.max_bytes {
        return Err(fail(
            None,
            None,
            format!(
                "document is {} bytes, more than the limit of {} bytes",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = &bytes[..e.valid_up_to()];
            let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
            return Err(fail(
                Some(line),
                None,
                "not valid UTF-8 text (binary data?)".into(),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(pos) = text.find('\0') {
        let line = text[..pos].matches('\n').count() + 1;
        return Err(fail(
            Some(line),
            None,
            "contains a NUL byte (binary data?)".into(),
        ));
    }
    let mut builder = Builder {
        limits,
        locate,
        stack: Vec::new(),
        anchors: HashMap::new(),
        locations: HashMap::new(),
        key_locations: HashMap::new(),
        nodes: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            fail(
                Some(m.line()),
                Some(m.col() + 1),
                if e.info().contains("recursion limit") {
                    format!(
                        "nested too deeply: more than {} levels of lists and mappings",
                        limits.max_depth
                    )
                } else {
                    format!("syntax error: {}", e.info())
                },
            )
        })?;
        if event == Event::StreamEnd {
            break;
        }
        builder
            .on_event(event, mark)
            .map_err(|(mark, msg)| fail(Some(mark.line()), Some(mark.col() + 1), msg))?;
    }
    let value = builder.root.unwrap_or(Value::Null);
    Ok(Document {
        value,
        file,
        locations: builder.locations,
        key_locations: builder.key_locations,
        text: None,
        limits,
    })
}

enum Frame {
    Seq {
        items: Vec<Value>,
        pointer: String,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        pointer: String,
        anchor: usize,
        pending_key: Option<String>,
    },
}

struct Builder {
    limits: Limits,
    /// Record where every value is; off for the fast path.
    locate: bool,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    locations: HashMap<String, Location>,
    key_locations: HashMap<String, Location>,
    nodes: usize,
    root: Option<Value>,
    documents: usize,
}

type BuildError = (Marker, String);

impl Builder {
    fn child_pointer(&self) -> Option<String> {
        if !self.locate {
            return match self.stack.last() {
                Some(Frame::Map {
                    pending_key: None, ..
                }) => None,
                _ => Some(String::new()),
            };
        }
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Seq { items, pointer, .. }) => Some(format!("{pointer}/{}", items.len())),
            Some(Frame::Map {
                pointer,
                pending_key: Some(k),
                ..
            }) => Some(format!("{pointer}/{}", escape_token(k))),
            // a key is expected next
            Some(Frame::Map { .. }) => None,
        }
    }

    fn count(&mut self, n: usize, mark: Marker) -> Result<(), BuildError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err((
                mark,
                format!(
                    "document has more than {} values (YAML alias expansion?)",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    fn on_event(&mut self, event: Event, mark: Marker) -> Result<(), BuildError> {
        let loc = Location {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd | Event::StreamEnd => Ok(()),
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err((mark, "only one document is allowed per file".into()));
                }
                Ok(())
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= self.limits.max_depth {
                    return Err((
                        mark,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    ));
                }
                self.count(1, mark)?;
                let pointer = match self.child_pointer() {
                    Some(p) => p,
                    None => return Err((mark, "mapping keys must be strings".into())),
                };
                if self.locate {
                    self.locations.entry(pointer.clone()).or_insert(loc);
                }
                self.stack
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            pointer,
                            anchor,
                        }
                    } else {
                        Frame::Map {
                            map: Map::new(),
                            pointer,
                            anchor,
                            pending_key: None,
                        }
                    });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor, .. }) => (Value::Array(items), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return Err((mark, "unbalanced document".into())),
                };
                if anchor > 0 {
                    let size = count_nodes(&value);
                    self.anchors.insert(anchor, (value.clone(), size));
                }
                self.push_value(value, mark)
            }
            Event::Alias(id) => {
                let (value, size) = match self.anchors.get(&id) {
                    Some(v) => v.clone(),
                    None => return Err((mark, "alias to an unknown anchor".into())),
                };
                self.count(size, mark)?;
                if self.locate {
                    if let Some(p) = self.child_pointer() {
                        self.locations.entry(p).or_insert(loc);
                    }
                }
                self.push_value(value, mark)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, mark)?;
                // A scalar in key position becomes the pending key.
                if let Some(Frame::Map {
                    pending_key,
                    pointer,
                    ..
                }) = self.stack.last_mut()
                {
                    if pending_key.is_none() {
                        if self.locate {
                            let p = format!("{pointer}/{}", escape_token(&text));
                            self.key_locations.entry(p).or_insert(loc);
                        }
                        *pending_key = Some(text);
                        return Ok(());
                    }
                }
                if self.locate {
                    if let Some(p) = self.child_pointer() {
                        self.locations.entry(p).or_insert(loc);
                    }
                }
                let value = resolve_scalar(text, style, tag.as_ref().map(|t| t.suffix.as_str()));
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.push_value(value, mark)
            }
        }
    }

    fn push_value(&mut self, value: Value, mark: Marker) -> Result<(), BuildError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(value);
                Ok(())
            }
            Some(Frame::Map {
                map, pending_key, ..
            }) => match pending_key.take() {
                Some(key) => {
                    if map.contains_key(&key) {
                        return Err((mark, format!("duplicate key `{key}`")));
                    }
                    map.insert(key, value);
                    Ok(())
                }
                None => Err((mark, "mapping keys must be strings".into())),
            },
        }
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// YAML 1.2 core schema resolution: quoted scalars are strings, plain ones may be
/// null, booleans or numbers.
fn resolve_scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Value {
    if style != TScalarStyle::Plain || tag == Some("str") {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let looks_numeric = text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
    if looks_numeric {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = text.parse::<u64>() {
            return Value::Number(u.into());
        }
        let is_float = text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
            && text.bytes().any(|b| b.is_ascii_digit());
        if is_float {
            if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
                return Value::Number(n);
            }
        }
    }
    Value::String(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Result<Document, Error> {
        parse(s.as_bytes(), None, Limits::default())
    }

    #[test]
    fn json_and_yaml_give_the_same_value_with_locations() {
        let j = doc("{\"a\": {\"b\": [1, \"x\", true, null]}}").unwrap();
        let y = doc("a:\n  b:\n    - 1\n    - x\n    - true\n    - ~\n").unwrap();
        assert_eq!(j.value, y.value);
        assert_eq!(y.location("/a/b/1"), Some(Location { line: 4, column: 7 }));
        assert_eq!(y.location("/a/b/9"), Some(Location { line: 2, column: 3 }));
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let d = doc("v: \"1.0\"\nw: 1.5\nx: yes\n").unwrap();
        assert_eq!(d.value["v"], Value::String("1.0".into()));
        assert_eq!(d.value["w"], serde_json::json!(1.5));
        assert_eq!(d.value["x"], Value::String("yes".into()));
    }

    #[test]
    fn hostile_inputs_fail_fast() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
        assert!(doc(bomb).unwrap_err().to_string().contains("alias"));
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(doc(&deep).is_err());
        assert!(parse(&[0xff, 0xfe, 0x00], None, Limits::default())
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
        assert!(doc("a: 1\na: 2\n")
            .unwrap_err()
            .to_string()
            .contains("duplicate key"));
    }
}
