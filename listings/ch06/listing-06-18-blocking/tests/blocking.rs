//! The stall is a property the tests can check without timing thresholds:
//! inline, the ticker cannot run during the call (one thread, held by the
//! call), so the call sees exactly zero ticks; offloaded, a blocking call
//! that waits for ticks gets them, which it never could if it held the
//! runtime's only thread.

use listing_06_18_blocking::{inline, offloaded, with_ticker};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const PAUSE: Duration = Duration::from_millis(100);
const WAIT: Duration = Duration::from_secs(10);

/// A blocking call that waits (polling, bounded by `WAIT`) until the ticker
/// has ticked twice; returns the ticks it saw.
fn wait_for_ticks(ticks: &AtomicU32) -> u32 {
    let before = ticks.load(Ordering::SeqCst);
    let deadline = Instant::now() + WAIT;
    while ticks.load(Ordering::SeqCst) - before < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    ticks.load(Ordering::SeqCst) - before
}

#[tokio::test(flavor = "current_thread")]
async fn an_inline_blocking_call_stalls_the_other_tasks() {
    let ticks = tokio::time::timeout(WAIT, with_ticker(|t| inline(PAUSE, t)))
        .await
        .expect("bounded");
    assert_eq!(ticks, 0, "the ticker ran during an inline call");
}

#[tokio::test(flavor = "current_thread")]
async fn spawn_blocking_keeps_the_runtime_responsive() {
    let ticks = tokio::time::timeout(
        WAIT * 4,
        with_ticker(|t| offloaded(move || wait_for_ticks(&t))),
    )
    .await
    .expect("bounded");
    // Each of the three calls returns only after seeing two ticks (or after
    // WAIT, with fewer): six ticks prove the ticker ran during every call.
    assert!(ticks >= 6, "the calls saw only {ticks} ticks");
}

#[tokio::test(flavor = "current_thread")]
async fn the_channel_brings_every_partial_result_back() {
    let total = tokio::time::timeout(WAIT, offloaded(|| 10))
        .await
        .expect("bounded");
    assert_eq!(total, 30);
}
