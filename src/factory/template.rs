//! Agent templates: the built-in ones embedded in the binary and user folders, rendered
//! with handlebars and one escaping helper per target language.

use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::Value;

use super::escape;
use super::FactoryError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

pub const DEFAULT_TEMPLATE: &str = "default";
/// Path segment replaced by the agent name, so a template can name its package folder.
pub const NAME_PLACEHOLDER: &str = "__name__";
const MAX_TEMPLATE_FILES: usize = 2000;
const MAX_TEMPLATE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub path: String,
    pub contents: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Template {
    /// `default`, or the folder it was read from.
    pub origin: String,
    pub files: Vec<TemplateFile>,
}

/// A file of the generated project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Names of the built-in templates.
pub fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = embedded::EMBEDDED.iter().map(|(t, _, _)| *t).collect();
    names.dedup();
    names
}

/// Find a template: a built-in name, a folder under `user_dir` of that name, or a path.
pub fn load(selector: &str, user_dir: &Path) -> Result<Template, FactoryError> {
    let looks_like_path = selector.contains('/') || selector.starts_with('.');
    if !looks_like_path {
        let files: Vec<TemplateFile> = embedded::EMBEDDED
            .iter()
            .filter(|(t, _, _)| *t == selector)
            .map(|(_, p, c)| TemplateFile {
                path: (*p).to_owned(),
                contents: c.to_vec(),
            })
            .collect();
        if !files.is_empty() {
            return Ok(Template {
                origin: selector.to_owned(),
                files,
            });
        }
        let valid = selector
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid && !selector.is_empty() {
            let candidate = user_dir.join(selector);
            if candidate.is_dir() {
                return load_dir(&candidate);
            }
        }
        return Err(FactoryError::Template(format!(
            "no template `{}`: built-in templates are {}; user templates live in {}; or give a folder path",
            selector.escape_debug(),
            builtin_names().join(", "),
            user_dir.display()
        )));
    }
    load_dir(Path::new(selector))
}

fn load_dir(root: &Path) -> Result<Template, FactoryError> {
    if !root.is_dir() {
        return Err(FactoryError::Template(format!(
            "template folder {} does not exist",
            root.display()
        )));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let mut entries = std::fs::read_dir(&dir)
            .map_err(|e| FactoryError::Template(format!("reading {}: {e}", dir.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| FactoryError::Template(format!("reading {}: {e}", dir.display())))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| {
                FactoryError::Template(format!("{}: file names must be UTF-8", dir.display()))
            })?;
            if matches!(name, ".git" | "__pycache__" | ".pytest_cache") {
                continue;
            }
            let ft = entry
                .file_type()
                .map_err(|e| FactoryError::Template(format!("{}: {e}", entry.path().display())))?;
            let rel_path = rel.join(name);
            if ft.is_dir() {
                stack.push(rel_path);
            } else if ft.is_file() {
                let contents = std::fs::read(entry.path()).map_err(|e| {
                    FactoryError::Template(format!("{}: {e}", entry.path().display()))
                })?;
                total += contents.len() as u64;
                if files.len() >= MAX_TEMPLATE_FILES || total > MAX_TEMPLATE_BYTES {
                    return Err(FactoryError::Template(format!(
                        "template {} is larger than {MAX_TEMPLATE_FILES} files or {MAX_TEMPLATE_BYTES} bytes",
                        root.display()
                    )));
                }
                let path = rel_path
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push(TemplateFile { path, contents });
            } else {
                return Err(FactoryError::Template(format!(
                    "{}: symbolic links and special files are not allowed in templates",
                    entry.path().display()
                )));
            }
        }
    }
    if files.is_empty() {
        return Err(FactoryError::Template(format!(
            "template folder {} is empty",
            root.display()
        )));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Template {
        origin: root.display().to_string(),
        files,
    })
}

