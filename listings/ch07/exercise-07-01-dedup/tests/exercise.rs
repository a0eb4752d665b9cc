//! Tests for this exercise. `cargo test -p exercise-07-01-dedup` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_01_dedup as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::DedupExt;
use std::cell::Cell;

#[test]
fn runs_collapse_to_one_item() {
    let out: String = "aaabccdaa".chars().dedup_adjacent().collect();
    assert_eq!(out, "abcda");
}

#[test]
fn empty_and_single_inputs() {
    assert_eq!(std::iter::empty::<u8>().dedup_adjacent().count(), 0);
    assert_eq!(
        [7, 7, 7, 7]
            .into_iter()
            .dedup_adjacent()
            .collect::<Vec<_>>(),
        [7]
    );
    assert_eq!(
        [1, 2, 3].into_iter().dedup_adjacent().collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn works_on_owned_strings_in_a_chain() {
    let log = "GET /a\nGET /a\nGET /b\nGET /a\nGET /a\n";
    let paths: Vec<String> = log
        .lines()
        .map(|l| l.replace("GET ", ""))
        .dedup_adjacent()
        .collect();
    assert_eq!(paths, ["/a", "/b", "/a"]);
}

#[test]
fn is_lazy_enough_for_an_endless_input() {
    // 0,0,0,1,1,1,2,... never ends; take(5) must still return.
    let first: Vec<u64> = (0u64..).map(|x| x / 3).dedup_adjacent().take(5).collect();
    assert_eq!(first, [0, 1, 2, 3, 4]);
}

#[test]
fn pulls_only_what_it_needs() {
    let pulled = Cell::new(0);
    let mut it = [1, 1, 2, 2, 3]
        .into_iter()
        .inspect(|_| pulled.set(pulled.get() + 1))
        .dedup_adjacent();
    assert_eq!(it.next(), Some(1));
    assert_eq!(pulled.get(), 1);
    assert_eq!(it.next(), Some(2));
    assert_eq!(pulled.get(), 3);
    assert_eq!(it.next(), Some(3));
    assert_eq!(it.next(), None);
}
