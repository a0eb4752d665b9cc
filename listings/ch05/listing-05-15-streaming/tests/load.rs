//! 1,000 clients download an export at once, each on its own connection.

use listing_05_15_streaming::{ROW_BYTES, app};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Barrier;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_downloads() {
    const CLIENTS: usize = 1000;
    const ROWS: u64 = 1000; // 17,000 bytes, one chunk
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/export?rows={ROWS}",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, barrier) = (url.clone(), barrier.clone());
            tokio::spawn(async move {
                // Its own client: its own pool, so its own connection.
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .map_err(|e| e.to_string())?;
                let response = http.get(&url).send().await;
                // Every task reaches the barrier, failed or not.
                barrier.wait().await; // every connection is open now
                let body = response
                    .map_err(|e| e.to_string())?
                    .bytes()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(body.len() as u64)
            })
        })
        .collect();
    let results = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks))
        .await
        .expect("within the bound");
    let bad: Vec<_> = results
        .iter()
        .filter(|r| !matches!(r, Ok(Ok(n)) if *n == ROWS * ROW_BYTES))
        .collect();
    assert!(bad.is_empty(), "{} failed, first {:?}", bad.len(), bad[0]);
    server.abort();
}
