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

    /// Adds `item`, waiting at most `timeout` for room; gives it back on timeout.
    pub fn push_timeout(&self, item: T, timeout: Duration) -> Result<(), T> {
        let items = self.items.lock().unwrap();
        let (mut items, _) = self
            .not_full
            .wait_timeout_while(items, timeout, |q| q.len() >= self.capacity)
            .unwrap();
        // Decide on the queue's state: room may have appeared just as the
        // time ran out.
        if items.len() >= self.capacity {
            return Err(item);
        }
        items.push_back(item);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Removes the oldest item, waiting at most `timeout` for one.
    pub fn pop_timeout(&self, timeout: Duration) -> Option<T> {
        let items = self.items.lock().unwrap();
        let (mut items, _) = self
            .not_empty
            .wait_timeout_while(items, timeout, |q| q.is_empty())
            .unwrap();
        let item = items.pop_front()?;
        self.not_full.notify_one();
        Some(item)
    }

    /// The number of items queued now.
    pub fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
