// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet (and clippy's advice that
// `buf` need not be a `Vec`, true only while nothing removes bytes from it).
#![allow(unused_variables, clippy::ptr_arg)]

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
/// payload; the bytes after it stay in `buf`. Returns `Ok(None)`, leaving
/// `buf` untouched, while the frame is incomplete, and
/// `Err(CodecError::TooLarge { .. })` as soon as the prefix announces more
/// than `max` bytes, without allocating anything for them.
pub fn decode(buf: &mut Vec<u8>, max: usize) -> Result<Option<Vec<u8>>, CodecError> {
    todo!("read the prefix, check it against max, then take the frame off the front")
}

/// Call at end of stream with what is left in the buffer: `Ok(())` if it is
/// empty, `Err(CodecError::Truncated { .. })` if a frame was cut short.
pub fn finish(buf: &[u8]) -> Result<(), CodecError> {
    todo!("say how much of the last frame arrived and how much it needed")
}
