//! Tests for this exercise. `cargo test -p exercise-02-05-io-priority` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_05_io_priority as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A switch interval so long that waiting for it fails the test.
const TEN_SECONDS: Duration = Duration::from_secs(10);

/// Runs `f` on a thread and fails if it does not finish within 60 s: a GIL
/// that never hands over must fail the test, not hang it.
fn within(f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        f();
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("did not finish within 60 s (or panicked): a lock that never hands over?");
}

/// A thread holding the GIL and "interpreting" (checking between steps)
/// until `stop`; counts its steps.
fn busy(gil: &ex::Gil, stop: &AtomicBool, steps: &AtomicU64) {
    gil.acquire(false);
    while !stop.load(Relaxed) {
        gil.check();
        steps.fetch_add(1, Relaxed);
    }
    gil.release();
}

#[test]
fn an_io_thread_gets_the_lock_at_once() {
    within(|| {
        let gil = ex::Gil::new(TEN_SECONDS);
        let (stop, steps) = (AtomicBool::new(false), AtomicU64::new(0));
        thread::scope(|s| {
            s.spawn(|| busy(&gil, &stop, &steps));
            while steps.load(Relaxed) == 0 {
                thread::yield_now(); // the busy thread holds the lock now
            }
            let (tx, rx) = mpsc::channel();
            let gil = &gil;
            let io = s.spawn(move || {
                gil.acquire(true); // back from blocking I/O: wants the lock
                tx.send(()).unwrap();
                gil.release();
            });
            let got_it = rx.recv_timeout(Duration::from_secs(3)).is_ok();
            stop.store(true, Relaxed);
            io.join().unwrap();
            assert!(
                got_it,
                "the I/O thread waited for the ten-second switch interval"
            );
        });
    });
}

#[test]
fn many_io_round_trips_beside_a_busy_thread() {
    within(|| {
        let gil = ex::Gil::new(TEN_SECONDS);
        let (stop, steps) = (AtomicBool::new(false), AtomicU64::new(0));
        thread::scope(|s| {
            s.spawn(|| busy(&gil, &stop, &steps));
            while steps.load(Relaxed) == 0 {
                thread::yield_now();
            }
            let (tx, rx) = mpsc::channel();
            let gil = &gil;
            let io = s.spawn(move || {
                gil.acquire(true);
                for _ in 0..100 {
                    gil.blocking(|| ());
                }
                gil.release();
                tx.send(()).unwrap();
            });
            let done = rx.recv_timeout(Duration::from_secs(5)).is_ok();
            stop.store(true, Relaxed);
            io.join().unwrap();
            assert!(
                done,
                "100 I/O round trips did not finish in 5 s beside a busy thread"
            );
        });
    });
}

#[test]
fn a_thread_not_coming_from_io_still_waits_its_turn() {
    within(|| {
        // Priority is for I/O only: an ordinary acquire waits for the interval.
        let gil = ex::Gil::new(Duration::from_millis(200));
        let (stop, steps) = (AtomicBool::new(false), AtomicU64::new(0));
        thread::scope(|s| {
            s.spawn(|| busy(&gil, &stop, &steps));
            while steps.load(Relaxed) == 0 {
                thread::yield_now();
            }
            let start = std::time::Instant::now();
            gil.acquire(false);
            let waited = start.elapsed();
            gil.release();
            // And an I/O thread afterwards is not held up by it.
            let (tx, rx) = mpsc::channel();
            let gil = &gil;
            let io = s.spawn(move || {
                gil.acquire(true);
                tx.send(()).unwrap();
                gil.release();
            });
            let io_ok = rx.recv_timeout(Duration::from_secs(3)).is_ok();
            stop.store(true, Relaxed);
            io.join().unwrap();
            assert!(
                waited >= Duration::from_millis(200),
                "an ordinary acquire skipped the interval"
            );
            assert!(io_ok, "the I/O thread was not given priority");
        });
    });
}
