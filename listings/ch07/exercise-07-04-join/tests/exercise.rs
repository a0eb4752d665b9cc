//! Tests for this exercise. `cargo test -p exercise-07-04-join` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_04_join as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::join;
use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

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
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Parks between polls: only wakes make progress.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let state = Arc::new(ThreadWaker {
        woken: AtomicBool::new(false),
        thread: thread::current(),
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

/// Pending once, after waking itself.
async fn yield_now() {
    let mut done = false;
    poll_fn(|cx| {
        if done {
            Poll::Ready(())
        } else {
            done = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// A future completed by another thread, which starts at the first poll
/// and runs `work`.
async fn on_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let slot = Arc::new(Mutex::new((None::<T>, None::<Waker>)));
    let theirs = slot.clone();
    thread::spawn(move || {
        let value = work();
        let w = {
            let mut s = theirs.lock().unwrap();
            s.0 = Some(value);
            s.1.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    });
    poll_fn(move |cx| {
        let mut s = slot.lock().unwrap();
        match s.0.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}

#[test]
fn both_outputs_come_back_in_order() {
    let out = within(|| block_on(join(async { 1 }, async { String::from("two") })));
    assert_eq!(out, (1, "two".to_string()));
}

#[test]
fn the_two_sides_take_turns() {
    let log = within(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let side = |name: &'static str, log: Rc<RefCell<Vec<String>>>| async move {
            for i in 0..3 {
                log.borrow_mut().push(format!("{name}{i}"));
                yield_now().await;
            }
        };
        block_on(join(side("a", log.clone()), side("b", log.clone())));
        log.take()
    });
    let pos = |s: &str| log.iter().position(|x| x == s).unwrap();
    assert_eq!(log.len(), 6);
    assert!(
        pos("b0") < pos("a2"),
        "b started only after a finished: {log:?}"
    );
}

#[test]
fn a_finished_side_is_not_polled_again() {
    // `async` blocks panic when polled after completing.
    let out = within(|| {
        block_on(join(async { "quick" }, async {
            for _ in 0..5 {
                yield_now().await;
            }
            "slow"
        }))
    });
    assert_eq!(out, ("quick", "slow"));
}

#[test]
fn waits_run_at_the_same_time() {
    // Each side's thread waits (at most 3 s) for the other side's thread to
    // start. They meet only if `join` polled both sides before either one
    // finished; one after the other, the first side gives up and says false.
    let out = within(|| {
        let met = Arc::new((Mutex::new(0u32), Condvar::new()));
        let side = |met: Arc<(Mutex<u32>, Condvar)>| {
            on_thread(move || {
                let (started, cv) = &*met;
                let mut n = started.lock().unwrap();
                *n += 1;
                cv.notify_all();
                let (n, _) = cv
                    .wait_timeout_while(n, Duration::from_secs(3), |n| *n < 2)
                    .unwrap();
                *n >= 2
            })
        };
        block_on(join(side(met.clone()), side(met)))
    });
    assert_eq!(out, (true, true), "the waits ran one after the other");
}

#[test]
fn outputs_are_moved_not_cloned() {
    struct NoClone(u8);
    let out = within(|| {
        let (a, b) = block_on(join(async { NoClone(1) }, async { vec![NoClone(2)] }));
        a.0 + b[0].0
    });
    assert_eq!(out, 3);
}
