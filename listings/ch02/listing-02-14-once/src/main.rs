use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::thread;

static INITIALISED: AtomicU32 = AtomicU32::new(0);

// ANCHOR: lazy
/// A table built on first use, by whichever thread gets there first.
static SQUARES: LazyLock<HashMap<u32, u32>> = LazyLock::new(|| {
    INITIALISED.fetch_add(1, Ordering::Relaxed);
    (0..1_000).map(|n| (n, n * n)).collect()
});

/// A value set once at run time, read by everyone after.
static START_MESSAGE: OnceLock<String> = OnceLock::new();
// ANCHOR_END: lazy

fn main() {
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                assert_eq!(SQUARES[&12], 144);
                // Only the first call's closure runs; the others get its value.
                START_MESSAGE.get_or_init(|| "set by the first thread to ask".to_string());
            });
        }
    });
    println!(
        "8 threads used the table; it was built {} time(s)",
        INITIALISED.load(Ordering::Relaxed)
    );
    println!("the message was {:?}", START_MESSAGE.get().unwrap());
}
