//! Deadlines and cancellations stop the server's handler.

use std::time::Duration;

use listing_05_19_deadline_cancel::{connect, start, within};
use tarpc::client::RpcError;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_deadline_drops_the_handler() {
    let (addr, mut ended) = start("127.0.0.1:0").await.unwrap();
    let work = connect(&addr).await.unwrap();
    let r = timeout(BOUND, work.crunch(within(Duration::from_millis(100)), 300))
        .await
        .expect("the deadline bounds the call");
    assert!(matches!(r, Err(RpcError::DeadlineExceeded)), "{r:?}");
    let e = timeout(BOUND, ended.recv()).await.unwrap().unwrap();
    // The handler was dropped before the end of its 3 s of work; how soon
    // is not asserted (a loaded machine may be slow).
    assert!(!e.finished && e.steps_done < 300, "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_call_cancels_the_handler() {
    let (addr, mut ended) = start("127.0.0.1:0").await.unwrap();
    let work = connect(&addr).await.unwrap();
    let call = work.crunch(within(Duration::from_secs(30)), 300);
    assert!(timeout(Duration::from_millis(100), call).await.is_err());
    let e = timeout(BOUND, ended.recv()).await.unwrap().unwrap();
    assert!(!e.finished && e.steps_done < 300, "{e:?}");
}

#[tokio::test]
async fn enough_time_finishes() {
    let (addr, mut ended) = start("127.0.0.1:0").await.unwrap();
    let work = connect(&addr).await.unwrap();
    assert_eq!(work.crunch(within(BOUND), 3).await.unwrap(), 3);
    let e = timeout(BOUND, ended.recv()).await.unwrap().unwrap();
    assert!(e.finished && e.steps_done == 3);
}
