//! A small arithmetic and text service, served with tarpc over TCP.
//!
//! The `#[tarpc::service]` trait is the whole protocol: tarpc generates the
//! request and response enums, the client stub and the server dispatch.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::LengthDelimitedCodec;
use tarpc::{client, context, serde_transport};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};

/// Largest frame either side accepts or sends: a bigger length prefix closes
/// the connection before a byte of the body is buffered.
pub const MAX_FRAME: usize = 64 * 1024;
/// Requests one connection may have running at once; more are refused with
/// a "throttled" server error instead of queueing without bound.
pub const MAX_IN_FLIGHT: usize = 64;
/// Connections the server holds at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 4096;

// ANCHOR: service
/// Errors the service itself reports: part of the protocol, not of the RPC.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum CalcError {
    Overflow,
}

// ANCHOR: trait
#[tarpc::service]
pub trait Calc {
    /// `a + b`, or `Overflow`.
    async fn add(a: i64, b: i64) -> Result<i64, CalcError>;
    /// The text in upper case.
    async fn upper(text: String) -> String;
    /// Sleeps `ms` milliseconds, then returns it: a stand-in for slow work.
    async fn sleep(ms: u64) -> u64;
}
// ANCHOR_END: trait

#[derive(Clone)]
pub struct CalcServer;

impl Calc for CalcServer {
    async fn add(self, _: context::Context, a: i64, b: i64) -> Result<i64, CalcError> {
        a.checked_add(b).ok_or(CalcError::Overflow)
    }
    async fn upper(self, _: context::Context, text: String) -> String {
        text.to_uppercase()
    }
    async fn sleep(self, _: context::Context, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
        ms
    }
}
// ANCHOR_END: service

// ANCHOR: framing
/// Length-prefixed frames (4-byte big-endian length) with a cap, then JSON.
fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}
// ANCHOR_END: framing

// ANCHOR: serve
/// Serves `listener` until `stop` fires. Each connection is a tarpc channel
/// with its own limit on requests in flight; each request is its own task.
pub async fn serve(listener: TcpListener, mut stop: oneshot::Receiver<()>) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(_) => continue, // e.g. EMFILE: refuse this one, keep serving
            },
            _ = &mut stop => return,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            continue; // over the cap: dropping the stream closes it
        };
        let _ = stream.set_nodelay(true);
        let framed = tarpc::tokio_util::codec::Framed::new(stream, codec());
        let transport = serde_transport::new(framed, Json::default());
        let channel = BaseChannel::with_defaults(transport).max_concurrent_requests(MAX_IN_FLIGHT);
        tokio::spawn(async move {
            // Garbage, an oversized frame or a vanished peer ends this stream
            // (and only this connection).
            channel
                .execute(CalcServer.serve())
                .for_each(|request| async {
                    tokio::spawn(request);
                })
                .await;
            drop(permit);
        });
    }
}
// ANCHOR_END: serve

// ANCHOR: connect
/// Connects a client stub; its calls look like method calls on `CalcClient`.
pub async fn connect(addr: &str) -> std::io::Result<CalcClient> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let framed = tarpc::tokio_util::codec::Framed::new(stream, codec());
    let transport = serde_transport::new(framed, Json::default());
    Ok(CalcClient::new(client::Config::default(), transport).spawn())
}
// ANCHOR_END: connect

/// A context whose deadline is `timeout` from now (the default is 10 s).
pub fn within(timeout: Duration) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = std::time::Instant::now() + timeout;
    ctx
}
