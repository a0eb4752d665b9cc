use listing_02_18_spin_lock::SpinLock;
use std::thread;

fn main() {
    let counter = SpinLock::new(0u64);
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..100_000 {
                    counter.with(|c| *c += 1);
                }
            });
        }
    });
    println!(
        "4 threads, 100000 increments each, under the spin lock: {}",
        counter.with(|c| *c)
    );
}
