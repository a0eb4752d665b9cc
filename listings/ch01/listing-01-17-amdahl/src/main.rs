// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: work
/// `units` rounds of a xorshift: pure CPU work the optimiser cannot skip.
pub fn work(units: u64, seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..units {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Runs `total` units of work: the `serial` fraction on one thread, then the
/// rest split evenly across `threads` threads. Returns the elapsed time.
pub fn run(total: u64, serial: f64, threads: u64) -> Duration {
    let serial_units = (total as f64 * serial) as u64;
    let parallel_units = total - serial_units;
    let start = Instant::now();
    black_box(work(serial_units, 1));
    thread::scope(|s| {
        for t in 0..threads {
            let share = parallel_units / threads + u64::from(t < parallel_units % threads);
            s.spawn(move || black_box(work(share, t + 2)));
        }
    });
    start.elapsed()
}
// ANCHOR_END: work

// ANCHOR: law
/// Amdahl's law: the speed-up on `p` processors when a fraction `serial`
/// of the work cannot run in parallel.
pub fn amdahl(serial: f64, p: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / p)
}
// ANCHOR_END: law

fn main() {
    let serial: f64 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .expect("the serial fraction is a number from 0 to 1"),
        None => 0.25,
    };
    assert!(
        (0.0..=1.0).contains(&serial),
        "the serial fraction is a number from 0 to 1"
    );
    let total = 200_000_000;
    let one = run(total, serial, 1);
    println!("serial fraction {serial}: one thread takes {one:.1?}");
    println!("threads  measured  Amdahl");
    for threads in [1, 2, 4] {
        let measured = one.as_secs_f64() / run(total, serial, threads).as_secs_f64();
        let predicted = amdahl(serial, threads as f64);
        println!("{threads:>7}  {measured:>7.2}x  {predicted:>5.2}x");
    }
}
