//! `uniq` as an iterator adaptor: runs of equal neighbours become one item.

/// Wraps an iterator; yields each item that differs from the one before it.
pub struct Dedup<I: Iterator> {
    inner: I,
    /// The item yielded last, which the next one is compared with.
    last: Option<I::Item>,
}

impl<I> Iterator for Dedup<I>
where
    I: Iterator,
    I::Item: PartialEq + Clone,
{
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        // Pull until an item differs from `self.last`; remember it; yield it.
        let _ = (&mut self.inner, &mut self.last);
        todo!()
    }
}

/// Adds `.dedup_adjacent()` to every iterator, so it reads well in a chain.
pub trait DedupExt: Iterator + Sized {
    fn dedup_adjacent(self) -> Dedup<Self> {
        Dedup {
            inner: self,
            last: None,
        }
    }
}

impl<I: Iterator> DedupExt for I {}
