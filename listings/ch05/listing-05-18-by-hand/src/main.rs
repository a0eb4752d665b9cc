//! Two calls on one connection: the slow one is sent first, the fast one's
//! reply comes back first, and the ids put each reply with its caller.
//! `--serve ADDR` (or `BYHAND_ADDR`) runs the server alone.

use std::time::{Duration, Instant};

use listing_05_18_by_hand::{Client, Request, serve};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = std::env::var("BYHAND_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    if args.get(1).map(String::as_str) == Some("--serve") {
        let listener = TcpListener::bind(args.get(2).unwrap_or(&addr)).await?;
        println!("serving on {}", listener.local_addr()?);
        serve(listener).await;
        return Ok(());
    }
    let listener = TcpListener::bind(&addr).await?;
    let addr = listener.local_addr()?.to_string();
    let server = tokio::spawn(serve(listener));

    // ANCHOR: demo
    let client = Client::connect(&addr).await?;
    let t = Duration::from_secs(2);
    let start = Instant::now();
    let slow = async {
        let r = client.call(Request::Sleep(200), t).await;
        (r, start.elapsed())
    };
    let fast = async {
        let r = client.call(Request::Add(2, 40), t).await;
        (r, start.elapsed())
    };
    let ((slow, slow_at), (fast, fast_at)) = tokio::join!(slow, fast);
    println!("id 0 Sleep(200) -> {:?}", slow?);
    println!("id 1 Add(2, 40) -> {:?}", fast?);
    println!("fast reply overtook the slow one: {}", fast_at < slow_at);
    let late = client
        .call(Request::Sleep(500), Duration::from_millis(50))
        .await;
    println!("Sleep(500) with 50 ms to spare -> {}", late.unwrap_err());
    // ANCHOR_END: demo

    server.abort();
    Ok(())
}
