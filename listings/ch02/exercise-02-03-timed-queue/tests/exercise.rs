//! Tests for this exercise. `cargo test -p exercise-02-03-timed-queue` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_03_timed_queue as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(10);

/// Runs `f` on a thread and fails if it does not finish within `limit`:
/// a deadlock must fail the test, not hang it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("did not finish in time: a lost wake-up or a deadlock?")
}

#[test]
fn every_item_arrives_exactly_once() {
    let all = within(Duration::from_secs(60), || {
        let q = ex::TimedQueue::new(3);
        let (producers, per) = (4, 2_000u32);
        // Consumers stop when, between them, they have taken every item; a
        // lost item keeps them looking until `within` fails the test.
        let taken = AtomicUsize::new(0);
        let total = (producers * per) as usize;
        thread::scope(|s| {
            for p in 0..producers {
                let q = &q;
                s.spawn(move || {
                    for i in 0..per {
                        q.push_timeout(p * per + i, LONG).expect("room within 10 s");
                    }
                });
            }

            let consumers: Vec<_> = (0..3)
                .map(|_| {
                    let (q, taken) = (&q, &taken);
                    s.spawn(move || {
                        let mut got = Vec::new();
                        while taken.load(Relaxed) < total {
                            if let Some(x) = q.pop_timeout(Duration::from_millis(50)) {
                                got.push(x);
                                taken.fetch_add(1, Relaxed);
                            }
                        }
                        got
                    })
                })
                .collect();
            let mut all: Vec<u32> = consumers
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect();
            all.sort_unstable();
            all
        })
    });
    let expected: Vec<u32> = (0..8_000).collect();
    assert_eq!(all, expected, "some items were lost or delivered twice");
}

#[test]
fn pop_on_an_empty_queue_times_out() {
    within(LONG, || {
        let q: ex::TimedQueue<u8> = ex::TimedQueue::new(2);
        let start = Instant::now();
        assert_eq!(q.pop_timeout(Duration::from_millis(50)), None);
        assert!(
            start.elapsed() >= Duration::from_millis(50),
            "gave up before the timeout"
        );
    });
}

#[test]
fn push_on_a_full_queue_gives_the_item_back() {
    within(LONG, || {
        let q = ex::TimedQueue::new(1);
        assert_eq!(q.push_timeout("a", LONG), Ok(()));
        assert_eq!(q.push_timeout("b", Duration::from_millis(30)), Err("b"));
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_timeout(LONG), Some("a"));
    });
}

#[test]
fn a_waiting_consumer_wakes_when_an_item_arrives() {
    within(LONG, || {
        let q = ex::TimedQueue::new(1);
        thread::scope(|s| {
            let consumer = s.spawn(|| q.pop_timeout(LONG));
            // Gives the consumer time to start waiting, so that the push must
            // wake it. The result does not depend on it: had the consumer not
            // started yet, it would find the item at once.
            thread::sleep(Duration::from_millis(20));
            q.push_timeout(7, LONG).unwrap();
            assert_eq!(consumer.join().unwrap(), Some(7));
        });
    });
}
