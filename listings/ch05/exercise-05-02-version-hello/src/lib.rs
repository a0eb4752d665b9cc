//! A version handshake at the start of a connection.
//!
//! ```text
//! client -> server  hello   "BNK" | min: u16 | max: u16                 7 bytes
//! server -> client  answer  "BNK" | 0 | chosen: u16 | 0: u16            8 bytes
//!                       or  "BNK" | 1 | server min: u16 | server max: u16
//! ```
//! All numbers are big-endian.

use std::ops::RangeInclusive;
use std::time::Duration;
// `AsyncReadExt::read_exact` and `AsyncWriteExt::write_all` will help.
use tokio::io::{AsyncRead, AsyncWrite};

pub const MAGIC: [u8; 3] = *b"BNK";
pub const STATUS_CHOSEN: u8 = 0;
pub const STATUS_NONE: u8 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {
    /// The peer does not speak this protocol at all.
    BadMagic([u8; 3]),
    /// The ranges do not overlap; both are named so a person can act.
    NoCommonVersion {
        client: RangeInclusive<u16>,
        server: RangeInclusive<u16>,
    },
    /// The peer closed the connection inside the handshake.
    Truncated,
    /// The peer said nothing for the whole deadline.
    Timeout,
    /// A malformed message: an unknown status byte, a chosen version outside
    /// the range offered, a range with min > max.
    Invalid(String),
    Io(String),
}

/// The client's hello.
pub fn hello(range: &RangeInclusive<u16>) -> [u8; 7] {
    let [a0, a1] = range.start().to_be_bytes();
    let [b0, b1] = range.end().to_be_bytes();
    [MAGIC[0], MAGIC[1], MAGIC[2], a0, a1, b0, b1]
}

/// The server's answer.
pub fn answer(status: u8, a: u16, b: u16) -> [u8; 8] {
    let [a0, a1] = a.to_be_bytes();
    let [b0, b1] = b.to_be_bytes();
    [MAGIC[0], MAGIC[1], MAGIC[2], status, a0, a1, b0, b1]
}

/// Client side: offer `supported`, return the version the server chose.
pub async fn client_hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    supported: RangeInclusive<u16>,
    deadline: Duration,
) -> Result<u16, HandshakeError> {
    let _ = (stream, supported, deadline);
    todo!("send the hello in one write, read the 8-byte answer within the deadline")
}

/// Server side: read a hello, answer it, return the version chosen.
pub async fn server_hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    supported: RangeInclusive<u16>,
    deadline: Duration,
) -> Result<u16, HandshakeError> {
    let _ = (stream, supported, deadline);
    todo!("read the hello within the deadline, pick the highest common version, answer")
}
