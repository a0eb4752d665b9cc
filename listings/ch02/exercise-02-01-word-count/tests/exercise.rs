//! Tests for this exercise. `cargo test -p exercise-02-01-word-count` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_01_word_count as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::collections::HashMap;

fn text() -> Vec<String> {
    (0..500)
        .map(|i| {
            format!(
                "The quick brown fox {} jumps over the lazy dog THE END {}",
                i % 7,
                i % 3
            )
        })
        .collect()
}

fn one_thread(lines: &[&str]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in lines.iter().flat_map(|l| l.split_whitespace()) {
        *m.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    m
}

#[test]
fn every_thread_count_gives_the_same_answer() {
    let owned = text();
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let expected = one_thread(&lines);
    for threads in [1, 2, 3, 8, 1000] {
        assert_eq!(
            ex::word_counts(&lines, threads),
            expected,
            "{threads} threads"
        );
    }
}

#[test]
fn words_are_counted_in_lower_case() {
    let counts = ex::word_counts(&["The the THE", "tHe end"], 2);
    assert_eq!(counts.get("the"), Some(&4));
    assert_eq!(counts.get("end"), Some(&1));
    assert_eq!(counts.len(), 2);
}

#[test]
fn empty_input_and_zero_threads() {
    assert!(ex::word_counts(&[], 4).is_empty());
    assert_eq!(ex::word_counts(&["a b a"], 0).get("a"), Some(&2));
}
