use std::cell::Cell;
use std::thread;

thread_local! {
    // One counter per thread, created the first time a thread touches it.
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

fn record_call() {
    CALLS.with(|c| c.set(c.get() + 1));
}

fn calls_so_far() -> u32 {
    CALLS.with(Cell::get)
}

fn main() {
    let counts: Vec<u32> = thread::scope(|s| {
        let handles: Vec<_> = (1..=3)
            .map(|n| {
                s.spawn(move || {
                    for _ in 0..n * 10 {
                        record_call();
                    }
                    calls_so_far()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!("each thread counted its own calls: {counts:?}");
    println!("main made no calls: {}", calls_so_far());
}
