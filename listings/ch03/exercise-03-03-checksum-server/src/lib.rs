//! A checksum server. Protocol: the client connects, sends any number of
//! bytes, and shuts down its writing side. The server replies with one line,
//! then closes:
//!
//! - `OK <length> <adler32 as 8 hex digits>` for an upload of at most
//!   `Limits::max_upload` bytes;
//! - `ERR too large` as soon as the upload exceeds `max_upload`;
//! - `ERR idle timeout` when the client sends nothing for `Limits::idle`.
//!
//! The server never holds the upload in memory: it checksums it as it reads.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// The server's limits.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_upload: u64,
    pub idle: Duration,
}

/// Adler-32 (RFC 1950), computed incrementally.
#[derive(Clone, Debug)]
pub struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Adler32 {
        Adler32 { a: 1, b: 0 }
    }
}

impl Adler32 {
    pub fn update(&mut self, bytes: &[u8]) {
        for &x in bytes {
            self.a = (self.a + u32::from(x)) % 65521;
            self.b = (self.b + self.a) % 65521;
        }
    }
    pub fn value(&self) -> u32 {
        (self.b << 16) | self.a
    }
}

/// The reply line (without its newline) for a whole upload of `data`.
pub fn expected_reply(data: &[u8]) -> String {
    let mut sum = Adler32::default();
    sum.update(data);
    format!("OK {} {:08x}", data.len(), sum.value())
}

/// Serves one client: reads its upload to the end of the stream, checksums
/// it, and writes the reply line. Never panics on bad input, never buffers
/// the upload, never waits longer than `limits.idle` for the next bytes.
pub fn handle(stream: TcpStream, limits: &Limits) -> io::Result<()> {
    let _ = (stream, limits);
    todo!("read the upload within the limits and reply")
}

/// Uploads `data` to the server at `addr`: writes it all, shuts down the
/// writing side, and returns the server's reply line without its newline.
/// Waits at most `wait` for the reply.
pub fn upload(addr: SocketAddr, data: &[u8], wait: Duration) -> io::Result<String> {
    let _ = (addr, data, wait);
    todo!("write, half-close, read the reply")
}

/// Binds `addr` and serves on a background thread, one thread per client.
/// Returns the bound address.
pub fn start(addr: &str, limits: Limits) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let limits = limits.clone();
            thread::spawn(move || handle(stream, &limits));
        }
    });
    Ok(local)
}
