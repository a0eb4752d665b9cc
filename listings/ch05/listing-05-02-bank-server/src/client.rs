//! A client for the bank: a bounded connect, a deadline on every request,
//! typed errors that say whether a retry may help.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use listing_05_02_bank_server::protocol::{
    self, Answer, DecodeError, Op, Reply, Request, ServerError, VERSION,
};
use std::fmt;
use std::io;
use std::time::Duration;
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::time::timeout;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

#[derive(Debug)]
pub enum ClientError {
    /// No connection: refused, unreachable, or not made within the timeout.
    Connect(io::Error),
    /// No reply within the request's deadline.
    Timeout(Duration),
    Io(io::Error),
    /// The server closed the connection before replying.
    Closed,
    Decode(DecodeError),
    /// A reply to another request: the connection is out of step.
    WrongId {
        sent: u64,
        got: u64,
    },
    /// The server understood the request and refused it.
    Server(ServerError),
}

impl ClientError {
    /// True if the same request may succeed on a new connection. Whether a
    /// retry is *safe* is another question: see idempotency keys.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Connect(_)
            | ClientError::Timeout(_)
            | ClientError::Io(_)
            | ClientError::Closed => true,
            ClientError::Server(e) => matches!(e, ServerError::Busy),
            _ => false,
        }
    }
}

// ANCHOR: client
pub struct Client {
    framed: Framed<TcpStream, LengthDelimitedCodec>,
    next_id: u64,
    deadline: Duration,
}

impl Client {
    pub async fn connect(
        addr: impl ToSocketAddrs,
        connect_timeout: Duration,
        deadline: Duration,
    ) -> Result<Client, ClientError> {
        let stream = timeout(connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| ClientError::Connect(io::ErrorKind::TimedOut.into()))?
            .map_err(ClientError::Connect)?;
        stream.set_nodelay(true).map_err(ClientError::Io)?;
        let framed = Framed::new(stream, protocol::codec());
        Ok(Client {
            framed,
            next_id: 0,
            deadline,
        })
    }

    /// One request and its reply, all within the deadline. After an error
    /// the connection's state is unknown: drop the client, connect again.
    pub async fn call(&mut self, op: Op) -> Result<Answer, ClientError> {
        self.next_id += 1;
        let id = self.next_id;
        let payload = protocol::encode(&Request {
            version: VERSION,
            id,
            op,
        });
        let exchange = async {
            self.framed
                .send(Bytes::from(payload))
                .await
                .map_err(ClientError::Io)?;
            match self.framed.next().await {
                None => Err(ClientError::Closed),
                Some(Err(e)) => Err(ClientError::Io(e)),
                Some(Ok(frame)) => protocol::decode::<Reply>(&frame).map_err(ClientError::Decode),
            }
        };
        let reply = timeout(self.deadline, exchange)
            .await
            .map_err(|_| ClientError::Timeout(self.deadline))??;
        match reply {
            // Id 0 is a server's error about the connection itself.
            Reply {
                id: got, result, ..
            } if got == id || got == 0 => result.map_err(ClientError::Server),
            Reply { id: got, .. } => Err(ClientError::WrongId { sent: id, got }),
        }
    }
    // ANCHOR_END: client

    pub async fn balance(&mut self, account: &str) -> Result<u64, ClientError> {
        let op = Op::Balance {
            account: account.into(),
        };
        match self.call(op).await? {
            Answer::Balance(b) | Answer::Deposited { balance: b } => Ok(b),
        }
    }

    /// Deposits `amount` under idempotency key `key`; returns the balance.
    pub async fn deposit(
        &mut self,
        account: &str,
        amount: u64,
        key: u128,
    ) -> Result<u64, ClientError> {
        let op = Op::Deposit {
            account: account.into(),
            amount,
            key,
        };
        match self.call(op).await? {
            Answer::Balance(b) | Answer::Deposited { balance: b } => Ok(b),
        }
    }

    /// Sends a payload as it is, framed: for tests and demos of bad input.
    pub async fn send_payload(&mut self, payload: Vec<u8>) -> Result<Reply, ClientError> {
        self.framed
            .send(Bytes::from(payload))
            .await
            .map_err(ClientError::Io)?;
        let next = timeout(self.deadline, self.framed.next())
            .await
            .map_err(|_| ClientError::Timeout(self.deadline))?;
        match next {
            None => Err(ClientError::Closed),
            Some(Err(e)) => Err(ClientError::Io(e)),
            Some(Ok(frame)) => protocol::decode::<Reply>(&frame).map_err(ClientError::Decode),
        }
    }
}

/// A fresh idempotency key: 128 random bits, so two clients never pick the
/// same one by accident.
pub fn new_key() -> u128 {
    use std::hash::{BuildHasher, RandomState};
    // RandomState's hash keys come from the OS's randomness (once per
    // thread, then varied for each new instance): not a cryptographic
    // generator, but unpredictable enough to avoid accidental collisions.
    let half = || RandomState::new().hash_one(0u8) as u128;
    (half() << 64) | half()
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect(e) => write!(f, "cannot connect: {e}"),
            ClientError::Timeout(d) => write!(f, "no reply within {} ms", d.as_millis()),
            ClientError::Io(e) => write!(f, "i/o: {e}"),
            ClientError::Closed => write!(f, "server closed the connection"),
            ClientError::Decode(e) => write!(f, "bad reply: {e}"),
            ClientError::WrongId { sent, got } => {
                write!(f, "reply to request {got} while waiting for {sent}")
            }
            ClientError::Server(e) => write!(f, "server: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}
