//! Length-prefixed framing: every frame is a 4-byte big-endian length
//! followed by that many bytes of payload.
//!
//! ```text
//! +----------------+---------------------------+
//! | len: u32 (BE)  | payload: len bytes        |
//! +----------------+---------------------------+
//! ```

use std::fmt;

/// Bytes of the length prefix.
pub const HEADER: usize = 4;

// ANCHOR: error
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The prefix announces more than the configured maximum.
    TooLarge { len: u64, max: usize },
    /// The stream ended inside a frame: `have` of the `need` bytes arrived.
    Truncated { have: usize, need: usize },
}
// ANCHOR_END: error

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { len, max } => {
                write!(f, "frame of {len} bytes exceeds the maximum of {max}")
            }
            FrameError::Truncated { have, need } => {
                write!(f, "stream ended inside a frame: {have} of {need} bytes")
            }
        }
    }
}

impl std::error::Error for FrameError {}

// ANCHOR: encode
/// Appends one frame holding `payload` to `out`.
pub fn encode(payload: &[u8], max: usize, out: &mut Vec<u8>) -> Result<(), FrameError> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&len| len as usize <= max)
        .ok_or(FrameError::TooLarge {
            len: payload.len() as u64,
            max,
        })?;
    out.reserve(HEADER + payload.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}
// ANCHOR_END: encode

// ANCHOR: decoder
/// An incremental decoder: feed it bytes as they arrive, in pieces of any
/// size, and take complete frames out.
pub struct Decoder {
    /// Received bytes; those before `start` are already handed out.
    buf: Vec<u8>,
    start: usize,
    max: usize,
    /// After an error the stream has lost its framing: no later byte can be
    /// trusted to start a frame, so the error sticks.
    failed: Option<FrameError>,
}

impl Decoder {
    pub fn new(max: usize) -> Decoder {
        Decoder {
            buf: Vec::new(),
            start: 0,
            max,
            failed: None,
        }
    }

    /// Takes the next piece of the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return; // nothing after a bad prefix is kept
        }
        if self.start == self.buf.len() {
            self.buf.clear(); // everything handed out: restart at the front
            self.start = 0;
        } else if self.start > self.buf.len() / 2 {
            self.buf.drain(..self.start); // move the partial frame to the front
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }
    // ANCHOR_END: decoder

    // ANCHOR: next

    /// The next complete frame's payload, as a range of the internal buffer.
    fn next_range(&mut self) -> Result<Option<std::ops::Range<usize>>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let pending = &self.buf[self.start..];
        let Some(prefix) = pending.first_chunk::<HEADER>() else {
            return Ok(None); // not even the length yet
        };
        let len = u32::from_be_bytes(*prefix) as usize;
        // The check comes before anything is sized by `len`: a hostile
        // prefix costs four bytes of memory, not four gigabytes.
        if len > self.max {
            let e = FrameError::TooLarge {
                len: len as u64,
                max: self.max,
            };
            self.failed = Some(e.clone());
            self.buf = Vec::new();
            self.start = 0;
            return Err(e);
        }
        if pending.len() < HEADER + len {
            // Room for the rest of this frame, now that `len` is known to be sane.
            self.buf.reserve(HEADER + len - pending.len());
            return Ok(None);
        }
        let payload = self.start + HEADER..self.start + HEADER + len;
        self.start = payload.end;
        Ok(Some(payload))
    }

    /// The next complete frame, copied out, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        Ok(self.next_range()?.map(|r| self.buf[r].to_vec()))
    }

    /// The same without the copy: the payload stays in the decoder's buffer
    /// and the borrow ends before the next call.
    pub fn next_frame_ref(&mut self) -> Result<Option<&[u8]>, FrameError> {
        Ok(self.next_range()?.map(|r| &self.buf[r]))
    }

    // ANCHOR_END: next

    /// Call at end of stream: leftover bytes mean the last frame was cut short.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let have = self.buf.len() - self.start;
        if have == 0 {
            return Ok(());
        }
        let need = match self.buf[self.start..].first_chunk::<HEADER>() {
            Some(prefix) => HEADER + u32::from_be_bytes(*prefix) as usize,
            None => HEADER,
        };
        Err(FrameError::Truncated { have, need })
    }

    /// Bytes held for frames not yet complete.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }
}
