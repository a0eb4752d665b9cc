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
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

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

/// Reads exactly `buf.len()` bytes within `deadline`.
async fn read_within<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut [u8],
    deadline: Duration,
) -> Result<(), HandshakeError> {
    match tokio::time::timeout(deadline, stream.read_exact(buf)).await {
        Err(_) => Err(HandshakeError::Timeout),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(HandshakeError::Truncated)
        }
        Ok(Err(e)) => Err(HandshakeError::Io(e.to_string())),
        Ok(Ok(_)) => Ok(()),
    }
}

async fn write_within<S: AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
    deadline: Duration,
) -> Result<(), HandshakeError> {
    match tokio::time::timeout(deadline, stream.write_all(bytes)).await {
        Err(_) => Err(HandshakeError::Timeout),
        Ok(Err(e)) => Err(HandshakeError::Io(e.to_string())),
        Ok(Ok(())) => Ok(()),
    }
}

fn check_magic(buf: &[u8]) -> Result<(), HandshakeError> {
    let magic = [buf[0], buf[1], buf[2]];
    if magic == MAGIC {
        Ok(())
    } else {
        Err(HandshakeError::BadMagic(magic))
    }
}

fn u16_at(buf: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([buf[i], buf[i + 1]])
}

/// Client side: offer `supported`, return the version the server chose.
pub async fn client_hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    supported: RangeInclusive<u16>,
    deadline: Duration,
) -> Result<u16, HandshakeError> {
    // One write for the whole hello (Nagle, Section 3.3).
    write_within(stream, &hello(&supported), deadline).await?;
    let mut buf = [0u8; 8];
    read_within(stream, &mut buf, deadline).await?;
    check_magic(&buf)?;
    let (a, b) = (u16_at(&buf, 4), u16_at(&buf, 6));
    match buf[3] {
        STATUS_CHOSEN if supported.contains(&a) => Ok(a),
        STATUS_CHOSEN => Err(HandshakeError::Invalid(format!(
            "server chose version {a}, outside the {supported:?} offered"
        ))),
        STATUS_NONE => Err(HandshakeError::NoCommonVersion {
            client: supported,
            server: a..=b,
        }),
        other => Err(HandshakeError::Invalid(format!("unknown status {other}"))),
    }
}

/// Server side: read a hello, answer it, return the version chosen.
pub async fn server_hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    supported: RangeInclusive<u16>,
    deadline: Duration,
) -> Result<u16, HandshakeError> {
    let mut buf = [0u8; 7];
    read_within(stream, &mut buf, deadline).await?;
    // Another protocol's bytes are not a version to negotiate about.
    check_magic(&buf)?;
    let client = u16_at(&buf, 3)..=u16_at(&buf, 5);
    if client.is_empty() {
        return Err(HandshakeError::Invalid(format!("empty range {client:?}")));
    }
    let best = (*client.end()).min(*supported.end());
    if best >= (*client.start()).max(*supported.start()) {
        write_within(stream, &answer(STATUS_CHOSEN, best, 0), deadline).await?;
        return Ok(best);
    }
    let (lo, hi) = (*supported.start(), *supported.end());
    write_within(stream, &answer(STATUS_NONE, lo, hi), deadline).await?;
    Err(HandshakeError::NoCommonVersion {
        client,
        server: supported,
    })
}
