//! `block_on`: drive one future to completion on the current thread,
//! sleeping in `park` between polls instead of spinning. Listing 7-7's
//! `Delay` is copied at the end, so that this folder builds alone.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

// ANCHOR: block_on
/// The waker: remember that a wake happened, then unpark the poller.
struct ThreadWaker {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs `future` to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    // Pinned on this stack frame: it never moves again until it is dropped.
    let mut future = pin!(future);
    let state = Arc::new(ThreadWaker {
        woken: AtomicBool::new(false),
        thread: thread::current(),
    });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    // ANCHOR: loop
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // A wake may already have come (even during the poll); the flag keeps
        // it, and spurious returns from `park` loop back here.
        while !state.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
    // ANCHOR_END: loop
}
// ANCHOR_END: block_on

// Listing 7-7's `Delay`, copied unchanged.
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
