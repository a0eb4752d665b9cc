//! `tee`: one iterator split into two that each see every item.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

struct Shared<I: Iterator> {
    source: I,
    /// Items pulled by one half that the other half has not read yet.
    queues: [VecDeque<I::Item>; 2],
    /// Whether each half still exists (a dropped half needs no copies).
    alive: [bool; 2],
}

/// One half of a tee.
pub struct Tee<I: Iterator> {
    shared: Rc<RefCell<Shared<I>>>,
    side: usize,
}

/// Splits `source` into two iterators over the same items.
pub fn tee<I>(source: I) -> (Tee<I::IntoIter>, Tee<I::IntoIter>)
where
    I: IntoIterator,
    I::Item: Clone,
{
    let shared = Rc::new(RefCell::new(Shared {
        source: source.into_iter(),
        queues: [VecDeque::new(), VecDeque::new()],
        alive: [true, true],
    }));
    let left = Tee {
        shared: Rc::clone(&shared),
        side: 0,
    };
    (left, Tee { shared, side: 1 })
}

impl<I> Iterator for Tee<I>
where
    I: Iterator,
    I::Item: Clone,
{
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let mut shared = self.shared.borrow_mut();
        if let Some(item) = shared.queues[self.side].pop_front() {
            return Some(item);
        }
        let item = shared.source.next()?;
        let other = 1 - self.side;
        if shared.alive[other] {
            shared.queues[other].push_back(item.clone());
        }
        Some(item)
    }
}

impl<I: Iterator> Tee<I> {
    /// How many items both halves hold in their queues together.
    pub fn buffered(&self) -> usize {
        let shared = self.shared.borrow();
        shared.queues[0].len() + shared.queues[1].len()
    }
}

impl<I: Iterator> Drop for Tee<I> {
    fn drop(&mut self) {
        let mut shared = self.shared.borrow_mut();
        shared.alive[self.side] = false;
        shared.queues[self.side].clear();
    }
}
