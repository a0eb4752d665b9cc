use listing_05_12_ractor_store::{StoreMsg, Supervisor, SupervisorMsg};
use ractor::{Actor, call, cast};
use std::time::Duration;
use tokio::task::JoinSet;

#[tokio::main]
async fn main() {
    let policy = Supervisor {
        restarts: 3,
        within: Duration::from_secs(10),
    };
    let (supervisor, stopped) = Actor::spawn(None, policy, ()).await.expect("spawned");
    let store = call!(supervisor, SupervisorMsg::Current).unwrap();

    // An ActorRef is the handle: cloneable, and call! brings the reply back.
    let mut callers = JoinSet::new();
    for i in 0..1_000 {
        let store = store.clone();
        let key = if i % 2 == 0 { "even" } else { "odd" };
        callers.spawn(async move { call!(store, StoreMsg::Add, key.to_string(), 1) });
    }
    let mut errors = 0;
    while let Some(result) = callers.join_next().await {
        errors += usize::from(!matches!(result, Ok(Ok(_))));
    }
    println!("1000 concurrent calls, {errors} errors");
    println!(
        "even = {:?}",
        call!(store, StoreMsg::Get, "even".to_string())
    );

    cast!(store, StoreMsg::Clear).unwrap();
    println!(
        "after a cast of Clear: {:?}",
        call!(store, StoreMsg::Get, "even".to_string())
    );

    call!(store, StoreMsg::Add, "big".to_string(), 1).unwrap();
    let failed = call!(store, StoreMsg::Add, "big".to_string(), u64::MAX);
    println!("overflowing add failed: {}", failed.is_err());

    // Wait until the old store has stopped (its failure is then reported),
    // and ask the supervisor for the store it started in its place.
    store.wait(Some(Duration::from_secs(5))).await.unwrap();
    let store = call!(supervisor, SupervisorMsg::Current).unwrap();
    println!(
        "restarted store, big = {:?}",
        call!(store, StoreMsg::Get, "big".to_string())
    );

    supervisor.stop(None);
    tokio::time::timeout(Duration::from_secs(5), stopped)
        .await
        .unwrap()
        .unwrap();
    // Stopping a supervisor stops its linked children too.
    let store_stopped = store.wait(Some(Duration::from_secs(5))).await.is_ok();
    println!("supervisor stopped; its linked store stopped too: {store_stopped}");
}
