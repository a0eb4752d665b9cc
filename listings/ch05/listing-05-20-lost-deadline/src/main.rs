//! The client allows 100 ms for about 300 ms of work. Both front ends fail
//! the call in time; only one of them lets Back stop.
//! `BACK_ADDR` and `FRONT_ADDR` pick addresses (default 127.0.0.1:0).

use std::time::Duration;

use listing_05_20_lost_deadline::{connect_front, start_back, start_front, within};
use tokio::time::timeout;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let back_addr = std::env::var("BACK_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let front_addr = std::env::var("FRONT_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let (back, mut finished) = start_back(&back_addr).await?;

    // ANCHOR: demo
    for propagate in [false, true] {
        let front = start_front(&front_addr, &back, propagate).await?;
        let client = connect_front(&front).await?;
        let r = client.fan_out(within(Duration::from_millis(100)), 60).await;
        // The client's deadline fires, or (propagated) Front's empty answer
        // arrives at the same instant: either way, no result in time.
        let result = r.ok().filter(|&total| total > 0);
        println!(
            "propagate = {propagate}: a result in time: {}",
            result.is_some()
        );
        let mut ran_to_end = 0;
        for _ in 0..2 {
            let done = timeout(Duration::from_secs(5), finished.recv()).await?;
            ran_to_end += usize::from(done == Some(true));
        }
        println!("  back handlers that ran to the end for nobody: {ran_to_end} of 2");
    }
    // ANCHOR_END: demo
    Ok(())
}
