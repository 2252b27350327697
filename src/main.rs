//! The `pc-hybrid` binary: parse, build the runtime, run, map the result to an exit code.

use clap::Parser;
use pc_hybrid::{cli::Cli, env_vars, error::exit, output::Output};

// The audit pipeline allocates events on one thread and frees them on another; glibc's
// arenas serialise that on a lock, mimalloc frees to the owning thread's heap without one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options, set before anything allocates (the loader runs this before Rust's
/// runtime starts). By default its first arena reserves 1 GiB backed by transparent huge
/// pages, and the kernel zeroes a 2 MiB page for a command that allocates a few kilobytes;
/// a long-running daemon keeps whole huge pages resident for small heaps.
#[used]
#[link_section = ".init_array"]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

extern "C" fn allocator_options() {
    // The numbers of `mi_option_arena_reserve` and `mi_option_allow_thp` in mimalloc v3
    // (libmimalloc-sys 0.1.49, pinned in Cargo.toml).
    const ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;
    const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;
    // SAFETY: mimalloc's options may be set at any time; nothing runs concurrently yet.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_RESERVE, 8 * 1024);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}

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
