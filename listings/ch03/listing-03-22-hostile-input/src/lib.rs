//! Decoders facing hostile bytes: the naive one, and three that refuse.

use std::fmt;

/// Largest input any decoder here accepts, checked before decoding starts.
pub const MAX_INPUT: usize = 64 * 1024;

// ANCHOR: errors
/// Why an input was refused; each variant keeps the library's own error.
#[derive(Debug)]
pub enum Rejected {
    TooLarge { len: usize, max: usize },
    Bincode(bincode::error::DecodeError),
    Postcard(postcard::Error),
    Json(serde_json::Error),
}
// ANCHOR_END: errors

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::TooLarge { len, max } => {
                write!(f, "input of {len} bytes, the limit is {max}")
            }
            Rejected::Bincode(e) => write!(f, "bincode: {e}"),
            Rejected::Postcard(e) => write!(f, "postcard: {e}"),
            Rejected::Json(e) => write!(f, "serde_json: {e}"),
        }
    }
}

impl std::error::Error for Rejected {}

// ANCHOR: naive
/// Reads a 4-byte length, then that many bytes. The sender picks `len`, so
/// the sender decides how much memory this allocates.
pub fn naive_decode(input: &[u8]) -> Option<Vec<u8>> {
    let len = u32::from_le_bytes(input.get(..4)?.try_into().ok()?) as usize;
    let mut payload = Vec::with_capacity(len);
    payload.extend_from_slice(input.get(4..4 + len)?);
    Some(payload)
}
// ANCHOR_END: naive

// ANCHOR: defences
/// bincode with a limit: a claimed length is checked against the limit
/// before the vector is allocated.
pub fn bincode_limited(input: &[u8]) -> Result<Vec<u8>, Rejected> {
    let config = bincode::config::standard().with_limit::<MAX_INPUT>();
    let (bytes, _read) = bincode::decode_from_slice(input, config).map_err(Rejected::Bincode)?;
    Ok(bytes)
}

/// postcard compares a claimed length with the bytes actually left.
pub fn postcard_bytes(input: &[u8]) -> Result<Vec<u8>, Rejected> {
    postcard::from_bytes(input).map_err(Rejected::Postcard)
}

/// serde_json stops at 128 levels of nesting instead of recursing on.
pub fn json_value(input: &[u8]) -> Result<serde_json::Value, Rejected> {
    serde_json::from_slice(input).map_err(Rejected::Json)
}

/// The cheapest defence of all: look at the size before decoding anything.
pub fn capped<T>(
    input: &[u8],
    decode: impl FnOnce(&[u8]) -> Result<T, Rejected>,
) -> Result<T, Rejected> {
    if input.len() > MAX_INPUT {
        return Err(Rejected::TooLarge {
            len: input.len(),
            max: MAX_INPUT,
        });
    }
    decode(input)
}
// ANCHOR_END: defences

/// A bincode (standard configuration) length prefix claiming `len` items:
/// the marker byte 253 announces a little-endian u64.
pub fn bincode_claim(len: u64) -> Vec<u8> {
    let mut out = vec![253];
    out.extend_from_slice(&len.to_le_bytes());
    out
}

/// A postcard length prefix claiming `len` items: a LEB128 varint.
pub fn postcard_claim(mut len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while len >= 0x80 {
        out.push((len as u8) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    out
}

/// `depth` nested JSON arrays: `[[[...]]]`.
pub fn nested_json(depth: usize) -> Vec<u8> {
    let mut out = vec![b'['; depth];
    out.resize(2 * depth, b']');
    out
}
