use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::thread;

// ANCHOR: buffer
/// A queue of at most `capacity` items, shared by producer and consumer
/// threads.
pub struct BoundedBuffer<T> {
    items: Mutex<VecDeque<T>>,
    not_empty: Condvar, // signalled when an item arrives
    not_full: Condvar,  // signalled when an item leaves
    capacity: usize,
}

impl<T> BoundedBuffer<T> {
    pub fn new(capacity: usize) -> Self {
        BoundedBuffer {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }

    /// Adds an item, waiting while the buffer is full.
    pub fn push(&self, item: T) {
        let items = self.items.lock().unwrap();
        // `wait_while` releases the lock while it sleeps and re-checks the
        // condition on every wake-up, spurious or not.
        let mut items = self
            .not_full
            .wait_while(items, |q| q.len() == self.capacity)
            .unwrap();
        items.push_back(item);
        self.not_empty.notify_one();
    }

    /// Removes the oldest item, waiting while the buffer is empty.
    pub fn pop(&self) -> T {
        let items = self.items.lock().unwrap();
        let mut items = self.not_empty.wait_while(items, |q| q.is_empty()).unwrap();
        let item = items.pop_front().expect("not empty");
        self.not_full.notify_one();
        item
    }
}
// ANCHOR_END: buffer

fn main() {
    let buffer = BoundedBuffer::new(4);
    let (producers, per_producer) = (3, 10_000u64);
    let consumed: Vec<u64> = thread::scope(|s| {
        for p in 0..producers {
            let buffer = &buffer;
            s.spawn(move || {
                for i in 0..per_producer {
                    buffer.push(p * per_producer + i);
                }
            });
        }
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let buffer = &buffer;
                // Both consumers take half of all the items, whoever made them.
                s.spawn(move || {
                    (0..producers * per_producer / 2)
                        .map(|_| buffer.pop())
                        .sum()
                })
            })
            .collect();
        consumers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let total: u64 = consumed.iter().sum();
    let expected: u64 = (0..producers * per_producer).sum();
    println!("3 producers, 2 consumers, a buffer of 4");
    println!("sum of every item consumed: {total} (expected {expected})");
}
