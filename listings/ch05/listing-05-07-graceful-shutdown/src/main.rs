//! Stops a server while requests are in flight: they finish, idle and new
//! connections are closed; then one request slower than the grace is cut off.

use listing_05_07_graceful_shutdown::{Client, Config, Server, ShutdownReport, new_key};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::watch;

const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = stop_while_busy(Duration::from_millis(300), SECOND).await?;
    println!("grace 1 s, requests of 300 ms: {report:?}");
    let report = stop_while_busy(2 * SECOND, Duration::from_millis(200)).await?;
    println!("grace 200 ms, requests of 2 s: {report:?}");
    Ok(())
}

/// Three clients with a deposit in flight and one idle client, then a stop.
async fn stop_while_busy(
    work: Duration,
    grace: Duration,
) -> Result<ShutdownReport, Box<dyn std::error::Error>> {
    let server = Server::bind(
        "127.0.0.1:0",
        Config {
            op_delay: work,
            grace,
            ..Config::default()
        },
    )
    .await?;
    let addr = server.local_addr()?;
    let mut in_flight = server.in_flight();
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(server.run(stopped));

    let mut idle = Client::connect(addr, SECOND, 5 * SECOND).await?;
    idle.balance("alice").await?; // answered before the stop: now idle
    let mut busy = Vec::new();
    for _ in 0..3 {
        let mut client = Client::connect(addr, SECOND, 5 * SECOND).await?;
        busy.push(tokio::spawn(async move {
            client.deposit("alice", 10, new_key()).await
        }));
    }
    in_flight.wait_for(|&n| n == 3).await?;
    stop.send(true)?;

    for (i, call) in busy.into_iter().enumerate() {
        match call.await? {
            Ok(_) => println!("  busy client {i}: answered"),
            // Unanswered: the deposit may or may not have happened, which is
            // why it carries a key a retry can reuse.
            Err(e) => println!(
                "  busy client {i}: cut off, retryable: {}",
                e.is_transient()
            ),
        }
    }
    let idle_err = idle.balance("alice").await.unwrap_err();
    println!(
        "  idle client: closed, retryable: {}",
        idle_err.is_transient()
    );
    let report = running.await?;
    let refused = connect_refused(addr).await?;
    println!("  new connection refused: {refused}");
    Ok(report)
}
// ANCHOR_END: main

/// True if a new connection to `addr` is refused. A socket that is bound
/// but never listens holds the port first: its bind fails while the server
/// still listens, and the client cannot be handed the same port as its own
/// and connect to itself (a TCP self-connect).
async fn connect_refused(addr: SocketAddr) -> Result<bool, Box<dyn std::error::Error>> {
    let holder = TcpSocket::new_v4()?;
    holder.set_reuseaddr(true)?;
    holder.bind(addr)?;
    Ok(Client::connect(addr, SECOND, SECOND).await.is_err())
}
