//! Tests for this exercise. `cargo test -p exercise-05-03-keep-state` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_03_keep_state as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Budget, Ended, Gone, Handle, Tally};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

fn budget(restarts: usize, within: Duration) -> Budget {
    // The actor's crashes (in lib.rs) are expected: keep them quiet.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info
            .location()
            .is_some_and(|l| l.file().ends_with("lib.rs"))
        {
            default(info);
        }
    }));
    Budget { restarts, within }
}

async fn call(handle: &Handle, value: u64) -> Result<Tally, Gone> {
    timeout(LIMIT, handle.add(value))
        .await
        .expect("an answer or an error in time, never a hang")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tally_survives_a_crash() {
    let (handle, supervisor) = Handle::spawn(budget(3, Duration::from_secs(60)));
    assert_eq!(call(&handle, 5).await, Ok(Tally { count: 1, sum: 5 }));
    assert_eq!(call(&handle, u64::MAX).await, Err(Gone));
    assert_eq!(call(&handle, 2).await, Ok(Tally { count: 2, sum: 7 }));
    drop(handle);
    let ended = timeout(LIMIT, supervisor).await.expect("stops").unwrap();
    assert_eq!(ended, Ended::Stopped { restarts: 1 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_gives_up_when_the_budget_is_spent() {
    let (handle, supervisor) = Handle::spawn(budget(2, Duration::from_secs(60)));
    call(&handle, 1).await.unwrap();
    for _ in 0..3 {
        assert_eq!(call(&handle, u64::MAX).await, Err(Gone));
    }
    let ended = timeout(LIMIT, supervisor).await.expect("gives up").unwrap();
    assert_eq!(ended, Ended::GaveUp { restarts: 2 });
    assert_eq!(call(&handle, 1).await, Err(Gone));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_older_than_the_window_are_forgiven() {
    let (handle, supervisor) = Handle::spawn(budget(1, Duration::from_millis(50)));
    call(&handle, 1).await.unwrap();
    for _ in 0..3 {
        assert_eq!(call(&handle, u64::MAX).await, Err(Gone));
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    assert_eq!(call(&handle, 1).await, Ok(Tally { count: 2, sum: 2 }));
    drop(handle);
    let ended = timeout(LIMIT, supervisor).await.expect("stops").unwrap();
    assert_eq!(ended, Ended::Stopped { restarts: 3 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_around_crashes_all_finish_and_nothing_is_lost() {
    let (handle, _supervisor) = Handle::spawn(budget(1_000, Duration::from_secs(60)));
    // A sum of at least 1 makes every u64::MAX overflow.
    call(&handle, 1).await.unwrap();
    let mut callers = JoinSet::new();
    for i in 0..1_000u64 {
        let handle = handle.clone();
        let value = if i % 100 == 7 { u64::MAX } else { 1 };
        callers.spawn(async move { (value, handle.add(value).await) });
    }
    let ok = timeout(LIMIT, async {
        let mut ok = 0;
        while let Some(result) = callers.join_next().await {
            match result.unwrap() {
                (1, Ok(_)) => ok += 1,
                (1, Err(Gone)) => panic!("an ordinary add failed"),
                (_, answer) => assert_eq!(answer, Err(Gone)),
            }
        }
        ok
    })
    .await
    .expect("all callers finished");
    assert_eq!(ok, 990);
    assert_eq!(
        call(&handle, 0).await,
        Ok(Tally {
            count: 992,
            sum: 991
        })
    );
}
