//! Two closures that stand in for small generator functions.

use std::iter;

// ANCHOR: fib
/// `def fib(): a, b = 0, 1; while True: yield a; a, b = b, a + b`
fn fib() -> impl Iterator<Item = u64> {
    let (mut a, mut b) = (0u64, 1u64);
    // The closure's captures are the generator's local variables; `move`
    // puts them inside the iterator, which is how they survive between calls.
    iter::from_fn(move || {
        let out = a;
        (a, b) = (b, a.checked_add(b)?);
        Some(out)
    })
}
// ANCHOR_END: fib

// ANCHOR: collatz
/// Each value depends only on the one before: `successors` needs no state of
/// its own, and `None` ends the sequence.
fn collatz(start: u64) -> impl Iterator<Item = u64> {
    iter::successors(Some(start), |&n| match n {
        1 => None,
        n if n % 2 == 0 => Some(n / 2),
        n => Some(3 * n + 1),
    })
}
// ANCHOR_END: collatz

// ANCHOR: main
fn main() {
    let first: Vec<u64> = fib().take(10).collect();
    println!("fib:      {first:?}");
    // `?` in the closure ends the sequence where u64 would overflow.
    println!("fib ends after {} terms instead of wrapping", fib().count());
    let path: Vec<u64> = collatz(6).collect();
    println!("collatz:  {path:?}");
    let longest = (1..10_000u64).max_by_key(|&n| collatz(n).count()).unwrap();
    println!("longest below 10000 starts at {longest}");
}
// ANCHOR_END: main
