// The book's experiments (experiments/src/ch02/) compile this file and call
// its `pub` items.
use std::cell::UnsafeCell;
use std::hint;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::thread;
use std::time::Instant;

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: as in Listing 2-18, one thread at a time reaches the value.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    // ANCHOR: polite
    /// Runs `f` with exclusive access to the value.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        loop {
            // Try to take the lock only when it looks free…
            if self
                .locked
                .compare_exchange_weak(false, true, Acquire, Relaxed)
                .is_ok()
            {
                break;
            }
            // …and wait by reading, which keeps the cache line shared among
            // the waiters instead of bouncing it between them with writes.
            while self.locked.load(Relaxed) {
                hint::spin_loop();
            }
        }
        let _unlock = Unlock(&self.locked);
        // SAFETY: we hold the lock; the reference does not outlive the call.
        f(unsafe { &mut *self.value.get() })
    }
    // ANCHOR_END: polite
}

struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        self.0.store(false, Release);
    }
}

/// Four threads each add 1 a million times under a lock `with` gives access
/// through; returns the total and the elapsed time.
pub fn hammer(with: impl Fn(&mut dyn FnMut(&mut u64)) + Sync) -> (u64, std::time::Duration) {
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
