//! `pc-hybrid completions SHELL`: print a completion script generated from the clap types.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::Output;

/// The script for `shell`, exactly as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "pc-hybrid", &mut buf);
    buf
}

pub fn run(args: &CompletionsArgs, out: &Output) {
    out.raw(&script(args.shell));
}
