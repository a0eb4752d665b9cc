//! Tests for this exercise. `cargo test -p exercise-02-07-resilient-pool` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_07_resilient_pool as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread and fails if it takes longer than `limit`: a pool
/// that loses a wake-up must fail the test, not hang it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("timed out: a lost wake-up, or a dead worker?")
}

#[test]
fn panicking_jobs_do_not_stop_the_others() {
    within(Duration::from_secs(20), || {
        let pool = ex::Pool::new(2);
        let done = Arc::new(AtomicUsize::new(0));
        for i in 0..40 {
            let done = Arc::clone(&done);
            pool.execute(move || {
                if i % 4 == 0 {
                    panic!("job {i} fails");
                }
                done.fetch_add(1, Relaxed);
            });
        }
        pool.wait();
        assert_eq!(done.load(Relaxed), 30);
        assert_eq!(pool.panicked(), 10);
    });
}

#[test]
fn workers_survive_their_panics() {
    within(Duration::from_secs(20), || {
        let pool = ex::Pool::new(3);
        for _ in 0..9 {
            pool.execute(|| panic!("boom"));
        }
        pool.wait();
        // All three workers are still there to run the next jobs.
        let names = Arc::new(Mutex::new(HashSet::new()));
        let barrier = Arc::new(std::sync::Barrier::new(3));
        for _ in 0..3 {
            let (names, barrier) = (Arc::clone(&names), Arc::clone(&barrier));
            pool.execute(move || {
                barrier.wait(); // needs three live workers at once
                names
                    .lock()
                    .unwrap()
                    .insert(thread::current().name().unwrap_or("").to_string());
            });
        }
        pool.wait();
        let names = names.lock().unwrap().clone();
        assert_eq!(
            names,
            HashSet::from(["worker-0".into(), "worker-1".into(), "worker-2".into()])
        );
    });
}

#[test]
fn wait_returns_only_when_the_queue_is_drained() {
    within(Duration::from_secs(20), || {
        let pool = ex::Pool::new(2);
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..200 {
            let done = Arc::clone(&done);
            pool.execute(move || {
                thread::yield_now();
                done.fetch_add(1, Relaxed);
            });
        }
        pool.wait();
        assert_eq!(done.load(Relaxed), 200);
        pool.wait(); // nothing left: returns at once
    });
}

#[test]
fn dropping_the_pool_finishes_queued_jobs() {
    within(Duration::from_secs(20), || {
        let done = Arc::new(AtomicUsize::new(0));
        {
            let pool = ex::Pool::new(2);
            for _ in 0..50 {
                let done = Arc::clone(&done);
                pool.execute(move || {
                    done.fetch_add(1, Relaxed);
                });
            }
        }
        assert_eq!(done.load(Relaxed), 50);
    });
}
