//! A future completed by another thread, which calls the future's waker, as
//! every future of tokio, of channels and of timers expects. The tiny OS
//! hands out a waker that does nothing and, seeing `Pending` without a trap,
//! polls the task again at once: a busy wait.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: signal
/// Ready once another thread has called `fire`; counts its own polls.
#[derive(Clone, Default)]
struct Signal {
    state: Arc<Mutex<(bool, Option<Waker>, u64)>>,
}

impl Signal {
    fn fire(&self) {
        let mut state = self.state.lock().unwrap();
        state.0 = true;
        if let Some(waker) = state.1.take() {
            waker.wake(); // "poll me again": the executor's business
        }
    }
}

impl Future for Signal {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let mut state = self.state.lock().unwrap();
        state.2 += 1;
        if state.0 {
            return Poll::Ready(state.2);
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending // no trap: the tiny OS sees a plain yield
    }
}
// ANCHOR_END: signal

/// Fires `signal` from another thread 50 ms after its first poll. Waiting
/// for that poll (bounded) keeps the demo's counts the same on a busy machine.
fn fire_later(signal: &Signal) -> thread::JoinHandle<()> {
    let signal = signal.clone();
    thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(10);
        while signal.state.lock().unwrap().2 == 0 && Instant::now() < deadline {
            thread::yield_now();
        }
        thread::sleep(Duration::from_millis(50));
        signal.fire();
    })
}

fn main() {
    // ANCHOR: compare
    let signal = Signal::default();
    let firing = fire_later(&signal);
    let mut os = listing_07_20_foreign_future::Os::new();
    os.spawn(async move {
        let polls = signal.await;
        println!("tiny OS: polled over 1000 times in 50 ms: {}", polls > 1000);
    });
    os.run();
    firing.join().unwrap();

    let signal = Signal::default();
    let firing = fire_later(&signal);
    let polls = futures::executor::block_on(signal);
    println!("waker-driven block_on: polled {polls} times");
    firing.join().unwrap();
    // ANCHOR_END: compare
}
