use listing_07_15_blocking_stall::Runtime;
use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(10);
const CALL: Duration = Duration::from_millis(300);

/// Stands in for any call that blocks the thread: a synchronous file or
/// database read, a DNS lookup, a long computation.
fn slow_call() -> u32 {
    thread::sleep(CALL);
    42
}

// ANCHOR: offload
/// Runs `f` on a new thread; the returned future completes with its result.
/// The helper thread wakes the task, which ends the reactor's wait.
fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> impl Future<Output = T> {
    let slot = Arc::new(Mutex::new((None::<T>, None::<Waker>)));
    let theirs = slot.clone();
    thread::spawn(move || {
        let out = f();
        let waiter = {
            let mut s = theirs.lock().unwrap();
            s.0 = Some(out);
            s.1.take()
        };
        if let Some(w) = waiter {
            w.wake();
        }
    });
    poll_fn(move |cx| {
        let mut s = slot.lock().unwrap();
        match s.0.take() {
            Some(out) => Poll::Ready(out),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
}
// ANCHOR_END: offload

// ANCHOR: stall
/// Runs a heartbeat beside `work`; returns how late the latest beat was.
fn worst_lateness<F: Future<Output = u32> + 'static>(work: F) -> Duration {
    let rt = Runtime::new().expect("runtime");
    let worst = Rc::new(Cell::new(Duration::ZERO));
    let (r, w) = (rt.clone(), worst.clone());
    rt.spawn(async move {
        loop {
            let due = Instant::now() + TICK;
            r.sleep(TICK).await;
            w.set(w.get().max(Instant::now() - due));
        }
    });
    let r = rt.clone();
    rt.block_on(async move {
        r.sleep(3 * TICK).await; // let the heartbeat settle
        assert_eq!(work.await, 42);
        r.sleep(3 * TICK).await;
    });
    worst.get()
}

fn main() {
    let inline = worst_lateness(async { slow_call() });
    println!(
        "blocking call in a task: heartbeat up to {} ms late",
        inline.as_millis()
    );
    println!(
        "  late by at least the call itself: {}",
        inline >= CALL - TICK
    );
    let offloaded = worst_lateness(spawn_blocking(slow_call));
    println!(
        "same call on a helper thread: up to {} ms late",
        offloaded.as_millis()
    );
}
// ANCHOR_END: stall
