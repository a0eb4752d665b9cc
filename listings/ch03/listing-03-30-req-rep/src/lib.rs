//! A request-reply service over ZeroMQ: a REP server that answers every
//! request (malformed ones with an error reply) and a REQ client that
//! recovers from a server that never answers.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The largest request the server accepts, in bytes. libzmq checks the size
/// a peer announces in each frame's header against it and drops the
/// connection before it allocates anything for a bigger frame.
pub const MAX_REQUEST: usize = 1024;

/// How often a waiting server wakes to look at its stop flag.
const TICK_MS: i32 = 50;

/// Why a request got an error reply instead of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    NotUtf8,
    Empty,
    UnknownCommand(String),
    BadArgument(&'static str),
    MultiFrame(usize),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::NotUtf8 => write!(f, "request is not UTF-8"),
            RequestError::Empty => write!(f, "empty request"),
            RequestError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            RequestError::BadArgument(why) => write!(f, "bad argument: {why}"),
            RequestError::MultiFrame(n) => write!(f, "expected 1 frame, got {n}"),
        }
    }
}

// ANCHOR: handle
/// The service itself: a pure function from request bytes to an answer.
pub fn handle(request: &[u8]) -> Result<String, RequestError> {
    let text = std::str::from_utf8(request).map_err(|_| RequestError::NotUtf8)?;
    let (command, rest) = text.split_once(' ').unwrap_or((text, ""));
    match command {
        "" => Err(RequestError::Empty),
        "ping" => Ok("pong".to_string()),
        "upper" => Ok(rest.to_uppercase()),
        "add" => {
            let mut numbers = rest.split(' ').map(str::parse::<i64>);
            match (numbers.next(), numbers.next(), numbers.next()) {
                (Some(Ok(a)), Some(Ok(b)), None) => a
                    .checked_add(b)
                    .map(|sum| sum.to_string())
                    .ok_or(RequestError::BadArgument("sum overflows i64")),
                _ => Err(RequestError::BadArgument("add takes two integers")),
            }
        }
        // Echo at most 32 characters of whatever the client sent.
        other => Err(RequestError::UnknownCommand(
            other.chars().take(32).collect(),
        )),
    }
}
// ANCHOR_END: handle

/// The reply the server sends: `ok <answer>` or `error: <reason>`.
pub fn reply_to(request: &[u8]) -> String {
    match handle(request) {
        Ok(answer) => format!("ok {answer}"),
        Err(e) => format!("error: {e}"),
    }
}

// ANCHOR: bind
/// A REP socket bound to `endpoint` (`tcp://127.0.0.1:*` picks a free port),
/// and the endpoint it actually got.
pub fn bind(ctx: &zmq::Context, endpoint: &str) -> zmq::Result<(zmq::Socket, String)> {
    let socket = ctx.socket(zmq::REP)?;
    socket.set_maxmsgsize(MAX_REQUEST as i64)?;
    socket.set_rcvtimeo(TICK_MS)?; // wake up to check the stop flag
    socket.set_linger(0)?; // on close, drop unsent replies at once
    socket.bind(endpoint)?;
    let bound = socket
        .get_last_endpoint()?
        .map_err(|_| zmq::Error::EINVAL)?;
    Ok((socket, bound))
}
// ANCHOR_END: bind

// ANCHOR: serve
/// Answers requests until `stop` is set; returns how many it answered.
pub fn serve(socket: &zmq::Socket, stop: &AtomicBool) -> zmq::Result<u64> {
    let mut answered = 0;
    while !stop.load(Ordering::Relaxed) {
        let request = match socket.recv_bytes(0) {
            Ok(request) => request,
            Err(zmq::Error::EAGAIN) => continue, // nothing within a tick
            Err(e) => return Err(e),
        };
        // A REP socket must read the whole request before it may reply.
        // Drain extra frames one at a time, so at most one frame (capped
        // by MAX_REQUEST) is held in memory.
        let mut frames = 1;
        while socket.get_rcvmore()? {
            socket.recv_bytes(0)?;
            frames += 1;
        }
        let reply = match frames {
            1 => reply_to(&request),
            n => format!("error: {}", RequestError::MultiFrame(n)),
        };
        // If the client has gone, libzmq discards the reply: no error here.
        socket.send(reply.as_bytes(), 0)?;
        answered += 1;
    }
    Ok(answered)
}
// ANCHOR_END: serve

