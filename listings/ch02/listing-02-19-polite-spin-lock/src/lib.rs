//! The polite spin lock. Under `--cfg loom` it is built on loom's atomics and
//! cell, so that loom can explore the interleavings of the threads using it.
//! The book's experiments (experiments/src/ch02/) compile this file.

#[cfg(loom)]
use loom::{cell::UnsafeCell, hint, sync::atomic::AtomicBool};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
#[cfg(not(loom))]
use std::{hint, sync::atomic::AtomicBool};

/// `std`'s `UnsafeCell` with the interface of loom's (as in Listing 2-18).
#[cfg(not(loom))]
struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: as in Listing 2-18, the lock lets one thread at a time reach the
// value, so sharing it is as safe as sending the `T` to each in turn.
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
            // One exchange: at once on the first pass, and afterwards only
            // when the waiting loop below has seen the lock free.
            if self
                .locked
                .compare_exchange_weak(false, true, Acquire, Relaxed)
                .is_ok()
            {
                break;
            }
            // Wait by reading, which keeps the cache line shared among the
            // waiters instead of bouncing it between them with writes.
            while self.locked.load(Relaxed) {
                hint::spin_loop();
            }
        }
        let _unlock = Unlock(&self.locked); // released even if `f` panics
        // SAFETY: we hold the lock, so no other thread is inside `with`,
        // and the reference cannot outlive this call.
        self.value.with_mut(|p| f(unsafe { &mut *p }))
    }
    // ANCHOR_END: polite
}

struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // Release: pairs with the Acquire exchange of the next holder.
        self.0.store(false, Release);
    }
}
