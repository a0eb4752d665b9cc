//! Counters held on a lease: the server keeps an object only while some
//! client renews it, so a client that crashes or forgets cannot leak it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, future};
use serde::{Deserialize, Serialize};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::{client, context, serde_transport};

pub const MAX_FRAME: usize = 64 * 1024;
pub const MAX_OBJECTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LeaseError {
    /// No such object: never created, released, or its lease ran out.
    Expired,
    TooMany,
    /// The call failed on the way: it may or may not have happened.
    Rpc(String),
}

#[tarpc::service]
pub trait Leased {
    /// Creates a counter; returns its id and lease length in milliseconds.
    async fn create() -> Result<(u64, u64), LeaseError>;
    /// Adds `n`; any call renews the lease.
    async fn add(id: u64, n: u64) -> Result<u64, LeaseError>;
    async fn renew(id: u64) -> Result<(), LeaseError>;
    /// Objects the server holds now.
    async fn live() -> usize;
}

/// The time the server judges leases by: the real clock, or (in the demo
/// and tests) a clock that moves only when told, so that whether a lease
/// ran out never depends on how the machine scheduled the tasks.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<Instant>>>,
}

impl Clock {
    pub fn manual() -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new(Instant::now()))),
        }
    }
    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(t) => *t.lock().unwrap(),
            None => Instant::now(),
        }
    }
    /// Moves a manual clock forward (the real clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.manual {
            *t.lock().unwrap() += by;
        }
    }
}

// ANCHOR: table
struct Entry {
    value: u64,
    expires: Instant,
}

#[derive(Clone)]
pub struct Table {
    objects: Arc<Mutex<HashMap<u64, Entry>>>,
    next_id: Arc<Mutex<u64>>,
    pub lease: Duration,
    clock: Clock,
}

impl Table {
    /// Touching an object renews its lease; a lapsed one is already gone.
    fn touch(&self, id: u64, n: u64) -> Result<u64, LeaseError> {
        let mut objects = self.objects.lock().unwrap();
        let now = self.clock.now();
        match objects.get_mut(&id) {
            Some(e) if e.expires > now => {
                e.value = e.value.saturating_add(n);
                e.expires = now + self.lease;
                Ok(e.value)
            }
            Some(_) => {
                objects.remove(&id);
                Err(LeaseError::Expired)
            }
            None => Err(LeaseError::Expired),
        }
    }

    /// Run every quarter lease: forgets every object whose lease ran out.
    fn reap(&self) {
        let now = self.clock.now();
        self.objects.lock().unwrap().retain(|_, e| e.expires > now);
    }
}
// ANCHOR_END: table

impl Table {
    pub fn new(lease: Duration, clock: Clock) -> Table {
        Table {
            objects: Arc::default(),
            next_id: Arc::default(),
            lease,
            clock,
        }
    }
}

impl Leased for Table {
    async fn create(self, _: context::Context) -> Result<(u64, u64), LeaseError> {
        let mut objects = self.objects.lock().unwrap();
        if objects.len() >= MAX_OBJECTS {
            return Err(LeaseError::TooMany);
        }
        let mut next = self.next_id.lock().unwrap();
        *next += 1;
        objects.insert(
            *next,
            Entry {
                value: 0,
                expires: self.clock.now() + self.lease,
            },
        );
        Ok((*next, self.lease.as_millis() as u64))
    }
    async fn add(self, _: context::Context, id: u64, n: u64) -> Result<u64, LeaseError> {
        self.touch(id, n)
    }
    async fn renew(self, _: context::Context, id: u64) -> Result<(), LeaseError> {
        self.touch(id, 0).map(drop)
    }
    async fn live(self, _: context::Context) -> usize {
        self.objects.lock().unwrap().len()
    }
}

/// Serves a lease table on `addr`; returns the bound address.
pub async fn start(addr: &str, lease: Duration) -> std::io::Result<String> {
    start_with_clock(addr, lease, Clock::default()).await
}

/// As `start`, judging leases by `clock`.
pub async fn start_with_clock(
    addr: &str,
    lease: Duration,
    clock: Clock,
) -> std::io::Result<String> {
    let mut listener = serde_transport::tcp::listen(addr, Json::default).await?;
    listener.config_mut().max_frame_length(MAX_FRAME);
    let addr = listener.local_addr().to_string();
    let table = Table::new(lease, clock);
    let reaper = table.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(reaper.lease / 4);
        loop {
            tick.tick().await;
            reaper.reap();
        }
    });
    tokio::spawn(
        listener
            .filter_map(|conn| future::ready(conn.ok()))
            .map(BaseChannel::with_defaults)
            .for_each(move |channel| {
                let requests = channel
                    .max_concurrent_requests(64)
                    .execute(table.clone().serve());
                tokio::spawn(requests.for_each(|r| async {
                    tokio::spawn(r);
                }));
                future::ready(())
            }),
    );
    Ok(addr)
}

pub async fn connect(addr: &str) -> std::io::Result<LeasedClient> {
    let mut transport = serde_transport::tcp::connect(addr, Json::default);
    transport.config_mut().max_frame_length(MAX_FRAME);
    Ok(LeasedClient::new(client::Config::default(), transport.await?).spawn())
}

pub fn within(timeout: Duration) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = Instant::now() + timeout;
    ctx
}

fn rpc(e: tarpc::client::RpcError) -> LeaseError {
    LeaseError::Rpc(e.to_string())
}

// ANCHOR: proxy
/// A proxy that keeps its object alive by renewing at a third of the lease,
/// for as long as the proxy exists. Dropping it stops the renewals.
pub struct Counter {
    client: LeasedClient,
    id: u64,
    renewer: tokio::task::JoinHandle<()>,
    renewed: tokio::sync::watch::Receiver<u64>, // successful renewals so far
}

impl Counter {
    pub async fn create(client: &LeasedClient) -> Result<Counter, LeaseError> {
        let (id, lease_ms) = client
            .create(within(Duration::from_secs(2)))
            .await
            .map_err(rpc)??;
        let every = Duration::from_millis(lease_ms / 3);
        let renewing = client.clone();
        let (count, renewed) = tokio::sync::watch::channel(0);
        let renewer = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                // A failed renewal is retried next time; if they keep
                // failing, the lease runs out and the next call says so.
                if let Ok(Ok(())) = renewing.renew(within(every), id).await {
                    count.send_modify(|n| *n += 1);
                }
            }
        });
        Ok(Counter {
            client: client.clone(),
            id,
            renewer,
            renewed,
        })
    }

    pub async fn add(&self, n: u64) -> Result<u64, LeaseError> {
        self.client
            .add(within(Duration::from_secs(2)), self.id, n)
            .await
            .map_err(rpc)?
    }

    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        // Drop cannot wait for a network call; the lease does the cleanup.
        self.renewer.abort();
    }
}
// ANCHOR_END: proxy

impl Counter {
    /// Waits (at most `bound`) for the next successful renewal; false if
    /// none came. The demo and tests use it to step a manual clock.
    pub async fn next_renewal(&mut self, bound: Duration) -> bool {
        self.renewed.mark_unchanged();
        matches!(
            tokio::time::timeout(bound, self.renewed.changed()).await,
            Ok(Ok(()))
        )
    }
}
