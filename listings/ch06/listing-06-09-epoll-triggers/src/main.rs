//! epoll by hand: which sockets are readable, and level- against edge-triggered
//! notification on one socket whose handler reads only part of what arrived.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};

/// A connected pair on loopback: (client end, server end).
fn tcp_pair(listener: &TcpListener) -> std::io::Result<(TcpStream, TcpStream)> {
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    Ok((client, server))
}

// ANCHOR: ready
/// Waits up to 100 ms and returns the `data` of every socket reported ready.
fn ready(epoll: &Epoll) -> nix::Result<Vec<u64>> {
    let mut events = [EpollEvent::empty(); 8];
    let n = epoll.wait(&mut events, 100u8)?; // 100 ms, then "nothing"
    let mut ids: Vec<u64> = events[..n].iter().map(|e| e.data()).collect();
    ids.sort();
    Ok(ids)
}
// ANCHOR_END: ready

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    // ANCHOR: many
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    let mut pairs = Vec::new();
    for id in 0..3 {
        let (client, server) = tcp_pair(&listener)?;
        // One epoll_ctl(ADD) per socket; `id` comes back with each event.
        epoll.add(&server, EpollEvent::new(EpollFlags::EPOLLIN, id))?;
        pairs.push((client, server));
    }
    pairs[0].0.write_all(b"hi")?;
    pairs[2].0.write_all(b"hi")?;
    println!(
        "clients 0 and 2 sent; epoll_wait says ready: {:?}",
        ready(&epoll)?
    );
    // ANCHOR_END: many

    // ANCHOR: edge
    let (mut client, mut server) = tcp_pair(&listener)?;
    let level = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    let edge = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    level.add(&server, EpollEvent::new(EpollFlags::EPOLLIN, 7))?;
    let et = EpollFlags::EPOLLIN | EpollFlags::EPOLLET;
    edge.add(&server, EpollEvent::new(et, 7))?;

    let show = |what: &str| -> nix::Result<()> {
        let l = if ready(&level)?.is_empty() {
            "silent"
        } else {
            "ready"
        };
        let e = if ready(&edge)?.is_empty() {
            "silent"
        } else {
            "ready"
        };
        println!("{what:<36} level: {l:<7} edge: {e}");
        Ok(())
    };
    client.write_all(b"0123456789")?;
    show("10 bytes arrive")?;
    let mut four = [0u8; 4];
    server.read_exact(&mut four)?; // the handler takes only 4 of them
    show("handler read 4; 6 are still waiting")?;
    client.write_all(b"!")?;
    show("1 more byte arrives (a new edge)")?;
    let mut rest = [0u8; 7];
    server.read_exact(&mut rest)?;
    show("handler read everything")?;
    // ANCHOR_END: edge
    Ok(())
}
