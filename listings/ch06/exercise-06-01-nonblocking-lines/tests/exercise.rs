//! Tests for this exercise. `cargo test -p exercise-06-01-nonblocking-lines`
//! tests your `src/lib.rs`; the book's own test run adds `--features solution`
//! to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_01_nonblocking_lines as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{LineConn, MAX_LINE, MAX_UNSENT, Status, TOO_LONG};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

/// A connected pair: the test's client and the server's `LineConn`.
fn pair() -> (TcpStream, LineConn) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    client.set_write_timeout(Some(WAIT)).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, LineConn::new(server).unwrap())
}

/// Steps `conn` until `done` says so, for at most `WAIT`.
fn step_until(conn: &mut LineConn, mut done: impl FnMut(&mut LineConn, &Status) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = conn.step().expect("step");
        if done(conn, &status) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out");
        thread::sleep(Duration::from_millis(1));
    }
}

fn read_n(client: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut v = vec![0; n];
    client.read_exact(&mut v).expect("reply");
    v
}

#[test]
fn step_returns_at_once_when_nothing_has_arrived() {
    let (_client, mut conn) = pair();
    // Nothing will ever arrive: a step that waited for data would never
    // return, so returning at all (within the bound) is the property.
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || tx.send(conn.step().map_err(|e| e.to_string())));
    let status = rx.recv_timeout(WAIT).expect("step waited for data");
    assert_eq!(status, Ok(Status::Open));
}

#[test]
fn lines_split_across_reads_are_reassembled() {
    let (mut client, mut conn) = pair();
    for piece in [&b"hel"[..], b"lo\nwor", b"ld", b"\nagain\n"] {
        client.write_all(piece).unwrap();
        step_until(&mut conn, |_, _| true);
        thread::sleep(Duration::from_millis(5));
    }
    let mut got = Vec::new();
    let deadline = Instant::now() + WAIT;
    while got.len() < 18 && Instant::now() < deadline {
        conn.step().unwrap();
        client.set_nonblocking(true).unwrap();
        let mut buf = [0; 64];
        if let Ok(n) = client.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        client.set_nonblocking(false).unwrap();
    }
    assert_eq!(got, b"HELLO\nWORLD\nAGAIN\n");
}

#[test]
fn the_last_line_and_the_close_finish_the_connection() {
    let (mut client, mut conn) = pair();
    client.write_all(b"one\ntwo").unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    step_until(&mut conn, |_, s| *s == Status::Done);
    assert_eq!(read_n(&mut client, 8), b"ONE\nTWO\n");
}

#[test]
fn a_line_too_long_is_refused() {
    let (mut client, mut conn) = pair();
    client.write_all(b"short\n").unwrap();
    client.write_all(&vec![b'x'; MAX_LINE + 10]).unwrap();
    step_until(&mut conn, |_, s| *s == Status::Done);
    let mut got = read_n(&mut client, 6 + TOO_LONG.len());
    assert_eq!(got.drain(..6).as_slice(), b"SHORT\n");
    assert_eq!(got, TOO_LONG);
}

#[test]
fn a_line_of_exactly_max_line_is_served() {
    let (mut client, mut conn) = pair();
    let mut line = vec![b'a'; MAX_LINE];
    line.push(b'\n');
    client.write_all(&line).unwrap();
    step_until(&mut conn, |c, _| c.unsent() == 0 && c.buffered() == 0);
    assert_eq!(read_n(&mut client, MAX_LINE + 1), line.to_ascii_uppercase());
}

#[test]
fn a_client_that_never_reads_cannot_grow_the_buffers() {
    let (client, mut conn) = pair();
    // 32 MiB of lines from a client that reads nothing back.
    let writer = thread::spawn(move || {
        let mut c = client;
        c.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
        let block = b"abcdefghijklmno\n".repeat(4096);
        let mut sent = 0;
        for _ in 0..512 {
            match c.write_all(&block) {
                Ok(()) => sent += block.len(),
                Err(_) => break, // our own buffers are full: expected
            }
        }
        (sent, c)
    });
    let started = Instant::now();
    let mut most = 0;
    while started.elapsed() < Duration::from_millis(1500) {
        assert_eq!(conn.step().unwrap(), Status::Open);
        most = most.max(conn.buffered());
    }
    assert!(
        most <= MAX_UNSENT + MAX_LINE + 8192,
        "buffered {most} bytes"
    );
    let (sent, _client) = writer.join().unwrap();
    assert!(sent < 32 << 20, "the client could send everything");
}

#[test]
fn a_reset_peer_is_an_error() {
    let (client, mut conn) = pair();
    (&client).write_all(b"half a li").unwrap();
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
    let deadline = Instant::now() + WAIT;
    let err = loop {
        match conn.step() {
            Ok(Status::Open) if Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1))
            }
            Ok(s) => panic!("no error, status {s:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn one_thread_serves_many_clients_at_once() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stop);
    let server = thread::spawn(move || ex::serve(listener, &s));
    let mut clients: Vec<TcpStream> = (0..100)
        .map(|_| {
            let c = TcpStream::connect(addr).unwrap();
            c.set_read_timeout(Some(WAIT)).unwrap();
            c
        })
        .collect();
    // Interleave: every client sends half a line, then every client the rest.
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("client {i} ").as_bytes()).unwrap();
    }
    for c in &mut clients {
        c.write_all(b"says hi\n").unwrap();
    }
    for (i, c) in clients.iter_mut().enumerate() {
        let want = format!("CLIENT {i} SAYS HI\n");
        assert_eq!(read_n(c, want.len()), want.as_bytes());
    }
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
}
