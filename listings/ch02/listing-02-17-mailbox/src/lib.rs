//! A one-shot mailbox: one thread writes a value, then raises a flag; another
//! reads the value once it sees the flag. The orderings are a parameter so
//! that the model check can try the wrong ones.

#[cfg(loom)]
use loom::{
    cell::UnsafeCell,
    sync::{Arc, atomic::AtomicBool},
};
use std::sync::atomic::Ordering;
#[cfg(not(loom))]
use std::sync::{Arc, atomic::AtomicBool};

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

// ANCHOR: mailbox
struct Mailbox {
    value: UnsafeCell<u64>,
    ready: AtomicBool,
    publish: Ordering, // Release, for a correct mailbox
    observe: Ordering, // Acquire, for a correct mailbox
}

// SAFETY: `value` is written only by the one `Sender`, before `ready` is set
// with a Release store, and read only after an Acquire load saw `ready`: the
// write happens before the read. (`unsafe_relaxed` breaks this on purpose.)
unsafe impl Sync for Mailbox {}

pub struct Sender(Arc<Mailbox>);
pub struct Receiver(Arc<Mailbox>);

/// A mailbox with Release and Acquire: correct.
pub fn mailbox() -> (Sender, Receiver) {
    with_orderings(Ordering::Release, Ordering::Acquire)
}

impl Sender {
    /// Writes the value, then raises the flag. Consumes the sender: one value.
    pub fn send(self, value: u64) {
        // SAFETY: the sender is unique and the flag is not up yet, so no
        // reader touches `value` now.
        self.0.value.with_mut(|p| unsafe { *p = value });
        self.0.ready.store(true, self.0.publish);
    }
}

impl Receiver {
    /// The value, if the sender has published it.
    pub fn try_receive(&self) -> Option<u64> {
        if self.0.ready.load(self.0.observe) {
            // SAFETY: the flag is up, so the write to `value` is complete and
            // (with Acquire) visible; nobody writes it again.
            Some(self.0.value.with(|p| unsafe { *p }))
        } else {
            None
        }
    }
}
// ANCHOR_END: mailbox

fn with_orderings(publish: Ordering, observe: Ordering) -> (Sender, Receiver) {
    let mailbox = Arc::new(Mailbox {
        value: UnsafeCell::new(0),
        ready: AtomicBool::new(false),
        publish,
        observe,
    });
    (Sender(Arc::clone(&mailbox)), Receiver(mailbox))
}

/// A mailbox whose flag uses Relaxed: the reader may see the flag and still
/// read the value before the write, a data race.
///
/// # Safety
///
/// Never call this outside a loom model: it exists so that the model check
/// can show the bug. Reading from its receiver is undefined behaviour.
pub unsafe fn unsafe_relaxed() -> (Sender, Receiver) {
    with_orderings(Ordering::Relaxed, Ordering::Relaxed)
}
