//! The `pc-hybrid` binary: parse, build the runtime, run, map the result to an exit code.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{CommandFactory, FromArgMatches};
use pc_hybrid::{cli::Cli, env_vars, error::exit, output::Output};

/// Which allocator serves this process, chosen before anything allocates (see
/// `choose_allocator`) and never changed, so that every block is freed by the one that
/// made it. A command that runs for milliseconds is served best by glibc's allocator, which
/// packs its few allocations into few pages; the daemon and `audit ingest` by mimalloc:
/// their audit pipeline allocates events on one thread and frees them on another, which
/// glibc's arenas serialise on a lock and mimalloc does not.
static USE_MIMALLOC: AtomicBool = AtomicBool::new(false);

struct Allocator;

// SAFETY: each call goes to one allocator, the same for the whole process.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if USE_MIMALLOC.load(Ordering::Relaxed) {
            mimalloc::MiMalloc.alloc(layout)
        } else {
            System.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if USE_MIMALLOC.load(Ordering::Relaxed) {
            mimalloc::MiMalloc.alloc_zeroed(layout)
        } else {
            System.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if USE_MIMALLOC.load(Ordering::Relaxed) {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        } else {
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if USE_MIMALLOC.load(Ordering::Relaxed) {
            mimalloc::MiMalloc.realloc(ptr, layout, new_size)
        } else {
            System.realloc(ptr, layout, new_size)
        }
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// Runs before Rust's runtime starts (glibc calls `.init_array` entries with the
/// arguments), so before anything allocates.
#[used]
#[link_section = ".init_array"]
static CHOOSE_ALLOCATOR: extern "C" fn(c_int, *const *const c_char) = choose_allocator;

extern "C" fn choose_allocator(argc: c_int, argv: *const *const c_char) {
    let long_running = (1..argc.max(0) as usize).any(|i| {
        // SAFETY: glibc passes argc valid, NUL-terminated strings.
        let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
        matches!(arg.to_bytes(), b"daemon" | b"ingest")
    });
    if long_running {
        allocator_options();
        USE_MIMALLOC.store(true, Ordering::Relaxed);
    }
}

/// mimalloc's options. By default its first arena reserves 1 GiB backed by transparent
/// huge pages, and a daemon with a small heap keeps whole 2 MiB pages resident.
fn allocator_options() {
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

/// The parsed command line. The command tree clap builds to parse it is thousands of small
/// blocks: freeing them one by one took a sixth of the instructions of a command answered
/// by the daemon, so the tree and the matches are left to the process's exit.
fn parse() -> Cli {
    let mut command = Cli::command();
    let mut matches = command
        .try_get_matches_from_mut(std::env::args_os())
        .unwrap_or_else(|e| e.exit());
    let cli =
        Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.format(&mut command).exit());
    std::mem::forget(matches);
    std::mem::forget(command);
    cli
}

fn main() {
    let cli = parse();
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
