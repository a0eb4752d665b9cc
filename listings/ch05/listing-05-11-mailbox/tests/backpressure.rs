//! A bounded mailbox pushes back; an unbounded one does not.

use listing_05_11_mailbox::{Job, Report, held_bounded, held_unbounded};
use std::time::Duration;
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_send_fails_exactly_when_the_mailbox_is_full() {
    let (mailbox, release, actor) = held_bounded(4);
    for _ in 0..4 {
        mailbox.try_send(Job([1; 64])).expect("room for four");
    }
    assert!(matches!(
        mailbox.try_send(Job([1; 64])),
        Err(TrySendError::Full(_))
    ));
    release.send(()).unwrap();
    drop(mailbox);
    let report = timeout(LIMIT, actor).await.unwrap().unwrap();
    assert_eq!(
        report,
        Report {
            backlog: 4,
            handled: 4
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_waits_while_full_and_proceeds_when_room_appears() {
    let (mailbox, release, actor) = held_bounded(1);
    mailbox.send(Job([0; 64])).await.unwrap();
    let blocked = timeout(Duration::from_millis(50), mailbox.send(Job([0; 64]))).await;
    assert!(blocked.is_err(), "a full mailbox makes send wait");
    let sender = mailbox.clone();
    let waiting = tokio::spawn(async move { sender.send(Job([0; 64])).await });
    release.send(()).unwrap();
    timeout(LIMIT, waiting).await.unwrap().unwrap().unwrap();
    drop(mailbox);
    let report = timeout(LIMIT, actor).await.unwrap().unwrap();
    assert_eq!(report.handled, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_senders_each_get_through_a_small_mailbox() {
    let (mailbox, release, actor) = held_bounded(8);
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..1_000 {
        let mailbox = mailbox.clone();
        senders.spawn(async move { mailbox.send(Job([0; 64])).await.is_ok() });
    }
    release.send(()).unwrap();
    drop(mailbox);
    let ok = timeout(LIMIT, async {
        let mut ok = 0;
        while let Some(r) = senders.join_next().await {
            ok += usize::from(r.unwrap());
        }
        ok
    })
    .await
    .unwrap();
    assert_eq!(ok, 1_000);
    assert_eq!(timeout(LIMIT, actor).await.unwrap().unwrap().handled, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbounded_mailbox_holds_whatever_is_sent() {
    let (mailbox, release, actor) = held_unbounded();
    for _ in 0..100_000 {
        mailbox.send(Job([0; 64])).unwrap();
    }
    release.send(()).unwrap();
    drop(mailbox);
    let report = timeout(LIMIT, actor).await.unwrap().unwrap();
    assert_eq!(
        report,
        Report {
            backlog: 100_000,
            handled: 100_000
        }
    );
}
