//! A polling loop (Listing 6-8) that sleeps longer the longer nothing
//! happens, and not at all while work keeps arriving.

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Decides how long a polling loop sleeps after each sweep.
pub struct Backoff {
    /// Idle sweeps that spin (sleep zero) before the first sleep.
    pub spins: u32,
    /// The first sleep after the spins.
    pub first: Duration,
    /// The longest sleep: the worst extra latency the loop adds.
    pub max: Duration,
    /// Idle sweeps since the last busy one.
    pub idle_sweeps: u32,
}

impl Backoff {
    pub fn new(spins: u32, first: Duration, max: Duration) -> Backoff {
        Backoff {
            spins,
            first,
            max,
            idle_sweeps: 0,
        }
    }

    /// Called after every sweep with whether it found any work; returns how
    /// long to sleep before the next sweep. Busy: zero, and the idle count
    /// starts again. Idle: zero for the first `spins` idle sweeps, then
    /// `first`, `2 * first`, `4 * first`, ... but never more than `max`.
    pub fn after_sweep(&mut self, busy: bool) -> Duration {
        if busy {
            self.idle_sweeps = 0;
            return Duration::ZERO;
        }
        self.idle_sweeps = self.idle_sweeps.saturating_add(1);
        if self.idle_sweeps <= self.spins {
            return Duration::ZERO; // a burst's next message is likely close
        }
        let doublings = self.idle_sweeps - self.spins - 1;
        let factor = 1u32.checked_shl(doublings).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// Sweeps `conns` (non-blocking) until `until`, sleeping as `backoff` says.
/// Returns the bytes read and, for each, how long after `sent_at` it was
/// seen (the caller passes the send times in order of sending).
pub fn watch(
    conns: &mut [TcpStream],
    backoff: &mut Backoff,
    until: Instant,
    sent_at: &std::sync::mpsc::Receiver<Instant>,
) -> Vec<Duration> {
    let mut delays = Vec::new();
    let mut buf = [0u8; 256];
    while Instant::now() < until {
        let mut busy = false;
        for c in conns.iter_mut() {
            match c.read(&mut buf) {
                Ok(n) if n > 0 => {
                    busy = true;
                    for _ in 0..n {
                        if let Ok(t) = sent_at.recv_timeout(Duration::from_secs(5)) {
                            delays.push(t.elapsed());
                        }
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                _ => {} // closed or failed: nothing to read from it
            }
        }
        let pause = backoff.after_sweep(busy);
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    delays
}
