//! A single-producer single-consumer ring of fixed-size slots, with the
//! orderings chosen and justified.

// Under `--cfg loom` the atomics and the cell are loom's, so that its model
// check can explore every interleaving and see every access to a slot.
#[cfg(loom)]
use loom::{
    cell::UnsafeCell,
    sync::{Arc, atomic::AtomicUsize},
};
#[allow(unused_imports)] // you need some of these
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
#[cfg(not(loom))]
use std::sync::{Arc, atomic::AtomicUsize};

/// `std`'s `UnsafeCell` with the interface of loom's.
#[cfg(not(loom))]
struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// The shared part: slots and two indices that only grow. Slot `i % len`
/// holds message `i`; `write - read` slots are full.
struct Ring {
    slots: Box<[UnsafeCell<u64>]>,
    /// Messages ever pushed. Stored by the sender only.
    write: AtomicUsize,
    /// Messages ever popped. Stored by the receiver only.
    read: AtomicUsize,
}

// SAFETY: a slot is written by the sender only while it is free and read by
// the receiver only while it is full; the orderings on `write` and `read`
// are what make those hand-overs safe.
unsafe impl Sync for Ring {}

/// The sending end: one per ring.
pub struct Sender(Arc<Ring>);
/// The receiving end: one per ring.
pub struct Receiver(Arc<Ring>);

/// A ring of `capacity` slots (at least 1).
pub fn channel(capacity: usize) -> (Sender, Receiver) {
    assert!(capacity > 0, "a ring needs a slot");
    let ring = Arc::new(Ring {
        slots: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
        write: AtomicUsize::new(0),
        read: AtomicUsize::new(0),
    });
    (Sender(Arc::clone(&ring)), Receiver(ring))
}

impl Sender {
    /// Puts `value` into the next slot; `false` if the ring is full.
    pub fn try_push(&mut self, value: u64) -> bool {
        let ring = &self.0;
        // Relaxed: only we store `write`, so we always see our own last value.
        let write = ring.write.load(Relaxed);
        // Acquire: pairs with the receiver's Release store of `read`; its
        // read of the slot we are about to reuse happens before our write.
        let read = ring.read.load(Acquire);
        if write - read == ring.slots.len() {
            return false;
        }
        // SAFETY: the slot is free (the receiver has moved past it) and the
        // receiver does not read it before we publish `write + 1`.
        ring.slots[write % ring.slots.len()].with_mut(|p| unsafe { *p = value });
        // Release: the slot's write happens before the receiver's Acquire
        // load that sees `write + 1`, and so before its read of the slot.
        ring.write.store(write + 1, Release);
        true
    }
}

impl Receiver {
    /// Takes the oldest value; `None` if the ring is empty.
    pub fn try_pop(&mut self) -> Option<u64> {
        let ring = &self.0;
        // Relaxed: only we store `read`.
        let read = ring.read.load(Relaxed);
        // Acquire: pairs with the sender's Release store of `write`, so the
        // slot's value is visible once we see the index past it.
        let write = ring.write.load(Acquire);
        if read == write {
            return None;
        }
        // SAFETY: the slot is full and published; the sender does not write
        // it again before we publish `read + 1`.
        let value = ring.slots[read % ring.slots.len()].with(|p| unsafe { *p });
        // Release: our read of the slot happens before the sender's Acquire
        // load that sees `read + 1`, and so before it overwrites the slot.
        ring.read.store(read + 1, Release);
        Some(value)
    }
}
