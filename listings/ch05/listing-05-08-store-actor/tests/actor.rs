//! The store actor under many callers, and its end when the handles go.

use listing_05_08_store_actor::{ActorGone, StoreHandle};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_all_get_answers() {
    let (store, _actor) = StoreHandle::spawn(16);
    let mut callers = JoinSet::new();
    for i in 0..1_000u64 {
        let store = store.clone();
        callers.spawn(async move {
            let key = format!("k{}", i % 10);
            let after_add = store.add(&key, i).await?;
            assert!(after_add >= i);
            store.get(&key).await
        });
    }
    let all = timeout(LIMIT, async {
        let mut ok = 0;
        while let Some(result) = callers.join_next().await {
            assert!(
                result
                    .expect("no caller panics")
                    .expect("no error")
                    .is_some()
            );
            ok += 1;
        }
        ok
    })
    .await
    .expect("all callers answered in time");
    assert_eq!(all, 1_000);
    // Every add was applied exactly once.
    let mut total = 0;
    for k in 0..10 {
        total += store.get(&format!("k{k}")).await.unwrap().unwrap();
    }
    assert_eq!(total, (0..1_000u64).sum::<u64>());
}

#[tokio::test]
async fn requests_from_one_caller_are_handled_in_order() {
    let (store, _actor) = StoreHandle::spawn(4);
    for expected in 1..=100 {
        assert_eq!(store.add("x", 1).await, Ok(expected));
    }
}

#[tokio::test]
async fn the_actor_ends_when_the_last_handle_is_dropped() {
    let (store, actor) = StoreHandle::spawn(4);
    let other = store.clone();
    store.add("a", 1).await.unwrap();
    drop(store);
    // One handle left: the actor still serves it.
    assert_eq!(other.get("a").await, Ok(Some(1)));
    assert!(!actor.is_finished());
    drop(other);
    timeout(LIMIT, actor)
        .await
        .expect("the actor ends in time")
        .expect("the actor did not panic");
}

#[tokio::test]
async fn a_caller_that_gives_up_does_not_stop_the_actor() {
    let (store, _actor) = StoreHandle::spawn(4);
    // Start a request and drop it before the reply can be read.
    let abandoned = store.add("a", 5);
    drop(abandoned);
    let gave_up = timeout(Duration::from_nanos(1), store.add("a", 1)).await;
    let _ = gave_up;
    // The actor is still serving.
    let now = store.add("a", 0).await;
    assert!(matches!(now, Ok(0) | Ok(1)), "{now:?}");
    assert_ne!(now, Err(ActorGone));
}
