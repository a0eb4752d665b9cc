//! A deposit client for a bank that de-duplicates by idempotency key. The
//! wire code is given; you write the retry loop at the end.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// One deposit on the wire (postcard inside a length-prefixed frame).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deposit {
    pub account: String,
    pub amount: u64,
    pub key: u128,
}

/// The server's reply: the new balance, or why it refused.
pub type DepositReply = Result<u64, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptError {
    /// No connection, no reply in time, or the connection closed: a retry
    /// on a new connection may succeed.
    Transient(String),
    /// The server answered with a refusal: the same request gets the same.
    Rejected(String),
}

/// Makes one attempt on a fresh connection, all within `deadline`.
pub async fn deposit_once(
    addr: SocketAddr,
    deposit: &Deposit,
    deadline: Duration,
) -> Result<u64, AttemptError> {
    let transient = |e: &dyn std::fmt::Display| AttemptError::Transient(e.to_string());
    let exchange = async {
        let stream = TcpStream::connect(addr).await.map_err(|e| transient(&e))?;
        let mut framed = Framed::new(stream, LengthDelimitedCodec::new());
        let payload = postcard::to_allocvec(deposit).map_err(|e| transient(&e))?;
        framed
            .send(Bytes::from(payload))
            .await
            .map_err(|e| transient(&e))?;
        let frame = match framed.next().await {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return Err(transient(&e)),
            None => return Err(transient(&"connection closed before the reply")),
        };
        let reply: DepositReply = postcard::from_bytes(&frame).map_err(|e| transient(&e))?;
        reply.map_err(AttemptError::Rejected)
    };
    tokio::time::timeout(deadline, exchange)
        .await
        .unwrap_or(Err(AttemptError::Transient("deadline passed".into())))
}

/// A fresh random idempotency key.
pub fn new_key() -> u128 {
    use std::hash::{BuildHasher, RandomState};
    let half = || RandomState::new().hash_one(0u8) as u128;
    (half() << 64) | half()
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Window of the first back-off; each later window doubles, up to `cap`.
    pub base: Duration,
    pub cap: Duration,
    /// Deadline of each attempt.
    pub deadline: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryError {
    /// The server refused the deposit; it was not retried.
    Rejected(String),
    /// Every attempt failed transiently; `last` is the last failure.
    GaveUp { attempts: u32, last: String },
}

/// Deposits `amount` into `account`, retrying transient failures. Every
/// attempt carries the same idempotency key; between attempts, wait a random
/// time in the upper half of a window that doubles from `policy.base` up to
/// `policy.cap`.
pub async fn deposit_with_retry(
    addr: SocketAddr,
    account: &str,
    amount: u64,
    policy: &RetryPolicy,
) -> Result<u64, RetryError> {
    use std::hash::{BuildHasher, RandomState};
    // The key names this deposit: every attempt must carry the same one.
    let deposit = Deposit {
        account: account.into(),
        amount,
        key: new_key(),
    };
    let random = RandomState::new();
    let mut last = String::new();
    for attempt in 1..=policy.attempts {
        match deposit_once(addr, &deposit, policy.deadline).await {
            Ok(balance) => return Ok(balance),
            Err(AttemptError::Rejected(why)) => return Err(RetryError::Rejected(why)),
            Err(AttemptError::Transient(why)) => last = why,
        }
        if attempt < policy.attempts {
            let window = policy
                .base
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(policy.cap);
            let half = window / 2;
            let fraction = (random.hash_one(attempt) % 1000) as u32;
            tokio::time::sleep(half + half * fraction / 1000).await;
        }
    }
    Err(RetryError::GaveUp {
        attempts: policy.attempts,
        last,
    })
}
