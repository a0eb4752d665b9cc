use std::cell::Cell;
use std::thread;

fn main() {
    let hits = Cell::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..1000 {
                    hits.set(hits.get() + 1);
                }
            });
        }
    });
    println!("hits: {}", hits.get());
}
