// Remove this line when you are done: it silences the warnings about
// parameters and fields that the `todo!()`s do not use yet.
#![allow(unused_variables, dead_code)]

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// A bounded queue whose producers and consumers can give up after a timeout.
pub struct TimedQueue<T> {
    items: Mutex<VecDeque<T>>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: usize,
}

impl<T> TimedQueue<T> {
    /// A queue of at most `capacity` items (at least 1).
    pub fn new(capacity: usize) -> Self {
        TimedQueue {
            items: Mutex::new(VecDeque::new()),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    /// Adds `item`, waiting at most `timeout` for room. On timeout the item
    /// comes back as `Err(item)`: it was not queued.
    pub fn push_timeout(&self, item: T, timeout: Duration) -> Result<(), T> {
        todo!("wait for room with a deadline; queue the item or give it back")
    }

    /// Removes the oldest item, waiting at most `timeout` for one; `None`
    /// when the time ran out with the queue still empty.
    pub fn pop_timeout(&self, timeout: Duration) -> Option<T> {
        todo!("wait for an item with a deadline")
    }

    /// The number of items queued now.
    pub fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
