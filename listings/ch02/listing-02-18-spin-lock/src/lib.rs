//! A spin lock. Under `--cfg loom` it is built on loom's atomics and cell,
//! so that loom can explore every interleaving of the threads using it.

#[cfg(loom)]
use loom::{cell::UnsafeCell, hint, sync::atomic::AtomicBool};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
#[cfg(not(loom))]
use std::{hint, sync::atomic::AtomicBool};

/// `std`'s `UnsafeCell` with the interface of loom's, which hands out the
/// raw pointer only inside a closure so that it can track every access.
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

// ANCHOR: lock
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock lets one thread at a time reach the value, so sharing a
// `SpinLock<T>` between threads is as safe as sending the `T` to each in
// turn: `T: Send` is what that needs.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access to the value.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // Acquire: everything the previous holder wrote before its Release
        // store is visible to us once we see the lock free.
        while self
            .locked
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_err()
        {
            hint::spin_loop(); // tell the CPU we are waiting
        }
        let _unlock = Unlock(&self.locked); // released even if `f` panics
        // SAFETY: we hold the lock, so no other thread is inside `with`,
        // and the reference cannot outlive this call.
        self.value.with_mut(|p| f(unsafe { &mut *p }))
    }
}

struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // Release: our writes to the value happen before the next holder's
        // Acquire sees `false`.
        self.0.store(false, Release);
    }
}
// ANCHOR_END: lock
