//! Starts the bank on a free port, talks to it as a current client and as a
//! version-1 client, then shuts it down.

use listing_05_02_bank_server::{Client, Config, Server, new_key};
use std::time::Duration;
use tokio::sync::watch;

const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--serve") {
        let addr = args.next().unwrap_or_else(|| "127.0.0.1:7878".into());
        return serve_until_ctrl_c(&addr).await;
    }
    let addr = std::env::var("BANK_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let server = Server::bind(addr, Config::default()).await?;
    let addr = server.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(server.run(stopped));
    println!("bank listening on {addr}");

    let mut client = Client::connect(addr, SECOND, SECOND).await?;
    println!(
        "deposit 100 -> balance {}",
        client.deposit("alice", 100, new_key()).await?
    );
    println!(
        "deposit 50  -> balance {}",
        client.deposit("alice", 50, new_key()).await?
    );
    println!("balance     -> {}", client.balance("alice").await?);

    // A version-1 client: its first byte says 1. The server answers in its
    // own version, which starts with the same field, and then hangs up.
    let mut old = Client::connect(addr, SECOND, SECOND).await?;
    let payload = [1, 1, 0, 5, b'a', b'l', b'i', b'c', b'e'].to_vec();
    let reply = old.send_payload(payload).await?;
    println!("version 1   -> {}", reply.result.unwrap_err());

    stop.send(true)?;
    let report = running.await?;
    println!("shut down, requests cut off: {}", report.cut_off);
    Ok(())
}
// ANCHOR_END: main

/// `--serve ADDR`: serve until Ctrl-C, then shut down gracefully.
async fn serve_until_ctrl_c(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::default();
    if let Some(ms) = std::env::var("BANK_OP_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.op_delay = Duration::from_millis(ms);
    }
    let server = Server::bind(addr, config).await?;
    println!("bank listening on {}", server.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    });
    let report = server.run(stopped).await;
    println!("shut down: {report:?}");
    Ok(())
}
