//! Runs the polling echo server (address from the first argument or
//! `ECHO_ADDR`, default 127.0.0.1:0) with three clients, then counts how busy
//! it stays while nobody sends anything.

use listing_06_07_polling_echo::{Stats, serve};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("ECHO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let s = Arc::clone(&stats);
    std::thread::spawn(move || serve(listener, &s));
    println!("polling echo server on {local}");

    let mut clients = Vec::new();
    for i in 1..=3 {
        let mut c = TcpStream::connect(local)?;
        c.set_read_timeout(Some(Duration::from_secs(5)))?;
        let msg = format!("hello {i}");
        c.write_all(msg.as_bytes())?;
        let mut back = vec![0; msg.len()];
        c.read_exact(&mut back)?;
        println!("client {i}: {}", String::from_utf8_lossy(&back));
        clients.push(c);
    }
    let counters = || {
        let sweeps = stats.sweeps.load(Ordering::Relaxed);
        (sweeps, stats.idle_calls.load(Ordering::Relaxed))
    };
    let before = counters();
    std::thread::sleep(Duration::from_millis(200));
    let after = counters();
    let sweeps = after.0 - before.0;
    println!("in 200 ms of silence the server swept its connections {sweeps} times");
    // Rounded: the counters are read while the server runs, so a sweep under
    // way at either end may be counted in one and not the other.
    let reads = (after.1 - before.1 + sweeps / 2) / sweeps.max(1);
    println!("each sweep: 1 accept + {reads} reads, every one WouldBlock");
    stats.stop.store(true, Ordering::Relaxed);
    Ok(())
}
