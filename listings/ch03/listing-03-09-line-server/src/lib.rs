//! A small TCP server speaking a line protocol (`ECHO text`, `UPPER text`,
//! `QUIT`), written to survive whatever its clients send: every line, every
//! connection count and every wait has a limit.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// The server's limits.
#[derive(Clone, Debug)]
pub struct Config {
    /// Longest line accepted, in bytes, without its newline.
    pub max_line: usize,
    /// Most connections served at once; more are refused with `ERR busy`.
    pub max_conns: usize,
    /// How long a client may stay silent before it is disconnected.
    pub idle: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_line: 1024,
            max_conns: 64,
            idle: Duration::from_secs(30),
        }
    }
}

// ANCHOR: read_line
/// Why reading a line failed. Each variant is answered differently.
#[derive(Debug, PartialEq, Eq)]
pub enum LineError {
    /// More than `max_line` bytes without a newline.
    TooLong,
    /// The peer closed its side in the middle of a line.
    Truncated,
    /// The line is not UTF-8.
    InvalidUtf8,
    /// No complete line within the idle timeout.
    Idle,
    /// The connection failed (reset by the peer, for example).
    Io(io::ErrorKind),
}

/// Reads one line into `buf` without ever holding more than `max + 1` bytes.
/// `Ok(None)` is a clean end of stream between lines.
pub fn read_line<'b, R: BufRead>(
    r: &mut R,
    buf: &'b mut Vec<u8>,
    max: usize,
) -> Result<Option<&'b str>, LineError> {
    buf.clear();
    // `take` stops `read_until` after max + 1 bytes, newline or not.
    match r.take(max as u64 + 1).read_until(b'\n', buf) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            return Err(LineError::Idle);
        }
        Err(e) => return Err(LineError::Io(e.kind())),
    }
    if buf.last() != Some(&b'\n') {
        return Err(if buf.len() > max {
            LineError::TooLong
        } else {
            LineError::Truncated
        });
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    std::str::from_utf8(buf)
        .map(Some)
        .map_err(|_| LineError::InvalidUtf8)
}
// ANCHOR_END: read_line

// ANCHOR: handle
/// Serves one client until it quits, misbehaves beyond repair or goes quiet.
pub fn handle(stream: TcpStream, cfg: &Config) -> io::Result<()> {
    stream.set_read_timeout(Some(cfg.idle))?;
    // A client that never reads must not block this thread for ever either.
    stream.set_write_timeout(Some(cfg.idle))?;
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    let mut buf = Vec::with_capacity(cfg.max_line + 1);
    loop {
        let reply = match read_line(&mut input, &mut buf, cfg.max_line) {
            Ok(None) | Err(LineError::Io(_)) => return Ok(()),
            Ok(Some(line)) => match line.split_once(' ').unwrap_or((line, "")) {
                ("ECHO", text) => format!("OK {text}"),
                ("UPPER", text) => format!("OK {}", text.to_uppercase()),
                ("QUIT", _) => return out.write_all(b"OK bye\n"),
                _ => "ERR unknown command".to_string(),
            },
            // The line was read to its end: the connection is still in step.
            Err(LineError::InvalidUtf8) => "ERR invalid UTF-8".to_string(),
            Err(e @ (LineError::TooLong | LineError::Truncated | LineError::Idle)) => {
                let why = match e {
                    LineError::TooLong => "line too long",
                    LineError::Truncated => "truncated line",
                    _ => "idle timeout",
                };
                out.write_all(format!("ERR {why}\n").as_bytes())?;
                return close_gently(input.into_inner());
            }
        };
        // One write per reply: `writeln!` would issue several small writes, and
        // Nagle's algorithm would hold the last one back (Listing 3-13).
        out.write_all(format!("{reply}\n").as_bytes())?;
    }
}
// ANCHOR_END: handle

/// Closes after an error reply. Closing a socket with unread input makes the
/// kernel send a reset, which can destroy the reply before the client reads it;
/// so stop writing, then discard a bounded amount of input for a short while.
fn close_gently(stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let _ = io::copy(&mut (&stream).take(64 * 1024), &mut io::sink());
    Ok(())
}

// ANCHOR: accept
/// Decrements the count of live connections when a handler ends, even by panic.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accepts connections for ever: a thread each, up to `cfg.max_conns` at once.
pub fn serve(listener: TcpListener, cfg: Config) {
    let live = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue }; // e.g. out of descriptors
        if live.fetch_add(1, Ordering::SeqCst) >= cfg.max_conns {
            live.fetch_sub(1, Ordering::SeqCst);
            // A polite refusal: the new socket's buffer has room for one line,
            // so this write does not block the accept loop.
            let _ = stream.write_all(b"ERR busy\n");
            let _ = stream.shutdown(Shutdown::Write);
            continue;
        }
        let (slot, cfg) = (Slot(Arc::clone(&live)), cfg.clone());
        thread::spawn(move || {
            let _slot = slot;
            let _ = handle(stream, &cfg);
        });
    }
}
// ANCHOR_END: accept

/// Binds `addr` and serves it on a background thread; returns the bound address.
pub fn start(addr: impl ToSocketAddrs, cfg: Config) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    thread::spawn(move || serve(listener, cfg));
    Ok(local)
}
