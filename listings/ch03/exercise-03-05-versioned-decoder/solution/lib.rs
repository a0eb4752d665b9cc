//! A versioned, size-limited decoder for messages from untrusted peers.
//!
//! Wire format: one version byte, then the postcard encoding of that
//! version's struct. Version 1 is `MessageV1`; version 2 is `Message`, the
//! current type.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest message (version byte included) the decoder accepts.
pub const MAX_MESSAGE: usize = 4096;

/// The version `encode` writes.
pub const CURRENT_VERSION: u8 = 2;

/// What version 1 messages carry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct MessageV1 {
    pub id: u64,
    pub body: String,
}

/// The current message: version 2 added a priority.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Message {
    pub id: u64,
    pub priority: u8,
    pub body: String,
}

/// The priority a version 1 message gets when it is upgraded.
pub const DEFAULT_PRIORITY: u8 = 1;

impl From<MessageV1> for Message {
    fn from(old: MessageV1) -> Self {
        Message {
            id: old.id,
            priority: DEFAULT_PRIORITY,
            body: old.body,
        }
    }
}

/// Why `decode` refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// The input is longer than `MAX_MESSAGE`; nothing was parsed.
    TooLarge { len: usize, max: usize },
    /// Not even a version byte.
    Empty,
    /// A version this decoder does not know.
    UnknownVersion(u8),
    /// The payload is not a valid encoding of that version's struct.
    Malformed(postcard::Error),
    /// A valid message followed by bytes that belong to nothing.
    TrailingBytes { extra: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooLarge { len, max } => {
                write!(f, "message of {len} bytes, the limit is {max}")
            }
            DecodeError::Empty => write!(f, "empty message"),
            DecodeError::UnknownVersion(v) => write!(f, "unknown version {v}"),
            DecodeError::Malformed(e) => write!(f, "malformed payload: {e}"),
            DecodeError::TrailingBytes { extra } => write!(f, "{extra} bytes after the message"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Encodes `message` as the current version.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut out = vec![CURRENT_VERSION];
    out.extend(postcard::to_allocvec(message).expect("a Message always serialises"));
    out
}

/// Encodes `message` as version 1, the way an old sender does.
pub fn encode_v1(message: &MessageV1) -> Vec<u8> {
    let mut out = vec![1];
    out.extend(postcard::to_allocvec(message).expect("a MessageV1 always serialises"));
    out
}

/// Decodes one message of either version into the current type.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    // The size first: a length comparison allocates nothing, whatever the
    // bytes claim inside.
    if bytes.len() > MAX_MESSAGE {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_MESSAGE,
        });
    }
    let (&version, rest) = bytes.split_first().ok_or(DecodeError::Empty)?;
    match version {
        1 => payload::<MessageV1>(rest).map(Message::from),
        2 => payload::<Message>(rest),
        other => Err(DecodeError::UnknownVersion(other)),
    }
}

/// Decodes a whole payload: a valid value and nothing after it.
fn payload<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let (value, unused) = postcard::take_from_bytes(bytes).map_err(DecodeError::Malformed)?;
    if !unused.is_empty() {
        return Err(DecodeError::TrailingBytes {
            extra: unused.len(),
        });
    }
    Ok(value)
}
