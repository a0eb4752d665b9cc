use listing_07_07_delay_future::Delay;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

// ANCHOR: waker
/// A waker that says who called it, then unparks the polling thread.
struct LoudWaker {
    woken: AtomicBool,
    poller: Thread,
}

impl Wake for LoudWaker {
    fn wake(self: Arc<Self>) {
        let caller = thread::current();
        println!(
            "  wake() called on thread {:?}",
            caller.name().unwrap_or("?")
        );
        self.woken.store(true, Ordering::Release);
        self.poller.unpark();
    }
}
// ANCHOR_END: waker

// ANCHOR: drive
fn main() {
    let loud = Arc::new(LoudWaker {
        woken: AtomicBool::new(false),
        poller: thread::current(),
    });
    let waker = Waker::from(loud.clone());
    let mut cx = Context::from_waker(&waker);

    let start = Instant::now();
    let mut delay = Delay::new(Duration::from_millis(50));
    for n in 1.. {
        // `Delay` is `Unpin`, so `Pin::new` can pin a plain `&mut`.
        match Pin::new(&mut delay).poll(&mut cx) {
            Poll::Pending => {
                println!("poll {n}: Pending, parking until woken");
                // `park` may return spuriously: sleep until the flag is set.
                while !loud.woken.swap(false, Ordering::Acquire) {
                    thread::park();
                }
            }
            Poll::Ready(()) => {
                let waited = start.elapsed() >= Duration::from_millis(50);
                println!("poll {n}: Ready, waited at least 50 ms: {waited}");
                break;
            }
        }
    }
}
// ANCHOR_END: drive
