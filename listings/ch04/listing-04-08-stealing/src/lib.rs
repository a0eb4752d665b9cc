//! Recording which rayon worker ran which task.

use rayon::ThreadPool;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Burns roughly `units` microseconds of CPU without sleeping.
pub fn busy(units: u32) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..units * 1_000 {
        // black_box stops the compiler from collapsing the loop.
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

// ANCHOR: record
/// Runs one task per entry of `costs` on `pool`, each task its own piece of
/// work (`with_max_len(1)`), and returns the index of the worker that ran it.
pub fn who_ran_what(pool: &ThreadPool, costs: &[u32]) -> Vec<usize> {
    pool.install(|| {
        costs
            .par_iter()
            .with_max_len(1)
            .map(|&c| {
                busy(c);
                rayon::current_thread_index().expect("inside the pool")
            })
            .collect() // in task order, whoever ran them
    })
}

/// Consecutive tasks run by the same worker: a worker works through its own
/// deque in order, so a new run starts where a half was stolen.
pub fn runs(workers: &[usize]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new(); // (worker, length)
    for &w in workers {
        match runs.last_mut() {
            Some((last, len)) if *last == w => *len += 1,
            _ => runs.push((w, 1)),
        }
    }
    runs
}
// ANCHOR_END: record

// ANCHOR: join
/// `join(a, b)`: `a` runs on this worker and `b` waits in its deque. `a`
/// refuses to finish until `b` has started (for at most `limit`), so `b`
/// can only run if another worker steals it. Returns the workers of a and b.
pub fn join_while_busy(pool: &ThreadPool, limit: Duration) -> (usize, usize) {
    let b_started = AtomicBool::new(false);
    pool.install(|| {
        rayon::join(
            || {
                let deadline = Instant::now() + limit;
                while !b_started.load(Ordering::Acquire) && Instant::now() < deadline {
                    std::thread::yield_now();
                }
                rayon::current_thread_index().unwrap()
            },
            || {
                b_started.store(true, Ordering::Release);
                rayon::current_thread_index().unwrap()
            },
        )
    })
}
// ANCHOR_END: join
