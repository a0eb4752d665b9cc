// Remove this line when you are done: it silences the warnings about
// parameters and fields that the `todo!()`s do not use yet.
#![allow(unused_variables, dead_code)]

use std::fmt;
use std::io::{Read, Write};

/// Writes of at most this many bytes to a pipe are atomic (POSIX; 4096 on Linux).
pub const PIPE_BUF: usize = 4096;
/// Each frame is a 4-byte little-endian payload length, then the payload.
pub const HEADER: usize = 4;
/// The largest payload whose frame still fits in one atomic write.
pub const MAX_PAYLOAD: usize = PIPE_BUF - HEADER;

#[derive(Debug)]
pub enum RecordError {
    /// A payload (to write, or announced by a header) longer than `max`.
    TooLarge {
        len: usize,
        max: usize,
    },
    /// The stream ended inside a frame: `got` of `expected` bytes arrived
    /// (`expected` counts the header and, once known, the payload).
    Truncated {
        expected: usize,
        got: usize,
    },
    /// The pipe accepted only part of a frame.
    ShortWrite {
        written: usize,
        frame: usize,
    },
    Io(std::io::Error),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::TooLarge { len, max } => {
                write!(f, "record of {len} bytes exceeds the limit of {max}")
            }
            RecordError::Truncated { expected, got } => {
                write!(f, "stream ended inside a frame: {got} of {expected} bytes")
            }
            RecordError::ShortWrite { written, frame } => {
                write!(f, "short write: {written} of {frame} bytes")
            }
            RecordError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for RecordError {}

/// One writer's end of a shared pipe (each thread or process has its own).
pub struct RecordWriter<W: Write> {
    inner: W,
}

impl<W: Write> RecordWriter<W> {
    pub fn new(inner: W) -> Self {
        RecordWriter { inner }
    }

    /// Writes `payload` as one frame with a single `write` call, so that
    /// frames from different writers never interleave.
    pub fn write_record(&mut self, payload: &[u8]) -> Result<(), RecordError> {
        todo!("check the size, build the frame, write it with one call")
    }
}

/// The reading end: splits the byte stream back into records.
pub struct RecordReader<R: Read> {
    inner: R,
}

impl<R: Read> RecordReader<R> {
    pub fn new(inner: R) -> Self {
        RecordReader { inner }
    }

    /// The next record; `Ok(None)` at a clean end of the stream (between
    /// frames), `Err(Truncated)` if it ends inside one.
    pub fn next_record(&mut self) -> Result<Option<Vec<u8>>, RecordError> {
        todo!("read a header, check it, read the payload")
    }
}
