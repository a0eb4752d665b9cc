//! Receiving from two channels, with a priority and a deadline.

use crossbeam_channel::{Receiver, TryRecvError, at, never, select};
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
    let closed = never();
    let (mut a, mut b) = (a, b);
    loop {
        // Priority: `select!` would pick at random when both are ready.
        match a.try_recv() {
            Ok(msg) => return Ok((From::A, msg)),
            Err(TryRecvError::Disconnected) => a = &closed,
            Err(TryRecvError::Empty) => {}
        }
        if std::ptr::eq(a, &closed) && std::ptr::eq(b, &closed) {
            return Err(RecvAnyError::Disconnected);
        }
        select! {
            recv(a) -> msg => match msg {
                Ok(msg) => return Ok((From::A, msg)),
                Err(_) => a = &closed, // a closed channel is always ready
            },
            recv(b) -> msg => match msg {
                Ok(msg) => return Ok((From::B, msg)),
                Err(_) => b = &closed,
            },
            recv(at(deadline)) -> _ => return Err(RecvAnyError::Timeout),
        }
    }
}
