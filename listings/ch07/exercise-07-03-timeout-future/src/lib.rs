//! `Timeout`: a hand-written future that races another future against a
//! time limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The error when the limit passes first.
#[derive(Debug, PartialEq, Eq)]
pub struct Elapsed;

/// Shared between a `Timeout` and its timer thread.
#[derive(Default)]
pub struct Timer {
    pub fired: bool,
    pub waker: Option<Waker>,
}

/// Resolves to `Ok(output)` if `inner` finishes first, else `Err(Elapsed)`.
pub enum Timeout<F> {
    /// Not polled yet: the timer has not started.
    Start { inner: F, limit: Duration },
    /// The timer thread runs; both it and the inner future may wake us.
    Running { inner: F, timer: Arc<Mutex<Timer>> },
    /// The output was returned.
    Done,
}

/// Wraps `inner` with a time limit counted from the first poll.
pub fn timeout<F: Future + Unpin>(limit: Duration, inner: F) -> Timeout<F> {
    Timeout::Start { inner, limit }
}

impl<F: Future + Unpin> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _ = cx;
        todo!("start the timer on the first poll; poll the inner future; check the timer")
    }
}
