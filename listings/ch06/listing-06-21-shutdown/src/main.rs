//! Starts the server (address from the first argument or `SHUTDOWN_ADDR`,
//! default 127.0.0.1:0), opens three connections in three states, then shuts
//! down with a 500 ms drain deadline. With an address given it serves until
//! Ctrl-C instead.

use listing_06_21_shutdown::serve;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;
use tokio_util::sync::CancellationToken;

/// Sends `request`, waits for the first reply line (the server has the
/// request), meets the other clients at `ready`, then collects every line
/// until the server closes.
async fn client(
    addr: std::net::SocketAddr,
    request: &str,
    ready: Arc<Barrier>,
) -> std::io::Result<Vec<String>> {
    let mut stream = BufReader::new(TcpStream::connect(addr).await?);
    stream
        .get_mut()
        .write_all(format!("{request}\n").as_bytes())
        .await?;
    let mut lines = Vec::new();
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    ready.wait().await;
    loop {
        lines.push(line.trim_end().to_string());
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(lines);
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let explicit = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("SHUTDOWN_ADDR").ok());
    let listener = TcpListener::bind(explicit.as_deref().unwrap_or("127.0.0.1:0")).await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(serve(listener, stop.clone(), Duration::from_millis(500)));
    println!("serving on {addr}");
    if explicit.is_some() {
        tokio::signal::ctrl_c().await?;
        stop.cancel();
        println!("{:?}", server.await.expect("server panicked"));
        return Ok(());
    }

    // ANCHOR: demo
    let ready = Arc::new(Barrier::new(4));
    let idle = tokio::spawn(client(addr, "ECHO idle now", ready.clone()));
    let short = tokio::spawn(client(addr, "WORK 100", ready.clone()));
    let long = tokio::spawn(client(addr, "WORK 10000", ready.clone()));
    ready.wait().await; // the server holds all three requests
    stop.cancel();
    let report = server.await.expect("server panicked");
    for (name, c) in [("idle", idle), ("WORK 100", short), ("WORK 10000", long)] {
        let lines = c.await.expect("client panicked")?;
        println!("{name:>10}: {}", lines.join(" | "));
    }
    println!("{report:?}");
    let late = TcpStream::connect(addr).await;
    println!(
        "a client after shutdown: {}",
        if late.is_err() {
            "refused"
        } else {
            "accepted?"
        }
    );
    // ANCHOR_END: demo
    Ok(())
}
