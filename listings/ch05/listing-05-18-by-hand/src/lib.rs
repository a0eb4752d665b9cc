//! A request/response protocol written by hand: what an RPC framework
//! generates for you. Frames are a 4-byte big-endian length and a postcard
//! body; every request carries an id so replies may come back in any order.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot};

pub const MAX_FRAME: usize = 64 * 1024;
/// Requests one connection may have running; past it, the server stops
/// reading that connection until one finishes (backpressure, not a queue).
pub const MAX_IN_FLIGHT: usize = 64;

// ANCHOR: messages
/// The "service trait", written out as two enums.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    Add(i64, i64),
    Sleep(u64),
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Add(Option<i64>), // None: overflow
    Sleep(u64),
}

/// What travels: the id pairs a response with its request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: u64,
    pub body: T,
}
// ANCHOR_END: messages

/// Writes one frame with ONE write call (length and body in one buffer).
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body);
    w.write_all(&frame).await
}

/// Reads one frame; refuses a length over the cap before allocating.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(body)
}

fn bad(e: postcard::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

// ANCHOR: server
/// One connection: a reader that spawns a task per request, and a writer
/// that sends replies as they finish, in any order.
pub async fn handle(stream: TcpStream) -> io::Result<()> {
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(MAX_IN_FLIGHT);
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let writer = tokio::spawn(async move {
        while let Some(body) = rx.recv().await {
            if write_frame(&mut wr, &body).await.is_err() {
                break;
            }
        }
    });
    loop {
        let frame = match read_frame(&mut rd).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e), // garbage or oversized: drop this peer
        };
        let req: Envelope<Request> = postcard::from_bytes(&frame).map_err(bad)?;
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let body = match req.body {
                Request::Add(a, b) => Response::Add(a.checked_add(b)),
                Request::Sleep(ms) => {
                    tokio::time::sleep(Duration::from_millis(ms.min(10_000))).await;
                    Response::Sleep(ms)
                }
            };
            let reply = Envelope { id: req.id, body };
            let _ = tx
                .send(postcard::to_allocvec(&reply).expect("serialise"))
                .await;
        });
    }
    drop(tx);
    let _ = writer.await;
    Ok(())
}
// ANCHOR_END: server

pub async fn serve(listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(handle(stream));
    }
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Response>>>>;

// ANCHOR: client
pub struct Client {
    next_id: AtomicU64,
    pending: Pending,
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
}

impl Client {
    pub async fn connect(addr: &str) -> io::Result<Client> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (mut rd, wr) = stream.into_split();
        let pending: Pending = Arc::default();
        let table = pending.clone();
        // The dispatcher: route each reply to the caller waiting for its id.
        tokio::spawn(async move {
            while let Ok(frame) = read_frame(&mut rd).await {
                let Ok(reply) = postcard::from_bytes::<Envelope<Response>>(&frame) else {
                    break;
                };
                if let Some(waiter) = table.lock().unwrap().remove(&reply.id) {
                    let _ = waiter.send(reply.body);
                }
            }
            table.lock().unwrap().clear(); // wakes every waiter with an error
        });
        let writer = tokio::sync::Mutex::new(wr);
        Ok(Client {
            next_id: AtomicU64::new(0),
            pending,
            writer,
        })
    }

    pub async fn call(&self, body: Request, timeout: Duration) -> io::Result<Response> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let frame = postcard::to_allocvec(&Envelope { id, body }).map_err(bad)?;
        let sent = write_frame(&mut *self.writer.lock().await, &frame).await;
        let reply = match sent {
            Ok(()) => tokio::time::timeout(timeout, rx).await,
            Err(e) => {
                self.pending.lock().unwrap().remove(&id);
                return Err(e);
            }
        };
        self.pending.lock().unwrap().remove(&id); // a late reply is dropped
        match reply {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(_)) => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection lost",
            )),
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "deadline exceeded")),
        }
    }
}
// ANCHOR_END: client
