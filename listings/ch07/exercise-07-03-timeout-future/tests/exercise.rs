//! Tests for this exercise. `cargo test -p exercise-07-03-timeout-future` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_03_timeout_future as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Elapsed, timeout};
use std::future::{Future, pending};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// Runs `f` on its own thread; fails the test if it takes over 10 s (a
/// lost wake-up) or panics.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("no result within 10 s: a wake-up was lost, or poll panicked")
}

struct ThreadWaker {
    woken: AtomicBool,
    thread: Thread,
    wakes: AtomicUsize,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Listing 7-8's `block_on`: parks between polls, so only wakes make progress.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let state = Arc::new(ThreadWaker {
        woken: AtomicBool::new(false),
        thread: thread::current(),
        wakes: AtomicUsize::new(0),
    });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        while !state.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

/// A future completed by another thread after `after`.
fn from_thread<T: Send + 'static>(after: Duration, value: T) -> Pin<Box<dyn Future<Output = T>>> {
    let slot = Arc::new(Mutex::new((None::<T>, None::<Waker>)));
    let theirs = slot.clone();
    thread::spawn(move || {
        thread::sleep(after);
        let w = {
            let mut s = theirs.lock().unwrap();
            s.0 = Some(value);
            s.1.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    });
    Box::pin(std::future::poll_fn(move |cx| {
        let mut s = slot.lock().unwrap();
        match s.0.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }))
}

#[test]
fn a_ready_inner_future_wins() {
    let out = within(|| block_on(timeout(Duration::from_secs(5), std::future::ready(7))));
    assert_eq!(out, Ok(7));
}

#[test]
fn a_future_that_never_finishes_times_out() {
    let (out, took) = within(|| {
        let t0 = Instant::now();
        let out = block_on(timeout(
            Duration::from_millis(50),
            Box::pin(pending::<u8>()),
        ));
        (out, t0.elapsed())
    });
    assert_eq!(out, Err(Elapsed));
    assert!(
        took >= Duration::from_millis(50),
        "timed out early: {took:?}"
    );
}

#[test]
fn the_inner_future_is_polled_with_the_callers_waker() {
    // Finishes after 30 ms, woken by its own thread: the timeout must pass
    // the context on, or `block_on` never polls again before the limit,
    // which is far beyond `within`'s 10 s.
    let out = within(|| {
        block_on(timeout(
            Duration::from_secs(60),
            from_thread(Duration::from_millis(30), "done"),
        ))
    });
    assert_eq!(out, Ok("done"));
}

#[test]
fn the_limit_counts_from_the_first_poll() {
    let out = within(|| {
        let t = timeout(
            Duration::from_millis(100),
            from_thread(Duration::from_millis(20), 1),
        );
        thread::sleep(Duration::from_millis(150)); // not polled yet: no timer
        block_on(t)
    });
    assert_eq!(out, Ok(1));
}

#[test]
fn the_newest_waker_is_the_one_woken() {
    within(|| {
        let (tx, rx) = mpsc::channel::<&'static str>();
        struct Tag(&'static str, mpsc::Sender<&'static str>);
        impl Wake for Tag {
            fn wake(self: Arc<Self>) {
                let _ = self.1.send(self.0);
            }
        }
        let first = Waker::from(Arc::new(Tag("first", tx.clone())));
        let second = Waker::from(Arc::new(Tag("second", tx)));
        // Long enough that the timer cannot fire between the two polls.
        let mut t = timeout(Duration::from_millis(300), Box::pin(pending::<()>()));
        let mut t = Pin::new(&mut t);
        assert!(
            t.as_mut()
                .poll(&mut Context::from_waker(&first))
                .is_pending()
        );
        assert!(
            t.as_mut()
                .poll(&mut Context::from_waker(&second))
                .is_pending()
        );
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok("second"));
        assert_eq!(
            t.as_mut().poll(&mut Context::from_waker(&second)),
            Poll::Ready(Err(Elapsed))
        );
    });
}
