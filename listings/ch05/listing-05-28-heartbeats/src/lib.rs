//! Heartbeats over UDP and a detector that suspects a peer after `timeout`
//! of silence. A paused peer (a long GC, a stalled disk, swapping) looks
//! exactly like a dead one until it speaks again.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Sends a heartbeat (its sequence number) every `interval` until `stop`;
/// `pause(n)` says how long to stall before beat n (a simulated hiccup).
pub fn send_heartbeats(
    to: SocketAddr,
    interval: Duration,
    stop: &AtomicBool,
    pause: impl Fn(u64) -> Duration,
) -> std::io::Result<u64> {
    let socket = UdpSocket::bind(("127.0.0.1", 0))?;
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(interval + pause(seq));
        socket.send_to(&seq.to_be_bytes(), to)?; // one datagram, 8 bytes
        seq += 1;
    }
    Ok(seq)
}

// ANCHOR: detector
/// Suspects the peer once it has been silent for longer than `timeout`.
pub struct Detector {
    pub timeout: Duration,
    last: Instant,
    suspected: bool,
    /// Suspicions that a later heartbeat proved wrong.
    pub false_suspicions: u32,
}

impl Detector {
    pub fn new(timeout: Duration, now: Instant) -> Detector {
        Detector {
            timeout,
            last: now,
            suspected: false,
            false_suspicions: 0,
        }
    }

    pub fn heartbeat(&mut self, now: Instant) {
        if self.suspected {
            self.false_suspicions += 1; // it was alive after all
            self.suspected = false;
        }
        self.last = now;
    }

    /// Returns true when the peer has just become suspected.
    pub fn check(&mut self, now: Instant) -> bool {
        let newly = !self.suspected && now - self.last > self.timeout;
        self.suspected |= newly;
        newly
    }
}
// ANCHOR_END: detector

/// What one detector saw: false suspicions, and how long after the peer's
/// death it suspected it for good (None: never, within `patience`).
#[derive(Debug, Clone)]
pub struct Report {
    pub timeout: Duration,
    pub false_suspicions: u32,
    pub detected_after: Option<Duration>,
}

// ANCHOR: watch
/// Feeds the heartbeats arriving on `socket` to one detector per timeout.
/// `died` is set by whoever kills the peer, with the time it did so.
pub fn watch(
    socket: &UdpSocket,
    timeouts: &[Duration],
    died: &std::sync::Mutex<Option<Instant>>,
    patience: Duration,
) -> std::io::Result<Vec<Report>> {
    let start = Instant::now();
    let mut detectors: Vec<Detector> = timeouts.iter().map(|&t| Detector::new(t, start)).collect();
    let mut detected = vec![None; timeouts.len()];
    // Wake at least every millisecond to check the clocks.
    socket.set_read_timeout(Some(Duration::from_millis(1)))?;
    let mut buf = [0u8; 8];
    loop {
        let heard = socket.recv(&mut buf).is_ok();
        let now = Instant::now();
        let death = *died.lock().expect("not poisoned");
        for (d, found) in detectors.iter_mut().zip(&mut detected) {
            if heard {
                d.heartbeat(now);
            }
            if d.check(now)
                && let Some(t) = death
            {
                *found = Some(now.saturating_duration_since(t));
            }
        }
        let all_found = detected.iter().all(Option::is_some);
        if death.is_some_and(|t| all_found || now - t > patience) {
            break;
        }
    }
    Ok((detectors.into_iter().zip(detected))
        .map(|(d, detected_after)| Report {
            timeout: d.timeout,
            false_suspicions: d.false_suspicions,
            detected_after,
        })
        .collect())
}
// ANCHOR_END: watch
