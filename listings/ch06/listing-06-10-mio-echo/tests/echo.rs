//! The mio echo server under load, slow peers, huge messages and killed peers.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use nix::libc;
use nix::sys::socket::{setsockopt, sockopt};

fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || listing_06_10_mio_echo::serve(listener));
    addr
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

fn round_trip(s: &mut TcpStream, msg: &[u8]) {
    s.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    s.read_exact(&mut back).unwrap();
    assert_eq!(back, msg);
}

#[test]
fn holds_a_thousand_concurrent_clients() {
    let addr = start();
    // Every read and write below is bounded by the sockets' 10 s timeouts.
    let threads = 4;
    let per_thread = 250;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let mut socks: Vec<TcpStream> = (0..per_thread).map(|_| connect(addr)).collect();
                // All 1,000 are connected before anyone sends.
                barrier.wait();
                for (i, s) in socks.iter_mut().enumerate() {
                    let msg = format!("{t:02}-{i:04}-").repeat(8).into_bytes();
                    s.write_all(&msg[..64]).unwrap();
                }
                for (i, s) in socks.iter_mut().enumerate() {
                    let msg = format!("{t:02}-{i:04}-").repeat(8).into_bytes();
                    let mut back = [0u8; 64];
                    s.read_exact(&mut back).unwrap();
                    assert_eq!(&back[..], &msg[..64]);
                }
                socks.len()
            })
        })
        .collect();
    let served: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(served, 1000);
}

#[test]
fn ten_megabytes_reach_a_slow_reader_intact() {
    let addr = start();
    let mut s = connect(addr);
    let data: Vec<u8> = (0..10_000_000u32).map(|i| (i % 251) as u8).collect();
    let expected = data.clone();
    let mut w = s.try_clone().unwrap();
    let writer = thread::spawn(move || w.write_all(&data));
    let mut back = Vec::with_capacity(expected.len());
    let mut buf = [0u8; 8192];
    while back.len() < expected.len() {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "server closed early");
        back.extend_from_slice(&buf[..n]);
        if back.len() % (1 << 20) < n {
            thread::sleep(Duration::from_millis(20)); // a slow reader
        }
    }
    writer.join().unwrap().unwrap();
    assert!(back == expected, "echo differs");
}

#[test]
fn byte_at_a_time_clients_do_not_starve_others() {
    let addr = start();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let slow: Vec<_> = (0..50)
        .map(|_| {
            let stop = stop.clone();
            let mut s = connect(addr);
            thread::spawn(move || {
                // Never reads its echoes.
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if s.write_all(b"x").is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
            })
        })
        .collect();
    let mut s = connect(addr);
    // A starved client would hit its 10 s read timeout and fail the test.
    for i in 0..200 {
        round_trip(&mut s, format!("ping {i}").as_bytes());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for h in slow {
        h.join().unwrap();
    }
}

#[test]
fn killed_peers_are_errors_not_panics() {
    let addr = start();
    for i in 0..100 {
        let mut s = connect(addr);
        s.write_all(b"half a mess").unwrap();
        if i % 2 == 0 {
            // SO_LINGER 0: close sends RST, the server sees ECONNRESET.
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            setsockopt(&s, sockopt::Linger, &linger).unwrap();
        }
        drop(s);
    }
    // A peer that resets while the server still has bytes to send it.
    let mut s = connect(addr);
    s.set_nonblocking(true).unwrap();
    let chunk = [7u8; 65536];
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match s.write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    drop(s);
    let mut s = connect(addr);
    round_trip(&mut s, b"still alive");
}
