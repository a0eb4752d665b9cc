//! Tests for this exercise. `cargo test -p exercise-06-07-rayon-offload` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_07_rayon_offload as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::time::Duration;

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn answers_are_correct() {
    current_thread().block_on(async {
        for (n, want) in [(0, 0), (1, 1), (10, 55), (25, 75025)] {
            let got = tokio::time::timeout(Duration::from_secs(20), ex::fib_off_runtime(n))
                .await
                .expect("an answer within 20 s");
            assert_eq!(got, want, "fib({n})");
        }
    });
}

/// Inline, `fib` runs inside the future's first poll, so the future is ready
/// at once and the runtime's thread was busy all along. Off the runtime, the
/// first poll only hands the work over and returns `Pending`, leaving the
/// thread to other tasks. No clock involved: the order of two branches decides.
#[test]
fn the_first_poll_hands_the_work_over() {
    current_thread().block_on(async {
        let mut long = Box::pin(ex::fib_off_runtime(35));
        let inline = tokio::select! {
            biased;
            _ = &mut long => true,
            () = std::future::ready(()) => false,
        };
        assert!(!inline, "fib(35) was computed on the runtime's thread");
        // Meanwhile the runtime runs other tasks, and the answer still comes.
        let other = tokio::spawn(async { 6 * 7 });
        assert_eq!(other.await.unwrap(), 42);
        let v = tokio::time::timeout(Duration::from_secs(60), long)
            .await
            .expect("fib(35) within 60 s");
        assert_eq!(v, 9_227_465);
    });
}

#[test]
fn many_requests_at_once_all_complete() {
    current_thread().block_on(async {
        let tasks: Vec<_> = (0..200u32)
            .map(|i| tokio::spawn(ex::fib_off_runtime(i % 25)))
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            let got = tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .expect("within 30 s")
                .expect("task");
            assert_eq!(got, ex::fib(i as u32 % 25));
        }
    });
}

#[test]
fn a_cancelled_request_does_not_break_the_next_ones() {
    current_thread().block_on(async {
        // The caller gives up; the job still finishes on rayon and its send fails.
        let _ = tokio::time::timeout(Duration::from_millis(1), ex::fib_off_runtime(30)).await;
        let got = tokio::time::timeout(Duration::from_secs(20), ex::fib_off_runtime(20))
            .await
            .expect("an answer within 20 s");
        assert_eq!(got, 6765);
    });
}
