//! Receiving from two channels, with a priority and a deadline.

use crossbeam_channel::Receiver;
use std::time::Instant;

/// Which channel a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    A,
    B,
}

/// Why `recv_any` returned no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvAnyError {
    /// The deadline passed with both channels empty.
    Timeout,
    /// Both channels are closed and empty: no message can ever come.
    Disconnected,
}

/// Waits until `deadline` for a message on `a` or `b` and returns the first
/// one, preferring `a` when both have a message waiting. A channel that is
/// closed and empty is ignored while the other one is open.
pub fn recv_any<T>(
    a: &Receiver<T>,
    b: &Receiver<T>,
    deadline: Instant,
) -> Result<(From, T), RecvAnyError> {
    let _ = (a, b, deadline);
    todo!("try `a` first, then wait on both with a deadline")
}
