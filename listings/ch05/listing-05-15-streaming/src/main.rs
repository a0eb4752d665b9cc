//! Downloads the same rows twice, streamed and buffered, and reports how
//! much the process's heap grew for each.

use futures::StreamExt;
use listing_05_15_streaming::{CountingAlloc, ROW_BYTES, app, peak_growth, reset_peak};
use std::time::Duration;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

// ANCHOR: main
/// Reads a response chunk by chunk, keeping none: returns the bytes seen.
async fn download(http: &reqwest::Client, url: &str) -> Result<u64, reqwest::Error> {
    let mut body = http
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .bytes_stream();
    let mut total = 0;
    while let Some(chunk) = body.next().await {
        total += chunk?.len() as u64;
    }
    Ok(total)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2_000_000);
    let addr = std::env::var("EXPORT_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = TcpListener::bind(addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app()).await });

    let size = rows * ROW_BYTES;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    println!("{rows} rows, {} MiB each way", size >> 20);
    for route in ["export-buffered", "export"] {
        let base_heap = reset_peak();
        let got = download(&http, &format!("{base}/{route}?rows={rows}")).await?;
        let grew = peak_growth(base_heap) as f64 / (1 << 20) as f64;
        println!(
            "/{route:<16} {} MiB received, peak heap growth {grew:.2} MiB, under 4 MiB: {}",
            got >> 20,
            grew < 4.0
        );
        assert_eq!(got, size);
    }
    Ok(())
}
// ANCHOR_END: main
