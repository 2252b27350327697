//! The interactive wizard, driven through a real pseudo-terminal.

mod common;

use common::{py, Env};

#[test]
fn the_wizard_validates_as_you_type_and_confirms_a_summary() {
    let env = Env::new();
    let home = env.home.display().to_string();
    let user = env.user_home.display().to_string();
    let out = py(
        "drive_wizard.py",
        &[env!("CARGO_BIN_EXE_pc-hybrid"), env.work.to_str().unwrap()],
        &[
            ("PROMPTCRAFT_HOME", &home),
            ("HOME", &user),
            ("NO_COLOR", "1"),
            ("TERM", "xterm"),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Summary"), "{out:?}");
    let agents = env.ok(&["list-agents", "-o", "json"]).json();
    assert_eq!(agents[0]["name"], "tax_advisor");
    assert_eq!(agents[0]["domain"], "finance");
    assert_eq!(agents[0]["description"], "Answers \"tax\" questions");
    assert_eq!(
        agents[0]["spec"]["agent_spec"]["capabilities"],
        serde_json::json!(["code_analysis", "vat_returns"])
    );
}
