//! A reply lost after the server acted, and a retry that carries the same
//! idempotency key, so the server applies the deposit once.

use listing_05_05_idempotency_key::{Client, ClientError, Config, Server, faults, new_key};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;

const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: retry
/// Retries a deposit on errors a new connection may cure. The key names
/// the deposit, not the attempt: it is made once, before the loop.
async fn deposit_with_retry(
    addr: SocketAddr,
    account: &str,
    amount: u64,
) -> Result<u64, ClientError> {
    let key = new_key();
    let mut attempt = 1;
    loop {
        let result = async {
            let mut client = Client::connect(addr, SECOND, SECOND).await?;
            client.deposit(account, amount, key).await
        };
        match result.await {
            Err(e) if e.is_transient() && attempt < 3 => {
                println!("attempt {attempt}: {e}; retrying");
                attempt += 1;
            }
            other => return other,
        }
    }
}
// ANCHOR_END: retry

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::bind("127.0.0.1:0", Config::default()).await?;
    let bank = server.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(server.run(stopped));
    // The client talks through a proxy that loses the first reply.
    let proxy = faults::lossy_proxy(bank, 1).await?;

    let balance = deposit_with_retry(proxy, "alice", 100).await?;
    println!("attempt 2: balance {balance}");
    let mut direct = Client::connect(bank, SECOND, SECOND).await?;
    let stored = direct.balance("alice").await?;
    let times = ["never", "once", "twice"]
        .get(stored as usize / 100)
        .unwrap_or(&"often");
    println!("one deposit of 100, stored balance {stored}: applied {times}");
    drop(direct);
    stop.send(true)?;
    running.await?;
    Ok(())
}
// ANCHOR_END: main
