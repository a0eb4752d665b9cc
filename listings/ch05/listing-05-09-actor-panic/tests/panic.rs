//! A panicking actor never leaves a caller hanging.

use listing_05_09_actor_panic::{ActorGone, Counter};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poisoned_caller_gets_an_error_within_a_timeout() {
    let (counter, actor) = Counter::spawn(8);
    assert_eq!(counter.add(2).await, Ok(2));
    let answer = timeout(LIMIT, counter.add(u64::MAX))
        .await
        .expect("no hang");
    assert_eq!(answer, Err(ActorGone));
    let ended = timeout(LIMIT, actor).await.expect("the task ends");
    assert!(ended.unwrap_err().is_panic());
    // Later callers fail at once: the mailbox is closed.
    assert_eq!(
        timeout(LIMIT, counter.add(1)).await.expect("no hang"),
        Err(ActorGone)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_around_a_panic_all_finish() {
    let (counter, _actor) = Counter::spawn(16);
    let mut callers = JoinSet::new();
    for i in 0..1_000u64 {
        let counter = counter.clone();
        let by = if i == 500 { u64::MAX } else { 1 };
        callers.spawn(async move { counter.add(by).await });
    }
    let (ok, gone) = timeout(LIMIT, async {
        let (mut ok, mut gone) = (0, 0);
        while let Some(result) = callers.join_next().await {
            match result.expect("callers do not panic") {
                Ok(_) => ok += 1,
                Err(ActorGone) => gone += 1,
            }
        }
        (ok, gone)
    })
    .await
    .expect("every caller finished: nobody hangs");
    assert_eq!(ok + gone, 1_000);
    assert!(gone >= 1, "at least the poisoned caller failed");
}
