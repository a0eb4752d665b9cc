// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::time::Instant;

// ANCHOR: count
// ANCHOR: count_fn
/// Beazley's benchmark, `while n > 0: n -= 1`. `black_box` hides the value
/// from the optimiser, so every iteration really runs.
pub fn count(mut n: u64) {
    while black_box(n) > 0 {
        n -= 1;
    }
}
// ANCHOR_END: count_fn

/// The same loop as the optimiser is allowed to see it.
pub fn count_visible(mut n: u64) -> u64 {
    while n > 0 {
        n -= 1;
    }
    n
}
// ANCHOR_END: count

fn main() {
    let n: u64 = 100_000_000;

    let start = Instant::now();
    count(black_box(n));
    let each_step = start.elapsed();

    let start = Instant::now();
    let left = count_visible(black_box(n));
    let visible = start.elapsed();

    println!("count({n}), every step run:  {each_step:.1?}");
    println!(
        "  {:.2} ns per iteration",
        each_step.as_nanos() as f64 / n as f64
    );
    println!("count({n}), loop visible:    {visible:.1?} (n ends at {left})");
}
