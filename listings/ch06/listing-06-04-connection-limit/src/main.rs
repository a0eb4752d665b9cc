//! A server limited to three connections meets six clients. The address comes
//! from the first argument or `ECHO_ADDR` (default 127.0.0.1:0).

use listing_06_04_connection_limit::{BUSY, Limits, Permits, serve};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Sends `msg` and returns the reply: the echo, or BUSY from a full server.
fn ask(addr: SocketAddr, msg: &[u8]) -> std::io::Result<(TcpStream, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(msg)?;
    let mut reply = vec![0; msg.len().max(BUSY.len())];
    let n = s.read(&mut reply)?;
    Ok((
        s,
        String::from_utf8_lossy(&reply[..n]).trim_end().to_string(),
    ))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ECHO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let limits = Limits {
        max_conns: 3,
        idle: Duration::from_secs(10),
    };
    let permits = Permits::default();
    let watched = permits.clone();
    std::thread::spawn(move || serve(listener, limits, permits));
    println!("echo server on {addr}, at most 3 connections");

    let mut held = Vec::new();
    for i in 1..=5 {
        let (s, reply) = ask(addr, format!("hello {i}\n").as_bytes())?;
        println!("client {i}: {reply}");
        held.push(s);
    }
    drop(held.remove(0));
    println!("client 1 hangs up");
    // Its handler sees EOF and drops its permit; wait (at most 5 s) for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while watched.live() == 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (_s, reply) = ask(addr, b"hello 6\n")?;
    println!("client 6: {reply}");
    Ok(())
}
