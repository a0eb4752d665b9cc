//! A forgotten deadline leaves Back working; a propagated one stops it.

use std::time::Duration;

use listing_05_20_lost_deadline::{connect_front, start_back, start_front, within};
use tokio::time::timeout;

/// How many of Back's two handlers ran to the end. Each half is 1 s of
/// work against the client's 100 ms; nothing here measures time.
async fn run(propagate: bool) -> usize {
    let (back, mut finished) = start_back("127.0.0.1:0").await.unwrap();
    let front = start_front("127.0.0.1:0", &back, propagate).await.unwrap();
    let client = connect_front(&front).await.unwrap();
    let r = timeout(
        Duration::from_secs(5),
        client.fan_out(within(Duration::from_millis(100)), 200),
    )
    .await
    .expect("the deadline bounds the call");
    // The client's deadline, or (propagated) Front's empty answer at the
    // same instant: no total either way.
    assert!(!matches!(r, Ok(total) if total > 0), "{r:?}");
    let mut ran_to_end = 0;
    for _ in 0..2 {
        let done = timeout(Duration::from_secs(5), finished.recv())
            .await
            .unwrap();
        ran_to_end += usize::from(done == Some(true));
    }
    ran_to_end
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_context_orphans_the_work() {
    let ran_to_end = run(false).await;
    assert_eq!(ran_to_end, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn propagated_context_stops_it() {
    // Both Back handlers were dropped at the deadline, before their work ended.
    assert_eq!(run(true).await, 0);
}