/// Why a client request produced no reply.
#[derive(Debug)]
pub enum ClientError {
    /// No reply within the timeout; the socket has been replaced.
    Timeout,
    NotUtf8Reply,
    Zmq(zmq::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Timeout => write!(f, "no reply in time"),
            ClientError::NotUtf8Reply => write!(f, "reply is not UTF-8"),
            ClientError::Zmq(e) => write!(f, "zmq: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<zmq::Error> for ClientError {
    fn from(e: zmq::Error) -> Self {
        ClientError::Zmq(e)
    }
}

/// A REQ client whose every wait is bounded by `timeout`.
pub struct Client {
    ctx: zmq::Context,
    endpoint: String,
    timeout: Duration,
    socket: zmq::Socket,
}

// ANCHOR: client
impl Client {
    pub fn connect(ctx: &zmq::Context, endpoint: &str, timeout: Duration) -> zmq::Result<Client> {
        let socket = Self::fresh_socket(ctx, endpoint, timeout)?;
        let (ctx, endpoint) = (ctx.clone(), endpoint.to_string());
        Ok(Client {
            ctx,
            endpoint,
            timeout,
            socket,
        })
    }

    fn fresh_socket(ctx: &zmq::Context, endpoint: &str, t: Duration) -> zmq::Result<zmq::Socket> {
        let socket = ctx.socket(zmq::REQ)?;
        let ms = i32::try_from(t.as_millis()).unwrap_or(i32::MAX);
        socket.set_rcvtimeo(ms)?;
        socket.set_sndtimeo(ms)?;
        socket.set_linger(0)?; // closing must not wait for a dead server
        socket.connect(endpoint)?;
        Ok(socket)
    }

    /// One request, one reply. After a timeout the REQ socket is stuck
    /// (it may not send again before it receives), so it is replaced.
    pub fn request(&mut self, request: &[u8]) -> Result<String, ClientError> {
        self.socket.send(request, 0)?;
        match self.socket.recv_bytes(0) {
            Ok(reply) => String::from_utf8(reply).map_err(|_| ClientError::NotUtf8Reply),
            Err(zmq::Error::EAGAIN) => {
                self.socket = Self::fresh_socket(&self.ctx, &self.endpoint, self.timeout)?;
                Err(ClientError::Timeout)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The "lazy pirate": try up to `attempts` times, then give up.
    pub fn request_retrying(
        &mut self,
        request: &[u8],
        attempts: u32,
    ) -> Result<String, ClientError> {
        let mut result = Err(ClientError::Timeout);
        for _ in 0..attempts {
            result = self.request(request);
            if !matches!(result, Err(ClientError::Timeout)) {
                break;
            }
        }
        result
    }
}
// ANCHOR_END: client

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_errors() {
        assert_eq!(handle(b"ping"), Ok("pong".into()));
        assert_eq!(handle(b"upper abc"), Ok("ABC".into()));
        assert_eq!(handle(b"add 2 40"), Ok("42".into()));
        assert_eq!(handle(b"\xff\xfe"), Err(RequestError::NotUtf8));
        assert_eq!(handle(b""), Err(RequestError::Empty));
        assert!(matches!(
            handle(b"add 1"),
            Err(RequestError::BadArgument(_))
        ));
        assert!(matches!(
            handle(b"add 1 2 3"),
            Err(RequestError::BadArgument(_))
        ));
        let overflow = format!("add {} 1", i64::MAX);
        assert!(matches!(
            handle(overflow.as_bytes()),
            Err(RequestError::BadArgument(_))
        ));
        let long = "x".repeat(500);
        match handle(long.as_bytes()) {
            Err(RequestError::UnknownCommand(c)) => assert_eq!(c.len(), 32),
            other => panic!("unexpected {other:?}"),
        }
    }
}
