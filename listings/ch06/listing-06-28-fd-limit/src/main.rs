//! Raises the descriptor limit, then holds N idle connections (first argument
//! or `C10K_CONNS`, default 5,000) to a tokio echo server in the same process.
//! The server's address comes from `C10K_ADDR` (default 127.0.0.1:0).

use listing_06_28_fd_limit::{hold, open_fds, raise_fd_limit, resident, start_server, wait_for};
use std::sync::atomic::Ordering;
use std::time::Duration;

fn size(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MiB", b / (1024.0 * 1024.0)),
        b if b >= 1024.0 => format!("{:.1} KiB", b / 1024.0),
        b => format!("{b:.0} B"),
    }
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wanted: usize = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("C10K_CONNS").ok())
        .map_or(Ok(5_000), |s| s.parse())?;
    let addr = std::env::var("C10K_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());

    let (before, soft, hard) = raise_fd_limit()?;
    println!(
        "soft limit raised to the hard limit: {}",
        soft == hard || soft > before
    );
    // Client and server ends both live here: two descriptors per connection.
    let fit = (soft as usize).saturating_sub(64) / 2;
    let n = wanted.min(fit);
    if n < wanted {
        println!("only {n} connections fit under {soft} descriptors");
    }

    let server = start_server(&addr)?;
    let base = resident();
    let held = hold(server.addr, n)?;
    let live = server.live.load(Ordering::Relaxed);
    println!(
        "held {} idle connections, one server task each: {}",
        held.len(),
        live == n
    );
    println!(
        "descriptors open: at least two per connection: {}",
        open_fds() >= 2 * n
    );
    let per = (resident().saturating_sub(base)) as f64 / n.max(1) as f64;
    println!("resident memory per connection (both ends): {}", size(per));

    drop(held); // every client hangs up; each server task sees EOF and ends
    let drained = wait_for(&server.live, 0, Duration::from_secs(10));
    println!("all server tasks ended after the clients closed: {drained}");
    Ok(())
}
// ANCHOR_END: main
