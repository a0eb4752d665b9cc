//! `tee`: one iterator split into two that each see every item.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

#[allow(dead_code)] // `source` is read by the code you write
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
    let _ = source.into_iter();
    todo!()
}

impl<I> Iterator for Tee<I>
where
    I: Iterator,
    I::Item: Clone,
{
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        // Your queue first; else pull the source once and copy the item for
        // the other half, if it is alive.
        let _ = (&self.shared, self.side);
        todo!()
    }
}

impl<I: Iterator> Tee<I> {
    /// How many items both halves hold in their queues together.
    pub fn buffered(&self) -> usize {
        todo!()
    }
}

impl<I: Iterator> Drop for Tee<I> {
    fn drop(&mut self) {
        let mut shared = self.shared.borrow_mut();
        shared.alive[self.side] = false;
        shared.queues[self.side].clear();
    }
}
