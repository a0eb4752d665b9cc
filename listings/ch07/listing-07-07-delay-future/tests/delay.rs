//! The delay completes after its duration, wakes whichever waker polled it
//! last, and starts no timer until it is first polled.

use listing_07_07_delay_future::Delay;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// Sends its tag on a channel when woken.
struct Tagged(&'static str, Sender<&'static str>);

impl Wake for Tagged {
    fn wake(self: Arc<Self>) {
        let _ = self.1.send(self.0);
    }
}

#[test]
fn completes_after_its_duration_and_wakes_once() {
    let (tx, rx) = mpsc::channel();
    let waker = Waker::from(Arc::new(Tagged("a", tx)));
    let mut cx = Context::from_waker(&waker);
    let mut d = Delay::new(Duration::from_millis(30));
    let t0 = Instant::now();
    assert!(Pin::new(&mut d).poll(&mut cx).is_pending());
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok("a"));
    assert!(t0.elapsed() >= Duration::from_millis(30));
    assert!(Pin::new(&mut d).poll(&mut cx).is_ready());
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
}

#[test]
fn the_newest_waker_is_the_one_woken() {
    let (tx, rx) = mpsc::channel();
    let first = Waker::from(Arc::new(Tagged("first", tx.clone())));
    let second = Waker::from(Arc::new(Tagged("second", tx)));
    // Long enough that the timer cannot fire between the two polls below,
    // even on a loaded machine (the second poll would then return `Ready`).
    let mut d = Delay::new(Duration::from_millis(300));
    assert!(
        Pin::new(&mut d)
            .poll(&mut Context::from_waker(&first))
            .is_pending()
    );
    assert!(
        Pin::new(&mut d)
            .poll(&mut Context::from_waker(&second))
            .is_pending()
    );
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok("second"));
}

#[test]
fn nothing_happens_until_the_first_poll() {
    let d = Delay::new(Duration::from_millis(1));
    std::thread::sleep(Duration::from_millis(20));
    assert!(matches!(d, Delay::Start { .. }));
    // A delay created long ago still waits its full duration once polled.
    let (tx, rx) = mpsc::channel();
    let waker = Waker::from(Arc::new(Tagged("late", tx)));
    let mut d = Delay::new(Duration::from_millis(30));
    std::thread::sleep(Duration::from_millis(40));
    let t0 = Instant::now();
    assert_eq!(
        Pin::new(&mut d).poll(&mut Context::from_waker(&waker)),
        Poll::Pending
    );
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok("late"));
    assert!(t0.elapsed() >= Duration::from_millis(30));
}
