//! A single-producer single-consumer ring of fixed-size slots. The
//! structure is here; `try_push` and `try_pop` are yours: choose the
//! ordering of every atomic load and store, and say why in a comment.

// Remove this line when you are done: it silences the warnings about
// parameters and fields that the `todo!()`s do not use yet.
#![allow(unused_variables, dead_code)]

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
        todo!("check for a free slot, write the value, publish it")
    }
}

impl Receiver {
    /// Takes the oldest value; `None` if the ring is empty.
    pub fn try_pop(&mut self) -> Option<u64> {
        todo!("check for a full slot, read the value, free the slot")
    }
}
