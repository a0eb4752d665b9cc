//! Tests for this exercise. `cargo test -p exercise-04-05-retries` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_05_retries as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_retries-worker");

/// Runs `f` on a thread and fails if it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("timed out: a lost task or a hung worker?")
}

/// `count` echo tasks with `special` at index `at`.
fn tasks(count: usize, at: usize, special: &str) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            if i == at {
                special.into()
            } else {
                format!("echo {i}")
            }
        })
        .map(String::into_bytes)
        .collect()
}

/// Every task but `at` echoed its index, once; returns task `at`'s result.
fn others_ok(
    results: Vec<Result<Vec<u8>, ex::TaskError>>,
    count: usize,
    at: usize,
) -> Result<Vec<u8>, ex::TaskError> {
    assert_eq!(results.len(), count, "one result per task");
    let mut special = None;
    for (i, r) in results.into_iter().enumerate() {
        if i == at {
            special = Some(r);
        } else {
            assert_eq!(
                r.expect("an ordinary task succeeds"),
                i.to_string().into_bytes()
            );
        }
    }
    special.expect("present")
}

fn temp(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("ex-04-05-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn every_task_runs_once_in_order() {
    let results = within(Duration::from_secs(20), || {
        ex::map(Path::new(WORKER), 3, tasks(30, 0, "echo 0"), 3)
    });
    others_ok(results, 30, 0).unwrap();
}

#[test]
fn a_task_whose_worker_crashes_once_is_retried_and_succeeds() {
    let marker = temp("crash-once");
    let special = format!("crash-once {}", marker.display());
    let results = within(Duration::from_secs(20), move || {
        ex::map(Path::new(WORKER), 2, tasks(20, 4, &special), 3)
    });
    let _ = std::fs::remove_file(&marker);
    assert_eq!(others_ok(results, 20, 4).unwrap(), b"second time lucky");
}

#[test]
fn a_worker_killed_mid_task_is_replaced_and_the_task_retried() {
    let pidfile = temp("pid");
    let special = format!("pidfile {} 300 survived", pidfile.display());
    let path = pidfile.clone();
    let results = within(Duration::from_secs(20), move || {
        let killer = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Some(pid) = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|s| s.parse().ok())
                {
                    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
                    return;
                }
                assert!(Instant::now() < deadline, "the task never started");
                thread::sleep(Duration::from_millis(5));
            }
        });
        let results = ex::map(Path::new(WORKER), 2, tasks(10, 0, &special), 3);
        killer.join().unwrap();
        results
    });
    let _ = std::fs::remove_file(&pidfile);
    assert_eq!(others_ok(results, 10, 0).unwrap(), b"survived");
}

#[test]
fn a_poison_task_fails_after_max_attempts_and_the_rest_succeed() {
    let results = within(Duration::from_secs(20), || {
        ex::map(Path::new(WORKER), 2, tasks(20, 7, "abort"), 3)
    });
    let error = others_ok(results, 20, 7).unwrap_err();
    assert_eq!(error.task, 7);
    assert_eq!(error.attempts, 3);
    assert!(
        error.reason.contains("SIGABRT"),
        "the reason says how the worker died: {}",
        error.reason
    );
}

#[test]
fn one_attempt_means_no_retry() {
    let results = within(Duration::from_secs(20), || {
        ex::map(Path::new(WORKER), 1, tasks(5, 2, "abort"), 1)
    });
    let error = others_ok(results, 5, 2).unwrap_err();
    assert_eq!((error.task, error.attempts), (2, 1));
}

#[test]
fn a_handler_error_is_not_retried() {
    let results = within(Duration::from_secs(20), || {
        ex::map(Path::new(WORKER), 2, tasks(6, 1, "fail disk full"), 3)
    });
    let error = others_ok(results, 6, 1).unwrap_err();
    assert_eq!((error.task, error.attempts), (1, 1));
    assert!(error.reason.contains("disk full"), "{}", error.reason);
}
