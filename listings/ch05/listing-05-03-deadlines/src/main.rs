//! Three ways a server can fail a client, and what the client sees.

use listing_05_03_deadlines::{Client, Config, Server, new_key};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;

const SECOND: Duration = Duration::from_secs(1);
const DEADLINE: Duration = Duration::from_millis(200);

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Nothing listens: the kernel answers the SYN with a reset at once.
    //    A socket bound without `listen` holds the port, so the kernel
    //    cannot give it to the client as its own (a TCP self-connect).
    let closed = TcpSocket::new_v4()?;
    closed.bind(([127, 0, 0, 1], 0).into())?;
    let err = Client::connect(closed.local_addr()?, SECOND, DEADLINE)
        .await
        .err()
        .unwrap();
    println!("closed port  -> {err}");

    // 2. A server that accepts and reads but never answers (stuck, or
    //    deadlocked): only the deadline ends the wait.
    let stuck = TcpListener::bind("127.0.0.1:0").await?;
    let stuck_addr = stuck.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = stuck.accept().await {
            tokio::spawn(async move { while s.read(&mut [0; 512]).await.unwrap_or(0) > 0 {} });
        }
    });
    let mut client = Client::connect(stuck_addr, SECOND, DEADLINE).await?;
    // Only the deadline can end this wait: without it, it lasts for ever.
    let err = client.balance("alice").await.unwrap_err();
    println!("stuck server -> {err}");

    // 3. A slow server (500 ms per request): the deposit times out...
    let config = Config {
        op_delay: Duration::from_millis(500),
        ..Config::default()
    };
    let server = Server::bind("127.0.0.1:0", config).await?;
    let addr = server.local_addr()?;
    let mut in_flight = server.in_flight();
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(server.run(stopped));
    let mut client = Client::connect(addr, SECOND, DEADLINE).await?;
    let err = client.deposit("alice", 100, new_key()).await.unwrap_err();
    println!("slow server  -> deposit: {err}");
    // ...yet the server carries on and applies it. A timeout means
    // "unknown", not "failed". (Wait until the server has read the deposit
    // and finished it, so the output does not depend on timing.)
    let finished = async {
        in_flight.changed().await?;
        in_flight.wait_for(|&n| n == 0).await.map(drop)
    };
    tokio::time::timeout(5 * SECOND, finished).await??;
    let mut patient = Client::connect(addr, SECOND, 2 * SECOND).await?;
    println!(
        "slow server  -> balance afterwards: {}",
        patient.balance("alice").await?
    );
    drop((client, patient));
    stop.send(true)?;
    running.await?;
    Ok(())
}
// ANCHOR_END: main
