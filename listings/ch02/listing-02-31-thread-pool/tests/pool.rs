//! The pool runs every job, survives a panicking one, and finishes the queue
//! when dropped. Every wait is bounded by `within`.

use listing_02_31_thread_pool::ThreadPool;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

/// Runs `f` on its own thread and fails the test if it takes longer than
/// `limit` (a hang becomes a failure, not a stuck test run).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || done.send(f()));
    result.recv_timeout(limit).expect("timed out or panicked")
}

#[test]
fn every_job_runs_once() {
    let mut seen = within(Duration::from_secs(30), || {
        let pool = ThreadPool::new(3);
        let (results, collected) = mpsc::channel();
        for i in 0..100 {
            let results = results.clone();
            pool.execute(move || results.send(i).unwrap());
        }
        drop(results);
        drop(pool);
        collected.iter().collect::<Vec<_>>()
    });
    seen.sort_unstable();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
}

#[test]
fn dropping_the_pool_finishes_the_queue() {
    let done = within(Duration::from_secs(30), || {
        let done = Arc::new(AtomicUsize::new(0));
        let pool = ThreadPool::new(2);
        for _ in 0..1_000 {
            let done = Arc::clone(&done);
            pool.execute(move || {
                done.fetch_add(1, Relaxed);
            });
        }
        drop(pool); // returns only when the queue is empty and workers joined
        done.load(Relaxed)
    });
    assert_eq!(done, 1_000);
}

#[test]
fn a_panicking_job_takes_only_its_worker() {
    let done = within(Duration::from_secs(30), || {
        let done = Arc::new(AtomicUsize::new(0));
        let pool = ThreadPool::new(2);
        pool.execute(|| panic!("a job failed (expected by this test)"));
        for _ in 0..50 {
            let done = Arc::clone(&done);
            pool.execute(move || {
                done.fetch_add(1, Relaxed);
            });
        }
        drop(pool);
        done.load(Relaxed)
    });
    assert_eq!(done, 50);
}

#[test]
fn a_pool_of_zero_has_one_worker() {
    let answer = within(Duration::from_secs(30), || {
        let pool = ThreadPool::new(0);
        let (tx, rx) = mpsc::channel();
        pool.execute(move || tx.send(42).unwrap());
        rx.recv_timeout(Duration::from_secs(10))
    });
    assert_eq!(answer, Ok(42));
}
