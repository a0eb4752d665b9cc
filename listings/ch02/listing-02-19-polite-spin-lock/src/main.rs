use listing_02_19_polite_spin_lock::SpinLock;
use std::thread;
use std::time::{Duration, Instant};

/// Four threads each add 1 a million times under a lock `with` gives access
/// through; returns the total and the elapsed time.
fn hammer(with: impl Fn(&mut dyn FnMut(&mut u64)) + Sync) -> (u64, Duration) {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..1_000_000 {
                    with(&mut |c| *c += 1);
                }
            });
        }
    });
    let mut total = 0;
    with(&mut |c| total = *c);
    (total, start.elapsed())
}

fn main() {
    let lock = SpinLock::new(0u64);
    let (total, took) = hammer(|f| lock.with(|c| f(c)));
    println!("4 threads x 1000000 increments under the polite spin lock: {total} in {took:.1?}");
    let mutex = std::sync::Mutex::new(0u64);
    let (total, took) = hammer(|f| f(&mut mutex.lock().unwrap()));
    println!("the same under std's Mutex: {total} in {took:.1?}");
}
