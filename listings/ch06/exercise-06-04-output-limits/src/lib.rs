//! The output buffer an event loop keeps for each connection: what the
//! protocol wrote but the socket has not taken yet.

use std::collections::VecDeque;
use std::io::{self, Write};

/// `push` would take the buffer past its hard cap.
#[derive(Debug, PartialEq, Eq)]
pub struct Overflow {
    pub unsent: usize,
    pub cap: usize,
}

#[allow(dead_code)] // the limits are read once you write the methods
pub struct OutBuf {
    bytes: VecDeque<u8>,
    high_water: usize,
    cap: usize,
}

impl OutBuf {
    /// Reading pauses at `high_water` unsent bytes; nothing grows past `cap`.
    pub fn new(high_water: usize, cap: usize) -> OutBuf {
        assert!(high_water <= cap);
        OutBuf {
            bytes: VecDeque::new(),
            high_water,
            cap,
        }
    }

    /// Queues `data` whole, or refuses it whole if the cap would be passed.
    pub fn push(&mut self, data: &[u8]) -> Result<(), Overflow> {
        let _ = data;
        todo!("check the cap, then append")
    }

    /// Writes as much as `w` takes without blocking. Returns the bytes written;
    /// `WouldBlock` is not an error (the loop waits for WRITABLE).
    pub fn flush(&mut self, w: &mut impl Write) -> io::Result<usize> {
        let _ = w;
        todo!("write from the front until empty or WouldBlock")
    }

    /// Backpressure: may the loop read more input from this connection?
    pub fn wants_input(&self) -> bool {
        todo!("below the high-water mark")
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}
