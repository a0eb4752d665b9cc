// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::time::Instant;

// ANCHOR: chase
/// A random cyclic permutation of `0..len` (Sattolo's algorithm): following
/// `next[i]` from any slot visits every slot once, in an order no prefetcher
/// can predict.
pub fn random_cycle(len: usize, mut seed: u64) -> Vec<usize> {
    let mut next: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        // xorshift64: a small pseudo-random generator, plenty for this.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        next.swap(i, (seed % i as u64) as usize);
    }
    next
}

/// Follows the chain for `steps` loads. Each load needs the previous one's
/// result, so their latencies add up instead of overlapping. Returns the
/// average nanoseconds per load.
pub fn chase(next: &[usize], steps: u32) -> f64 {
    let mut slot = 0;
    let start = Instant::now();
    for _ in 0..steps {
        slot = next[slot];
    }
    black_box(slot);
    start.elapsed().as_secs_f64() * 1e9 / f64::from(steps)
}
// ANCHOR_END: chase

fn main() {
    let word = std::mem::size_of::<usize>();
    let small = random_cycle(16 * 1024 / word, 42); // 16 KiB: fits in the L1 cache
    let large = random_cycle(64 * 1024 * 1024 / word, 42); // 64 MiB: does not fit in any cache
    let hit = chase(&small, 5_000_000);
    let miss = chase(&large, 5_000_000);
    println!("16 KiB chain: {hit:.2} ns per load (cache hits)");
    println!("64 MiB chain: {miss:.1} ns per load (mostly misses)");
    println!("a miss costs about {:.0}x a hit", miss / hit.max(0.01));
}
