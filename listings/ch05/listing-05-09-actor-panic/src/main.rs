use listing_05_09_actor_panic::Counter;
use std::time::Duration;
use tokio::time::timeout;

// ANCHOR: main
// One thread, so the tasks run in the order they are spawned.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (counter, actor) = Counter::spawn(16);
    println!("add 1: {:?}", counter.add(1).await);

    // Queue a poisonous request and three ordinary ones behind it.
    let poison = tokio::spawn({
        let counter = counter.clone();
        async move { counter.add(u64::MAX).await }
    });
    let mut queued = Vec::new();
    for _ in 0..3 {
        let counter = counter.clone();
        queued.push(tokio::spawn(async move { counter.add(1).await }));
    }

    // Every wait is bounded: a hang would show up as a timeout here.
    let limit = Duration::from_secs(5);
    let answer = timeout(limit, poison).await.unwrap().unwrap();
    println!("add u64::MAX: {answer:?}");
    for (i, caller) in queued.into_iter().enumerate() {
        let answer = timeout(limit, caller).await.unwrap().unwrap();
        println!("queued caller {i}: {answer:?}");
    }
    println!("a later add: {:?}", counter.add(1).await);

    // The runtime caught the panic; the join handle says so.
    let ended = timeout(limit, actor).await.unwrap();
    println!(
        "actor task panicked: {}",
        ended.is_err_and(|e| e.is_panic())
    );
}
// ANCHOR_END: main
