//! Tests for this exercise. `cargo test -p exercise-07-02-tee` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_02_tee as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::tee;
use std::cell::Cell;

#[test]
fn both_halves_see_every_item_in_order() {
    let (a, b) = tee(0..1000);
    let a: Vec<i32> = a.collect();
    let b: Vec<i32> = b.collect();
    assert_eq!(a, (0..1000).collect::<Vec<_>>());
    assert_eq!(a, b);
}

#[test]
fn the_source_is_pulled_once_per_item() {
    let pulled = Cell::new(0);
    let source = (0..100).inspect(|_| pulled.set(pulled.get() + 1));
    let (mut a, mut b) = tee(source);
    for _ in 0..100 {
        a.next();
        b.next();
    }
    assert_eq!(pulled.get(), 100);
    assert_eq!(a.next(), None);
    assert_eq!(b.next(), None);
}

#[test]
fn the_buffer_holds_only_the_gap_between_the_halves() {
    let (mut a, mut b) = tee((0..).map(|x: u64| x.to_string()));
    for _ in 0..10 {
        a.next();
    }
    assert_eq!(a.buffered(), 10);
    assert_eq!(b.next().as_deref(), Some("0"));
    assert_eq!(b.buffered(), 9);
    for _ in 0..9 {
        b.next();
    }
    assert_eq!(a.buffered(), 0);
    // Now b leads.
    assert_eq!(b.next().as_deref(), Some("10"));
    assert_eq!(a.buffered(), 1);
    assert_eq!(a.next().as_deref(), Some("10"));
}

#[test]
fn a_dropped_half_costs_no_memory() {
    let (mut a, b) = tee(0..u64::MAX);
    a.next();
    drop(b);
    assert_eq!(a.buffered(), 0);
    let n = a.by_ref().take(100_000).count();
    assert_eq!(n, 100_000);
    assert_eq!(a.buffered(), 0);
}

#[test]
fn works_on_an_endless_source_in_step() {
    let (a, b) = tee((1u64..).map(|x| x * x));
    let pairs: Vec<(u64, u64)> = a.zip(b).take(4).collect();
    assert_eq!(pairs, [(1, 1), (4, 4), (9, 9), (16, 16)]);
}
