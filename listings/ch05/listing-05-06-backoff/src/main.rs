//! Retries with exponential back-off and jitter while the server is down;
//! the server comes back on the same address after the third failure.

use listing_05_06_backoff::{Client, ClientError, Config, Server, new_key};
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::{mpsc, watch};

const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: backoff
/// Delays between attempts: doubling from `base` up to `cap`, each a random
/// point in the upper half of its window ("equal jitter"), so clients that
/// failed together do not all come back in the same millisecond.
struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    random: RandomState,
}

impl Backoff {
    fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
            random: RandomState::new(),
        }
    }

    /// The window of the next delay, then a delay drawn from it.
    fn next_delay(&mut self) -> (Duration, Duration) {
        let window = self
            .base
            .saturating_mul(1 << self.attempt.min(16))
            .min(self.cap);
        self.attempt += 1;
        let half = window / 2;
        let fraction = (self.random.hash_one(self.attempt) % 1000) as u32;
        (window, half + half * fraction / 1000)
    }
}
// ANCHOR_END: backoff

// ANCHOR: retry
async fn deposit(
    addr: SocketAddr,
    amount: u64,
    attempts: mpsc::Sender<u32>,
) -> Result<u64, ClientError> {
    let key = new_key(); // one deposit, one key, however many attempts
    let mut backoff = Backoff::new(Duration::from_millis(50), SECOND);
    for attempt in 1.. {
        let result = async {
            let mut client = Client::connect(addr, SECOND, SECOND).await?;
            client.deposit("alice", amount, key).await
        };
        match result.await {
            Err(e) if e.is_transient() && attempt < 8 => {
                let (window, delay) = backoff.next_delay();
                let (lo, hi) = ((window / 2).as_millis(), window.as_millis());
                let inside = (lo..=hi).contains(&delay.as_millis());
                println!("attempt {attempt}: {e}\n  next in {lo}..{hi} ms: {inside}");
                let _ = attempts.send(attempt).await;
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns by the last attempt")
}
// ANCHOR_END: retry

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Reserve an address with a socket that is bound but not listening: a
    // connect to it is refused, like a server that crashed, and the kernel
    // never hands this port to a client as its own ephemeral port (which
    // could connect the client to itself). SO_REUSEADDR lets the server
    // bind the same port later, while the reservation still holds it.
    let reserved = TcpSocket::new_v4()?;
    reserved.set_reuseaddr(true)?;
    reserved.bind(([127, 0, 0, 1], 0).into())?;
    let addr = reserved.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let (attempts, mut failed) = mpsc::channel(8);
    let restart = tokio::spawn(async move {
        while failed.recv().await.is_some_and(|n| n < 3) {}
        let server = Server::bind(addr, Config::default()).await?;
        drop(reserved);
        println!("server back on the same address");
        Ok::<_, std::io::Error>(server.run(stopped).await)
    });
    let balance = deposit(addr, 100, attempts).await?;
    println!("deposit accepted, balance {balance}");
    stop.send(true)?;
    restart.await??;
    Ok(())
}
// ANCHOR_END: main
