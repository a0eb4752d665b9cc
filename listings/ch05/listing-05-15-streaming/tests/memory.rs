//! One test per binary: the counting allocator sees the whole process.

use futures::StreamExt;
use listing_05_15_streaming::{CountingAlloc, ROW_BYTES, app, peak_growth, reset_peak};
use std::time::Duration;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_streamed_response_keeps_memory_flat() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/export?rows=6000000",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move { axum::serve(listener, app()).await });
    let base = reset_peak();
    let download = async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.content_length(), Some(6_000_000 * ROW_BYTES));
        let mut body = response.bytes_stream();
        let mut total = 0u64;
        while let Some(chunk) = body.next().await {
            total += chunk.unwrap().len() as u64;
        }
        total
    };
    let total = tokio::time::timeout(Duration::from_secs(60), download)
        .await
        .expect("in time");
    assert_eq!(total, 6_000_000 * ROW_BYTES); // 102 MB
    let grew = peak_growth(base);
    assert!(
        grew < 8 << 20,
        "heap grew by {grew} bytes while streaming {total}"
    );
    server.abort();
}
