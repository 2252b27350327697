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
