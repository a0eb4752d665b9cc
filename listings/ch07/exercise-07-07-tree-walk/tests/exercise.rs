//! Tests for this exercise. `cargo test -p exercise-07-07-tree-walk` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_07_tree_walk as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{InOrder, Tree};

const STACK: usize = 256 * 1024;

#[test]
fn walks_a_small_tree_in_order() {
    let tree = Tree::from_sorted(&[1, 2, 3, 4, 5, 6, 7]);
    let values: Vec<i32> = InOrder::new(tree, STACK).unwrap().collect();
    assert_eq!(values, [1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn an_empty_tree_yields_nothing_and_stays_finished() {
    let mut walk = InOrder::new(Tree::Leaf, STACK).unwrap();
    assert_eq!(walk.next(), None);
    assert_eq!(walk.next(), None, "next after the end must not panic");
}

#[test]
fn two_walks_advance_side_by_side() {
    // Merge two sorted trees: both walks stay suspended mid-recursion
    // while the other one runs.
    let evens: Vec<i32> = (0..500).map(|i| i * 2).collect();
    let odds: Vec<i32> = (0..500).map(|i| i * 2 + 1).collect();
    let mut a = InOrder::new(Tree::from_sorted(&evens), STACK)
        .unwrap()
        .peekable();
    let mut b = InOrder::new(Tree::from_sorted(&odds), STACK)
        .unwrap()
        .peekable();
    let mut merged = Vec::new();
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x <= y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        merged.extend(next);
    }
    assert_eq!(merged, (0..1000).collect::<Vec<_>>());
}

#[test]
fn stopping_early_drops_the_suspended_walk() {
    let values: Vec<i32> = (0..10_000).collect();
    let mut walk = InOrder::new(Tree::from_sorted(&values), STACK).unwrap();
    let first: Vec<i32> = walk.by_ref().take(3).collect();
    assert_eq!(first, [0, 1, 2]);
    assert_eq!(walk.next(), Some(3));
    drop(walk); // unwinds the suspended recursion without a panic
}

#[test]
fn a_deep_tree_walks_on_a_stack_sized_for_it() {
    // Deeper than a test thread's 2 MiB stack could recurse in a debug build.
    let depth = 50_000;
    let walk = InOrder::new(Tree::left_chain(depth), 256 << 20).unwrap();
    let mut expected = 0;
    for v in walk {
        assert_eq!(v, expected);
        expected += 1;
    }
    assert_eq!(expected, depth);
}
