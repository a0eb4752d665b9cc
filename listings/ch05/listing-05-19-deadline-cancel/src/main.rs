//! Three calls of `crunch(100)` (about a second of work): one whose deadline
//! expires, one whose caller gives up, and a short one that finishes.
//! `WORK_ADDR` picks the server's address (default 127.0.0.1:0).

use std::time::{Duration, Instant};

use listing_05_19_deadline_cancel::{connect, start, within};
use tokio::time::timeout;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("WORK_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let (addr, mut ended) = start(&addr).await?;
    let work = connect(&addr).await?;
    let bound = Duration::from_secs(5);

    // ANCHOR: calls
    // 1. The deadline travels with the request; both sides enforce it.
    let t = Instant::now();
    let r = work.crunch(within(Duration::from_millis(100)), 100).await;
    println!("deadline 100 ms: {}", r.unwrap_err());
    println!(
        "  client gave up after {:.0?} of about 1 s of work",
        t.elapsed()
    );
    let e = timeout(bound, ended.recv()).await?.ok_or("server gone")?;
    println!(
        "  server handler dropped: {}, stopped early: {}",
        !e.finished,
        e.steps_done < 100
    );

    // 2. The caller drops the call: tarpc sends a cancel message.
    let call = work.crunch(within(Duration::from_secs(10)), 100);
    let gave_up = timeout(Duration::from_millis(100), call).await.is_err();
    println!("caller gave up at 100 ms: {gave_up}");
    let e = timeout(bound, ended.recv()).await?.ok_or("server gone")?;
    println!(
        "  server handler dropped: {}, stopped early: {}",
        !e.finished,
        e.steps_done < 100
    );

    // 3. Enough time: the handler runs to the end.
    let r = work.crunch(within(Duration::from_secs(5)), 5).await?;
    let e = timeout(bound, ended.recv()).await?.ok_or("server gone")?;
    println!("deadline 5 s: {r} steps, finished: {}", e.finished);
    // ANCHOR_END: calls
    Ok(())
}
