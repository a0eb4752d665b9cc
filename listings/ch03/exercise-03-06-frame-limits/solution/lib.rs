//! A length-prefixed codec: a frame is a 4-byte big-endian length, then
//! that many bytes of payload.

/// Bytes of the length prefix.
pub const HEADER: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The prefix announces `len` bytes, more than `max`.
    TooLarge { len: u64, max: usize },
    /// The stream ended with `have` bytes of a frame that needs `need`
    /// (prefix included).
    Truncated { have: usize, need: usize },
}

/// Appends a frame holding `payload` to `out` (given, for the tests).
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    let len = u32::try_from(payload.len()).expect("payload under 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Takes the first complete frame off the front of `buf` and returns its
/// payload; the bytes after it stay in `buf`.
pub fn decode(buf: &mut Vec<u8>, max: usize) -> Result<Option<Vec<u8>>, CodecError> {
    let Some(prefix) = buf.first_chunk::<HEADER>() else {
        return Ok(None);
    };
    let len = u32::from_be_bytes(*prefix) as usize;
    // Before the length sizes anything: a hostile prefix costs nothing.
    if len > max {
        return Err(CodecError::TooLarge {
            len: len as u64,
            max,
        });
    }
    if buf.len() < HEADER + len {
        return Ok(None);
    }
    let payload = buf[HEADER..HEADER + len].to_vec();
    // Shifts the rest to the front: fine for a teaching codec; a faster one
    // keeps a start index and compacts now and then (Listing 3-28).
    buf.drain(..HEADER + len);
    Ok(Some(payload))
}

/// Call at end of stream with what is left in the buffer.
pub fn finish(buf: &[u8]) -> Result<(), CodecError> {
    if buf.is_empty() {
        return Ok(());
    }
    let need = match buf.first_chunk::<HEADER>() {
        Some(prefix) => HEADER + u32::from_be_bytes(*prefix) as usize,
        None => HEADER,
    };
    Err(CodecError::Truncated {
        have: buf.len(),
        need,
    })
}
