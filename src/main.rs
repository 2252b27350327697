//! The `pc-hybrid` binary: parse, build the runtime, run, map the result to an exit code.

use clap::Parser;
use pc_hybrid::{cli::Cli, env_vars, error::exit, output::Output};

// The audit pipeline allocates events on one thread and frees them on another; glibc's
// arenas serialise that on a lock, mimalloc frees to the owning thread's heap without one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let env = |k: &str| std::env::var(k).ok();
    let out = Output::new(
        cli.output,
        cli.quiet,
        cli.verbose,
        env(env_vars::NO_COLOR).is_some(),
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(exit::INTERNAL);
        }
    };
    let code = match runtime.block_on(pc_hybrid::commands::run(cli, &env, &out)) {
        Ok(()) => exit::OK,
        Err(e) => {
            out.error(&e);
            e.exit_code()
        }
    };
    std::process::exit(code);
}
