//! Distributed objects: counters that live in a server, and a proxy type
//! that implements the same trait as a local counter.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tarpc::client::RpcError;
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::{client, context, serde_transport};
use tokio::sync::oneshot;

pub const MAX_FRAME: usize = 64 * 1024;
/// Largest batch `add_all` accepts (8 bytes each: well under `MAX_FRAME`).
pub const MAX_BATCH: usize = 4096;
/// Objects one server holds at most.
pub const MAX_OBJECTS: usize = 100_000;

// ANCHOR: trait
/// What a counter does, wherever it lives. Every method returns `Result`:
/// a local counter only fails on overflow, a remote one in many more ways.
// ANCHOR: signature
#[allow(async_fn_in_trait)] // used through generics only, never as `dyn`
pub trait Counter {
    async fn add(&self, n: u64) -> Result<u64, CounterError>;
    async fn add_all(&self, ns: Vec<u64>) -> Result<u64, CounterError>;
}
// ANCHOR_END: signature

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CounterError {
    Overflow,
    TooMany,
    /// The server does not know this object (restarted, or it expired).
    NoSuchObject,
    /// Could not connect: the call certainly did not happen.
    Unreachable,
    /// Sent, but no answer in time: it may or may not have happened.
    Unknown,
}
// ANCHOR_END: trait

/// The ordinary, in-process counter.
#[derive(Default)]
pub struct LocalCounter(AtomicU64);

impl Counter for LocalCounter {
    async fn add(&self, n: u64) -> Result<u64, CounterError> {
        let old = self.0.fetch_add(n, Ordering::Relaxed);
        old.checked_add(n).ok_or(CounterError::Overflow)
    }
    async fn add_all(&self, ns: Vec<u64>) -> Result<u64, CounterError> {
        self.add(ns.iter().sum()).await
    }
}

#[tarpc::service]
pub trait Counters {
    async fn create() -> Result<u64, CounterError>;
    async fn add(id: u64, n: u64) -> Result<u64, CounterError>;
    async fn add_all(id: u64, ns: Vec<u64>) -> Result<u64, CounterError>;
}

/// The objects a server holds: id -> value. Shared so a test can restart
/// the server with its state, as if it had saved it to disk.
pub type Objects = Arc<Mutex<HashMap<u64, u64>>>;

#[derive(Clone)]
struct CountersServer(Objects);

impl Counters for CountersServer {
    async fn create(self, _: context::Context) -> Result<u64, CounterError> {
        let mut objects = self.0.lock().unwrap();
        if objects.len() >= MAX_OBJECTS {
            return Err(CounterError::TooMany);
        }
        let id = objects.keys().max().map_or(1, |m| m + 1);
        objects.insert(id, 0);
        Ok(id)
    }
    async fn add(self, _: context::Context, id: u64, n: u64) -> Result<u64, CounterError> {
        let mut objects = self.0.lock().unwrap();
        let v = objects.get_mut(&id).ok_or(CounterError::NoSuchObject)?;
        *v = v.checked_add(n).ok_or(CounterError::Overflow)?;
        Ok(*v)
    }
    async fn add_all(
        self,
        ctx: context::Context,
        id: u64,
        ns: Vec<u64>,
    ) -> Result<u64, CounterError> {
        if ns.len() > MAX_BATCH {
            return Err(CounterError::TooMany);
        }
        let sum = ns.iter().try_fold(0u64, |a, &n| a.checked_add(n));
        self.add(ctx, id, sum.ok_or(CounterError::Overflow)?).await
    }
}

