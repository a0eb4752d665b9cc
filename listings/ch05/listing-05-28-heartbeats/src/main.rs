//! A peer sends a heartbeat every 20 ms, stalls for 100 ms three times, then
//! dies. Detectors with timeouts of 2, 4 and 20 intervals watch it.

use listing_05_28_heartbeats::{send_heartbeats, watch};
use std::net::UdpSocket;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    let host = std::env::var("HEARTBEAT_HOST").unwrap_or("127.0.0.1".into());
    let socket = UdpSocket::bind((host.as_str(), 0))?;
    let to = socket.local_addr()?;
    let interval = Duration::from_millis(20);
    // The longest stall leaves a gap of 120 ms: the last timeout is far
    // enough above it that a busy machine's late beats do not reach it.
    let timeouts = [2, 4, 20].map(|k| interval * k);
    let (stop, died) = (AtomicBool::new(false), Mutex::new(None));
    let reports = thread::scope(|s| {
        // ANCHOR: peer
        let (stop, died) = (&stop, &died);
        s.spawn(move || {
            // Stalls of 100 ms before beats 10, 20 and 30: alive, but silent.
            // Beat 45 is its last: counted in beats, not in wall-clock
            // time, so a busy machine cannot cut its life short.
            let pause = |n| {
                if n == 45 {
                    stop.store(true, Ordering::Relaxed);
                }
                match n {
                    10 | 20 | 30 => Duration::from_millis(100),
                    _ => Duration::ZERO,
                }
            };
            let sent = send_heartbeats(to, interval, stop, pause);
            *died.lock().unwrap() = Some(Instant::now()); // the peer dies here
            let sent = sent.map_or(0, |n| n);
            println!("peer stalled 3 times, sent {sent} heartbeats, died");
        });
        // ANCHOR_END: peer
        watch(&socket, &timeouts, died, Duration::from_secs(2))
    })?;
    for r in reports {
        let after = r
            .detected_after
            .map_or("never".into(), |d| format!("{d:.0?}"));
        // A busy machine adds late beats, so print whether, not how often.
        let wrong = if r.false_suspicions > 0 { "yes" } else { "no" };
        println!(
            "timeout {:>3} ms: death noticed after {after}; live peer suspected: {wrong}",
            r.timeout.as_millis(),
        );
    }
    Ok(())
}
