//! Starts the limited echo server (limit 3; address from the first argument
//! or `ECHO_ADDR`, default 127.0.0.1:0) and connects five clients that stay
//! connected, then lets one leave and tries again.

use listing_06_20_conn_limit::start;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends "hello" and returns what came back (the echo, or the refusal).
async fn hello(stream: &mut TcpStream) -> std::io::Result<String> {
    stream.write_all(b"hello\n").await?;
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("no reply within 5 s"))??;
    Ok(String::from_utf8_lossy(&buf[..n]).trim_end().to_string())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let explicit = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ECHO_ADDR").ok());
    let addr = start(explicit.as_deref().unwrap_or("127.0.0.1:0"), 3).await?;
    println!("echo server on {addr}, at most 3 connections");
    let mut clients = Vec::new();
    for i in 1..=5 {
        let mut c = TcpStream::connect(addr).await?;
        println!("client {i}: {}", hello(&mut c).await?);
        clients.push(c);
    }
    drop(clients.remove(0)); // client 1 leaves, freeing its permit
    // The server notices the close when its read returns 0; retry briefly.
    for attempt in 1..=50 {
        let mut c = TcpStream::connect(addr).await?;
        let reply = hello(&mut c).await?;
        if reply == "hello" || attempt == 50 {
            println!("client 6, after client 1 left: {reply}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if explicit.is_some() {
        println!("serving until interrupted (Ctrl-C)");
        std::future::pending::<()>().await;
    }
    Ok(())
}
