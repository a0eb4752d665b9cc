//! Runs the buggy and the fixed frame reader against the same slow sender.
//! The clock is paused (tokio's test clock): timers fire in a fixed order,
//! so the run is the same every time.

use listing_06_19_cancel_safety::{
    intact, lost_bytes, read_frames_buggy, read_frames_fixed, send_split,
};
use std::time::Duration;

const FRAMES: u64 = 10;

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> std::io::Result<()> {
    let tick = Duration::from_millis(2);
    let pause = Duration::from_millis(5);
    for fixed in [false, true] {
        let (reader, writer) = tokio::io::duplex(64);
        let sender = tokio::spawn(send_split(writer, FRAMES, pause));
        let seen = if fixed {
            read_frames_fixed(reader, tick).await?
        } else {
            read_frames_buggy(reader, tick).await?
        };
        sender.await.expect("sender panicked")?;
        println!(
            "{}: {} of {FRAMES} frames intact, {} bytes lost, timer fired {} times",
            if fixed { "fixed" } else { "buggy" },
            intact(&seen, FRAMES),
            lost_bytes(&seen, FRAMES),
            seen.ticks
        );
    }
    Ok(())
}
