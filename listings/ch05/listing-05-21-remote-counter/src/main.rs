//! One generic function drives a local counter and a remote one; then the
//! differences show: cost per call, identity, and a server that dies.
//! `COUNTER_ADDR` picks the server's address (default 127.0.0.1:0).

use std::time::{Duration, Instant};

use listing_05_21_remote_counter::{Counter, CounterError, Link, LocalCounter, Objects, Server};

// ANCHOR: generic
/// Written once for any counter: it cannot tell a proxy from the real thing.
async fn count_to<C: Counter>(c: &C, n: u64) -> Result<u64, CounterError> {
    let mut last = 0;
    for _ in 0..n {
        last = c.add(1).await?;
    }
    Ok(last)
}
// ANCHOR_END: generic

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("COUNTER_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let objects = Objects::default();
    let server = Server::start(&addr, objects.clone())?;
    let link = Link::new(&server.addr, Duration::from_millis(500));

    // ANCHOR: demo
    let local = LocalCounter::default();
    let remote = link.create().await.map_err(|e| format!("{e:?}"))?;
    let t = Instant::now();
    let r = count_to(&local, 1000).await;
    let local_time = t.elapsed();
    println!("local:  1,000 x add(1) -> {r:?}");
    let t = Instant::now();
    let r = count_to(&remote, 1000).await;
    let loop_time = t.elapsed();
    println!("remote: 1,000 x add(1) -> {r:?}");
    let t = Instant::now();
    let r = remote.add_all(vec![1; 1000]).await;
    let batch_time = t.elapsed();
    println!("remote: add_all(1,000 ones) -> {r:?}");
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    println!(
        "a remote loop costs {:.0}x a local one",
        ratio(loop_time, local_time)
    );
    println!(
        "1,000 calls cost {:.0}x one batched call",
        ratio(loop_time, batch_time)
    );

    let same = link.open(remote.id());
    let other = link.create().await.map_err(|e| format!("{e:?}"))?;
    println!("two proxies, one object: equal = {}", same == remote);
    other.add(2000).await.map_err(|e| format!("{e:?}"))?;
    println!("two objects, both at 2000: equal = {}", other == remote);

    let addr = server.addr.clone();
    server.kill();
    let t = Instant::now();
    println!("server killed: add(1) -> {:?}", remote.add(1).await);
    println!("  once more    add(1) -> {:?}", remote.add(1).await);
    // The deadline (500 ms a call) is only the upper bound: a closed
    // connection and a refused connect are reported at once.
    println!(
        "  both failed in {:.1?}, deadline 500 ms a call",
        t.elapsed()
    );
    let _server = Server::start(&addr, objects)?;
    println!("server restarted: add(1) -> {:?}", remote.add(1).await);
    // ANCHOR_END: demo
    Ok(())
}
