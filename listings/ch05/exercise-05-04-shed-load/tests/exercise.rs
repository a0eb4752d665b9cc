//! Tests for this exercise. `cargo test -p exercise-05-04-shed-load` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_04_shed_load as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{CallError, spawn};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);
const LONG: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_call_gets_its_answer() {
    let actor = spawn(4);
    assert_eq!(actor.call(0, LONG).await, Ok(1));
    assert_eq!(actor.call(1, LONG).await, Ok(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_times_out_and_the_actor_goes_on() {
    let actor = spawn(4);
    // A call that waited for the 2 s of work would answer `Ok`: `TimedOut`
    // alone shows that it gave up at its limit.
    let answer = timeout(LIMIT, actor.call(2_000, Duration::from_millis(50)))
        .await
        .expect("the call itself returns in time");
    assert_eq!(answer, Err(CallError::TimedOut));
    // The actor finishes the abandoned work, then serves the next caller.
    assert_eq!(actor.call(0, LONG).await, Ok(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mailbox_answers_busy_at_once() {
    let actor = spawn(2);
    // Four calls at once, each holding the actor for 1 s: the actor holds
    // one and the mailbox two, so at least one call finds the mailbox full,
    // in whatever order they arrive. A call that waited for room would
    // get in after a second instead, and no call would be `Busy`.
    let mut calls = JoinSet::new();
    for _ in 0..4 {
        let actor = actor.clone();
        calls.spawn(async move { actor.call(1_000, LIMIT).await });
    }
    let answers = timeout(2 * LIMIT, calls.join_all())
        .await
        .expect("calls end");
    let busy = answers
        .iter()
        .filter(|&&a| a == Err(CallError::Busy))
        .count();
    assert!(busy >= 1, "a full mailbox must refuse: {answers:?}");
    assert!(
        answers
            .iter()
            .all(|&a| a.is_ok() || a == Err(CallError::Busy)),
        "{answers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_actor_is_gone_not_busy_or_timed_out() {
    let actor = spawn(4);
    // u64::MAX makes the actor stop and drop this request's reply sender.
    let answer = timeout(LIMIT, actor.call(u64::MAX, LONG))
        .await
        .expect("no hang");
    assert_eq!(answer, Err(CallError::Gone));
    let answer = timeout(LIMIT, actor.call(0, LONG)).await.expect("no hang");
    assert_eq!(answer, Err(CallError::Gone));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_with_room_all_succeed() {
    let actor = spawn(1_000);
    let mut callers = JoinSet::new();
    for _ in 0..1_000 {
        let actor = actor.clone();
        callers.spawn(async move { actor.call(0, LONG).await });
    }
    let answers = timeout(LIMIT, callers.join_all())
        .await
        .expect("all answered");
    let mut done: Vec<u64> = answers.into_iter().map(|a| a.expect("no error")).collect();
    done.sort_unstable();
    assert_eq!(done, (1..=1_000).collect::<Vec<u64>>());
}
