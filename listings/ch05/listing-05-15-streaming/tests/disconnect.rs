//! A client that hangs up mid-download stops the server's work too.

use futures::StreamExt;
use listing_05_15_streaming::app_counting;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

#[tokio::test]
async fn the_stream_stops_when_the_client_leaves() {
    let chunks = Arc::new(AtomicU64::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/export?rows=100000000",
        listener.local_addr().unwrap()
    );
    let app = app_counting(chunks.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut body = http.get(&url).send().await.unwrap().bytes_stream();
    let mut seen = 0;
    while seen < 1 << 20 {
        seen += body.next().await.expect("more body").unwrap().len();
    }
    drop(body); // hang up after 1 MiB of 1.7 GB
    // Wait (bounded) until the count stops moving.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = chunks.load(Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = chunks.load(Relaxed);
        if now == last {
            break;
        }
        assert!(Instant::now() < deadline, "the server kept producing");
        last = now;
    }
    // 100,000,000 rows are 24,415 chunks; the server made only a few.
    assert!(last < 200, "made {last} chunks for a client that left");
    // And it still serves the next client.
    let next = http
        .get(url.replace("100000000", "10"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(next.lines().count(), 10);
    server.abort();
}
