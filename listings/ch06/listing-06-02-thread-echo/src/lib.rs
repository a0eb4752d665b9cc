//! A raw byte echo server with one OS thread per connection. Every call here
//! blocks: `accept` sleeps until a client connects, `read` until bytes arrive,
//! `write_all` until the kernel's send buffer has room.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// Bytes read at a time; the only per-connection buffer, so memory per
/// connection is this plus the thread's stack.
pub const BUF_SIZE: usize = 4096;

// ANCHOR: handle
/// Echoes one connection until the peer closes it; returns the bytes echoed.
/// A peer that vanishes mid-stream is an `Err`, never a panic.
pub fn handle(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = [0u8; BUF_SIZE];
    let mut total = 0;
    loop {
        // The thread sleeps here until the kernel has bytes (or EOF) for us.
        let n = match stream.read(&mut buf) {
            Ok(0) => return Ok(total), // orderly close
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e), // reset, timeout, ...
        };
        // ...and here until the peer's receive window and our send buffer
        // take all n bytes: a client that never reads stalls only this thread.
        stream.write_all(&buf[..n])?;
        total += n as u64;
    }
}
// ANCHOR_END: handle

// ANCHOR: serve
/// Accepts connections for ever and gives each its own thread.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let spawned = thread::Builder::new()
                    .name("echo-conn".into())
                    .spawn(move || handle(stream));
                // Out of threads or memory: the closure (and the socket in
                // it) is dropped, which closes that one connection.
                if let Err(e) = spawned {
                    report_once(&SPAWN_FAILED, "spawn", &e);
                }
            }
            // EMFILE (out of descriptors) and friends: not fatal. Pause so a
            // full descriptor table does not turn this loop into a spin.
            Err(e) => {
                report_once(&ACCEPT_FAILED, "accept", &e);
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
    Ok(())
}
// ANCHOR_END: serve

static ACCEPT_FAILED: AtomicBool = AtomicBool::new(false);
static SPAWN_FAILED: AtomicBool = AtomicBool::new(false);

/// Logs the first failure of each kind; later ones would flood stderr.
fn report_once(flag: &AtomicBool, what: &str, e: &io::Error) {
    if !flag.swap(true, Ordering::Relaxed) {
        eprintln!("echo server: {what} failed: {e} (further {what} errors not shown)");
    }
}
