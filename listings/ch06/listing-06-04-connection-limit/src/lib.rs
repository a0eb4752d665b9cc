//! The echo server of Listing 6-2 with two limits: at most `max_conns`
//! connections hold a thread, and a connection that stays silent (or stops
//! reading) for `idle` is closed. A refused client hears `BUSY` at once.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// The reply a client gets when the server is full.
pub const BUSY: &[u8] = b"BUSY\n";

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; each holds a thread.
    pub max_conns: usize,
    /// Longest silence (or stalled write) before the server hangs up.
    pub idle: Duration,
}

// ANCHOR: permits
/// Counts live connections. A permit gives its slot back when dropped, so
/// a handler that returns early (an error, a timeout) cannot leak one.
#[derive(Clone, Default)]
pub struct Permits(Arc<AtomicUsize>);

pub struct Permit(Arc<AtomicUsize>);

impl Permits {
    pub fn try_acquire(&self, max: usize) -> Option<Permit> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Permit(Arc::clone(&self.0)))
    }
    pub fn live(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
// ANCHOR_END: permits

// ANCHOR: serve
/// Accepts for ever; `permits` lets the caller watch the live count.
pub fn serve(listener: TcpListener, limits: Limits, permits: Permits) -> io::Result<()> {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            thread::sleep(Duration::from_millis(10)); // EMFILE: let handlers finish
            continue;
        };
        let Some(permit) = permits.try_acquire(limits.max_conns) else {
            // A new socket's send buffer is empty: this write cannot block.
            let _ = stream.write_all(BUSY);
            let _ = stream.shutdown(Shutdown::Write);
            continue; // dropping the stream closes it
        };
        let spawned = thread::Builder::new().spawn(move || {
            let _permit = permit; // released however the handler ends
            handle(stream, limits.idle)
        });
        drop(spawned); // if spawning failed, the closure dropped the socket
    }
    Ok(())
}
// ANCHOR_END: serve

/// Echoes until the peer closes, errs, or is silent for `idle`.
pub fn handle(mut stream: TcpStream, idle: Duration) -> io::Result<u64> {
    // Without these a client that trickles nothing, or never reads, would
    // hold its slot for ever: a handful of them fill any limit.
    stream.set_read_timeout(Some(idle))?;
    stream.set_write_timeout(Some(idle))?;
    let mut buf = [0u8; 4096];
    let mut total = 0;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        stream.write_all(&buf[..n])?;
        total += n as u64;
    }
}
