//! A copy of Listing 5-2's src/server.rs, so this folder builds on its own.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use listing_05_02_bank_server::protocol::{self, Answer, Op, Reply, Request, ServerError, VERSION};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

#[derive(Debug, Clone)]
pub struct Config {
    /// Connections served at once; more are answered `Busy` and closed.
    pub max_connections: usize,
    /// A peer silent this long, or not reading its replies, is dropped.
    pub idle_timeout: Duration,
    /// How long a shutdown waits for in-flight requests.
    pub grace: Duration,
    /// Simulated back-end latency per request, for demos and tests.
    pub op_delay: Duration,
    /// Accounts the bank holds at most.
    pub max_accounts: usize,
    /// Idempotency keys remembered, oldest forgotten first.
    pub remembered_keys: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_connections: 2048,
            idle_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            op_delay: Duration::ZERO,
            max_accounts: 100_000,
            remembered_keys: 100_000,
        }
    }
}

/// What a shutdown did with the connections still open when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    pub finished: usize,
    pub cut_off: usize,
}

#[derive(Default)]
struct Bank {
    balances: HashMap<String, u64>,
    applied: HashMap<u128, Answer>,
    order: VecDeque<u128>,
}

impl Bank {
    /// Runs under the server's lock on the whole bank.
    fn apply(&mut self, op: Op, config: &Config) -> Result<Answer, ServerError> {
        match op {
            Op::Balance { account } => Ok(Answer::Balance(
                self.balances.get(&account).copied().unwrap_or(0),
            )),
            Op::Deposit {
                account,
                amount,
                key,
            } => self.deposit(account, amount, key, config),
        }
    }

    // ANCHOR: dedupe
    fn deposit(
        &mut self,
        account: String,
        amount: u64,
        key: u128,
        config: &Config,
    ) -> Result<Answer, ServerError> {
        // A key seen before means a retry: answer as the first time did,
        // change nothing.
        if let Some(answer) = self.applied.get(&key) {
            return Ok(answer.clone());
        }
        if !self.balances.contains_key(&account) && self.balances.len() >= config.max_accounts {
            return Err(ServerError::TooManyAccounts);
        }
        let balance = self.balances.entry(account).or_insert(0);
        *balance = balance.checked_add(amount).ok_or(ServerError::Overflow)?;
        let answer = Answer::Deposited { balance: *balance };
        // The balance and the key change under the same lock, so a retry
        // racing the original sees both changes or neither.
        self.applied.insert(key, answer.clone());
        self.order.push_back(key);
        if self.order.len() > config.remembered_keys {
            let oldest = self.order.pop_front().expect("not empty");
            self.applied.remove(&oldest);
        }
        Ok(answer)
    }
    // ANCHOR_END: dedupe
}

pub struct Server {
    listener: TcpListener,
    config: Config,
    bank: Arc<Mutex<Bank>>,
    in_flight: Arc<watch::Sender<usize>>,
}

impl Server {
    pub async fn bind(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr).await?,
            config,
            bank: Arc::default(),
            in_flight: Arc::new(watch::Sender::new(0)),
        })
    }

    /// Requests read and not yet answered, for tests and demos to wait on.
    pub fn in_flight(&self) -> watch::Receiver<usize> {
        self.in_flight.subscribe()
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    // ANCHOR: accept
    /// Serves until `stop` turns true, then shuts down gracefully.
    pub async fn run(self, stop: watch::Receiver<bool>) -> ShutdownReport {
        let permits = Arc::new(Semaphore::new(self.config.max_connections));
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = stopped(stop.clone()) => break,
                accepted = self.listener.accept() => accepted,
            };
            // A failed accept (say, out of file descriptors) concerns one
            // peer; the pause keeps a lasting error from spinning the loop.
            let Ok((stream, _)) = accepted else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                refuse_busy(stream);
                continue;
            };
            let (config, bank, stop) = (self.config.clone(), Arc::clone(&self.bank), stop.clone());
            let in_flight = Arc::clone(&self.in_flight);
            connections.spawn(async move {
                serve(stream, &config, &bank, &in_flight, stop).await;
                drop(permit); // the slot frees when the connection ends
            });
            while connections.try_join_next().is_some() {} // reap finished ones
        }
        // ANCHOR_END: accept
        // ANCHOR: shutdown
        // Closing the listener makes new connections fail at once instead of
        // waiting in the backlog for an accept that never comes.
        drop(self.listener);
        let mut finished = 0;
        let deadline = tokio::time::sleep(self.config.grace);
        tokio::pin!(deadline);
        while !connections.is_empty() {
            tokio::select! {
                _ = connections.join_next() => finished += 1,
                _ = &mut deadline => break,
            }
        }
        let cut_off = connections.len();
        connections.shutdown().await; // aborts what is left, waits for it
        ShutdownReport { finished, cut_off }
    }
    // ANCHOR_END: shutdown
}

