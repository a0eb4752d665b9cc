//! Tests for this exercise. `cargo test -p exercise-05-01-retry-client` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_01_retry_client as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use bytes::Bytes;
use ex::{Deposit, DepositReply, RetryError, RetryPolicy, deposit_with_retry};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// What the test bank does on each successive connection.
#[derive(Clone)]
enum Script {
    /// Close at once, reading nothing: the service is not there.
    Close,
    /// Apply the deposit, then close without replying: a lost reply.
    LoseReply,
    Reject(&'static str),
}

#[derive(Default)]
struct Seen {
    balance: u64,
    applied: HashMap<u128, u64>,
    keys: Vec<u128>,
    accepted_at: Vec<Instant>,
}

/// A bank that de-duplicates by key and follows `script`, then serves.
async fn bank(script: Vec<Script>) -> (SocketAddr, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = Arc::clone(&seen);
    tokio::spawn(async move {
        for n in 0.. {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            state.lock().unwrap().accepted_at.push(Instant::now());
            let step = script.get(n).cloned();
            if let Some(Script::Close) = step {
                continue; // dropped here: closed unread
            }
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let mut framed = Framed::new(stream, LengthDelimitedCodec::new());
                let Some(Ok(frame)) = framed.next().await else {
                    return;
                };
                let deposit: Deposit = postcard::from_bytes(&frame).unwrap();
                let reply: DepositReply = if let Some(Script::Reject(why)) = step {
                    Err(why.into())
                } else {
                    let mut s = state.lock().unwrap();
                    s.keys.push(deposit.key);
                    if let Some(&balance) = s.applied.get(&deposit.key) {
                        Ok(balance)
                    } else {
                        s.balance += deposit.amount;
                        let balance = s.balance;
                        s.applied.insert(deposit.key, balance);
                        Ok(balance)
                    }
                };
                if let Some(Script::LoseReply) = step {
                    return;
                }
                let payload = postcard::to_allocvec(&reply).unwrap();
                let _ = framed.send(Bytes::from(payload)).await;
            });
        }
    });
    (addr, seen)
}

fn policy(attempts: u32, base_ms: u64, cap_ms: u64) -> RetryPolicy {
    RetryPolicy {
        attempts,
        base: Duration::from_millis(base_ms),
        cap: Duration::from_millis(cap_ms),
        deadline: Duration::from_secs(2),
    }
}

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("finished within 20 s")
}

#[tokio::test]
async fn lost_replies_do_not_apply_the_deposit_twice() {
    let (addr, seen) = bank(vec![Script::LoseReply, Script::LoseReply]).await;
    let result = bounded(deposit_with_retry(addr, "alice", 100, &policy(5, 10, 100))).await;
    assert_eq!(result, Ok(100));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.balance, 100, "applied more than once");
    assert_eq!(seen.keys.len(), 3);
    assert!(
        seen.keys.iter().all(|&k| k == seen.keys[0]),
        "keys differ between attempts"
    );
}

#[tokio::test]
async fn waits_grow_between_attempts() {
    let (addr, seen) = bank(vec![Script::Close, Script::Close, Script::Close]).await;
    let result = bounded(deposit_with_retry(addr, "alice", 5, &policy(6, 40, 10_000))).await;
    assert_eq!(result, Ok(5));
    let at = seen.lock().unwrap().accepted_at.clone();
    assert_eq!(at.len(), 4);
    // Each wait lasts at least half its window, so these lower bounds hold
    // however loaded the machine is; a wait that does not double fails them.
    // (No upper bound: a busy machine may add any delay.)
    for (i, window) in [40u64, 80, 160].into_iter().enumerate() {
        let gap = at[i + 1] - at[i];
        let low = Duration::from_millis(window / 2);
        assert!(gap >= low, "gap {i}: {gap:?}, expected at least {low:?}");
    }
}

#[tokio::test]
async fn waits_are_jittered() {
    // Two clients failing together should not come back together every time.
    let (addr, seen) = bank(vec![Script::Close; 8]).await;
    let p = policy(5, 200, 200);
    let (a, b) = bounded(async {
        tokio::join!(
            deposit_with_retry(addr, "a", 1, &p),
            deposit_with_retry(addr, "b", 1, &p)
        )
    })
    .await;
    assert!(a.is_ok() && b.is_ok());
    let at = seen.lock().unwrap().accepted_at.clone();
    let spread = at.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    let together = at
        .windows(2)
        .filter(|w| w[1] - w[0] < Duration::from_millis(2))
        .count();
    assert!(spread > Duration::from_millis(2), "no spread at all");
    assert!(
        together < 5,
        "{together} of the retries came back in the same 2 ms"
    );
}

#[tokio::test]
async fn a_rejection_is_not_retried() {
    let (addr, seen) = bank(vec![Script::Reject("account frozen")]).await;
    let result = bounded(deposit_with_retry(addr, "alice", 100, &policy(5, 10, 100))).await;
    assert_eq!(result, Err(RetryError::Rejected("account frozen".into())));
    assert_eq!(seen.lock().unwrap().accepted_at.len(), 1);
}

#[tokio::test]
async fn gives_up_after_the_last_attempt() {
    let (addr, seen) = bank(vec![Script::Close; 10]).await;
    let started = Instant::now();
    let result = bounded(deposit_with_retry(addr, "alice", 100, &policy(4, 100, 100))).await;
    assert!(
        matches!(result, Err(RetryError::GaveUp { attempts: 4, .. })),
        "{result:?}"
    );
    assert_eq!(seen.lock().unwrap().accepted_at.len(), 4);
    // Three waits, each at least half the capped window of 100 ms.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(150), "took {took:?}");
}
