//! The echo server under load, against slow readers, killed peers and binary
//! input, on both runtimes. Every wait is bounded.

use listing_06_16_tokio_echo::{serve_current_thread, serve_multi_thread};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(10);

fn start(multi: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if multi {
            serve_multi_thread(listener, 2)
        } else {
            serve_current_thread(listener)
        }
    });
    addr
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    s.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    s.read_exact(&mut back).expect("echo (timed out?)");
    back
}

/// 1,000 clients connected at once (a barrier holds them until all are in),
/// each doing three round trips; returns the number that failed.
fn thousand_clients(addr: SocketAddr) -> usize {
    const N: usize = 1000;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
        let mut set = tokio::task::JoinSet::new();
        for id in 0..N {
            let barrier = barrier.clone();
            set.spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await?;
                barrier.wait().await; // all 1,000 are connected now
                for round in 0..3 {
                    let msg = format!("{id}:{round};");
                    s.write_all(msg.as_bytes()).await?;
                    let mut back = vec![0u8; msg.len()];
                    s.read_exact(&mut back).await?;
                    if back != msg.as_bytes() {
                        return Err(std::io::Error::other("corrupted echo"));
                    }
                }
                Ok::<_, std::io::Error>(())
            });
        }
        let all = async {
            let mut errors = 0;
            while let Some(r) = set.join_next().await {
                if !matches!(r, Ok(Ok(()))) {
                    errors += 1;
                }
            }
            errors
        };
        tokio::time::timeout(Duration::from_secs(30), all)
            .await
            .expect("1,000 clients did not finish within 30 s")
    })
}

#[test]
fn a_thousand_concurrent_clients_multi_thread() {
    assert_eq!(thousand_clients(start(true)), 0);
}

#[test]
fn a_thousand_concurrent_clients_current_thread() {
    assert_eq!(thousand_clients(start(false)), 0);
}

#[test]
fn binary_bytes_come_back_unchanged() {
    for multi in [false, true] {
        let mut s = connect(start(multi));
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(roundtrip(&mut s, &all), all);
        assert_eq!(roundtrip(&mut s, b"\0\r\n\xff"), b"\0\r\n\xff");
    }
}

#[test]
fn a_large_message_streams_through_the_fixed_buffer() {
    // 4 MiB is far more than the socket buffers hold: the client must read
    // while it writes, and the server's 4 KiB buffer is reused throughout.
    let mut s = connect(start(true));
    let data: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut w = s.try_clone().unwrap();
    let sent = data.clone();
    let writer = std::thread::spawn(move || w.write_all(&sent));
    let mut back = vec![0u8; data.len()];
    s.read_exact(&mut back).expect("echo of 4 MiB");
    writer.join().unwrap().unwrap();
    assert!(back == data, "the echo differs from what was sent");
}

#[test]
fn a_client_that_never_reads_does_not_starve_others() {
    for multi in [false, true] {
        let addr = start(multi);
        // The hog writes without reading: its echo fills both socket buffers,
        // then the server's write for it waits. Only its own task waits.
        let mut hog = connect(addr);
        hog.set_nonblocking(true).unwrap();
        let chunk = vec![7u8; 64 * 1024];
        let mut stuffed = 0usize;
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            match hog.write(&chunk) {
                Ok(n) => stuffed += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("hog write: {e}"),
            }
            assert!(std::time::Instant::now() < deadline, "never filled up");
        }
        assert!(stuffed > 0);
        for i in 0..20 {
            let mut other = connect(addr);
            let msg = format!("still served {i}");
            assert_eq!(roundtrip(&mut other, msg.as_bytes()), msg.as_bytes());
        }
    }
}

#[test]
fn killed_peers_do_not_disturb_others() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    for multi in [false, true] {
        let addr = start(multi);
        let mut other = connect(addr);
        assert_eq!(roundtrip(&mut other, b"before"), b"before");
        for _ in 0..50 {
            let mut c = connect(addr);
            c.write_all(&[1u8; 10_000]).unwrap();
            // Linger 0: close sends a reset with unread echo pending, as a
            // killed process's kernel does.
            let abort = nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            setsockopt(&c, Linger, &abort).unwrap();
            drop(c);
        }
        for _ in 0..50 {
            let mut c = connect(addr);
            c.write_all(b"half a mess").unwrap(); // then plain close
        }
        assert_eq!(roundtrip(&mut other, b"after"), b"after");
        let mut fresh = connect(addr);
        assert_eq!(roundtrip(&mut fresh, b"new"), b"new");
    }
}

#[test]
fn a_half_close_gets_the_rest_of_the_echo_then_end_of_stream() {
    let mut s = connect(start(false));
    s.write_all(b"last words").unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut back = Vec::new();
    s.read_to_end(&mut back).expect("read to end");
    assert_eq!(back, b"last words");
}

#[test]
fn a_client_trickling_one_byte_at_a_time_does_not_delay_others() {
    for multi in [false, true] {
        let addr = start(multi);
        let mut slow = connect(addr);
        let (tx, rx) = std::sync::mpsc::channel();
        let trickler = std::thread::spawn(move || {
            // One byte every 10 ms, one write each: the server's task for
            // this client wakes for every byte, and only for its own.
            for &b in b"one byte at a time" {
                slow.write_all(&[b]).unwrap();
                std::thread::sleep(Duration::from_millis(10));
            }
            let mut back = [0u8; 18];
            slow.read_exact(&mut back).unwrap();
            tx.send(back).unwrap();
        });
        // Meanwhile others get their echoes at once.
        let mut other = connect(addr);
        for i in 0..50 {
            let msg = format!("quick {i}");
            assert_eq!(roundtrip(&mut other, msg.as_bytes()), msg.as_bytes());
        }
        let back = rx.recv_timeout(WAIT).expect("trickle echo within WAIT");
        assert_eq!(&back, b"one byte at a time");
        trickler.join().unwrap();
    }
}
