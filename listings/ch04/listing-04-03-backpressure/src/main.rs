use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use std::thread;
use std::time::{Duration, Instant};

const MESSAGES: usize = 5_000;
const SIZE: usize = 1_024; // bytes per message
const CAPACITY: usize = 64;

/// A consumer that needs about 10 µs per message (busy, so the timing
/// does not depend on the sleep granularity of the OS).
fn slow_consumer(rx: Receiver<Vec<u8>>) -> (usize, usize) {
    let (mut received, mut peak) = (0, 0);
    loop {
        peak = peak.max(rx.len()); // the backlog, as seen just now
        let Ok(message) = rx.recv() else { break };
        let start = Instant::now();
        while start.elapsed() < Duration::from_micros(10) {
            std::hint::black_box(&message);
        }
        received += 1;
    }
    (received, peak)
}

// ANCHOR: run
/// Runs the producer flat out; returns (peak backlog, how long the producer
/// took as a share of the whole run, messages received).
fn run(tx: Sender<Vec<u8>>, rx: Receiver<Vec<u8>>) -> (usize, f64, usize) {
    let start = Instant::now();
    let consumer = thread::spawn(move || slow_consumer(rx));
    for _ in 0..MESSAGES {
        // With a bounded channel this waits whenever the consumer is behind.
        tx.send(vec![0u8; SIZE]).unwrap();
    }
    let producer_done = start.elapsed();
    drop(tx);
    let (received, peak) = consumer.join().unwrap();
    let share = producer_done.as_secs_f64() / start.elapsed().as_secs_f64();
    (peak, share, received)
}

fn main() {
    let (tx, rx) = bounded(CAPACITY);
    let (peak, share, got) = run(tx, rx);
    // The consumer samples the backlog, so it may see the full channel or
    // miss it by a message: the property is the bound, not the exact peak.
    println!(
        "bounded({CAPACITY}): {got} received, peak backlog at most {CAPACITY}: {}",
        peak <= CAPACITY
    );
    println!("  held at most {} KiB", CAPACITY * SIZE / 1024);
    println!("  producer finished at {:.0} % of the run", share * 100.0);

    let (tx, rx) = unbounded();
    let (peak, share, got) = run(tx, rx);
    let floor = MESSAGES / 2; // the exact peak varies from run to run
    println!(
        "unbounded: {got} received, peak backlog over {floor}: {}",
        peak > floor
    );
    println!("  held more than {} KiB", floor * SIZE / 1024);
    println!("  producer finished at {:.0} % of the run", share * 100.0);
}
// ANCHOR_END: run
