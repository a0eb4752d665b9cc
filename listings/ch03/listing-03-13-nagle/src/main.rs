//! A request sent as two small writes (header, then body), answered after the
//! server has read both: on loopback, with Nagle's algorithm on and off.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const REQUESTS: u32 = 20;
const BODY: usize = 100;

// ANCHOR: server
/// Reads an 8-byte length header, then the body, then replies with 8 bytes.
fn serve(listener: TcpListener) -> io::Result<()> {
    for stream in listener.incoming() {
        let mut s = stream?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut header = [0u8; 8];
        while s.read_exact(&mut header).is_ok() {
            let len = u64::from_le_bytes(header) as usize;
            let mut body = vec![0u8; len.min(BODY)]; // never trust a length
            s.read_exact(&mut body)?;
            s.write_all(&(body.len() as u64).to_le_bytes())?;
        }
    }
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: client
/// Average time per request for write(header), write(body), read(reply).
fn time_requests(addr: std::net::SocketAddr, nodelay: bool) -> io::Result<Duration> {
    let mut s = TcpStream::connect(addr)?;
    s.set_nodelay(nodelay)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let (body, mut reply) = ([7u8; BODY], [0u8; 8]);
    let start = Instant::now();
    for _ in 0..REQUESTS {
        s.write_all(&(BODY as u64).to_le_bytes())?; // small write 1
        s.write_all(&body)?; // small write 2: Nagle holds it until an ACK
        s.read_exact(&mut reply)?;
    }
    Ok(start.elapsed() / REQUESTS)
}
// ANCHOR_END: client

fn show(d: Duration) -> String {
    match d.as_secs_f64() {
        s if s >= 1e-3 => format!("{:.1} ms", s * 1e3),
        s => format!("{:.1} µs", s * 1e6),
    }
}

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || serve(listener));
    // ANCHOR: main
    let nagle = time_requests(addr, false)?;
    let nodelay = time_requests(addr, true)?;
    println!("{REQUESTS} requests each, header and body in two writes");
    println!("Nagle on (default):  {} per request", show(nagle));
    println!("TCP_NODELAY:         {} per request", show(nodelay));
    println!("ratio: {:.1}x", nagle.as_secs_f64() / nodelay.as_secs_f64());
    // ANCHOR_END: main
    Ok(())
}
