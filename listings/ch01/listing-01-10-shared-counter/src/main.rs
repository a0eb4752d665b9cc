use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

fn main() {
    let hits = AtomicU64::new(0);
    let finished = Mutex::new(Vec::new());
    thread::scope(|s| {
        for id in 0..4 {
            // `move` copies `id` into each thread; these references are what it
            // moves for the shared data. Borrowing is allowed because the scope
            // does not end before every thread in it has finished.
            let (hits, finished) = (&hits, &finished);
            // ANCHOR: spawn
            s.spawn(move || {
                for _ in 0..100_000 {
                    // Indivisible, so no increment is lost. `Relaxed` because only
                    // the total matters: the scope's end makes it visible to `main`.
                    hits.fetch_add(1, Ordering::Relaxed);
                }
                finished.lock().unwrap().push(id);
            });
            // ANCHOR_END: spawn
        }
    });
    let mut finished = finished.into_inner().unwrap();
    finished.sort();
    println!("hits: {}", hits.into_inner());
    println!("threads finished: {finished:?}");
}
