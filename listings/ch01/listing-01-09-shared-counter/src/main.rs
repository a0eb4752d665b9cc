use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

fn main() {
    let hits = AtomicU64::new(0);
    let finished = Mutex::new(Vec::new());
    thread::scope(|s| {
        for id in 0..4 {
            // Scoped threads may borrow: the scope outlives every thread in it.
            let (hits, finished) = (&hits, &finished);
            s.spawn(move || {
                for _ in 0..100_000 {
                    // One indivisible read-modify-write; no update is lost.
                    hits.fetch_add(1, Ordering::Relaxed);
                }
                finished.lock().unwrap().push(id);
            });
        }
    });
    let mut finished = finished.into_inner().unwrap();
    finished.sort();
    println!("hits: {}", hits.into_inner());
    println!("threads finished: {finished:?}");
}
