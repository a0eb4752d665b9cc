// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: measure
/// Spawns `n` threads one after another, joining each before the next, and
/// returns the time per spawn + join.
pub fn spawn_join(n: u32) -> Duration {
    let start = Instant::now();
    for i in 0..n {
        thread::spawn(move || black_box(i)).join().unwrap();
    }
    start.elapsed() / n
}
// ANCHOR_END: measure

fn main() {
    spawn_join(100); // warm up: the first threads pay for one-time set-up
    let each = spawn_join(5_000);
    println!("spawn + join: {each:.1?} per thread");
    println!(
        "that is {:.0} threads/s, one at a time",
        1.0 / each.as_secs_f64()
    );
}
