//! Starts the thread-per-connection echo server (address from the first
//! argument or `ECHO_ADDR`, default 127.0.0.1:0), connects 100 clients and
//! counts the server's threads. `--serve ADDR` runs the server alone.

use listing_06_02_thread_echo::serve;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Threads in this process, from the kernel's own count.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Waits (at most five seconds) until the thread count drops to `want`.
fn wait_for_threads(want: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    while threads() != want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    threads()
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (alone, addr) = match args.next() {
        Some(flag) if flag == "--serve" => (true, args.next()),
        other => (false, other),
    };
    let addr = addr
        .or_else(|| std::env::var("ECHO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr)?;
    let local = listener.local_addr()?;
    if alone {
        println!("echo server on {local}; try `nc {}`", local.ip());
        return serve(listener);
    }
    let before = threads();
    std::thread::spawn(move || serve(listener));
    println!("echo server on {local}");

    // One client after another, all from this thread, each left open.
    let mut clients = Vec::new();
    for i in 0..100 {
        let mut c = TcpStream::connect(local)?;
        c.set_read_timeout(Some(Duration::from_secs(5)))?;
        let msg = format!("hello from client {i:3}\n");
        c.write_all(msg.as_bytes())?;
        let mut back = vec![0; msg.len()];
        c.read_exact(&mut back)?;
        assert_eq!(back, msg.as_bytes());
        clients.push(c);
    }
    println!("100 clients connected, 100 echoes intact");
    // The echoes came back, so every handler thread exists and sits in read().
    println!(
        "threads: {} before the server, {} now (one acceptor + one per client)",
        before,
        threads()
    );
    drop(clients);
    println!(
        "after the clients hang up: {} (the handlers saw EOF and ended)",
        wait_for_threads(before + 1)
    );
    Ok(())
}
