//! Three counters on a 500 ms lease: one kept, one forgotten, and one whose
//! client stops renewing for a while (a long pause, or a network cut).
//! The server judges leases by a clock the demo moves by hand, a third of
//! a lease at a time, so the outcome does not depend on scheduling.
//! `LEASE_ADDR` picks the server's address (default 127.0.0.1:0).

use std::time::Duration;

use listing_05_22_leases::{Clock, Counter, connect, start_with_clock, within};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("LEASE_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let lease = Duration::from_millis(500);
    let clock = Clock::manual();
    let addr = start_with_clock(&addr, lease, clock.clone()).await?;
    let client = connect(&addr).await?;
    let err = |e| format!("{e:?}");
    let t = Duration::from_secs(10); // a deadline for each call, not a lease

    // ANCHOR: demo
    let mut kept = Counter::create(&client).await.map_err(err)?;
    let forgotten = Counter::create(&client).await.map_err(err)?;
    let forgotten_id = forgotten.id();
    drop(forgotten); // or the client crashed: nobody renews it now
    let paused = client.create(within(t)).await?.map_err(err)?.0;
    let live = client.live(within(t)).await?;
    println!("lease 500 ms; objects on the server: {live}");

    for _ in 0..9 {
        clock.advance(lease / 3); // the server's clock: 3 leases in all
        if !kept.next_renewal(t).await {
            return Err("no renewal arrived".into());
        }
    }
    println!("after 3 leases:");
    println!("  kept      add(1) -> {:?}", kept.add(1).await);
    let r = client.add(within(t), forgotten_id, 1).await?;
    println!("  forgotten add(1) -> {r:?}");
    let r = client.add(within(t), paused, 1).await?;
    println!("  paused    add(1) -> {r:?}");
    println!("  objects on the server: {}", client.live(within(t)).await?);
    // ANCHOR_END: demo
    Ok(())
}
