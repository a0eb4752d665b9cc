//! A ticker task counts its ticks while another task makes a blocking call,
//! first inline, then through `spawn_blocking`; the call itself reads the
//! counter before and after, so the count it reports covers exactly the call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Stands in for any call that holds its thread: a synchronous database
/// driver, `std::fs`, a long computation. Returns how many times the ticker
/// ticked while the call ran.
pub fn blocking_call(pause: Duration, ticks: &AtomicU32) -> u32 {
    let before = ticks.load(Ordering::SeqCst);
    std::thread::sleep(pause);
    ticks.load(Ordering::SeqCst) - before
}

// ANCHOR: ticker
/// Spawns the task `work` builds and, meanwhile, ticks every 5 ms: each tick
/// bumps the counter `work` receives. Returns what `work` returns.
pub async fn with_ticker<W, F>(work: W) -> u32
where
    W: FnOnce(Arc<AtomicU32>) -> F,
    F: Future<Output = u32> + Send + 'static,
{
    let ticks = Arc::new(AtomicU32::new(0));
    let job = tokio::spawn(work(Arc::clone(&ticks)));
    while !job.is_finished() {
        tokio::time::sleep(Duration::from_millis(5)).await;
        ticks.fetch_add(1, Ordering::SeqCst);
    }
    job.await.expect("work panicked")
}
// ANCHOR_END: ticker

// ANCHOR: inline
/// The mistake: the blocking call runs on the runtime's thread.
pub async fn inline(pause: Duration, ticks: Arc<AtomicU32>) -> u32 {
    blocking_call(pause, &ticks)
}
// ANCHOR_END: inline

// ANCHOR: offload
/// The fix: `call` runs three times on tokio's blocking pool, and this task
/// waits for it like for any other I/O. Partial results cross back over a
/// channel: `blocking_send` is the synchronous side of an async channel.
pub async fn offloaded<C>(call: C) -> u32
where
    C: Fn() -> u32 + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(4);
    let worker = tokio::task::spawn_blocking(move || {
        for _ in 0..3 {
            // Blocks this pool thread (not a runtime thread) when full.
            if tx.blocking_send(call()).is_err() {
                break; // the receiver is gone: stop working
            }
        }
    });
    let mut total = 0;
    while let Some(r) = rx.recv().await {
        total += r;
    }
    worker.await.expect("blocking work panicked");
    total
}
// ANCHOR_END: offload
