//! A copy of Listing 5-1's bank protocol, so this folder builds on its own.

use serde::{Deserialize, Serialize};
use std::fmt;
use tokio_util::codec::LengthDelimitedCodec;

/// The version this code speaks. Version 1 had no idempotency keys.
pub const VERSION: u16 = 2;
/// Largest payload either side accepts, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;

// ANCHOR: types
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// First field on the wire, so a peer can read it before anything else.
    pub version: u16,
    /// Chosen by the client; the reply carries it back.
    pub id: u64,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Balance {
        account: String,
    },
    /// `key` names one logical deposit: a server applies each key once.
    Deposit {
        account: String,
        amount: u64,
        key: u128,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub version: u16,
    pub id: u64,
    pub result: Result<Answer, ServerError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Balance(u64),
    /// The balance right after this deposit was applied.
    Deposited {
        balance: u64,
    },
}

/// Errors a server reports to its client, as values on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerError {
    Version {
        server: u16,
        client: u16,
    },
    Malformed(String),
    TooLarge {
        max: u64,
    },
    Overflow,
    /// The server holds as many accounts as its configuration allows.
    TooManyAccounts,
    Busy,
}
// ANCHOR_END: types

// ANCHOR: decode
/// Why a payload is not a message this side accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The peer speaks another version; nothing after the number was read.
    Version {
        ours: u16,
        theirs: u16,
    },
    Malformed(String),
    /// The message ended, and this many bytes were left in the frame.
    Trailing(usize),
}

/// Decodes a whole payload: the version first, then the rest only if the
/// version is ours, because another version's layout may differ after it.
pub fn decode<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, DecodeError> {
    let malformed = |e: postcard::Error| DecodeError::Malformed(e.to_string());
    let (theirs, _) = postcard::take_from_bytes::<u16>(payload).map_err(malformed)?;
    if theirs != VERSION {
        return Err(DecodeError::Version {
            ours: VERSION,
            theirs,
        });
    }
    let (message, rest) = postcard::take_from_bytes::<T>(payload).map_err(malformed)?;
    match rest.len() {
        0 => Ok(message),
        n => Err(DecodeError::Trailing(n)),
    }
}

pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serialising into a Vec cannot fail for these types.
    postcard::to_allocvec(message).expect("postcard encodes every message type")
}

/// The framing both sides use: a 4-byte big-endian length, checked against
/// `MAX_FRAME` before any buffer is sized by it.
pub fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .max_frame_length(MAX_FRAME)
        .new_codec()
}
// ANCHOR_END: decode

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Version { ours, theirs } => {
                write!(f, "peer speaks version {theirs}, this side speaks {ours}")
            }
            DecodeError::Malformed(e) => write!(f, "malformed message: {e}"),
            DecodeError::Trailing(n) => write!(f, "{n} bytes after the message"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Version { server, client } => write!(
                f,
                "server speaks version {server}, client sent version {client}"
            ),
            ServerError::Malformed(e) => write!(f, "malformed request: {e}"),
            ServerError::TooLarge { max } => write!(f, "frame larger than {max} bytes"),
            ServerError::Overflow => write!(f, "balance would overflow"),
            ServerError::TooManyAccounts => write!(f, "no room for another account"),
            ServerError::Busy => write!(f, "too many connections"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<DecodeError> for ServerError {
    fn from(e: DecodeError) -> ServerError {
        match e {
            DecodeError::Version { ours, theirs } => ServerError::Version {
                server: ours,
                client: theirs,
            },
            other => ServerError::Malformed(other.to_string()),
        }
    }
}
