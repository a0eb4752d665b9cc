//! A counter store as an actor: one task owns a `HashMap`, and everybody
//! else talks to it through a cloneable handle. Nothing is shared, so nothing
//! is locked: the mailbox puts the requests in an order, and the actor handles
//! them one at a time.

use std::collections::HashMap;
use std::fmt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

// ANCHOR: messages
/// What a caller can ask. Each request carries the sending half of a oneshot
/// channel: the actor answers on it, and only the caller holds the other half.
enum Request {
    Add {
        key: String,
        by: u64,
        reply: oneshot::Sender<u64>,
    },
    Get {
        key: String,
        reply: oneshot::Sender<Option<u64>>,
    },
}
// ANCHOR_END: messages

/// The only way a request fails: the actor is no longer there to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorGone;

impl fmt::Display for ActorGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the actor has stopped")
    }
}

impl std::error::Error for ActorGone {}

// ANCHOR: actor
/// The actor's state. It lives inside one task; no other task can reach it.
struct Store {
    counts: HashMap<String, u64>,
    mailbox: mpsc::Receiver<Request>,
}

impl Store {
    async fn run(mut self) {
        // `recv` returns `None` once every sender is dropped and the queue
        // is empty: the last handle going away is the actor's stop signal.
        while let Some(request) = self.mailbox.recv().await {
            match request {
                Request::Add { key, by, reply } => {
                    let count = self.counts.entry(key).or_default();
                    *count += by;
                    // The caller may have given up waiting; that is its
                    // business, not a reason for the actor to stop.
                    let _ = reply.send(*count);
                }
                Request::Get { key, reply } => {
                    let _ = reply.send(self.counts.get(&key).copied());
                }
            }
        }
    }
}
// ANCHOR_END: actor

// ANCHOR: handle
/// A caller's end: cheap to clone, one per task that needs the store.
#[derive(Clone)]
pub struct StoreHandle {
    mailbox: mpsc::Sender<Request>,
}

impl StoreHandle {
    /// Starts the actor with a mailbox of `capacity` requests. The join handle
    /// finishes when the actor stops.
    pub fn spawn(capacity: usize) -> (StoreHandle, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(capacity);
        let store = Store {
            counts: HashMap::new(),
            mailbox: receiver,
        };
        (StoreHandle { mailbox: sender }, tokio::spawn(store.run()))
    }

    /// Adds `by` to `key`'s count and returns the new count.
    pub async fn add(&self, key: &str, by: u64) -> Result<u64, ActorGone> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Add {
            key: key.to_string(),
            by,
            reply,
        };
        // Waits while the mailbox is full: that is the backpressure.
        self.mailbox.send(request).await.map_err(|_| ActorGone)?;
        // Fails if the actor dropped `reply` without answering.
        answer.await.map_err(|_| ActorGone)
    }

    /// `key`'s count, if it has one.
    pub async fn get(&self, key: &str) -> Result<Option<u64>, ActorGone> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Get {
            key: key.to_string(),
            reply,
        };
        self.mailbox.send(request).await.map_err(|_| ActorGone)?;
        answer.await.map_err(|_| ActorGone)
    }
}
// ANCHOR_END: handle