/// Resolves once `stop` is true; never, if its sender is gone without it.
async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|&s| s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

// ANCHOR: serve
async fn serve(
    stream: TcpStream,
    config: &Config,
    bank: &Mutex<Bank>,
    in_flight: &watch::Sender<usize>,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut framed = Framed::new(stream, protocol::codec());
    loop {
        // A request already sent is served even if the stop comes with it
        // (`biased`); an idle connection is closed at once on shutdown.
        let next = tokio::select! {
            biased;
            next = timeout(config.idle_timeout, framed.next()) => next,
            _ = stopped(stop.clone()) => return,
        };
        let payload = match next {
            Err(_) | Ok(None) => return, // idle too long, or closed between requests
            Ok(Some(Ok(payload))) => payload,
            Ok(Some(Err(e))) => return refuse(framed, config, frame_error(&e)).await,
        };
        let request = match protocol::decode::<Request>(&payload) {
            Ok(request) => request,
            // After a wrong version nothing the peer sends can be read.
            Err(e) => return refuse(framed, config, Some(e.into())).await,
        };
        let counted = InFlight::new(in_flight);
        tokio::time::sleep(config.op_delay).await;
        let result = bank
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .apply(request.op, config);
        let sent = send(&mut framed, config, request.id, result).await;
        drop(counted);
        if sent.is_err() || *stop.borrow() {
            return;
        }
    }
}
// ANCHOR_END: serve

/// Counts one request in flight while alive, also when its task is aborted.
struct InFlight<'a>(&'a watch::Sender<usize>);

impl<'a> InFlight<'a> {
    fn new(count: &'a watch::Sender<usize>) -> InFlight<'a> {
        count.send_modify(|n| *n += 1);
        InFlight(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// The error a framing failure is reported as, if the peer is still there.
fn frame_error(e: &io::Error) -> Option<ServerError> {
    match e.kind() {
        // The codec's verdict on a length above the cap.
        io::ErrorKind::InvalidData => Some(ServerError::TooLarge {
            max: protocol::MAX_FRAME as u64,
        }),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => None,
        // "bytes remaining on stream": the peer half-closed inside a frame.
        _ => Some(ServerError::Malformed("stream ended inside a frame".into())),
    }
}

async fn send(
    framed: &mut Framed<TcpStream, LengthDelimitedCodec>,
    config: &Config,
    id: u64,
    result: Result<Answer, ServerError>,
) -> io::Result<()> {
    let reply = Reply {
        version: VERSION,
        id,
        result,
    };
    // The codec builds header and payload in one buffer: one write call.
    let sent = timeout(
        config.idle_timeout,
        framed.send(Bytes::from(protocol::encode(&reply))),
    );
    sent.await.map_err(io::Error::from)?
}

/// Sends one error, then closes: after bad framing or a foreign version,
/// nothing later on the stream can be trusted.
async fn refuse(
    mut framed: Framed<TcpStream, LengthDelimitedCodec>,
    config: &Config,
    error: Option<ServerError>,
) {
    let Some(error) = error else { return };
    if send(&mut framed, config, 0, Err(error)).await.is_err() {
        return;
    }
    // Closing with unread input makes the kernel send a reset, which can
    // destroy the error before the peer reads it: end our side, then
    // discard what the peer still sends, within bounds.
    let mut stream = framed.into_inner();
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let drain = async {
        let mut left = 1usize << 20;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = timeout(Duration::from_millis(500), drain).await;
}

/// Turns a connection away without waiting: one non-blocking write (a fresh
/// socket's send buffer has room for it), then close.
fn refuse_busy(stream: TcpStream) {
    let reply = Reply {
        version: VERSION,
        id: 0,
        result: Err(ServerError::Busy),
    };
    let payload = protocol::encode(&reply);
    let mut frame = (payload.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&payload);
    let _ = stream.try_write(&frame);
}
