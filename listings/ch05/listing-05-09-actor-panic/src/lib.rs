//! A counter actor with a bug: it assumes the count never overflows, and
//! panics when it does. The handle is the one of Listing 5-8, cut down to
//! one request.

use std::fmt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

struct Add {
    by: u64,
    reply: oneshot::Sender<u64>,
}

/// The actor is no longer there to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorGone;

impl fmt::Display for ActorGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the actor has stopped")
    }
}

impl std::error::Error for ActorGone {}

async fn run(mut mailbox: mpsc::Receiver<Add>) {
    let mut count: u64 = 0;
    while let Some(Add { by, reply }) = mailbox.recv().await {
        // The bug: nobody thought a counter could overflow.
        count = count.checked_add(by).expect("counter overflow");
        let _ = reply.send(count);
    }
}

/// A caller's end of the counter actor.
#[derive(Clone)]
pub struct Counter {
    mailbox: mpsc::Sender<Add>,
}

impl Counter {
    pub fn spawn(capacity: usize) -> (Counter, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(capacity);
        (Counter { mailbox: sender }, tokio::spawn(run(receiver)))
    }

    /// Adds `by` and returns the new count.
    pub async fn add(&self, by: u64) -> Result<u64, ActorGone> {
        let (reply, answer) = oneshot::channel();
        let request = Add { by, reply };
        self.mailbox.send(request).await.map_err(|_| ActorGone)?;
        answer.await.map_err(|_| ActorGone)
    }
}
