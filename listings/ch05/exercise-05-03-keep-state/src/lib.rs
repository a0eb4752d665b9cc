//! A tally actor that panics on requests it cannot handle, and the
//! supervisor you write for it.

use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The actor's state: how many values it has added, and their sum.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    pub sum: u64,
}

/// A request: add `value`, reply with the tally after it.
pub struct Add {
    pub value: u64,
    pub reply: oneshot::Sender<Tally>,
}

/// The actor stopped before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

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
    /// The actor panicked once more with the budget spent.
    GaveUp { restarts: usize },
}

/// The actor's loop (given). It panics on an overflowing value, before it
/// changes `tally`: after a panic, `tally` is still consistent.
pub async fn serve(tally: &mut Tally, mailbox: &mut mpsc::Receiver<Add>) {
    while let Some(Add { value, reply }) = mailbox.recv().await {
        let sum = tally.sum.checked_add(value).expect("sum overflow");
        *tally = Tally {
            count: tally.count + 1,
            sum,
        };
        let _ = reply.send(*tally);
    }
}

/// Runs `serve` on `mailbox`, restarting it after each panic with the tally
/// it had, within the budget.
pub async fn supervise(mailbox: mpsc::Receiver<Add>, budget: Budget) -> Ended {
    let _ = (mailbox, budget);
    todo!("restart `serve` after each panic, keep the tally, respect the budget")
}

/// A caller's end (given).
#[derive(Clone)]
pub struct Handle {
    mailbox: mpsc::Sender<Add>,
}

impl Handle {
    pub fn spawn(budget: Budget) -> (Handle, JoinHandle<Ended>) {
        let (sender, receiver) = mpsc::channel(16);
        (
            Handle { mailbox: sender },
            tokio::spawn(supervise(receiver, budget)),
        )
    }

    pub async fn add(&self, value: u64) -> Result<Tally, Gone> {
        let (reply, answer) = oneshot::channel();
        self.mailbox
            .send(Add { value, reply })
            .await
            .map_err(|_| Gone)?;
        answer.await.map_err(|_| Gone)
    }
}
