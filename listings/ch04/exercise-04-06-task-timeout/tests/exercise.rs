//! Tests for this exercise. `cargo test -p exercise-04-06-task-timeout` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_06_task_timeout as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_timeout-worker");

/// Runs `f` on a thread and fails if it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("timed out: a task without a deadline?")
}

fn tasks(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|t| t.as_bytes().to_vec()).collect()
}

fn map(workers: usize, list: &[&str], timeout: Duration) -> Vec<Result<Vec<u8>, ex::TaskError>> {
    let list = tasks(list);
    within(Duration::from_secs(20), move || {
        ex::map(Path::new(WORKER), workers, list, timeout)
    })
}

#[test]
fn quick_tasks_all_succeed() {
    let results = map(
        2,
        &["echo a", "echo b", "sleep 50", "echo c"],
        Duration::from_secs(5),
    );
    let ok: Vec<Vec<u8>> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(ok, [&b"a"[..], b"b", b"slept", b"c"]);
}

#[test]
fn a_runaway_task_times_out_within_its_deadline() {
    let started = Instant::now();
    let results = map(
        2,
        &["echo a", "forever", "echo b"],
        Duration::from_millis(500),
    );
    let elapsed = started.elapsed();
    assert_eq!(results[0], Ok(b"a".to_vec()));
    assert_eq!(results[2], Ok(b"b".to_vec()));
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.task, 1);
    assert!(error.reason.contains("timed out"), "{}", error.reason);
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[test]
fn the_next_task_gets_a_fresh_worker() {
    // One worker: after the timeout, the same thread must start a new one.
    let results = map(
        1,
        &["forever", "echo after", "forever", "echo again"],
        Duration::from_millis(500),
    );
    assert!(results[0].is_err() && results[2].is_err());
    assert_eq!(results[1], Ok(b"after".to_vec()));
    assert_eq!(results[3], Ok(b"again".to_vec()));
}

#[test]
fn the_killed_worker_is_reaped() {
    let path = std::env::temp_dir().join(format!("ex-04-06-pid-{}", std::process::id()));
    let task = format!("pidfile-forever {}", path.display());
    let results = map(1, &[&task], Duration::from_millis(500));
    assert!(results[0].is_err());
    let pid: i32 = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let _ = std::fs::remove_file(&path);
    // ECHILD: the process is no longer our child, so it left no zombie.
    let status = waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG));
    assert_eq!(
        status,
        Err(Errno::ECHILD),
        "worker {pid} was killed but not reaped"
    );
}

#[test]
fn a_slow_task_within_its_deadline_succeeds() {
    let results = map(1, &["sleep 200", "echo x"], Duration::from_secs(3));
    assert_eq!(results, [Ok(b"slept".to_vec()), Ok(b"x".to_vec())]);
}
