//! `socketpair(2)`: two connected sockets, no path, no port. Stream pairs
//! carry bytes; datagram pairs carry whole messages.

use std::io::{self, Read, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::thread;
use std::time::Duration;

const MESSAGES: [&str; 3] = ["one", "two", "three"];

fn main() -> io::Result<()> {
    // ANCHOR: stream
    let (mut left, mut right) = UnixStream::pair()?;
    right.set_read_timeout(Some(Duration::from_secs(5)))?;
    thread::spawn(move || -> io::Result<()> {
        for m in MESSAGES {
            left.write_all(m.as_bytes())?;
        }
        Ok(())
    })
    .join()
    .expect("writer panicked")?;
    // All three writes are queued now; one read takes whatever is there.
    let mut buf = [0u8; 64];
    let n = right.read(&mut buf)?;
    println!(
        "stream: 3 writes, first read got {n} bytes: {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    // ANCHOR_END: stream

    // ANCHOR: datagram
    let (left, right) = UnixDatagram::pair()?;
    right.set_read_timeout(Some(Duration::from_secs(5)))?;
    thread::spawn(move || -> io::Result<()> {
        for m in MESSAGES {
            left.send(m.as_bytes())?;
        }
        Ok(())
    })
    .join()
    .expect("sender panicked")?;
    for _ in MESSAGES {
        let n = right.recv(&mut buf)?;
        println!(
            "datagram: recv got {n} bytes: {:?}",
            String::from_utf8_lossy(&buf[..n])
        );
    }
    // ANCHOR_END: datagram
    Ok(())
}
