//! Starts the tokio echo server (address from the first argument or
//! `ECHO_ADDR`, default 127.0.0.1:0) on a multi-thread runtime in a background
//! thread, then runs 100 concurrent clients against it as tasks of a second,
//! current-thread runtime.

use listing_06_16_tokio_echo::serve_multi_thread;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 100;
const ROUNDS: usize = 10;

// ANCHOR: client
/// Sends ROUNDS messages, one write each, and checks each echo.
async fn client(addr: std::net::SocketAddr, id: usize) -> std::io::Result<bool> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut intact = true;
    for round in 0..ROUNDS {
        let msg = format!("client {id:03} round {round}\n");
        stream.write_all(msg.as_bytes()).await?;
        let mut back = vec![0u8; msg.len()];
        stream.read_exact(&mut back).await?;
        intact &= back == msg.as_bytes();
    }
    Ok(intact)
}
// ANCHOR_END: client

fn main() -> std::io::Result<()> {
    let explicit = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ECHO_ADDR").ok());
    let listener = std::net::TcpListener::bind(explicit.as_deref().unwrap_or("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    println!("echo server on {addr}, a multi-thread runtime with 2 workers");
    // The server runs until the process exits; its thread is never joined.
    std::thread::spawn(move || serve_multi_thread(listener, 2));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (ok, intact) = rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for id in 0..CLIENTS {
            tasks.spawn(client(addr, id));
        }
        let (mut ok, mut intact) = (0, 0);
        // Every wait is bounded: a stuck server fails the demo instead of hanging.
        let all = async {
            while let Some(res) = tasks.join_next().await {
                if let Ok(Ok(good)) = res {
                    ok += 1;
                    intact += usize::from(good);
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), all)
            .await
            .map_err(|_| std::io::Error::other("clients timed out"))?;
        Ok::<_, std::io::Error>((ok, intact))
    })?;
    println!("{CLIENTS} clients on one thread, {ROUNDS} messages each");
    println!("{ok} finished without error, {intact} got every echo intact");
    if explicit.is_some() {
        println!("serving until interrupted (Ctrl-C)");
        loop {
            std::thread::park();
        }
    }
    Ok(())
}
