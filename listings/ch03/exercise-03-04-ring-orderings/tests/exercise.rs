//! Tests for this exercise. `cargo test -p exercise-03-04-ring-orderings`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_04_ring_orderings as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

/// Ordinary tests with real threads (not under loom).
#[cfg(not(loom))]
mod threads {
    use super::ex::channel;
    use std::thread;
    use std::time::{Duration, Instant};

    #[test]
    fn full_and_empty() {
        let (mut tx, mut rx) = channel(2);
        assert_eq!(rx.try_pop(), None);
        assert!(tx.try_push(1));
        assert!(tx.try_push(2));
        assert!(!tx.try_push(3), "two slots hold two values");
        assert_eq!(rx.try_pop(), Some(1));
        assert!(tx.try_push(3), "a popped slot is free again");
        assert_eq!(rx.try_pop(), Some(2));
        assert_eq!(rx.try_pop(), Some(3));
        assert_eq!(rx.try_pop(), None);
    }

    #[test]
    fn two_threads_every_value_once_in_order() {
        const N: u64 = 1_000_000;
        let (mut tx, mut rx) = channel(64);
        let deadline = Instant::now() + Duration::from_secs(30);
        thread::scope(|s| {
            s.spawn(move || {
                for i in 0..N {
                    while !tx.try_push(i) {
                        assert!(Instant::now() < deadline, "receiver stuck");
                        thread::yield_now();
                    }
                }
            });
            for i in 0..N {
                let value = loop {
                    match rx.try_pop() {
                        Some(v) => break v,
                        None => {
                            assert!(Instant::now() < deadline, "sender stuck");
                            thread::yield_now();
                        }
                    }
                };
                assert_eq!(value, i, "lost, repeated or out of order");
            }
        });
    }
}

/// The model check: every interleaving of a sender and a receiver, with
/// more values than slots so that slots are reused.
#[cfg(loom)]
mod model {
    use super::ex::channel;
    use loom::thread;

    #[test]
    fn every_interleaving_delivers_in_order() {
        loom::model(|| {
            let (mut tx, mut rx) = channel(2);
            let sender = thread::spawn(move || {
                for v in 1..=3 {
                    while !tx.try_push(v) {
                        thread::yield_now();
                    }
                }
            });
            for v in 1..=3 {
                let got = loop {
                    match rx.try_pop() {
                        Some(got) => break got,
                        None => thread::yield_now(),
                    }
                };
                assert_eq!(got, v);
            }
            sender.join().unwrap();
        });
    }
}
