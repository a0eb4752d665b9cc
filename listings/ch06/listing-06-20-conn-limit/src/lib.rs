//! An echo server that serves at most `limit` connections at once. Accepting
//! is cheap and unbounded; what the limit bounds is the work and memory of
//! the connections actually served.

use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// What a client beyond the limit reads before the server closes.
pub const BUSY: &[u8] = b"ERR busy\n";

/// Echoes bytes back through a fixed 4 KiB buffer until end of stream.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

// ANCHOR: serve
/// Accepts for ever; at most `limit` connections are served at a time.
pub async fn serve(listener: TcpListener, limit: usize) {
    let permits = Arc::new(Semaphore::new(limit));
    loop {
        let mut stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors, for example: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // `try_acquire` never waits: a full server answers at once instead
        // of letting connections pile up in a queue nobody bounds.
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(async move {
                    let _ = echo(stream).await;
                    drop(permit); // the slot frees however `echo` ended
                });
            }
            Err(_) => {
                // A fresh socket's send buffer has room: this write does not
                // wait. Spawned anyway so a broken peer cannot stall accepts.
                tokio::spawn(async move {
                    let _ = stream.write_all(BUSY).await;
                    let _ = stream.shutdown().await;
                });
            }
        }
    }
}
// ANCHOR_END: serve

/// Binds `addr` and serves it on a task of the current runtime.
pub async fn start(addr: &str, limit: usize) -> io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(serve(listener, limit));
    Ok(local)
}
