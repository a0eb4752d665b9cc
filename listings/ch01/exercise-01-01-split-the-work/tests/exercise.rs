//! Tests for Exercise 1-1. `cargo test -p exercise-01-01-split-the-work`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_01_01_split_the_work as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::collections::HashSet;
use std::sync::Mutex;
use std::thread::{self, ThreadId};

fn sequential(data: &[u64]) -> u64 {
    data.iter().map(|x| x * x).sum()
}

#[test]
fn sums_match_the_sequential_answer() {
    for len in [1, 2, 7, 100, 1001] {
        let data: Vec<u64> = (0..len).collect();
        for threads in [1, 2, 3, 8, 64] {
            assert_eq!(
                ex::parallel_map_sum(&data, threads, |x| x * x),
                sequential(&data),
                "{len} elements on {threads} threads"
            );
        }
    }
}

#[test]
fn edge_cases_empty_input_and_zero_threads() {
    assert_eq!(ex::parallel_map_sum(&[], 4, |x| x), 0);
    assert_eq!(ex::parallel_map_sum(&[5, 6], 0, |x| x), 11);
}

#[test]
fn every_requested_thread_does_a_share() {
    let data: Vec<u64> = (0..1000).collect();
    for threads in [2, 3, 4, 8] {
        let seen: Mutex<HashSet<ThreadId>> = Mutex::new(HashSet::new());
        let total = ex::parallel_map_sum(&data, threads, |x| {
            seen.lock().unwrap().insert(thread::current().id());
            x
        });
        assert_eq!(total, 499_500);
        let seen = seen.into_inner().unwrap();
        assert_eq!(
            seen.len(),
            threads,
            "the work ran on {} distinct threads, not {threads}",
            seen.len()
        );
    }
}
