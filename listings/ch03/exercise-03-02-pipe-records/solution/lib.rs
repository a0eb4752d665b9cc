use std::fmt;
use std::io::{ErrorKind, Read, Write};

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
        if payload.len() > MAX_PAYLOAD {
            return Err(RecordError::TooLarge {
                len: payload.len(),
                max: MAX_PAYLOAD,
            });
        }
        let mut frame = Vec::with_capacity(HEADER + payload.len());
        frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        frame.extend_from_slice(payload);
        // One call: a pipe write of at most PIPE_BUF bytes is all or nothing.
        let written = loop {
            match self.inner.write(&frame) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => break other.map_err(RecordError::Io)?,
            }
        };
        if written != frame.len() {
            return Err(RecordError::ShortWrite {
                written,
                frame: frame.len(),
            });
        }
        Ok(())
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
        let mut header = [0u8; HEADER];
        // End-of-file before the first byte is the clean end of the stream.
        let first = loop {
            match self.inner.read(&mut header[..1]) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => break other.map_err(RecordError::Io)?,
            }
        };
        if first == 0 {
            return Ok(None);
        }
        let got = read_fully(&mut self.inner, &mut header[1..])?;
        if got < HEADER - 1 {
            return Err(RecordError::Truncated {
                expected: HEADER,
                got: 1 + got,
            });
        }
        let len = u32::from_le_bytes(header) as usize;
        if len > MAX_PAYLOAD {
            // Checked before allocating: a corrupt header costs nothing.
            return Err(RecordError::TooLarge {
                len,
                max: MAX_PAYLOAD,
            });
        }
        let mut payload = vec![0u8; len];
        let got = read_fully(&mut self.inner, &mut payload)?;
        if got < len {
            return Err(RecordError::Truncated {
                expected: HEADER + len,
                got: HEADER + got,
            });
        }
        Ok(Some(payload))
    }
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_fully(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, RecordError> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(RecordError::Io(e)),
        }
    }
    Ok(filled)
}
