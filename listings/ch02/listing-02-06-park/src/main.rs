use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

fn main() {
    let go = AtomicBool::new(false);
    thread::scope(|s| {
        // ANCHOR: park
        let waiter = s.spawn(|| {
            let mut naps = 0;
            // `park` may return without an `unpark` (a spurious wake-up), so
            // the condition lives in a flag, checked every time round.
            while !go.load(Ordering::Acquire) {
                thread::park_timeout(Duration::from_millis(100));
                naps += 1;
                assert!(naps < 50, "no one set the flag within 5 s");
            }
            "the waiter saw the flag"
        });
        go.store(true, Ordering::Release);
        // An `unpark` before the `park` is not lost: it leaves a token, and
        // the next `park` returns at once.
        waiter.thread().unpark();
        // ANCHOR_END: park
        println!("{}", waiter.join().unwrap());
    });
}
