//! `Timeout`: a hand-written future that races another future against a
//! time limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
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

fn start_timer(limit: Duration) -> Arc<Mutex<Timer>> {
    let timer = Arc::new(Mutex::new(Timer::default()));
    let theirs = timer.clone();
    thread::spawn(move || {
        thread::sleep(limit);
        let waker = {
            let mut t = theirs.lock().unwrap();
            t.fired = true;
            t.waker.take()
        };
        // Outside the lock: the waker may poll us at once.
        if let Some(w) = waker {
            w.wake();
        }
    });
    timer
}

impl<F: Future + Unpin> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Timeout::Start { .. } = this {
            let Timeout::Start { inner, limit } = std::mem::replace(this, Timeout::Done) else {
                unreachable!()
            };
            *this = Timeout::Running {
                inner,
                timer: start_timer(limit),
            };
        }
        let Timeout::Running { inner, timer } = this else {
            panic!("Timeout polled after it completed");
        };
        // The inner future first: a result that is there wins over the clock.
        if let Poll::Ready(out) = Pin::new(inner).poll(cx) {
            *this = Timeout::Done;
            return Poll::Ready(Ok(out));
        }
        let mut t = timer.lock().unwrap();
        if t.fired {
            drop(t);
            *this = Timeout::Done;
            return Poll::Ready(Err(Elapsed));
        }
        match &t.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => t.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
