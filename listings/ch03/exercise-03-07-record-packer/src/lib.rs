// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables)]

//! A fixed 27-byte little-endian record, as Python's
//! `struct.pack('<IBhd12s', id, kind, level, value, name)` would write it:
//!
//! ```text
//! offset  0..4    id     u32
//!         4       kind   u8
//!         5..7    level  i16
//!         7..15   value  f64
//!         15..27  name   UTF-8, padded with zero bytes
//! ```

/// Bytes of a packed record.
pub const LEN: usize = 27;
/// Bytes of the name field.
pub const NAME_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: u32,
    pub kind: u8,
    pub level: i16,
    pub value: f64,
    /// At most 12 bytes of UTF-8, without zero bytes.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// The name is longer than 12 bytes or contains a zero byte.
    BadName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackError {
    /// Fewer than `LEN` bytes.
    Short { got: usize },
    /// The name bytes (up to the first zero) are not valid UTF-8.
    BadUtf8,
}

pub fn pack(record: &Record) -> Result<[u8; LEN], PackError> {
    todo!("check the name, then write each field's little-endian bytes at its offset")
}

/// Reads a record from the first `LEN` bytes of `buf` (more are ignored).
pub fn unpack(buf: &[u8]) -> Result<Record, UnpackError> {
    todo!("check the length, then read each field back; validate the name")
}
