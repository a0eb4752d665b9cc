//! `join`: run two futures concurrently inside a single task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Resolves to both outputs once both futures have finished.
#[allow(dead_code)] // the fields are used once you write `poll`
pub struct Join<A: Future, B: Future> {
    a: Option<Pin<Box<A>>>,
    a_out: Option<A::Output>,
    b: Option<Pin<Box<B>>>,
    b_out: Option<B::Output>,
}

// The futures are boxed and the outputs are never pinned: moving a `Join`
// moves nothing that is pinned.
impl<A: Future, B: Future> Unpin for Join<A, B> {}

/// Runs `a` and `b` at the same time in the task that awaits the result.
pub fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join {
        a: Some(Box::pin(a)),
        a_out: None,
        b: Some(Box::pin(b)),
        b_out: None,
    }
}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _ = cx;
        todo!("poll each unfinished side, keep its output, finish when both are done")
    }
}
