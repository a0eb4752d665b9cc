// The book's experiments (experiments/src/ch02/) compile this file and call
// its `pub` functions.
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: layouts
/// Counters side by side: eight of them share one 64-byte cache line.
pub struct Adjacent([AtomicU64; 16]);

/// Each counter alone on its cache line (`CachePadded` aligns to 128 bytes
/// on x86-64, where the hardware prefetches lines in pairs).
pub struct Padded([CachePadded<AtomicU64>; 16]);
// ANCHOR_END: layouts

/// `threads` threads each increment their own counter `per_thread` times.
pub fn run(
    threads: usize,
    per_thread: u64,
    counter: impl Fn(usize) -> &'static AtomicU64 + Sync,
) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for t in 0..threads {
            let counter = &counter;
            s.spawn(move || {
                let c = counter(t);
                for _ in 0..per_thread {
                    c.fetch_add(1, Relaxed);
                }
            });
        }
    });
    start.elapsed()
}

static ADJACENT: Adjacent = Adjacent([const { AtomicU64::new(0) }; 16]);
static PADDED: Padded = Padded([const { CachePadded::new(AtomicU64::new(0)) }; 16]);

pub fn adjacent(t: usize) -> &'static AtomicU64 {
    &ADJACENT.0[t]
}

pub fn padded(t: usize) -> &'static AtomicU64 {
    &PADDED.0[t]
}

fn main() {
    let n = 20_000_000;
    let shared = run(2, n, adjacent);
    let apart = run(2, n, padded);
    println!("2 threads, {n} increments each, own counter each:");
    println!("  counters side by side: {shared:.0?}");
    println!("  counters padded apart: {apart:.0?}");
    println!(
        "  padding made it {:.1}x faster",
        shared.as_secs_f64() / apart.as_secs_f64()
    );
}
