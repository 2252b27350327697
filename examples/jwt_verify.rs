//! The Rust side of bench/jwt_verify.py: verify the same tokens over and over on one thread, with
//! the keys parsed once, as the daemon's team API does for each request.
//!
//! Usage: jwt_verify JWKS_FILE TOKENS_FILE ISSUER AUDIENCE SECONDS
//! Prints `{"verifications": N, "seconds": S, "per_second": R}`.

use std::time::{Duration, Instant};

use pc_hybrid::auth::jwt::{verify, Expect, KeySet};

// The daemon, which verifies the team API's tokens, allocates with mimalloc (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: jwt_verify JWKS_FILE TOKENS_FILE ISSUER AUDIENCE SECONDS");
        std::process::exit(2);
    }
    let keys =
        KeySet::parse(&std::fs::read(&args[1]).expect("the key set file")).expect("a key set");
    let text = std::fs::read_to_string(&args[2]).expect("the tokens file");
    let tokens: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let seconds: f64 = args[5].parse().expect("seconds");
    // The clock of the tokens' issue, so that a rerun on saved tokens measures the same work.
    let issued = tokens
        .first()
        .and_then(|t| pc_hybrid::auth::jwt::unverified_claims(t))
        .and_then(|c| c.get("iat").and_then(|v| v.as_i64()))
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let expect = Expect {
        issuer: &args[3],
        audience: &args[4],
        now: issued + 1,
    };
    for t in &tokens {
        verify(&keys, t, &expect).expect("every token verifies");
    }
    let budget = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut n: u64 = 0;
    while started.elapsed() < budget {
        for t in &tokens {
            if verify(&keys, t, &expect).is_err() {
                std::process::exit(1);
            }
        }
        n += tokens.len() as u64;
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "{{\"verifications\": {n}, \"seconds\": {s:.3}, \"per_second\": {:.0}}}",
        n as f64 / s
    );
}
