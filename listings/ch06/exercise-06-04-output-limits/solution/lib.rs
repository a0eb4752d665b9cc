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
        if self.bytes.len() + data.len() > self.cap {
            return Err(Overflow {
                unsent: self.bytes.len(),
                cap: self.cap,
            });
        }
        self.bytes.extend(data);
        Ok(())
    }

    /// Writes as much as `w` takes without blocking. Returns the bytes written;
    /// `WouldBlock` is not an error (the loop waits for WRITABLE).
    pub fn flush(&mut self, w: &mut impl Write) -> io::Result<usize> {
        let mut written = 0;
        while !self.bytes.is_empty() {
            let front = self.bytes.as_slices().0;
            match w.write(front) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.bytes.drain(..n);
                    written += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(written)
    }

    /// Backpressure: may the loop read more input from this connection?
    pub fn wants_input(&self) -> bool {
        self.bytes.len() < self.high_water
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}
