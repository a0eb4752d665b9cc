//! An actor that is slower than its callers, taken to the extreme: it reads
//! nothing from its mailbox until it is released. What the callers see while
//! it is held depends only on the mailbox.

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A message with 64 bytes of payload.
pub struct Job(pub [u8; 64]);

/// What the actor saw: how many messages were waiting when it was released,
/// and how many it handled in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub backlog: usize,
    pub handled: usize,
}

/// A held actor behind a mailbox of `capacity` messages.
pub fn held_bounded(
    capacity: usize,
) -> (mpsc::Sender<Job>, oneshot::Sender<()>, JoinHandle<Report>) {
    let (sender, mut mailbox) = mpsc::channel::<Job>(capacity);
    let (release, released) = oneshot::channel::<()>();
    let actor = tokio::spawn(async move {
        let _ = released.await;
        let backlog = mailbox.len();
        let mut handled = 0;
        while mailbox.recv().await.is_some() {
            handled += 1;
        }
        Report { backlog, handled }
    });
    (sender, release, actor)
}

/// A held actor behind an unbounded mailbox.
pub fn held_unbounded() -> (
    mpsc::UnboundedSender<Job>,
    oneshot::Sender<()>,
    JoinHandle<Report>,
) {
    let (sender, mut mailbox) = mpsc::unbounded_channel::<Job>();
    let (release, released) = oneshot::channel::<()>();
    let actor = tokio::spawn(async move {
        let _ = released.await;
        let backlog = mailbox.len();
        let mut handled = 0;
        while mailbox.recv().await.is_some() {
            handled += 1;
        }
        Report { backlog, handled }
    });
    (sender, release, actor)
}
