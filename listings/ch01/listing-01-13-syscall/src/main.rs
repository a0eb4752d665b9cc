// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::time::Instant;

/// A function the optimiser may not inline or remove.
#[inline(never)]
pub fn plain_function(x: u32) -> u32 {
    black_box(x)
}

// ANCHOR: per_call
/// Calls `f` `iters` times; returns the average nanoseconds per call.
pub fn per_call(iters: u32, f: impl Fn() -> u32) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
}
// ANCHOR_END: per_call

fn main() {
    let n = 1_000_000;
    let call = per_call(n, || plain_function(7));
    // `getppid` enters the kernel every time: the C library caches nothing.
    let syscall = per_call(n, std::os::unix::process::parent_id);
    println!("function call:          {call:.2} ns");
    println!("system call (getppid):  {syscall:.2} ns");
    println!(
        "a system call costs about {:.0}x a function call",
        syscall / call.max(0.01)
    );
}
