//! A chain of two services: a client calls Front, Front calls Back.
//! Your job: `downstream` and `Front::double`.

use std::time::{Duration, Instant};

use futures::{StreamExt, future};
use serde::{Deserialize, Serialize};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::{client, context, serde_transport};
use tokio::sync::mpsc;

/// Front keeps this much of its caller's time for sending its own reply.
pub const REPLY_MARGIN: Duration = Duration::from_millis(20);
/// Less than this left for Back: do not call it at all.
pub const MIN_BACK_BUDGET: Duration = Duration::from_millis(50);
pub const STEP: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FrontError {
    /// Too little of the caller's time was left to ask Back.
    NoTime,
    /// Back's call failed (deadline, connection, ...).
    Back(String),
}

#[tarpc::service]
pub trait Back {
    async fn crunch(steps: u32) -> u32;
}

#[tarpc::service]
pub trait Front {
    /// Twice what Back's `crunch(steps)` returns.
    async fn double(steps: u32) -> Result<u32, FrontError>;
}

/// What Back reports about each `crunch`, tagged with its `steps`, so a
/// test can tell which call it was and whether it ran at all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BackEvent {
    Started(u32),
    /// Ran to the end.
    Finished(u32),
    /// Its future was dropped (deadline or cancellation).
    Cut(u32),
}

#[derive(Clone)]
pub struct BackServer {
    pub events: mpsc::UnboundedSender<BackEvent>,
}

/// Reports `Finished` or `Cut` when the `crunch` future ends either way.
struct Report {
    steps: u32,
    done: bool,
    events: mpsc::UnboundedSender<BackEvent>,
}
impl Drop for Report {
    fn drop(&mut self) {
        let event = match self.done {
            true => BackEvent::Finished(self.steps),
            false => BackEvent::Cut(self.steps),
        };
        let _ = self.events.send(event);
    }
}

impl Back for BackServer {
    async fn crunch(self, _: context::Context, steps: u32) -> u32 {
        let _ = self.events.send(BackEvent::Started(steps));
        let mut report = Report {
            steps,
            done: false,
            events: self.events,
        };
        for _ in 0..steps.min(1000) {
            tokio::time::sleep(STEP).await;
        }
        report.done = true;
        steps
    }
}

#[derive(Clone)]
pub struct FrontServer {
    pub back: BackClient,
}

/// The context Front passes to Back: the caller's, with a deadline
/// `REPLY_MARGIN` earlier. `None` if that leaves Back less than
/// `MIN_BACK_BUDGET` after `now`.
pub fn downstream(ctx: &context::Context, now: Instant) -> Option<context::Context> {
    let _ = (ctx, now);
    todo!("keep the caller's context, move its deadline REPLY_MARGIN earlier")
}

impl Front for FrontServer {
    async fn double(self, ctx: context::Context, steps: u32) -> Result<u32, FrontError> {
        // Back's call runs in its own task (as a fan-out would): dropping this
        // handler does not stop it; only the deadline you give it can.
        let _ = (ctx, steps, self.back);
        todo!("use downstream(); spawn back.crunch with its context; double the answer")
    }
}

pub fn within(timeout: Duration) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = Instant::now() + timeout;
    ctx
}

macro_rules! serve_on {
    ($listener:expr, $server:expr) => {{
        let server = $server;
        tokio::spawn(
            $listener
                .filter_map(|conn| future::ready(conn.ok()))
                .map(BaseChannel::with_defaults)
                .for_each(move |channel| {
                    let requests = channel
                        .max_concurrent_requests(64)
                        .execute(server.clone().serve());
                    tokio::spawn(requests.for_each(|r| async {
                        tokio::spawn(r);
                    }));
                    future::ready(())
                }),
        );
    }};
}

/// Starts Back on a free loopback port; returns a client for it and
/// Back's reports.
pub async fn start_back() -> std::io::Result<(BackClient, mpsc::UnboundedReceiver<BackEvent>)> {
    let back = serde_transport::tcp::listen("127.0.0.1:0", Json::default).await?;
    let back_addr = back.local_addr();
    let (tx, rx) = mpsc::unbounded_channel();
    serve_on!(back, BackServer { events: tx });
    let transport = serde_transport::tcp::connect(back_addr, Json::default).await?;
    Ok((
        BackClient::new(client::Config::default(), transport).spawn(),
        rx,
    ))
}

/// Starts Back and Front on free loopback ports; returns Front's address
/// and Back's reports.
pub async fn start_chain() -> std::io::Result<(String, mpsc::UnboundedReceiver<BackEvent>)> {
    let (back, events) = start_back().await?;
    let front = serde_transport::tcp::listen("127.0.0.1:0", Json::default).await?;
    let front_addr = front.local_addr().to_string();
    serve_on!(front, FrontServer { back });
    Ok((front_addr, events))
}

pub async fn connect_front(addr: &str) -> std::io::Result<FrontClient> {
    let transport = serde_transport::tcp::connect(addr, Json::default).await?;
    Ok(FrontClient::new(client::Config::default(), transport).spawn())
}
