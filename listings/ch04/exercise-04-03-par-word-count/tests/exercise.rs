//! Tests for this exercise. `cargo test -p exercise-04-03-par-word-count` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_04_03_par_word_count as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::collections::HashMap;

/// Generated text: a small vocabulary in mixed case, lines of varying length.
fn text(lines: usize) -> Vec<String> {
    const WORDS: [&str; 9] = [
        "Rayon", "steals", "WORK", "from", "the", "top", "of", "a", "deque",
    ];
    let mut x = 12345u64;
    (0..lines)
        .map(|i| {
            let mut line = Vec::new();
            for _ in 0..(i % 13) {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                let w = WORDS[(x >> 33) as usize % WORDS.len()];
                line.push(if x & 1 == 0 {
                    w.to_uppercase()
                } else {
                    w.to_string()
                });
            }
            line.join(if i % 2 == 0 { " " } else { "  \t" })
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

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn matches_a_sequential_count_on_every_pool_size() {
    let owned = text(20_000);
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let expected = one_thread(&lines);
    for threads in [1, 2, 3, 8] {
        let got = pool(threads).install(|| ex::word_counts(&lines));
        assert_eq!(got, expected, "{threads} threads");
    }
}

#[test]
fn words_are_counted_in_lower_case() {
    let counts = ex::word_counts(&["The the THE", "tHe end"]);
    assert_eq!(counts.get("the"), Some(&4));
    assert_eq!(counts.get("end"), Some(&1));
    assert_eq!(counts.len(), 2);
}

#[test]
fn empty_input_and_blank_lines() {
    assert!(ex::word_counts(&[]).is_empty());
    assert!(ex::word_counts(&["", "   ", "\t"]).is_empty());
    assert_eq!(ex::word_counts(&["", "a b a", ""]).get("a"), Some(&2));
}
