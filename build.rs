//! Embeds every file under `templates/` into the binary, so the tool needs nothing
//! beside itself to create an agent.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == "__pycache__" || name.ends_with(".pyc") || name == ".pytest_cache" {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            println!("cargo:rerun-if-changed={}", p.display());
            out.push(p);
        }
    }
}

fn main() {
    // A position-dependent executable, as Go builds its commands: a position-independent
    // one has the loader relocate about 50,000 pointers at every start, copying some 150
    // pages, which was a third of each command's fixed cost.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("templates");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut code = String::from("/// (template, path inside it, contents)\npub static EMBEDDED: &[(&str, &str, &[u8])] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        let mut parts = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let template = parts.next().unwrap();
        let inner: Vec<String> = parts.collect();
        if inner.is_empty() {
            continue;
        }
        writeln!(
            code,
            "    ({:?}, {:?}, include_bytes!({:?})),",
            template,
            inner.join("/"),
            f.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("templates.rs");
    std::fs::write(out, code).unwrap();
}
