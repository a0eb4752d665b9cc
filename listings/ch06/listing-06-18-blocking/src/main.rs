//! Counts, on a current-thread runtime, how often a ticking task runs while
//! a 300 ms blocking call is made inline and through `spawn_blocking`.

use listing_06_18_blocking::{blocking_call, inline, offloaded, with_ticker};
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // ANCHOR: compare
    let pause = Duration::from_millis(300);
    let inline_ticks = with_ticker(|ticks| inline(pause, ticks)).await;
    // The same 300 ms of blocking, offloaded as three 100 ms calls.
    let offloaded_ticks =
        with_ticker(|ticks| offloaded(move || blocking_call(pause / 3, &ticks))).await;
    // ANCHOR_END: compare
    for (name, ticks) in [
        ("inline call   ", inline_ticks),
        ("spawn_blocking", offloaded_ticks),
    ] {
        // The count itself varies with the machine's load; whether it is
        // zero does not (inline, it is zero by construction).
        let verdict = if ticks == 0 {
            "the ticker never ran (every task on this thread waited)"
        } else {
            "the ticker kept ticking"
        };
        println!("{name}: during the 300 ms call {verdict}");
    }
}
