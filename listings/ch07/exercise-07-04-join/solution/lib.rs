//! `join`: run two futures concurrently inside a single task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Resolves to both outputs once both futures have finished.
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

/// Polls `fut` if it is still running; on `Ready`, stores the output and
/// drops the future so it is never polled again.
fn poll_side<F: Future>(
    fut: &mut Option<Pin<Box<F>>>,
    out: &mut Option<F::Output>,
    cx: &mut Context<'_>,
) {
    if let Some(f) = fut
        && let Poll::Ready(v) = f.as_mut().poll(cx)
    {
        *out = Some(v);
        *fut = None;
    }
}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        poll_side(&mut this.a, &mut this.a_out, cx);
        poll_side(&mut this.b, &mut this.b_out, cx);
        if this.a.is_none() && this.b.is_none() {
            let a = this.a_out.take().expect("Join polled after it completed");
            let b = this.b_out.take().expect("Join polled after it completed");
            Poll::Ready((a, b))
        } else {
            Poll::Pending
        }
    }
}
