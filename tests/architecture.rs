//! The library's module graph: which top-level module refers to which, read from the
//! sources, and the rule that the graph has no cycles (a module that both uses and is used
//! by another cannot be understood, tested or moved on its own).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file of a top-level module: `src/x.rs` and everything under `src/x/`.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut stack = vec![path];
            while let Some(dir) = stack.pop() {
                for e in std::fs::read_dir(dir).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "rs") {
                        out.entry(name.clone()).or_default().push(p);
                    }
                }
            }
        } else if path.extension().is_some_and(|x| x == "rs") && name != "lib" && name != "main" {
            out.entry(name).or_default().push(path);
        }
    }
    out
}

/// The source without its unit tests, which may reach anywhere.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The top-level modules a source names through `crate::`.
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e}}`: the first segment of each top-level item.
            let (mut depth, mut start) = (0, 0);
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(first_segment(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_segment(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(first_segment(rest));
        }
    }
    out.remove("");
    out
}

fn first_segment(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let mut graph = BTreeMap::new();
    for (name, files) in &modules {
        let mut refs = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(f).unwrap();
            refs.extend(references(without_tests(&text)));
        }
        refs.remove(name);
        refs.retain(|r| modules.contains_key(r));
        graph.insert(name.clone(), refs);
    }
    graph
}

#[test]
fn the_reader_finds_references_in_every_form() {
    let refs = references(
        "use crate::error::Result;\nuse crate::{audit::{self, Event}, store, model::Target};\nlet x = crate::net::client();",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["audit", "error", "model", "net", "store"]
    );
    let mut g = BTreeMap::new();
    g.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    g.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    g.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    g.insert("d".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycles(&g), [["a", "b", "c"]]);
}

#[test]
fn the_modules_of_the_library_form_no_cycle() {
    let graph = graph();
    // The graph was read: the layers that must exist do, with the edges they must have.
    assert!(graph["ops"].contains("store"), "{graph:?}");
    assert!(graph["audit"].contains("store"), "{graph:?}");
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules that depend on each other: {found:?}\n{}",
        found
            .iter()
            .flatten()
            .map(|m| format!("{m} -> {:?}", graph[m]))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn nothing_below_the_commands_depends_on_them() {
    let graph = graph();
    let users: Vec<_> = graph
        .iter()
        .filter(|(_, refs)| refs.contains("commands"))
        .map(|(name, _)| name)
        .collect();
    assert!(users.is_empty(), "{users:?} use the commands");
}
