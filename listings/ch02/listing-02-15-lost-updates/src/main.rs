use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

const PER_THREAD: u64 = 1_000_000;

/// Two threads each add 1 to `counter` a million times with `add`, starting
/// together (a barrier), so that their updates overlap.
fn race(add: impl Fn(&AtomicU64) + Sync) -> u64 {
    let counter = AtomicU64::new(0);
    let start = Barrier::new(2);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                start.wait();
                (0..PER_THREAD).for_each(|_| add(&counter));
            });
        }
    });
    counter.into_inner()
}

fn main() {
    // ANCHOR: race
    // One indivisible read-modify-write: no increment is lost.
    let atomic = race(|c| {
        c.fetch_add(1, Relaxed);
    });
    // Two separate atomic operations: another thread can store in between,
    // and its increment is overwritten. No data race — every access is
    // atomic — but a race condition all the same.
    let split = race(|c| c.store(c.load(Relaxed) + 1, Relaxed));
    // ANCHOR_END: race
    println!("fetch_add:       {atomic} of {}", 2 * PER_THREAD);
    println!(
        "load then store: {split} — lost {} of {} updates",
        2 * PER_THREAD - split,
        2 * PER_THREAD
    );
}
