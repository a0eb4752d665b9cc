//! A key-value store with its own binary protocol over TCP.

pub mod codec;
pub mod protocol;
pub mod server;

pub use protocol::{ProtoError, Request, Response, code};
pub use server::{Config, Server};

use codec::{Decoder, FrameError};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

#[derive(Debug)]
pub enum ClientError {
    Io(io::Error),
    Frame(FrameError),
    Proto(ProtoError),
    /// The server closed the connection before a whole response arrived.
    Closed,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "i/o: {e}"),
            ClientError::Frame(e) => write!(f, "framing: {e}"),
            ClientError::Proto(e) => write!(f, "protocol: {e}"),
            ClientError::Closed => write!(f, "connection closed by the server"),
        }
    }
}

impl std::error::Error for ClientError {}

// ANCHOR: client
/// A client connection; every wait is bounded by `timeout`.
pub struct Client {
    stream: TcpStream,
    decoder: Decoder,
    max: usize,
}

impl Client {
    pub fn connect(addr: SocketAddr, max: usize, timeout: Duration) -> io::Result<Client> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.set_nodelay(true)?;
        Ok(Client {
            stream,
            decoder: Decoder::new(max),
            max,
        })
    }

    pub fn call(&mut self, request: &Request) -> Result<Response, ClientError> {
        let payload = request.encode().map_err(ClientError::Proto)?;
        let mut frame = Vec::new();
        codec::encode(&payload, self.max, &mut frame).map_err(ClientError::Frame)?;
        self.send_raw(&frame).map_err(ClientError::Io)?;
        self.read_response()
    }
    // ANCHOR_END: client

    /// Sends bytes as they are, framed or not: for tests of bad input.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Waits for the next complete response.
    pub fn read_response(&mut self) -> Result<Response, ClientError> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.decoder.next_frame().map_err(ClientError::Frame)? {
                return Response::decode(&frame).map_err(ClientError::Proto);
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(ClientError::Closed),
                Ok(n) => self.decoder.feed(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ClientError::Io(e)),
            }
        }
    }

    /// True if the server has closed the connection (bounded by the timeout).
    pub fn is_closed(&mut self) -> bool {
        matches!(self.read_response(), Err(ClientError::Closed))
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}
