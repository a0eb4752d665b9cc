//! Writes 64 MiB to a peer that is not reading, on a non-blocking socket.
//! The kernel takes what fits in its buffers and says so; the rest is ours.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

fn mib(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

// ANCHOR: main
fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut sender = TcpStream::connect(listener.local_addr()?)?;
    let (mut receiver, _) = listener.accept()?; // it reads nothing, yet
    sender.set_nonblocking(true)?;

    let data = vec![7u8; 64 << 20];
    // write() takes what fits in our send buffer and the peer's receive
    // buffer, and returns how much that was: less than asked.
    let mut sent = sender.write(&data)?;
    println!("write({}) returned Ok({})", mib(data.len()), mib(sent));
    // Offering the rest soon meets full buffers: WouldBlock, nothing taken.
    let stop = loop {
        match sender.write(&data[sent..]) {
            Ok(n) => sent += n,
            Err(e) => break e,
        }
    };
    println!(
        "offering the rest: {:?} after {} in all",
        stop.kind(),
        mib(sent)
    );

    // The peer reads some: space opens up, and the next write takes more.
    receiver.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut drained = 0;
    let mut buf = vec![0u8; 1 << 20];
    while drained < 1 << 20 {
        drained += receiver.read(&mut buf)?;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let more = loop {
        match sender.write(&data[sent..]) {
            Ok(n) => break n,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {}
            Err(e) => return Err(e),
        }
    };
    println!(
        "after the peer read {}: the next write took {}",
        mib(drained),
        mib(more)
    );
    println!(
        "still unsent, for the caller to keep: {}",
        mib(data.len() - sent - more)
    );
    Ok(())
}
// ANCHOR_END: main
