//! Tests for this exercise. `cargo test -p exercise-06-08-busy-limit` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_08_busy_limit as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Busy, Limiter};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(30);

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Lets spawned tasks run until they reach their first real wait.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[test]
fn answers_when_a_slot_is_free() {
    rt().block_on(async {
        let limiter = Limiter::new(2);
        assert_eq!(timeout(WAIT, limiter.compute(10)).await.unwrap(), Ok(55));
        assert_eq!(timeout(WAIT, limiter.reply(20)).await.unwrap(), "6765\n");
    });
}

#[test]
fn a_full_limiter_answers_busy_at_once_then_recovers() {
    rt().block_on(async {
        let limiter = Arc::new(Limiter::new(2));
        let long: Vec<_> = (0..2)
            .map(|_| {
                let l = Arc::clone(&limiter);
                tokio::spawn(async move { l.compute(33).await })
            })
            .collect();
        settle().await;
        // Both slots are taken: no waiting, no queueing.
        let third = timeout(Duration::from_millis(500), limiter.compute(1)).await;
        assert_eq!(
            third,
            Ok(Err(Busy)),
            "a third request must be refused at once"
        );
        assert_eq!(timeout(WAIT, limiter.reply(1)).await.unwrap(), "ERR busy\n");
        for t in long {
            assert_eq!(timeout(WAIT, t).await.unwrap().unwrap(), Ok(3_524_578));
        }
        assert_eq!(timeout(WAIT, limiter.compute(1)).await.unwrap(), Ok(1));
    });
}

#[test]
fn a_slot_stays_taken_until_the_computation_really_ends() {
    rt().block_on(async {
        let limiter = Limiter::new(1);
        // The caller gives up after 1 ms; fib(33) keeps running on its thread.
        let gave_up = timeout(Duration::from_millis(1), limiter.compute(33)).await;
        assert!(gave_up.is_err(), "fib(33) cannot finish in 1 ms");
        assert_eq!(
            timeout(Duration::from_millis(500), limiter.compute(1)).await,
            Ok(Err(Busy)),
            "the abandoned computation still holds the slot"
        );
        // Once it ends, the slot is free again (poll for up to WAIT).
        let start = std::time::Instant::now();
        loop {
            match timeout(WAIT, limiter.compute(1)).await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, 1);
                    break;
                }
                Err(Busy) => {
                    assert!(start.elapsed() < WAIT, "the slot was never released");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    });
}
