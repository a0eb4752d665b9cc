//! The polling echo server under load, slow clients, killed peers and
//! large streams (which force partial writes). Every wait is bounded by a socket timeout.

use listing_06_07_polling_echo::{Conn, Stats, serve};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

/// A running server; dropping it stops its spinning thread.
struct Server(SocketAddr, Arc<Stats>);

impl Drop for Server {
    fn drop(&mut self) {
        self.1.stop.store(true, Ordering::Relaxed);
    }
}

fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let stats = Arc::new(Stats::default());
    let s = Arc::clone(&stats);
    thread::spawn(move || serve(listener, &s));
    Server(addr, stats)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

fn round_trip(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<()> {
    s.write_all(msg)?;
    let mut back = vec![0; msg.len()];
    s.read_exact(&mut back)?;
    assert_eq!(back, msg);
    Ok(())
}

fn threads() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn a_thousand_clients_at_once_get_their_echoes() {
    let server = start();
    let addr = server.0;
    // Four client threads with 250 sockets each: the server, not the test,
    // is the one that needs a thread per connection.
    let (tx, rx) = mpsc::channel();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(5));
    for t in 0..4 {
        let (tx, barrier) = (tx.clone(), barrier.clone());
        thread::spawn(move || {
            let mut socks: Vec<TcpStream> = (0..250).map(|_| connect(addr)).collect();
            let mut errors = 0;
            for (i, s) in socks.iter_mut().enumerate() {
                let msg = format!("client {t}-{i}\n");
                errors += round_trip(s, msg.as_bytes()).is_err() as usize;
            }
            barrier.wait(); // all 1,000 connections are open and served here
            barrier.wait(); // the main thread has counted threads
            tx.send(errors).unwrap();
        });
    }
    barrier.wait();
    // One server thread holds all 1,000: the test's threads plus one.
    assert!(threads() < 50, "{} threads", threads());
    barrier.wait();
    let errors: usize = (0..4).map(|_| rx.recv_timeout(WAIT * 3).unwrap()).sum();
    assert_eq!(errors, 0);
}

#[test]
fn slow_clients_do_not_starve_a_fast_one() {
    let server = start();
    let addr = server.0;
    // Ten clients that trickle one byte at a time and never read.
    let mut tricklers: Vec<TcpStream> = (0..10).map(|_| connect(addr)).collect();
    // Five that send far more than the socket buffers hold and never read:
    // the server keeps their unsent bytes and stops reading them. A write
    // that stalls for a second means both buffers are full (a server that
    // kept reading would take 64 MiB at loopback speed): a blocking send
    // then returns what it managed (a short count) or, if nothing, an error.
    let (done_tx, done_rx) = mpsc::channel();
    for _ in 0..5 {
        let mut s = connect(addr);
        s.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
        let done_tx = done_tx.clone();
        thread::spawn(move || {
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0usize;
            while sent < 64 << 20 {
                match s.write(&chunk) {
                    Ok(n) if n == chunk.len() => sent += n,
                    Ok(n) => {
                        sent += n; // cut short by the write timeout
                        break;
                    }
                    Err(_) => break, // write timeout: both buffers are full
                }
            }
            done_tx.send((sent, s)).unwrap();
        });
    }
    let start = Instant::now();
    let mut fast = connect(addr);
    for i in 0..100 {
        for t in &mut tricklers {
            t.write_all(&[b'a' + (i % 26) as u8]).unwrap();
        }
        round_trip(&mut fast, format!("fast {i}\n").as_bytes()).unwrap();
    }
    // Starvation would show as a read timeout above; this bounds the total.
    assert!(start.elapsed() < WAIT * 3);
    for _ in 0..5 {
        let (sent, _stuck) = done_rx.recv_timeout(WAIT).unwrap();
        assert!(
            sent < 64 << 20,
            "a non-reading client could send everything"
        );
    }
}

#[test]
fn a_reset_peer_is_an_error_not_a_panic() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = connect(listener.local_addr().unwrap());
    let (server_side, _) = listener.accept().unwrap();
    let mut conn = Conn::new(server_side).unwrap();
    (&client).write_all(b"half a messa").unwrap();
    // Linger 0: close sends RST instead of FIN, like a killed process's
    // kernel does when unread data is pending.
    nix::sys::socket::setsockopt(
        &client,
        nix::sys::socket::sockopt::Linger,
        &nix::libc::linger {
            l_onoff: 1,
            l_linger: 0,
        },
    )
    .unwrap();
    drop(client);
    let stats = Stats::default();
    let mut buf = [0; listing_06_07_polling_echo::BUF_SIZE];
    let deadline = Instant::now() + WAIT;
    let err = loop {
        match conn.step(&mut buf, &stats) {
            Ok(true) if Instant::now() < deadline => continue,
            Ok(open) => panic!("no error (still open: {open})"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            err.kind(),
            ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
        ),
        "{err:?}"
    );
}

#[test]
fn the_server_outlives_killed_peers() {
    let server = start();
    let addr = server.0;
    for _ in 0..50 {
        let mut c = connect(addr);
        c.write_all(&[7; 3000]).unwrap();
        nix::sys::socket::setsockopt(
            &c,
            nix::sys::socket::sockopt::Linger,
            &nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            },
        )
        .unwrap();
    }
    round_trip(&mut connect(addr), b"still here\n").unwrap();
}

#[test]
fn sixteen_mebibytes_come_back_intact() {
    let server = start();
    let addr = server.0;
    let s = connect(addr);
    let mut w = s.try_clone().unwrap();
    let data: Vec<u8> = (0..16u32 << 20).map(|i| (i * 31 % 251) as u8).collect();
    let expected = data.clone();
    // Writing and reading from two threads: one thread writing everything
    // first would deadlock once both directions' buffers are full.
    let writer = thread::spawn(move || w.write_all(&data));
    let mut back = Vec::with_capacity(expected.len());
    (&s).take(expected.len() as u64)
        .read_to_end(&mut back)
        .unwrap();
    writer.join().unwrap().unwrap();
    assert!(back == expected, "echo differs");
}
