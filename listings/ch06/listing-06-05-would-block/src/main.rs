//! The same calls as Listing 6-1 on sockets switched to non-blocking mode:
//! where the blocking versions would sleep, these return WouldBlock at once.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Describes what a non-blocking call returned and how long it took.
fn show<T: std::fmt::Debug>(what: &str, f: impl FnOnce() -> io::Result<T>) {
    let start = Instant::now();
    let r = f();
    let took = start.elapsed().as_secs_f64() * 1e6;
    match r {
        Ok(v) => println!("{what}: Ok({v:?}) in {took:.1} µs"),
        Err(e) if e.kind() == ErrorKind::WouldBlock => {
            println!("{what}: WouldBlock ({e}) in {took:.1} µs")
        }
        Err(e) => println!("{what}: error {e}"),
    }
}

/// Retries `f` while it would block, for at most a second. Only for this demo:
/// Section 6.3 replaces retrying with waiting for readiness.
fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match f() {
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::yield_now()
            }
            other => return other,
        }
    }
}

// ANCHOR: main
fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?; // O_NONBLOCK on the listening socket
    show("accept, nobody connecting", || {
        listener.accept().map(|_| ())
    });

    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut conn, _) = retry(|| listener.accept())?;
    conn.set_nonblocking(true)?; // accepted sockets do not inherit the flag
    let mut buf = [0u8; 64];
    show("read, nothing sent yet", || conn.read(&mut buf));

    client.write_all(b"hello")?;
    let n = retry(|| conn.read(&mut buf))?;
    println!(
        "read after the peer wrote: {n} bytes, {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    show("read again, buffer drained", || conn.read(&mut buf));

    drop(client); // FIN: end of stream is not an error, and not WouldBlock
    let n = retry(|| conn.read(&mut buf))?;
    println!("read after the peer closed: Ok({n}), end of stream");
    Ok(())
}
// ANCHOR_END: main
