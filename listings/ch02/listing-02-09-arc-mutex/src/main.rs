use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    // `Arc`: shared ownership, freed when the last clone goes. `Mutex`: one
    // thread at a time inside. `thread::spawn` needs `'static` data, which
    // an `Arc` clone is: each thread owns its handle.
    let tally = Arc::new(Mutex::new(BTreeMap::new()));
    let handles: Vec<_> = ["alpha", "beta", "gamma", "beta", "alpha", "beta"]
        .into_iter()
        .map(|word| {
            let tally = Arc::clone(&tally);
            thread::spawn(move || {
                // ANCHOR: guard
                let mut map = tally.lock().unwrap(); // blocks until the lock is free
                *map.entry(word).or_insert(0) += 1;
                // `map` is a guard: the lock is released when it is dropped,
                // here at the end of the closure.
                // ANCHOR_END: guard
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // ANCHOR: short
    // Copy what you need and let the guard go before doing anything slow.
    let snapshot = tally.lock().unwrap().clone();
    // ANCHOR_END: short
    println!("{snapshot:?}");
    println!("handles to the map left: {}", Arc::strong_count(&tally));
}
