use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn time<T>(f: &mut impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

/// Runs `a` and `b` in turn, seven times each, and keeps each one's best
/// time: alternating spreads a burst of other work on the machine over both.
fn race<A, B>(mut a: impl FnMut() -> A, mut b: impl FnMut() -> B) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        best_a = best_a.min(time(&mut a));
        best_b = best_b.min(time(&mut b));
    }
    (best_a, best_b)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.1}x", a.as_secs_f64() / b.as_secs_f64())
}

// A compute-bound step: a dozen dependent multiply-adds per item. The top
// 24 bits only, so that sums of millions of them cannot overflow.
fn mix(x: u64) -> u64 {
    let h = (0..12).fold(x, |h, _| {
        h.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(7)
    });
    h >> 40
}

const GRAIN: usize = 10_000;
const CHAIN: u64 = 1_000_000;

fn main() {
    rayon::join(|| (), || ()); // start the pool's threads before timing
    let threads = rayon::current_num_threads();

    // ANCHOR: small
    // A cheap operation on a small slice, called many times.
    let small: Vec<u64> = (0..1_000).collect();
    let calls = 2_000;
    let seq_loop = || {
        for _ in 0..calls {
            black_box(black_box(&small).iter().map(|x| x * x).sum::<u64>());
        }
    };
    let (seq, par) = race(seq_loop, || {
        for _ in 0..calls {
            black_box(black_box(&small).par_iter().map(|x| x * x).sum::<u64>());
        }
    });
    // with_min_len: no piece shorter than GRAIN, so this slice is not split.
    let (seq2, grained) = race(seq_loop, || {
        for _ in 0..calls {
            let it = black_box(&small).par_iter().with_min_len(GRAIN);
            black_box(it.map(|x| x * x).sum::<u64>());
        }
    });
    println!("1000 items, x * x, {calls} calls:");
    println!("  par_iter took {} the time of iter", ratio(par, seq));
    println!("  with_min_len({GRAIN}) took {}", ratio(grained, seq2));
    // ANCHOR_END: small

    // ANCHOR: memory
    let big: Vec<u64> = (0..8_000_000).collect(); // 64 MB, far beyond the caches
    let (sum_seq, sum_par) = race(|| big.iter().sum::<u64>(), || big.par_iter().sum::<u64>());
    let (mix_seq, mix_par) = race(
        || big.iter().map(|&x| mix(x)).sum::<u64>(),
        || big.par_iter().map(|&x| mix(x)).sum::<u64>(),
    );
    println!("64 MB of u64, {threads} threads:");
    println!("  sum (memory-bound) speed-up: {}", ratio(sum_seq, sum_par));
    println!(
        "  mix then sum (compute-bound) speed-up: {}",
        ratio(mix_seq, mix_par)
    );
    // ANCHOR_END: memory

    // ANCHOR: serial
    // Part of the job is a loop that cannot be split: each step needs the last.
    let chain = |n: u64| (0..n).fold(1u64, |h, i| mix(h ^ i));
    let items: Vec<u64> = (0..4_000_000).collect();
    let serial = (0..7).map(|_| time(&mut || chain(CHAIN))).min().unwrap();
    let (whole_seq, whole_par) = race(
        || chain(CHAIN) ^ items.iter().map(|&x| mix(x)).sum::<u64>(),
        || chain(CHAIN) ^ items.par_iter().map(|&x| mix(x)).sum::<u64>(),
    );
    let f = serial.as_secs_f64() / whole_seq.as_secs_f64();
    let amdahl = 1.0 / (f + (1.0 - f) / threads as f64);
    println!("serial part {:.0} % of the job:", f * 100.0);
    println!("  speed-up {}", ratio(whole_seq, whole_par));
    println!("  Amdahl's law predicts {amdahl:.1}x for {threads} threads");
    // ANCHOR_END: serial
}
