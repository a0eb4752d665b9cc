//! Tests for this exercise. `cargo test -p exercise-04-08-isolated-run` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_08_isolated_run as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Failure, Limits, run_isolated};
use std::path::Path;
use std::time::{Duration, Instant};

fn worker() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_exercise-04-08-isolated-run"))
}

const LIMITS: Limits = Limits {
    memory: 256 << 20,
    timeout: Duration::from_secs(10),
};

#[test]
fn a_good_task_returns_its_output() {
    assert_eq!(
        run_isolated(worker(), "sum", &[1, 2, 3, 250], LIMITS),
        Ok(b"256".to_vec())
    );
}

#[test]
fn large_input_and_output_do_not_deadlock() {
    // Bigger than any pipe buffer in both directions.
    let input: Vec<u8> = (0..4 << 20).map(|i| (i % 251) as u8).collect();
    let out = run_isolated(worker(), "echo", &input, LIMITS).expect("echo");
    assert_eq!(out.len(), input.len());
    assert!(out == input, "echoed bytes differ");
}

#[test]
fn a_panic_is_an_exit_code() {
    assert_eq!(
        run_isolated(worker(), "panic", b"", LIMITS),
        Err(Failure::Exited { code: 101 })
    );
}

#[test]
fn signals_are_crashes() {
    assert_eq!(
        run_isolated(worker(), "abort", b"", LIMITS),
        Err(Failure::Crashed { signal: 6 })
    );
    assert_eq!(
        run_isolated(worker(), "segfault", b"", LIMITS),
        Err(Failure::Crashed { signal: 11 })
    );
}

#[test]
fn the_memory_cap_holds() {
    let limits = Limits {
        memory: 128 << 20,
        ..LIMITS
    };
    assert_eq!(
        run_isolated(worker(), "hog", b"", limits),
        Err(Failure::OutOfMemory)
    );
}

#[test]
fn a_task_past_its_deadline_is_killed() {
    let limits = Limits {
        timeout: Duration::from_millis(200),
        ..LIMITS
    };
    let start = Instant::now();
    assert_eq!(
        run_isolated(worker(), "forever", b"", limits),
        Err(Failure::TimedOut)
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_missing_program_is_an_io_failure() {
    let r = run_isolated(Path::new("/nonexistent/worker"), "echo", b"", LIMITS);
    assert!(matches!(r, Err(Failure::Io(_))), "{r:?}");
}
