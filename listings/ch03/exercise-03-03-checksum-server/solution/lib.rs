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

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
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
pub fn handle(mut stream: TcpStream, limits: &Limits) -> io::Result<()> {
    stream.set_read_timeout(Some(limits.idle))?;
    stream.set_write_timeout(Some(limits.idle))?;
    let mut sum = Adler32::default();
    let mut len = 0u64;
    let mut chunk = [0u8; 8192];
    // One byte beyond the cap is enough to know the upload is too large.
    let mut input = (&stream).take(limits.max_upload + 1);
    let error = loop {
        match input.read(&mut chunk) {
            Ok(0) if len > limits.max_upload => break "too large",
            Ok(0) => {
                let reply = format!("OK {len} {:08x}\n", sum.value());
                return stream.write_all(reply.as_bytes());
            }
            Ok(n) => {
                sum.update(&chunk[..n]);
                len += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                break "idle timeout";
            }
            Err(e) => return Err(e), // reset by the peer: nobody to answer
        }
    };
    stream.write_all(format!("ERR {error}\n").as_bytes())?;
    // Closing with unread input would send a reset that can destroy the reply:
    // stop writing, then discard a bounded amount of input for a short while.
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let _ = io::copy(&mut (&stream).take(1 << 20), &mut io::sink());
    Ok(())
}

/// Uploads `data` to the server at `addr`: writes it all, shuts down the
/// writing side, and returns the server's reply line without its newline.
/// Waits at most `wait` for the reply.
pub fn upload(addr: SocketAddr, data: &[u8], wait: Duration) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(wait))?;
    stream.set_write_timeout(Some(wait))?;
    stream.write_all(data)?;
    stream.shutdown(Shutdown::Write)?; // the end of the upload
    let mut reply = String::new();
    // A reply is one short line: cap what we accept from the server too.
    (&stream).take(256).read_to_string(&mut reply)?;
    Ok(reply.trim_end().to_string())
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
