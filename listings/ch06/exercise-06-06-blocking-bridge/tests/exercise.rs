//! Tests for this exercise. `cargo test -p exercise-06-06-blocking-bridge`
//! tests your `src/lib.rs`; the book's own test run adds `--features solution`
//! to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_06_blocking_bridge as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Panicked, map_blocking};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);
/// Bound on the waits inside the blocking functions below.
const MEET: Duration = Duration::from_secs(5);

fn sum(data: &[u8]) -> u32 {
    data.iter().map(|&b| u32::from(b)).sum()
}

fn inputs(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| vec![i as u8; i + 1]).collect()
}

/// A blocking function that records how many calls run at once. Each call
/// waits (bounded by `MEET`) until `meet` calls have been running at the same
/// time, so a correct bridge reaches that peak by construction, not by luck.
fn tracked(meet: usize) -> (Arc<AtomicUsize>, impl Fn(&[u8]) -> u32 + Send + Sync) {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let p = Arc::clone(&peak);
    let f = move |data: &[u8]| {
        let running = now.fetch_add(1, Ordering::SeqCst) + 1;
        p.fetch_max(running, Ordering::SeqCst);
        let deadline = Instant::now() + MEET;
        while p.load(Ordering::SeqCst) < meet && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1)); // stands in for blocking I/O
        }
        now.fetch_sub(1, Ordering::SeqCst);
        sum(data)
    };
    (peak, f)
}

/// A blocking function that waits (bounded by `MEET`) until a runtime task
/// has bumped `ticks` twice: it can only succeed if it does not hold the
/// runtime's thread. Records a failure in `stalled`.
fn needs_the_runtime(
    ticks: Arc<AtomicU32>,
    stalled: Arc<AtomicBool>,
) -> impl Fn(&[u8]) -> u32 + Send + Sync {
    move |data: &[u8]| {
        let before = ticks.load(Ordering::SeqCst);
        let deadline = Instant::now() + MEET;
        while ticks.load(Ordering::SeqCst) - before < 2 {
            if Instant::now() >= deadline {
                stalled.store(true, Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        sum(data)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn results_come_back_in_input_order() {
    let got = timeout(WAIT, map_blocking(inputs(50), 4, sum))
        .await
        .expect("bounded");
    let want: Vec<u32> = inputs(50).iter().map(|d| sum(d)).collect();
    assert_eq!(got, Ok(want));
}

#[tokio::test(flavor = "current_thread")]
async fn no_inputs_no_outputs() {
    assert_eq!(map_blocking(Vec::new(), 2, sum).await, Ok(vec![]));
}

#[tokio::test(flavor = "current_thread")]
async fn at_most_max_parallel_calls_run_at_once() {
    let (peak, f) = tracked(3);
    let got = timeout(WAIT, map_blocking(inputs(12), 3, f))
        .await
        .expect("bounded");
    assert!(got.is_ok());
    // Reaching 3 proves the calls overlap; not exceeding it proves the bound.
    assert_eq!(peak.load(Ordering::SeqCst), 3, "peak concurrency");
}

#[tokio::test(flavor = "current_thread")]
async fn zero_means_one_at_a_time() {
    let (peak, f) = tracked(1);
    let got = timeout(WAIT, map_blocking(inputs(5), 0, f))
        .await
        .expect("bounded");
    assert!(got.is_ok());
    assert_eq!(peak.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn the_runtime_keeps_running_other_tasks() {
    // One runtime thread: if `f` ran on it, the ticker could not tick while
    // `f` waits for its ticks, and `f` would give up after `MEET`.
    let ticks = Arc::new(AtomicU32::new(0));
    let stalled = Arc::new(AtomicBool::new(false));
    let f = needs_the_runtime(Arc::clone(&ticks), Arc::clone(&stalled));
    let work = tokio::spawn(map_blocking(inputs(2), 2, f));
    while !work.is_finished() {
        tokio::time::sleep(Duration::from_millis(5)).await;
        ticks.fetch_add(1, Ordering::SeqCst);
    }
    assert!(timeout(WAIT, work).await.expect("bounded").unwrap().is_ok());
    assert!(
        !stalled.load(Ordering::SeqCst),
        "a call held the runtime's thread: the other tasks stopped"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_panic_in_the_function_is_an_error() {
    let f = |data: &[u8]| {
        assert!(data.len() != 3, "the library chokes on input 2");
        sum(data)
    };
    let got = timeout(WAIT, map_blocking(inputs(6), 2, f))
        .await
        .expect("bounded");
    assert_eq!(got, Err(Panicked));
}
