use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread;

fn main() {
    let needle: u64 = 123_456_789;
    let found = AtomicBool::new(false);
    let share: u64 = 1_000_000_000; // each thread's range: far too long to finish
    let outcomes: Vec<(Option<u64>, bool)> = thread::scope(|s| {
        let handles: Vec<_> = (0..4u64)
            .map(|t| {
                let found = &found;
                // Thread 0's range starts next to the needle.
                let start = if t == 0 {
                    needle - 1_000
                } else {
                    t * share * 4
                };
                s.spawn(move || {
                    // ANCHOR: check
                    for (i, candidate) in (start..start + share).enumerate() {
                        // Checking a flag is cheap, but not free: look every
                        // 4,096 candidates.
                        if i.is_multiple_of(4_096) && found.load(Relaxed) {
                            return (None, true); // cancelled
                        }
                        if candidate == needle {
                            found.store(true, Relaxed);
                            return (Some(candidate), false);
                        }
                    }
                    (None, false) // searched the whole range
                    // ANCHOR_END: check
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let answer = outcomes.iter().find_map(|o| o.0);
    let cancelled = outcomes.iter().filter(|o| o.1).count();
    println!("found {answer:?}; {cancelled} of the other 3 threads stopped early");
}
