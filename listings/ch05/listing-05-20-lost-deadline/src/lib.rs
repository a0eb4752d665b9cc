//! Two services in a chain: a client calls Front, Front calls Back twice.

use std::time::{Duration, Instant};

use futures::{StreamExt, future};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::{client, context, serde_transport};
use tokio::sync::mpsc;

pub const MAX_FRAME: usize = 64 * 1024;
pub const STEP: Duration = Duration::from_millis(10);

#[tarpc::service]
pub trait Back {
    /// Works `steps` steps of `STEP` each.
    async fn crunch(steps: u32) -> u32;
}

#[tarpc::service]
pub trait Front {
    /// Asks Back for two halves of the work at once and adds them up.
    async fn fan_out(steps: u32) -> u32;
}

/// Sent by Back when a handler ends: `true` if it ran to the end.
#[derive(Clone)]
pub struct BackServer {
    pub finished: mpsc::UnboundedSender<bool>,
}

struct Report(bool, mpsc::UnboundedSender<bool>);
impl Drop for Report {
    fn drop(&mut self) {
        let _ = self.1.send(self.0);
    }
}

impl Back for BackServer {
    async fn crunch(self, _: context::Context, steps: u32) -> u32 {
        let mut report = Report(false, self.finished);
        for _ in 0..steps.min(1000) {
            tokio::time::sleep(STEP).await;
        }
        report.0 = true;
        steps
    }
}

#[derive(Clone)]
pub struct FrontServer {
    pub back: BackClient,
    pub propagate: bool,
}

// ANCHOR: front
impl Front for FrontServer {
    async fn fan_out(self, ctx: context::Context, steps: u32) -> u32 {
        // ANCHOR: bug
        // The bug: a new context gets a new deadline (10 s by default),
        // unrelated to the caller's.
        let downstream = if self.propagate {
            ctx
        } else {
            context::current()
        };
        // ANCHOR_END: bug
        let halves: Vec<_> = (0..2)
            .map(|_| {
                let back = self.back.clone();
                // A spawned task is not cancelled when this handler's future
                // is dropped: only its deadline can stop it.
                tokio::spawn(async move { back.crunch(downstream, steps / 2).await })
            })
            .collect();
        let mut total = 0;
        for half in halves {
            if let Ok(Ok(n)) = half.await {
                total += n;
            }
        }
        total
    }
}
// ANCHOR_END: front

pub async fn start_back(addr: &str) -> std::io::Result<(String, mpsc::UnboundedReceiver<bool>)> {
    let mut listener = serde_transport::tcp::listen(addr, Json::default).await?;
    listener.config_mut().max_frame_length(MAX_FRAME);
    let addr = listener.local_addr().to_string();
    let (tx, rx) = mpsc::unbounded_channel();
    let server = BackServer { finished: tx };
    tokio::spawn(
        listener
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
    Ok((addr, rx))
}

pub async fn start_front(addr: &str, back: &str, propagate: bool) -> std::io::Result<String> {
    let mut listener = serde_transport::tcp::listen(addr, Json::default).await?;
    listener.config_mut().max_frame_length(MAX_FRAME);
    let addr = listener.local_addr().to_string();
    let server = FrontServer {
        back: connect_back(back).await?,
        propagate,
    };
    tokio::spawn(
        listener
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
    Ok(addr)
}

pub async fn connect_back(addr: &str) -> std::io::Result<BackClient> {
    let mut transport = serde_transport::tcp::connect(addr, Json::default);
    transport.config_mut().max_frame_length(MAX_FRAME);
    Ok(BackClient::new(client::Config::default(), transport.await?).spawn())
}

pub async fn connect_front(addr: &str) -> std::io::Result<FrontClient> {
    let mut transport = serde_transport::tcp::connect(addr, Json::default);
    transport.config_mut().max_frame_length(MAX_FRAME);
    Ok(FrontClient::new(client::Config::default(), transport.await?).spawn())
}

pub fn within(timeout: Duration) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = Instant::now() + timeout;
    ctx
}