/// A server on its own thread and runtime: `kill` drops the runtime, which
/// closes every connection at once, as a crashed process would.
pub struct Server {
    pub addr: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(addr: &str, objects: Objects) -> io::Result<Server> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = oneshot::channel::<()>();
        let addr = addr.to_string();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(rt) = rt else { return };
            rt.block_on(async move {
                let listener = match bind(&addr).await {
                    Ok(l) => l,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                let _ = ready_tx.send(listener.local_addr().map(|a| a.to_string()));
                let server = CountersServer(objects);
                let accept = async move {
                    while let Ok((stream, _)) = listener.accept().await {
                        let _ = stream.set_nodelay(true);
                        let framed = tarpc::tokio_util::codec::Framed::new(stream, codec());
                        let transport = serde_transport::new(framed, Json::default());
                        let channel = BaseChannel::with_defaults(transport);
                        let requests = channel
                            .max_concurrent_requests(64)
                            .execute(server.clone().serve());
                        tokio::spawn(requests.for_each(|r| async {
                            tokio::spawn(r);
                        }));
                    }
                };
                tokio::select! { _ = accept => {}, _ = stop_rx => {} }
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| io::Error::other("server did not start"))??;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn kill(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Binds with SO_REUSEADDR, so a restarted server gets its old port back.
async fn bind(addr: &str) -> io::Result<tokio::net::TcpListener> {
    let addr: std::net::SocketAddr = addr.parse().map_err(io::Error::other)?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

fn codec() -> tarpc::tokio_util::codec::LengthDelimitedCodec {
    tarpc::tokio_util::codec::LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec()
}

// ANCHOR: link
/// A connection shared by every proxy to one server; reconnects lazily.
#[derive(Clone)]
pub struct Link {
    addr: String,
    client: Arc<tokio::sync::Mutex<Option<CountersClient>>>,
    timeout: Duration,
}

impl Link {
    pub fn new(addr: &str, timeout: Duration) -> Link {
        Link {
            addr: addr.into(),
            client: Arc::default(),
            timeout,
        }
    }

    /// Runs one call with a deadline, connecting first if needed.
    async fn call<T, F, Fut>(&self, f: F) -> Result<T, CounterError>
    where
        F: FnOnce(CountersClient, context::Context) -> Fut,
        Fut: Future<Output = Result<Result<T, CounterError>, RpcError>>,
    {
        let mut ctx = context::current();
        ctx.deadline = Instant::now() + self.timeout;
        let client = {
            let mut slot = self.client.lock().await;
            if slot.is_none() {
                let connect = tokio::time::timeout(self.timeout, connect(&self.addr));
                let Ok(Ok(c)) = connect.await else {
                    return Err(CounterError::Unreachable);
                };
                *slot = Some(c);
            }
            slot.clone().unwrap()
        };
        match f(client, ctx).await {
            Ok(answer) => answer,
            Err(e) => {
                if !matches!(e, RpcError::DeadlineExceeded | RpcError::Server(_)) {
                    *self.client.lock().await = None; // connection broken: redial next time
                }
                Err(CounterError::Unknown)
            }
        }
    }
}
// ANCHOR_END: link

impl Link {
    pub async fn create(&self) -> Result<RemoteCounter, CounterError> {
        let id = self
            .call(|c, ctx| async move { c.create(ctx).await })
            .await?;
        Ok(self.open(id))
    }

    /// A proxy for an object that already exists (no call is made).
    pub fn open(&self, id: u64) -> RemoteCounter {
        RemoteCounter {
            link: self.clone(),
            id,
        }
    }
}

// ANCHOR: proxy
/// Stands for one counter in one server: (server address, object id).
#[derive(Clone)]
pub struct RemoteCounter {
    link: Link,
    id: u64,
}

impl Counter for RemoteCounter {
    async fn add(&self, n: u64) -> Result<u64, CounterError> {
        let id = self.id;
        self.link
            .call(|c, ctx| async move { c.add(ctx, id, n).await })
            .await
    }
    async fn add_all(&self, ns: Vec<u64>) -> Result<u64, CounterError> {
        let id = self.id;
        self.link
            .call(|c, ctx| async move { c.add_all(ctx, id, ns).await })
            .await
    }
}
// ANCHOR_END: proxy

// ANCHOR: identity
/// Identity is (server, id), not the value, and not the proxy's address in
/// memory: two proxies for the same object are equal.
impl PartialEq for RemoteCounter {
    fn eq(&self, other: &Self) -> bool {
        self.link.addr == other.link.addr && self.id == other.id
    }
}
// ANCHOR_END: identity

impl RemoteCounter {
    pub fn id(&self) -> u64 {
        self.id
    }
}

pub async fn connect(addr: &str) -> io::Result<CountersClient> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let framed = tarpc::tokio_util::codec::Framed::new(stream, codec());
    let transport = serde_transport::new(framed, Json::default());
    Ok(CountersClient::new(client::Config::default(), transport).spawn())
}
