//! A slow actor, and a handle whose calls shed load and give up in time.

use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Why a call did not get an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// The mailbox was full: the request was not sent.
    Busy,
    /// The request was sent, but no answer came within the limit.
    TimedOut,
    /// The actor has stopped.
    Gone,
}

/// Work that takes `millis` milliseconds; the reply is how many requests
/// the actor had finished, this one included.
pub struct Work {
    pub millis: u64,
    pub reply: oneshot::Sender<u64>,
}

/// Starts the actor (given) with a mailbox of `capacity` requests. It stops
/// when every handle is dropped or when asked to work for `u64::MAX` ms.
pub fn spawn(capacity: usize) -> Handle {
    let (sender, mut mailbox) = mpsc::channel::<Work>(capacity);
    tokio::spawn(async move {
        let mut done = 0;
        while let Some(Work { millis, reply }) = mailbox.recv().await {
            if millis == u64::MAX {
                break;
            }
            tokio::time::sleep(Duration::from_millis(millis)).await;
            done += 1;
            let _ = reply.send(done);
        }
    });
    Handle { mailbox: sender }
}

#[derive(Clone)]
pub struct Handle {
    mailbox: mpsc::Sender<Work>,
}

impl Handle {
    /// Sends `Work { millis }` without waiting for room in the mailbox, then
    /// waits at most `limit` for the reply.
    pub async fn call(&self, millis: u64, limit: Duration) -> Result<u64, CallError> {
        let _ = (millis, limit, &self.mailbox);
        todo!("try_send, then a bounded wait for the reply")
    }
}
