//! Tests for this exercise. `cargo test -p exercise-05-06-deadline-chain` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_06_deadline_chain as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::time::{Duration, Instant};

use ex::{
    BackEvent, Front, FrontError, FrontServer, MIN_BACK_BUDGET, REPLY_MARGIN, connect_front,
    downstream, start_back, start_chain, within,
};
use tokio::time::timeout;

#[test]
fn downstream_keeps_a_margin_and_the_trace() {
    let now = Instant::now();
    let mut ctx = within(Duration::from_secs(5));
    ctx.deadline = now + Duration::from_secs(1);
    let down = downstream(&ctx, now).expect("plenty of time");
    assert_eq!(down.deadline, ctx.deadline - REPLY_MARGIN);
    assert_eq!(down.trace_id(), ctx.trace_id());
}

#[test]
fn downstream_refuses_a_small_or_spent_budget() {
    let now = Instant::now();
    let mut ctx = within(Duration::from_secs(5));
    ctx.deadline = now + REPLY_MARGIN + MIN_BACK_BUDGET - Duration::from_millis(1);
    assert!(downstream(&ctx, now).is_none(), "too little left for Back");
    ctx.deadline = now + REPLY_MARGIN + MIN_BACK_BUDGET;
    assert!(downstream(&ctx, now).is_some(), "exactly enough");
    ctx.deadline = now;
    assert!(
        downstream(&ctx, now + Duration::from_millis(5)).is_none(),
        "already late"
    );
}

/// Every wait below is bounded; none is a measurement. Back's reports
/// (started, finished, cut) say what happened.
const BOUND: Duration = Duration::from_secs(15);

async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<BackEvent>) -> BackEvent {
    timeout(BOUND, events.recv())
        .await
        .expect("Back reports within the bound")
        .expect("Back is running")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enough_time_gives_the_answer() {
    let (addr, mut events) = start_chain().await.unwrap();
    let front = connect_front(&addr).await.unwrap();
    let r = timeout(BOUND, front.double(within(Duration::from_secs(5)), 4))
        .await
        .expect("bounded");
    assert_eq!(r.unwrap(), Ok(8));
    assert_eq!(next(&mut events).await, BackEvent::Started(4));
    assert_eq!(next(&mut events).await, BackEvent::Finished(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_stops_when_the_callers_deadline_passes() {
    let (addr, mut events) = start_chain().await.unwrap();
    let front = connect_front(&addr).await.unwrap();
    // 1 s allowed, 5 s of work: with tarpc's default deadline (10 s)
    // instead of the caller's, Back would finish.
    let r = timeout(BOUND, front.double(within(Duration::from_secs(1)), 500))
        .await
        .expect("bounded");
    assert!(!matches!(r, Ok(Ok(_))), "{r:?}");
    assert_eq!(next(&mut events).await, BackEvent::Started(500));
    assert_eq!(
        next(&mut events).await,
        BackEvent::Cut(500),
        "Back must be cut off, not run to the end"
    );
}

/// Calls Front's handler in-process, so no client deadline can fire first:
/// the answer is `NoTime` however slow the machine. Then a call with time
/// to spare must be the first Back hears of.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_little_time_never_reaches_back() {
    let (back, mut events) = start_back().await.unwrap();
    let front = FrontServer { back };
    let short = within(REPLY_MARGIN + MIN_BACK_BUDGET - Duration::from_millis(10));
    let r = timeout(BOUND, front.clone().double(short, 5))
        .await
        .expect("bounded");
    assert_eq!(r, Err(FrontError::NoTime));
    let r = timeout(BOUND, front.double(within(Duration::from_secs(5)), 7))
        .await
        .expect("bounded");
    assert_eq!(r, Ok(14));
    assert_eq!(
        next(&mut events).await,
        BackEvent::Started(7),
        "Back was called for the request that had too little time"
    );
}
