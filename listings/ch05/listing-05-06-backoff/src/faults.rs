//! A copy of Listing 5-2's src/faults.rs, so this folder builds on its own.

use futures::{SinkExt, StreamExt};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

/// Listens on a new loopback port and forwards each connection to
/// `upstream`, frame by frame. On the first `lose` connections it passes
/// the first request on, throws the server's reply away and closes, as a
/// network does when it fails after the server has acted.
pub async fn lossy_proxy(upstream: SocketAddr, lose: usize) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let lost = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let drop_reply = lost.fetch_add(1, Ordering::Relaxed) < lose;
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let mut client = Framed::new(client, listing_05_02_bank_server::protocol::codec());
                let mut server = Framed::new(server, listing_05_02_bank_server::protocol::codec());
                while let Some(Ok(request)) = client.next().await {
                    if server.send(request.freeze()).await.is_err() {
                        return;
                    }
                    let Some(Ok(reply)) = server.next().await else {
                        return;
                    };
                    if drop_reply {
                        return; // both connections close; the reply is gone
                    }
                    if client.send(reply.freeze()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(addr)
}
