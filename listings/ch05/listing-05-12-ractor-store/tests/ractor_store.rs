//! The ractor store under load, and its supervisor's restarts and budget.

use listing_05_12_ractor_store::{StoreMsg, Supervisor, SupervisorMsg};
use ractor::{Actor, ActorRef, ActorStatus, call};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn start(restarts: usize) -> (ActorRef<SupervisorMsg>, tokio::task::JoinHandle<()>) {
    let policy = Supervisor {
        restarts,
        within: Duration::from_secs(60),
    };
    Actor::spawn(None, policy, ()).await.expect("spawned")
}

async fn crash(store: &ActorRef<StoreMsg>) {
    call!(store, StoreMsg::Add, "k".to_string(), 1).unwrap();
    let failed = timeout(LIMIT, async {
        call!(store, StoreMsg::Add, "k".to_string(), u64::MAX)
    })
    .await
    .expect("the failing call returns");
    assert!(failed.is_err());
    store.wait(Some(LIMIT)).await.expect("the store stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_all_succeed() {
    let (supervisor, _) = start(1).await;
    let store = call!(supervisor, SupervisorMsg::Current).unwrap();
    let mut callers = JoinSet::new();
    for i in 0..1_000u64 {
        let store = store.clone();
        callers.spawn(async move { call!(store, StoreMsg::Add, format!("k{}", i % 10), i) });
    }
    timeout(LIMIT, async {
        while let Some(result) = callers.join_next().await {
            result.unwrap().expect("no call fails");
        }
    })
    .await
    .expect("all calls answered");
    let mut total = 0;
    for k in 0..10 {
        total += call!(store, StoreMsg::Get, format!("k{k}"))
            .unwrap()
            .unwrap();
    }
    assert_eq!(total, (0..1_000u64).sum::<u64>());
    supervisor.stop(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_store_is_restarted_empty() {
    let (supervisor, _) = start(2).await;
    let store = call!(supervisor, SupervisorMsg::Current).unwrap();
    crash(&store).await;
    let again = call!(supervisor, SupervisorMsg::Current).unwrap();
    assert_ne!(again.get_id(), store.get_id());
    assert_eq!(call!(again, StoreMsg::Get, "k".to_string()).unwrap(), None);
    assert_eq!(call!(again, StoreMsg::Add, "k".to_string(), 3).unwrap(), 3);
    supervisor.stop(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_stops_when_its_budget_is_spent() {
    let (supervisor, stopped) = start(2).await;
    for _ in 0..3 {
        let store = call!(supervisor, SupervisorMsg::Current).unwrap();
        crash(&store).await;
    }
    timeout(LIMIT, stopped)
        .await
        .expect("the supervisor stops")
        .unwrap();
    assert_eq!(supervisor.get_status(), ActorStatus::Stopped);
    assert!(call!(supervisor, SupervisorMsg::Current).is_err());
}