/// Render every file: `*.hbs` through handlebars (suffix dropped), others copied.
pub fn render(
    template: &Template,
    vars: &Value,
    name: &str,
) -> Result<Vec<RenderedFile>, FactoryError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape::plain);
    register_helpers(&mut hb);
    let mut out = Vec::with_capacity(template.files.len());
    for f in &template.files {
        let target = output_path(&f.path, name)?;
        if let Some(target) = target.strip_suffix(".hbs") {
            let text = std::str::from_utf8(&f.contents).map_err(|_| {
                FactoryError::Template(format!("{}: a .hbs template must be UTF-8 text", f.path))
            })?;
            hb.register_template_string(&f.path, text)
                .map_err(|e| FactoryError::Template(format!("{}: {e}", f.path)))?;
            let rendered = hb
                .render(&f.path, vars)
                .map_err(|e| FactoryError::Template(format!("{}: {e}", f.path)))?;
            out.push(RenderedFile {
                path: target.to_owned(),
                contents: rendered.into_bytes(),
            });
        } else {
            out.push(RenderedFile {
                path: target,
                contents: f.contents.clone(),
            });
        }
    }
    Ok(out)
}

fn output_path(path: &str, name: &str) -> Result<String, FactoryError> {
    let mut parts = Vec::new();
    for seg in path.split('/') {
        let seg = seg.replace(NAME_PLACEHOLDER, name);
        if seg.is_empty() || seg == "." || seg == ".." || seg == ".git" || seg.contains('\\') {
            return Err(FactoryError::Template(format!(
                "{path}: not allowed as a path in a template"
            )));
        }
        parts.push(seg);
    }
    Ok(parts.join("/"))
}

fn param<'a>(h: &'a Helper) -> Result<&'a Value, RenderError> {
    h.param(0)
        .map(|p| p.value())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("escaping helper", 0).into())
}

fn py_literal(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => escape::python_str(s),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(py_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", escape::python_str(k), py_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn yaml_literal(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => escape::yaml_str(s),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(yaml_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", escape::yaml_str(k), yaml_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn toml_literal(v: &Value) -> String {
    match v {
        // TOML has no null; an absent optional value renders as an empty string.
        Value::Null => "\"\"".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => escape::toml_str(s),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{} = {}", escape::toml_str(k), toml_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

handlebars::handlebars_helper!(concat: |*args| args.iter().map(|v| text_of(v)).collect::<String>());

fn register_helpers(hb: &mut Handlebars) {
    hb.register_helper("concat", Box::new(concat));
    type Conv = fn(&Value) -> String;
    let helpers: [(&str, Conv); 7] = [
        ("py", py_literal),
        ("yaml", yaml_literal),
        ("toml", toml_literal),
        ("json", |v| serde_json::to_string(v).unwrap_or_default()),
        ("md", |v| escape::markdown(&text_of(v))),
        ("md_inline", |v| escape::markdown_inline(&text_of(v))),
        ("dockerfile", |v| escape::dockerfile_str(&text_of(v))),
    ];
    for (name, conv) in helpers {
        hb.register_helper(
            name,
            Box::new(
                move |h: &Helper,
                      _: &Handlebars,
                      _: &Context,
                      _: &mut RenderContext,
                      out: &mut dyn Output|
                      -> HelperResult {
                    let v = param(h)?;
                    let one_line = h
                        .hash_get("one_line")
                        .is_some_and(|p| p.value().as_bool() == Some(true));
                    if one_line {
                        out.write(&conv(&Value::String(escape::one_line(&text_of(v)))))?;
                    } else {
                        out.write(&conv(v))?;
                    }
                    Ok(())
                },
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_default_exists() {
        assert!(builtin_names().contains(&DEFAULT_TEMPLATE));
    }

    #[test]
    fn bare_values_are_neutralised_and_helpers_escape() {
        let t = Template {
            origin: "t".into(),
            files: vec![TemplateFile {
                path: "src/__name__/x.py.hbs".into(),
                contents: b"A = {{py d}}\n# {{d}}\nB = {{py list}}\n".to_vec(),
            }],
        };
        let vars = serde_json::json!({"d": "x\"\n$(id)", "list": ["a", true, null]});
        let r = render(&t, &vars, "agent").unwrap();
        assert_eq!(r[0].path, "src/agent/x.py");
        let text = String::from_utf8(r[0].contents.clone()).unwrap();
        assert_eq!(
            text,
            "A = \"x\\\"\\n$(id)\"\n# x____id_\nB = [\"a\", True, None]\n"
        );
    }

    #[test]
    fn strict_mode_rejects_unknown_variables() {
        let t = Template {
            origin: "t".into(),
            files: vec![TemplateFile {
                path: "a.hbs".into(),
                contents: b"{{nope}}".to_vec(),
            }],
        };
        assert!(render(&t, &serde_json::json!({}), "n").is_err());
    }
}
