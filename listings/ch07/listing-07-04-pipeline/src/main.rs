//! Runs the pipelines over a million generated log lines and times each
//! chain against its hand-written loop, in turns.

use listing_07_04_pipeline::*;
use std::hint::black_box;
use std::time::Instant;

fn time<T>(f: impl Fn() -> T) -> f64 {
    let start = Instant::now();
    black_box(f());
    start.elapsed().as_secs_f64()
}

// ANCHOR: main
fn main() {
    let log = access_log(1_000_000);
    println!(
        "{} lines, {} MB",
        log.lines().count(),
        log.len() / 1_000_000
    );
    println!("bytes sent: {}", bytes_sent(&log));
    println!("lines with \"python\": {}", grep_count(&log, "python"));
    assert_eq!(bytes_sent(&log), bytes_sent_loop(&log));
    assert_eq!(grep_count(&log, "python"), grep_count_loop(&log, "python"));

    // Alternate the two so a busy machine slows both alike; keep the best.
    let (mut chain, mut hand) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        chain = chain.min(time(|| bytes_sent(black_box(&log))));
        hand = hand.min(time(|| bytes_sent_loop(black_box(&log))));
    }
    println!(
        "bytes: chain {:.1} ns/line, loop {:.1} ns/line, chain/loop {:.2}x",
        chain * 1e3,
        hand * 1e3,
        chain / hand
    );
}
// ANCHOR_END: main
