//! The committed completions and man pages must match the clap definitions.
//! Regenerate with `PC_HYBRID_BLESS=1 cargo test --test generated`.

use std::path::Path;

use pc_hybrid::commands::completions::{man_pages, script, SHELLS};

fn check(path: &Path, want: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("PC_HYBRID_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, want).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(have) if have == want => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        check(
            &root.join("completions").join(file),
            &script(*shell),
            &mut stale,
        );
    }
    let pages = man_pages();
    assert!(pages.iter().any(|(n, _)| n == "pc-hybrid-create-agent.1"));
    for (name, page) in &pages {
        check(&root.join("man").join(name), page, &mut stale);
    }
    // A page for a command that no longer exists is stale too.
    if let Ok(dir) = std::fs::read_dir(root.join("man")) {
        for e in dir.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if !pages.iter().any(|(p, _)| *p == n) {
                stale.push(format!("man/{n} (no such command)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nrun: PC_HYBRID_BLESS=1 cargo test --test generated"
    );
}

/// The committed OpenAPI document must be the one the daemon serves, and describe every
/// route with schemas that resolve.
#[test]
fn openapi_document_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = pc_hybrid::daemon::openapi::document();
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    text.push('\n');
    let mut stale = Vec::new();
    check(&root.join("docs/openapi.json"), text.as_bytes(), &mut stale);
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nrun: PC_HYBRID_BLESS=1 cargo test --test generated"
    );
    assert_eq!(doc["openapi"], "3.1.0");
    for r in pc_hybrid::daemon::api::ROUTES {
        let path = format!("{}{}", pc_hybrid::daemon::api::PREFIX, r.path);
        let op = &doc["paths"][&path][r.method.to_ascii_lowercase()];
        assert!(
            op["responses"].is_object(),
            "{} {path} is not described",
            r.method
        );
    }
    // Every reference points at a schema the document holds.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20, "{refs:?}");
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
}

fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The committed JSON Schema of insights must be the one the types make.
#[test]
fn insights_schema_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text =
        serde_json::to_string_pretty(&pc_hybrid::analytics::insights::json_schema()).unwrap();
    text.push('\n');
    let mut stale = Vec::new();
    check(
        &root.join("docs/insights.schema.json"),
        text.as_bytes(),
        &mut stale,
    );
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nrun: PC_HYBRID_BLESS=1 cargo test --test generated"
    );
}
