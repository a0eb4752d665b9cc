//! Restarts after a panic, a restart budget, and a clean stop.

use listing_05_10_supervisor::{ActorGone, Budget, Counter, Ended};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

async fn crash(counter: &Counter) -> Result<u64, ActorGone> {
    counter.add(1).await?;
    counter.add(u64::MAX).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_an_error_for_its_caller_and_the_actor_restarts_fresh() {
    quiet_panics();
    let budget = Budget {
        restarts: 5,
        within: Duration::from_secs(60),
    };
    let (counter, supervisor) = Counter::spawn(8, budget);
    assert_eq!(counter.add(7).await, Ok(7));
    let crashed = timeout(LIMIT, crash(&counter)).await.expect("no hang");
    assert_eq!(crashed, Err(ActorGone));
    // The same handle reaches the restarted actor, whose state is new.
    assert_eq!(counter.add(2).await, Ok(2));
    drop(counter);
    let ended = timeout(LIMIT, supervisor).await.expect("ends").unwrap();
    assert_eq!(ended, Ended::Stopped { restarts: 1 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_gives_up_when_the_budget_is_spent() {
    quiet_panics();
    let budget = Budget {
        restarts: 2,
        within: Duration::from_secs(60),
    };
    let (counter, supervisor) = Counter::spawn(8, budget);
    for _ in 0..3 {
        assert_eq!(
            timeout(LIMIT, crash(&counter)).await.expect("no hang"),
            Err(ActorGone)
        );
    }
    let ended = timeout(LIMIT, supervisor).await.expect("ends").unwrap();
    assert_eq!(ended, Ended::GaveUp { restarts: 2 });
    assert_eq!(
        timeout(LIMIT, counter.add(1)).await.expect("no hang"),
        Err(ActorGone)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_outside_the_window_do_not_count() {
    quiet_panics();
    let budget = Budget {
        restarts: 1,
        within: Duration::from_millis(50),
    };
    let (counter, supervisor) = Counter::spawn(8, budget);
    for _ in 0..3 {
        assert_eq!(crash(&counter).await, Err(ActorGone));
        // Let the previous crash leave the window.
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    assert_eq!(counter.add(1).await, Ok(1));
    drop(counter);
    let ended = timeout(LIMIT, supervisor).await.expect("ends").unwrap();
    assert_eq!(ended, Ended::Stopped { restarts: 3 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_through_restarts_never_hang() {
    quiet_panics();
    let budget = Budget {
        restarts: 100,
        within: Duration::from_secs(60),
    };
    let (counter, _supervisor) = Counter::spawn(16, budget);
    let mut callers = JoinSet::new();
    for i in 0..1_000u64 {
        let counter = counter.clone();
        let by = if i % 100 == 0 { u64::MAX } else { 1 };
        callers.spawn(async move { counter.add(by).await });
    }
    let finished = timeout(LIMIT, async {
        let mut n = 0;
        while let Some(result) = callers.join_next().await {
            result.expect("callers do not panic").ok();
            n += 1;
        }
        n
    })
    .await
    .expect("every caller finished");
    assert_eq!(finished, 1_000);
    // Still alive after the crashes: the budget was not spent.
    assert!(counter.add(1).await.is_ok());
}
