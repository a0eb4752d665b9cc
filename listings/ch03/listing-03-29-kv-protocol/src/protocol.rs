//! The messages of the key-value protocol and their encoding inside a frame.
//!
//! ```text
//! request   0x01 GET    key
//!           0x02 PUT    key value
//!           0x03 DELETE key
//! response  0x81 VALUE  value
//!           0x82 NOT_FOUND
//!           0x83 OK
//!           0x84 ERROR  code:u16 message
//! key: u16 length + bytes; value and message: u32 length + bytes (big-endian)
//! ```

use std::fmt;

// ANCHOR: types
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Get { key: Vec<u8> },
    Put { key: Vec<u8>, value: Vec<u8> },
    Delete { key: Vec<u8> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Value(Vec<u8>),
    NotFound,
    Ok,
    Error { code: u16, msg: String },
}

/// Error codes a server sends back.
pub mod code {
    pub const BAD_FRAME: u16 = 1;
    pub const UNKNOWN_TYPE: u16 = 2;
    pub const MALFORMED: u16 = 3;
    pub const BUSY: u16 = 4;
}

/// Why a frame's payload is not a valid message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoError {
    Empty,
    UnknownType(u8),
    /// A field's length runs past the end of the frame.
    Short {
        field: &'static str,
    },
    /// Bytes left over after the last field.
    Trailing(usize),
    BadUtf8,
    KeyTooLong(usize),
}
// ANCHOR_END: types

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::Empty => write!(f, "empty message"),
            ProtoError::UnknownType(t) => write!(f, "unknown message type {t}"),
            ProtoError::Short { field } => write!(f, "message ends inside field `{field}`"),
            ProtoError::Trailing(n) => write!(f, "{n} bytes after the last field"),
            ProtoError::BadUtf8 => write!(f, "error message is not UTF-8"),
            ProtoError::KeyTooLong(n) => write!(f, "key of {n} bytes is too long"),
        }
    }
}

impl std::error::Error for ProtoError {}

impl ProtoError {
    /// The error code a server answers this with.
    pub fn code(&self) -> u16 {
        match self {
            ProtoError::UnknownType(_) => code::UNKNOWN_TYPE,
            _ => code::MALFORMED,
        }
    }
}

// ANCHOR: reader
/// A cursor over one frame's payload. Every read checks the length first, so
/// a lying length field becomes an error, never a panic or an allocation.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ProtoError> {
        if n > self.rest.len() {
            return Err(ProtoError::Short { field });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ProtoError> {
        let bytes = self.take(N, field)?;
        bytes.try_into().map_err(|_| ProtoError::Short { field })
    }

    /// A u16-length-prefixed field (keys).
    fn short_bytes(&mut self, field: &'static str) -> Result<Vec<u8>, ProtoError> {
        let len = u16::from_be_bytes(self.array(field)?) as usize;
        Ok(self.take(len, field)?.to_vec())
    }

    /// A u32-length-prefixed field (values, messages).
    fn long_bytes(&mut self, field: &'static str) -> Result<Vec<u8>, ProtoError> {
        let len = u32::from_be_bytes(self.array(field)?) as usize;
        Ok(self.take(len, field)?.to_vec())
    }

    fn end(self) -> Result<(), ProtoError> {
        match self.rest.len() {
            0 => Ok(()),
            n => Err(ProtoError::Trailing(n)),
        }
    }
}
// ANCHOR_END: reader

// ANCHOR: decode
impl Request {
    pub fn decode(payload: &[u8]) -> Result<Request, ProtoError> {
        let (&kind, body) = payload.split_first().ok_or(ProtoError::Empty)?;
        let mut r = Reader { rest: body };
        let req = match kind {
            0x01 => Request::Get {
                key: r.short_bytes("key")?,
            },
            0x02 => Request::Put {
                key: r.short_bytes("key")?,
                value: r.long_bytes("value")?,
            },
            0x03 => Request::Delete {
                key: r.short_bytes("key")?,
            },
            other => return Err(ProtoError::UnknownType(other)),
        };
        r.end()?;
        Ok(req)
    }
    // ANCHOR_END: decode

    pub fn encode(&self) -> Result<Vec<u8>, ProtoError> {
        let mut out = Vec::new();
        match self {
            Request::Get { key } => {
                out.push(0x01);
                put_short(&mut out, key)?;
            }
            Request::Put { key, value } => {
                out.push(0x02);
                put_short(&mut out, key)?;
                put_long(&mut out, value);
            }
            Request::Delete { key } => {
                out.push(0x03);
                put_short(&mut out, key)?;
            }
        }
        Ok(out)
    }
}

impl Response {
    pub fn decode(payload: &[u8]) -> Result<Response, ProtoError> {
        let (&kind, body) = payload.split_first().ok_or(ProtoError::Empty)?;
        let mut r = Reader { rest: body };
        let resp = match kind {
            0x81 => Response::Value(r.long_bytes("value")?),
            0x82 => Response::NotFound,
            0x83 => Response::Ok,
            0x84 => {
                let code = u16::from_be_bytes(r.array("code")?);
                let msg =
                    String::from_utf8(r.long_bytes("msg")?).map_err(|_| ProtoError::BadUtf8)?;
                Response::Error { code, msg }
            }
            other => return Err(ProtoError::UnknownType(other)),
        };
        r.end()?;
        Ok(resp)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Response::Value(v) => {
                out.push(0x81);
                put_long(&mut out, v);
            }
            Response::NotFound => out.push(0x82),
            Response::Ok => out.push(0x83),
            Response::Error { code, msg } => {
                out.push(0x84);
                out.extend_from_slice(&code.to_be_bytes());
                put_long(&mut out, msg.as_bytes());
            }
        }
        out
    }
}

fn put_short(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), ProtoError> {
    let len = u16::try_from(bytes.len()).map_err(|_| ProtoError::KeyTooLong(bytes.len()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Values are bounded by the frame size, far below `u32::MAX`; a longer one
/// would be refused by the frame encoder anyway, so saturate.
fn put_long(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Get { key } => write!(f, "GET {}", text(key)),
            Request::Put { key, value } => write!(f, "PUT {} = {}", text(key), text(value)),
            Request::Delete { key } => write!(f, "DELETE {}", text(key)),
        }
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Response::Value(v) => write!(f, "VALUE {}", text(v)),
            Response::NotFound => write!(f, "NOT_FOUND"),
            Response::Ok => write!(f, "OK"),
            Response::Error { code, msg } => write!(f, "ERROR {code}: {msg}"),
        }
    }
}
