//! A worker whose handler reports, when its future is dropped, how far it got.

use std::time::{Duration, Instant};

use futures::{StreamExt, future};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Json;
use tarpc::{client, context, serde_transport};
use tokio::sync::mpsc;

pub const MAX_FRAME: usize = 64 * 1024;
/// One step of simulated work.
pub const STEP: Duration = Duration::from_millis(10);

#[tarpc::service]
pub trait Work {
    /// Works `steps` steps of `STEP` each, then returns `steps`.
    async fn crunch(steps: u32) -> u32;
}

/// What the server saw when a handler's future ended or was dropped.
#[derive(Debug, Clone, Copy)]
pub struct Ended {
    pub steps_done: u32,
    pub finished: bool,
}

// ANCHOR: handler
/// Reports on drop: runs whether the handler returns or is cancelled.
struct Watch {
    ended: Ended,
    events: mpsc::UnboundedSender<Ended>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.events.send(self.ended);
    }
}

#[derive(Clone)]
pub struct Worker {
    pub events: mpsc::UnboundedSender<Ended>,
}

impl Work for Worker {
    async fn crunch(self, _: context::Context, steps: u32) -> u32 {
        let ended = Ended {
            steps_done: 0,
            finished: false,
        };
        let mut watch = Watch {
            ended,
            events: self.events,
        };
        for _ in 0..steps.min(1000) {
            // Each `.await` is a point where a dropped future stops for good.
            tokio::time::sleep(STEP).await;
            watch.ended.steps_done += 1;
        }
        watch.ended.finished = true;
        watch.ended.steps_done
    }
}
// ANCHOR_END: handler

/// Starts a worker server on `addr` (port 0: any free port); returns its
/// address and the stream of `Ended` reports.
pub async fn start(addr: &str) -> std::io::Result<(String, mpsc::UnboundedReceiver<Ended>)> {
    let mut listener = serde_transport::tcp::listen(addr, Json::default).await?;
    listener.config_mut().max_frame_length(MAX_FRAME);
    let addr = listener.local_addr().to_string();
    let (tx, rx) = mpsc::unbounded_channel();
    let worker = Worker { events: tx };
    tokio::spawn(
        listener
            .filter_map(|conn| future::ready(conn.ok()))
            .map(BaseChannel::with_defaults)
            .for_each(move |channel| {
                let serve = channel
                    .max_concurrent_requests(64)
                    .execute(worker.clone().serve());
                tokio::spawn(serve.for_each(|request| async {
                    tokio::spawn(request);
                }));
                future::ready(())
            }),
    );
    Ok((addr, rx))
}

pub async fn connect(addr: &str) -> std::io::Result<WorkClient> {
    let mut transport = serde_transport::tcp::connect(addr, Json::default);
    transport.config_mut().max_frame_length(MAX_FRAME);
    Ok(WorkClient::new(client::Config::default(), transport.await?).spawn())
}

/// A context whose deadline is `timeout` from now.
pub fn within(timeout: Duration) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = Instant::now() + timeout;
    ctx
}
