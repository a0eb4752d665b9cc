use rayon::prelude::*;
use std::time::{Duration, Instant};

const LIMIT: u64 = 1_000_000;
const BLOCK: usize = 100_000;

// The work of Listing 1-1: trial division, deliberately CPU-bound.
fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn main() {
    let numbers: Vec<u64> = (0..LIMIT).collect();
    // Start the global pool before timing: its threads are created on first use.
    rayon::join(|| (), || ());

    // ANCHOR: sum
    let (seq, seq_time) = timed(|| numbers.iter().map(|&n| is_prime(n) as u64).sum::<u64>());
    // ANCHOR: par
    let (par, par_time) = timed(|| {
        numbers
            .par_iter() // the one change: iter() becomes par_iter()
            .map(|&n| is_prime(n) as u64)
            .sum::<u64>()
    });
    // ANCHOR_END: par
    println!("primes below {LIMIT}: {seq} (iter), {par} (par_iter)");
    println!(
        "speed-up on {} threads: {:.1}x",
        rayon::current_num_threads(),
        seq_time.as_secs_f64() / par_time.as_secs_f64()
    );
    // ANCHOR_END: sum

    // ANCHOR: chunks
    // Each block is one piece of work; collect puts the results back in
    // block order, whichever thread finished first.
    let per_block: Vec<usize> = numbers
        .par_chunks(BLOCK)
        .map(|block| block.iter().filter(|&&n| is_prime(n)).count())
        .collect();
    println!("primes per block of {BLOCK}: {per_block:?}");
    // ANCHOR_END: chunks

    // ANCHOR: fold
    // fold gives every piece of work its own histogram (no sharing, no lock);
    // reduce adds the histograms pairwise.
    let last_digits = numbers
        .par_iter()
        .filter(|&&n| is_prime(n))
        .fold(
            || [0u64; 10],
            |mut hist, &p| {
                hist[(p % 10) as usize] += 1;
                hist
            },
        )
        .reduce(
            || [0u64; 10],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    println!("primes by last digit: {last_digits:?}");
    // ANCHOR_END: fold
}
