//! `Delay`, a future written by hand as a state machine: it completes once a
//! duration has passed. A thread per delay plays the part of the timer; a
//! real runtime keeps one timer heap for all of them (Section 7.3).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

// ANCHOR: delay
/// Completes after `duration`. Each state holds what the next poll needs.
pub enum Delay {
    /// Not polled yet: no timer runs until someone asks for the result.
    Start { duration: Duration },
    /// The timer runs; it wakes whoever polled last.
    Waiting { timer: Arc<Mutex<Timer>> },
    /// `Ready` was returned; polling again is a bug in the caller.
    Done,
}

/// Shared between the future and its timer thread.
pub struct Timer {
    fired: bool,
    waker: Option<Waker>,
}

impl Delay {
    pub fn new(duration: Duration) -> Delay {
        Delay::Start { duration }
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &*self {
            Delay::Start { duration } => {
                let timer = Arc::new(Mutex::new(Timer {
                    fired: false,
                    waker: Some(cx.waker().clone()), // arrange the wake-up...
                }));
                let (shared, duration) = (timer.clone(), *duration);
                thread::Builder::new()
                    .name("delay-timer".into())
                    .spawn(move || {
                        thread::sleep(duration);
                        let waker = {
                            let mut t = shared.lock().unwrap();
                            t.fired = true;
                            t.waker.take()
                        };
                        // Wake outside the lock: `wake` may poll at once.
                        if let Some(w) = waker {
                            w.wake();
                        }
                    })
                    .expect("spawn timer thread");
                *self = Delay::Waiting { timer };
                Poll::Pending // ...before saying "not yet"
            }
            Delay::Waiting { timer } => {
                let mut t = timer.lock().unwrap();
                if t.fired {
                    drop(t);
                    *self = Delay::Done;
                    return Poll::Ready(());
                }
                // The future may have moved to another task since the last
                // poll: the timer must wake the newest waker.
                match &t.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => t.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Delay::Done => panic!("Delay polled after it completed"),
        }
    }
}
// ANCHOR_END: delay
