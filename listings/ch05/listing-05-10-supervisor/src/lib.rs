//! Listing 5-9's counter, supervised. The supervisor owns the mailbox and
//! runs the actor's loop inside `catch_unwind`: when the loop panics, the
//! request it was handling is lost (its caller sees an error), and the
//! supervisor starts the loop again on the same mailbox with fresh state.

use futures::FutureExt;
use std::collections::VecDeque;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};
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

/// The actor's loop: it borrows the mailbox, so a panic does not take the
/// mailbox (and the requests queued in it) down with it.
async fn serve(count: &mut u64, mailbox: &mut mpsc::Receiver<Add>) {
    while let Some(Add { by, reply }) = mailbox.recv().await {
        *count = count.checked_add(by).expect("counter overflow");
        let _ = reply.send(*count);
    }
}

// ANCHOR: supervise
/// At most `restarts` restarts within any window of `within`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub restarts: usize,
    pub within: Duration,
}

/// How supervision ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every handle was dropped; the actor stopped normally.
    Stopped { restarts: usize },
    /// The actor crashed once more with the budget spent.
    GaveUp { restarts: usize },
}

async fn supervise(mut mailbox: mpsc::Receiver<Add>, budget: Budget) -> Ended {
    let mut recent: VecDeque<Instant> = VecDeque::new();
    let mut restarts = 0;
    loop {
        // Fresh state on every start: what the crashed actor held is lost.
        let mut count = 0;
        let run = AssertUnwindSafe(serve(&mut count, &mut mailbox));
        if run.catch_unwind().await.is_ok() {
            return Ended::Stopped { restarts };
        }
        // Forget crashes older than the window, then check what is left.
        let now = Instant::now();
        while recent.front().is_some_and(|t| now - *t > budget.within) {
            recent.pop_front();
        }
        if recent.len() >= budget.restarts {
            // Returning drops the mailbox: every caller now sees ActorGone.
            return Ended::GaveUp { restarts };
        }
        recent.push_back(now);
        restarts += 1;
    }
}
// ANCHOR_END: supervise

/// A caller's end of the supervised counter.
#[derive(Clone)]
pub struct Counter {
    mailbox: mpsc::Sender<Add>,
}

impl Counter {
    /// Starts the supervisor (which runs the actor) in one task.
    pub fn spawn(capacity: usize, budget: Budget) -> (Counter, JoinHandle<Ended>) {
        let (sender, receiver) = mpsc::channel(capacity);
        let supervisor = tokio::spawn(supervise(receiver, budget));
        (Counter { mailbox: sender }, supervisor)
    }

    /// Adds `by` and returns the new count.
    pub async fn add(&self, by: u64) -> Result<u64, ActorGone> {
        let (reply, answer) = oneshot::channel();
        let request = Add { by, reply };
        self.mailbox.send(request).await.map_err(|_| ActorGone)?;
        answer.await.map_err(|_| ActorGone)
    }
}
