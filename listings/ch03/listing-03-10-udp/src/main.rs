//! Three properties of UDP on loopback, each printed as something you can check.

use nix::sys::socket::{MsgFlags, recv};
use std::io::{self, ErrorKind};
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::Duration;

fn main() -> io::Result<()> {
    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("127.0.0.1:0")?;
    a.set_read_timeout(Some(Duration::from_secs(5)))?;
    b.set_read_timeout(Some(Duration::from_secs(5)))?;

    // ANCHOR: boundaries
    // Three sends are three datagrams: each recv returns exactly one of them,
    // however large the buffer.
    for msg in ["one", "two two", "three three three"] {
        a.send_to(msg.as_bytes(), b.local_addr()?)?;
    }
    let mut buf = [0u8; 1500];
    for _ in 0..3 {
        let (n, from) = b.recv_from(&mut buf)?;
        let text = String::from_utf8_lossy(&buf[..n]);
        println!("recv {n:2} bytes from {from}: {text:?}");
    }
    // ANCHOR_END: boundaries

    // ANCHOR: truncate
    // A buffer smaller than the datagram keeps its first bytes; the rest is
    // discarded by the kernel, not saved for the next recv. MSG_TRUNC makes
    // Linux return the datagram's real length so the loss can be reported.
    a.send_to(&[b'x'; 100], b.local_addr()?)?;
    a.send_to(b"next", b.local_addr()?)?;
    let mut small = [0u8; 16];
    let real = recv(b.as_raw_fd(), &mut small, MsgFlags::MSG_TRUNC)?;
    let kept = real.min(small.len());
    println!(
        "datagram of {real} bytes, buffer of {}: kept {kept}, lost {}",
        small.len(),
        real - kept
    );
    let n = b.recv(&mut buf)?;
    println!(
        "the next recv returns the next datagram: {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    // ANCHOR_END: truncate

    // ANCHOR: connect
    // `connect` on UDP sends nothing: it records a default peer, and the kernel
    // then drops datagrams to this socket from anyone else.
    let c = UdpSocket::bind("127.0.0.1:0")?;
    c.connect(a.local_addr()?)?;
    c.set_read_timeout(Some(Duration::from_millis(200)))?;
    let stranger = UdpSocket::bind("127.0.0.1:0")?;
    stranger.send_to(b"from a stranger", c.local_addr()?)?;
    a.send_to(b"from the peer", c.local_addr()?)?;
    for _ in 0..2 {
        match c.recv(&mut buf) {
            Ok(n) => println!(
                "connected socket got {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                println!("connected socket: nothing more (the stranger's datagram was dropped)")
            }
            Err(e) => return Err(e),
        }
    }
    c.send(b"reply")?; // no address needed: it goes to the connected peer
    let (n, from) = a.recv_from(&mut buf)?;
    let same = from == c.local_addr()?;
    println!(
        "peer got {:?} from the connected socket: {same}",
        String::from_utf8_lossy(&buf[..n])
    );
    // ANCHOR_END: connect
    Ok(())
}
