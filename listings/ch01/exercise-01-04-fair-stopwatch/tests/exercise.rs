//! Tests for Exercise 1-4. `cargo test -p exercise-01-04-fair-stopwatch`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_01_04_fair_stopwatch as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::cell::Cell;
use std::time::Duration;

/// A fake clock: each call of `op` advances it by the next step (in µs), so
/// each batch's duration is known in advance. Reading it costs nothing.
struct FakeTime {
    now: Cell<Duration>,
    steps: Vec<u64>,
    calls: Cell<usize>,
    reads: Cell<usize>,
}

impl FakeTime {
    fn new(steps: Vec<u64>) -> FakeTime {
        FakeTime {
            now: Cell::new(Duration::ZERO),
            steps,
            calls: Cell::new(0),
            reads: Cell::new(0),
        }
    }
    fn read(&self) -> Duration {
        self.reads.set(self.reads.get() + 1);
        self.now.get()
    }
    fn op(&self) {
        let i = self.calls.get();
        self.now
            .set(self.now.get() + Duration::from_micros(self.steps[i % self.steps.len()]));
        self.calls.set(i + 1);
    }
}

#[test]
fn warm_up_is_run_but_not_timed() {
    // Batches of 2 calls. The warm-up's calls cost 1000 µs each; if they were
    // timed, the maximum would show it.
    let t = FakeTime::new(vec![1000, 1000, 10, 10, 20, 20, 30, 30]);
    let stats = ex::measure(3, 2, || t.read(), || t.op());
    assert_eq!(
        t.calls.get(),
        8,
        "one warm-up batch and three timed batches of two calls"
    );
    assert_eq!(
        t.reads.get(),
        6,
        "two clock reads per timed batch, none for the warm-up"
    );
    assert_eq!(stats.max, Duration::from_micros(30));
}

#[test]
fn statistics_are_per_call() {
    // Warm-up (1 call of 5 µs), then batches of one call: 40, 10, 30, 20, 50 µs.
    let t = FakeTime::new(vec![5, 40, 10, 30, 20, 50]);
    let stats = ex::measure(5, 1, || t.read(), || t.op());
    let us = Duration::from_micros;
    assert_eq!(
        stats,
        ex::Stats {
            min: us(10),
            median: us(30),
            max: us(50)
        }
    );
}

#[test]
fn batches_are_divided_by_their_size() {
    // Every call costs 6 µs; batches of 1000 calls take 6 ms each.
    let t = FakeTime::new(vec![6]);
    let stats = ex::measure(4, 1000, || t.read(), || t.op());
    assert_eq!(stats.median, Duration::from_micros(6));
    assert_eq!(t.calls.get(), 5000);
}

#[test]
fn zero_batches_means_one() {
    let t = FakeTime::new(vec![3]);
    let stats = ex::measure(0, 10, || t.read(), || t.op());
    assert_eq!(t.reads.get(), 2);
    assert_eq!(stats.min, Duration::from_micros(3));
}
