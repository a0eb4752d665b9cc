//! Tests for this exercise. `cargo test -p exercise-02-02-supervisor` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_02_supervisor as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::sync::Arc;
use std::sync::Barrier;
use std::thread;

#[test]
fn results_and_panics_come_back_in_order() {
    let jobs: Vec<ex::Job> = vec![
        Box::new(|| 7),
        Box::new(|| panic!("static message")),
        Box::new(|| {
            let n = 3;
            panic!("formatted {n}")
        }),
        Box::new(|| std::panic::panic_any(42u8)),
        Box::new(|| 8),
    ];
    let results = ex::run_all(jobs);
    assert_eq!(
        results,
        vec![
            Ok(7),
            Err("static message".to_string()),
            Err("formatted 3".to_string()),
            Err("unknown panic".to_string()),
            Ok(8),
        ]
    );
}

#[test]
fn threads_are_named_after_their_job() {
    let jobs: Vec<ex::Job> = (0..3)
        .map(|_| -> ex::Job {
            Box::new(|| {
                thread::current()
                    .name()
                    .and_then(|n| n.strip_prefix("job-")?.parse().ok())
                    .unwrap_or(99)
            })
        })
        .collect();
    assert_eq!(ex::run_all(jobs), vec![Ok(0), Ok(1), Ok(2)]);
}

#[test]
fn jobs_run_at_the_same_time() {
    // Each job waits at a barrier until all four have started: run one after
    // another, the first would wait for ever. So the test waits for the
    // results with a timeout, and a sequential `run_all` fails it instead of
    // hanging it (the stuck thread is abandoned; the test process ends it).
    let gate = Arc::new(Barrier::new(4));
    let jobs: Vec<ex::Job> = (0..4)
        .map(|i| -> ex::Job {
            let gate = Arc::clone(&gate);
            Box::new(move || {
                gate.wait();
                i
            })
        })
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || tx.send(ex::run_all(jobs)));
    let results = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the jobs did not all run at once");
    assert_eq!(results, vec![Ok(0), Ok(1), Ok(2), Ok(3)]);
}
