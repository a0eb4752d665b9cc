//! 1,000 clients connected at once, each making two requests: no errors.

use listing_05_02_bank_server::{Client, Config, Server, new_key};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Barrier, watch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_clients() {
    const CLIENTS: usize = 1000;
    let server = Server::bind("127.0.0.1:0", Config::default())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(server.run(stopped));
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let limit = Duration::from_secs(20);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CLIENTS {
        let barrier = Arc::clone(&barrier);
        tasks.spawn(async move {
            let mut c = Client::connect(addr, limit, limit).await?;
            // Every client holds its connection until all are connected.
            barrier.wait().await;
            let account = format!("acct-{}", i % 10);
            c.deposit(&account, 1, new_key()).await?;
            c.balance(&account).await
        });
    }
    let all = tokio::time::timeout(Duration::from_secs(30), async {
        let mut errors = Vec::new();
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done.unwrap() {
                errors.push(e.to_string());
            }
        }
        errors
    })
    .await
    .expect("clients finished in time");
    assert!(
        all.is_empty(),
        "{} errors, first: {:?}",
        all.len(),
        all.first()
    );
    let mut c = Client::connect(addr, limit, limit).await.unwrap();
    let mut total = 0;
    for a in 0..10 {
        total += c.balance(&format!("acct-{a}")).await.unwrap();
    }
    assert_eq!(total, CLIENTS as u64, "every deposit applied exactly once");
    drop(c);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap();
}
