//! One thread serves every connection by asking each, in turn, whether it
//! has work: non-blocking calls only, so a quiet socket costs one syscall
//! per sweep instead of a sleeping thread.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Bytes read at a time, and the most a connection ever holds unsent.
pub const BUF_SIZE: usize = 4096;

/// Counters the caller can watch while the server runs, and a stop switch.
#[derive(Default)]
pub struct Stats {
    /// Set it and `serve` returns after its current sweep.
    pub stop: AtomicBool,
    /// Passes over all connections.
    pub sweeps: AtomicU64,
    /// Calls that found nothing to do (WouldBlock).
    pub idle_calls: AtomicU64,
}

// ANCHOR: conn
/// A connection and the bytes read from it but not yet echoed.
pub struct Conn {
    stream: TcpStream,
    unsent: Vec<u8>,
    written: usize, // how much of `unsent` has gone out
}

impl Conn {
    pub fn new(stream: TcpStream) -> io::Result<Conn> {
        stream.set_nonblocking(true)?;
        Ok(Conn {
            stream,
            unsent: Vec::with_capacity(BUF_SIZE),
            written: 0,
        })
    }

    /// Does whatever the connection allows without waiting. `Ok(false)`
    /// means the peer has closed and every byte has been echoed.
    pub fn step(&mut self, buf: &mut [u8; BUF_SIZE], stats: &Stats) -> io::Result<bool> {
        // Finish the last echo first: reading more while bytes are still
        // unsent would let a client that never reads grow our buffer.
        if self.written == self.unsent.len() {
            self.unsent.clear();
            self.written = 0;
            match self.stream.read(buf) {
                Ok(0) => return Ok(false),
                Ok(n) => self.unsent.extend_from_slice(&buf[..n]),
                Err(e) if would_block(&e) => {
                    stats.idle_calls.fetch_add(1, Ordering::Relaxed);
                    return Ok(true);
                }
                Err(e) => return Err(e),
            }
        }
        match self.stream.write(&self.unsent[self.written..]) {
            Ok(n) => self.written += n, // possibly only part: keep the rest
            Err(e) if would_block(&e) => {
                stats.idle_calls.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => return Err(e),
        }
        Ok(true)
    }
}
// ANCHOR_END: conn

fn would_block(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}

// ANCHOR: serve
/// Serves every connection from the calling thread until `stats.stop` is set.
pub fn serve(listener: TcpListener, stats: &Stats) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut conns: Vec<Conn> = Vec::new();
    let mut buf = [0u8; BUF_SIZE];
    let mut reported = false;
    while !stats.stop.load(Ordering::Relaxed) {
        // Take every connection waiting in the backlog, then move on.
        loop {
            match listener.accept() {
                Ok((s, _)) => conns.extend(Conn::new(s).ok()),
                Err(e) if would_block(&e) => break,
                Err(e) => {
                    // EMFILE and friends: report once, try again next sweep.
                    if !std::mem::replace(&mut reported, true) {
                        eprintln!("polling echo: accept failed: {e}");
                    }
                    break;
                }
            }
        }
        // One step per connection; errors (a reset peer) close only that one.
        conns.retain_mut(|c| matches!(c.step(&mut buf, stats), Ok(true)));
        stats.sweeps.fetch_add(1, Ordering::Relaxed);
        // No sleep, no wait: the loop spins even when nothing happens.
    }
    Ok(())
}
// ANCHOR_END: serve
