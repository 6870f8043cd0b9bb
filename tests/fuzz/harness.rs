//! What every fuzz property shares: how many cases to run, a deadline per call, and panic
//! containment. Each call under test runs on its own thread inside `catch_unwind`; a panic or a
//! call that does not answer before the deadline becomes a test-case failure, which proptest
//! then shrinks and prints as the minimal failing input (and records in
//! `tests/fuzz/<module>.proptest-regressions`, replayed first on every later run).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use proptest::test_runner::{Config, RngSeed, TestCaseError};

/// Cases per property when `IDPCTL_FUZZ_CASES` is not set: small enough that the whole fuzz
/// binary stays within two minutes of `cargo test` on two cores.
const DEFAULT_CASES: u32 = 32;

/// Cases per property: `IDPCTL_FUZZ_CASES` (CI raises it), or the default.
pub fn cases() -> u32 {
    std::env::var("IDPCTL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CASES)
}

/// The seed cases are generated from when `IDPCTL_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0x1d9c_7c71;

/// Where generation starts: fixed by default, so a test run (and CI, which gates what lands)
/// tries the same cases every time and a failure reproduces; `IDPCTL_FUZZ_SEED=random`
/// explores new inputs (what a long fuzzing pass wants), a number picks another fixed seed.
pub fn seed() -> RngSeed {
    match std::env::var("IDPCTL_FUZZ_SEED")
        .ok()
        .as_deref()
        .map(str::trim)
    {
        Some("random") => RngSeed::Random,
        Some(n) => n
            .parse()
            .map_or(RngSeed::Fixed(DEFAULT_SEED), RngSeed::Fixed),
        None => RngSeed::Fixed(DEFAULT_SEED),
    }
}

/// The proptest configuration for a property whose cases cost about `weight` ordinary ones
/// (whole handlers, real PDFs): it runs `cases() / weight` cases, at least two.
pub fn config(weight: u32) -> Config {
    Config {
        cases: (cases() / weight.max(1)).max(2),
        // Shrinking a hang costs a deadline per step: bound it so a failure is reported in
        // minutes, not hours.
        max_shrink_time: 90_000,
        rng_seed: seed(),
        ..Config::default()
    }
}

/// How long one call may take. Generous for a debug build on a busy machine (the inputs are
/// small: real calls answer in milliseconds); a hang never answers at all.
pub fn deadline() -> Duration {
    let secs = std::env::var("IDPCTL_FUZZ_DEADLINE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

/// Runs `f` on its own thread: its value, or why there is none (a panic and its message, or
/// no answer before the deadline). A thread that hangs is left behind: the test fails anyway.
pub fn contained<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    // 8 MiB, the main thread's stack, where `validate` and `render` read definitions: an
    // unoptimised build's frames are several times a release build's, and the default 2 MiB
    // overflowed on a deeply nested mutated definition (an open finding: depth limits for the
    // definition reader are to come).
    std::thread::Builder::new()
        .name("fuzz-case".into())
        .stack_size(8 << 20)
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(&*p));
            let _ = tx.send(r);
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    match rx.recv_timeout(deadline()) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(format!("panicked: {msg}")),
        Err(RecvTimeoutError::Timeout) => Err(format!(
            "no answer within {:?}: a hang (or a pathologically slow input)",
            deadline()
        )),
        Err(RecvTimeoutError::Disconnected) => Err("the call's thread vanished".into()),
    }
}

/// `contained`, as a proptest failure.
pub fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    contained(f).map_err(TestCaseError::fail)
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".into())
}

/// An error must explain itself: a type with a message, never an empty string.
pub fn explained(e: &impl std::fmt::Display) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    if msg.trim().is_empty() {
        return Err(TestCaseError::fail("an error without a message"));
    }
    Ok(())
}
