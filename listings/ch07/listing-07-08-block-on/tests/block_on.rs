//! `block_on` returns what the future returns, survives wakes that arrive
//! during a poll, and never loses a wake from another thread.

use listing_07_08_block_on::{Delay, block_on};
use std::sync::mpsc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("timed out: a lost wake-up?")
}

#[test]
fn ready_futures_complete_at_once() {
    assert_eq!(within(|| block_on(async { 6 * 7 })), 42);
}

#[test]
fn a_wake_during_the_poll_is_not_lost() {
    // Wakes itself before returning Pending, 1,000 times: each wake comes
    // before the executor parks, and losing one would park it for good.
    let polls = within(|| {
        let mut n = 0;
        block_on(std::future::poll_fn(|cx| {
            n += 1;
            if n == 1000 {
                Poll::Ready(n)
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }))
    });
    assert_eq!(polls, 1000);
}

#[test]
fn many_short_delays_from_timer_threads() {
    within(|| {
        block_on(async {
            for _ in 0..200 {
                Delay::new(Duration::from_micros(50)).await;
            }
        })
    });
}

#[test]
fn the_copy_of_delay_matches_listing_7_7() {
    let here = env!("CARGO_MANIFEST_DIR");
    let region = |t: &str| {
        let start = t.find("// ANCHOR: delay").expect("anchor");
        let end = t.find("// ANCHOR_END: delay").expect("anchor end");
        t[start..end].to_string()
    };
    let copy = region(&std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap());
    // Absent when this folder is copied alone: nothing to compare.
    if let Ok(original) =
        std::fs::read_to_string(format!("{here}/../listing-07-07-delay-future/src/lib.rs"))
    {
        assert!(
            region(&original) == copy,
            "the copy of Delay differs from Listing 7-7"
        );
    }
}
