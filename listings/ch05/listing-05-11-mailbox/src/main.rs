use listing_05_11_mailbox::{Job, held_bounded, held_unbounded};
use std::time::Duration;
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::timeout;

#[tokio::main]
async fn main() {
    let limit = Duration::from_secs(5);
    // ANCHOR: bounded
    let (mailbox, release, actor) = held_bounded(16);
    // try_send never waits: when the mailbox is full, the caller hears so
    // at once and can shed the request (answer "busy", drop, retry later).
    let (mut accepted, mut shed) = (0, 0);
    for _ in 0..20 {
        match mailbox.try_send(Job([0; 64])) {
            Ok(()) => accepted += 1,
            Err(TrySendError::Full(_)) => shed += 1,
            Err(TrySendError::Closed(_)) => unreachable!("the actor is alive"),
        }
    }
    println!("bounded(16), try_send x20: {accepted} accepted, {shed} shed");

    // send().await waits for room: the caller is held to the actor's pace.
    let waited = timeout(Duration::from_millis(100), mailbox.send(Job([0; 64]))).await;
    println!("send() still waiting after 100 ms: {}", waited.is_err());
    let sender = mailbox.clone();
    let producer = tokio::spawn(async move { sender.send(Job([0; 64])).await.is_ok() });
    release.send(()).unwrap(); // the actor starts reading: room appears
    let sent = timeout(limit, producer).await.unwrap().unwrap();
    println!("send() completed once the actor made room: {sent}");
    drop(mailbox);
    println!("actor: {:?}", timeout(limit, actor).await.unwrap().unwrap());
    // ANCHOR_END: bounded

    // ANCHOR: unbounded
    let (mailbox, release, actor) = held_unbounded();
    let n = 1_000_000;
    for _ in 0..n {
        // Never waits and never fails while the actor lives: nothing tells
        // the caller that the actor is a million messages behind.
        mailbox.send(Job([0; 64])).unwrap();
    }
    release.send(()).unwrap();
    drop(mailbox);
    let report = timeout(limit, actor).await.unwrap().unwrap();
    let payload_mib = (report.backlog * size_of::<Job>()) >> 20;
    println!("unbounded: {n} sent, none waited");
    println!(
        "backlog when the actor woke: {} ({payload_mib} MiB of payload)",
        report.backlog
    );
    // ANCHOR_END: unbounded
}
