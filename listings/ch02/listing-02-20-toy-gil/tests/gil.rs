//! The toy GIL excludes, hands over under every policy, and lets its
//! servers finish. Every wait is bounded by `within`.

use listing_02_20_toy_gil::{COUNTDOWN, Gil, Load, Policy, countdown, echo_rate, interpret};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on its own thread and fails the test if it takes longer than
/// `limit` (a hang becomes a failure, not a stuck test run).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || done.send(f()));
    result.recv_timeout(limit).expect("timed out or panicked")
}

fn policies() -> [Policy; 3] {
    let switch = Duration::from_millis(1);
    [
        Policy::Ticks(64),
        Policy::Interval {
            switch,
            io_priority: false,
        },
        Policy::Interval {
            switch,
            io_priority: true,
        },
    ]
}

#[test]
fn the_interpreter_counts_down() {
    let mut locals = [10];
    // Seven instructions per pass, then the last test, jump and return.
    assert_eq!(interpret(&COUNTDOWN, &mut locals, None), 7 * 10 + 3);
    assert_eq!(locals[0], 0);
}

#[test]
fn only_one_thread_holds_the_gil() {
    for policy in policies() {
        let total = within(Duration::from_secs(60), move || {
            let gil = Gil::new(policy);
            let count = AtomicU64::new(0);
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..10_000 {
                            gil.acquire(false);
                            // A read and a separate write: updates would be
                            // lost if two threads were in here at once.
                            let seen = count.load(Relaxed);
                            count.store(seen + 1, Relaxed);
                            gil.release();
                        }
                    });
                }
            });
            count.load(Relaxed)
        });
        assert_eq!(total, 40_000, "{policy:?}");
    }
}

#[test]
fn a_busy_holder_hands_the_gil_over() {
    for policy in policies() {
        within(Duration::from_secs(60), move || {
            let gil = Gil::new(policy);
            let stop = AtomicBool::new(false);
            thread::scope(|s| {
                gil.acquire(false);
                s.spawn(|| {
                    // Takes the lock from a thread that never blocks: only
                    // the policy's check can make the holder let go.
                    gil.acquire(false);
                    stop.store(true, Relaxed);
                    gil.release();
                });
                while !stop.load(Relaxed) {
                    let mut locals = [1_000];
                    interpret(&COUNTDOWN, &mut locals, Some(&gil));
                }
                gil.release();
            });
        });
    }
}

#[test]
fn countdown_finishes_under_every_policy() {
    for policy in policies() {
        within(Duration::from_secs(60), move || {
            countdown(200_000, 2, Some(&Gil::new(policy)));
        });
    }
}

#[test]
#[should_panic(expected = "power of two")]
fn ticks_must_be_a_power_of_two() {
    Gil::new(Policy::Ticks(1_000));
}

#[test]
fn the_echo_server_answers_beside_both_kinds_of_load() {
    for policy in policies() {
        let rate = within(Duration::from_secs(60), move || {
            let load = Load {
                gil_threads: 1,
                free_threads: 1,
            };
            echo_rate(&Gil::new(policy), load, Duration::from_millis(100))
        })
        .expect("the echo round trips succeed");
        assert!(rate > 0.0, "{policy:?}: no request answered");
    }
}
