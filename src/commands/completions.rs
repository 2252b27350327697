//! `pc-hybrid completions SHELL`, and the completion scripts and man pages committed under
//! `completions/` and `man/`, all generated from the clap types.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::Output;

pub const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "pc-hybrid.bash"),
    (Shell::Zsh, "_pc-hybrid"),
    (Shell::Fish, "pc-hybrid.fish"),
    (Shell::PowerShell, "_pc-hybrid.ps1"),
    (Shell::Elvish, "pc-hybrid.elv"),
];

/// The script for `shell`, exactly as committed under `completions/`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "pc-hybrid", &mut buf);
    buf
}

/// One man page per command (`pc-hybrid.1`, `pc-hybrid-create-agent.1`, ...).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, "pc-hybrid", "pc-hybrid", &mut pages);
    pages
}

fn collect(cmd: &clap::Command, name: &str, bin: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let page_cmd = cmd.clone().name(name.to_owned()).bin_name(bin.to_owned());
    let mut buf = Vec::new();
    // Rendering into memory cannot fail.
    let _ = clap_mangen::Man::new(page_cmd).render(&mut buf);
    pages.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(
            sub,
            &format!("{name}-{}", sub.get_name()),
            &format!("{bin} {}", sub.get_name()),
            pages,
        );
    }
}

pub fn run(args: &CompletionsArgs, out: &Output) {
    out.raw(&script(args.shell));
}
