//! The limited server under a flood, slow and silent clients, and killed
//! peers. Every wait is bounded.

use listing_06_04_connection_limit::{BUSY, Limits, Permits, serve};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn start(max_conns: usize, idle: Duration) -> (SocketAddr, Permits) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let permits = Permits::default();
    let p = permits.clone();
    thread::spawn(move || serve(listener, Limits { max_conns, idle }, p));
    (addr, permits)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.set_write_timeout(Some(WAIT)).unwrap();
    s
}

#[derive(Debug, PartialEq)]
enum Answer {
    Echo,
    Busy,
}

/// Sends a line and classifies the reply; anything else is an error.
fn ask(s: &mut TcpStream, msg: &[u8]) -> std::io::Result<Answer> {
    s.write_all(msg)?;
    let mut got = Vec::new();
    let mut buf = [0; 64];
    while got.len() < msg.len() {
        let n = s.read(&mut buf)?;
        got.extend_from_slice(&buf[..n]);
        if n == 0 || got == BUSY {
            break;
        }
    }
    match got {
        g if g == msg => Ok(Answer::Echo),
        g if g == BUSY => Ok(Answer::Busy),
        g => Err(std::io::Error::other(format!("unexpected reply {g:?}"))),
    }
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_flood_of_a_thousand_gets_100_echoes_and_900_refusals() {
    // An idle timeout far beyond the test's bounds: on a loaded machine no
    // admitted client may lose its slot (and let a 101st in) before the end.
    let (addr, permits) = start(100, WAIT * 6);
    let (tx, rx) = mpsc::channel();
    let barrier = Arc::new(Barrier::new(4));
    for t in 0..4 {
        let (tx, barrier) = (tx.clone(), barrier.clone());
        thread::spawn(move || {
            let mut socks: Vec<TcpStream> = (0..250).map(|_| connect(addr)).collect();
            barrier.wait(); // all 1,000 connected before anyone asks
            let answers: Vec<_> = socks
                .iter_mut()
                .enumerate()
                .map(|(i, s)| ask(s, format!("message {t}-{i:03}\n").as_bytes()))
                .collect();
            tx.send((answers, socks)).unwrap(); // keep the sockets open
        });
    }
    let mut echoes = 0;
    let mut busy = 0;
    let mut open = Vec::new();
    for _ in 0..4 {
        let (answers, socks) = rx.recv_timeout(WAIT * 3).expect("client thread");
        open.push(socks);
        for a in answers {
            match a.expect("no errors: a refusal is an answer") {
                Answer::Echo => echoes += 1,
                Answer::Busy => busy += 1,
            }
        }
    }
    assert_eq!((echoes, busy), (100, 900));
    assert_eq!(permits.live(), 100);
}

#[test]
fn slow_clients_hold_their_own_slots_only() {
    let (addr, _) = start(32, WAIT);
    let mut tricklers: Vec<TcpStream> = (0..10).map(|_| connect(addr)).collect();
    // Non-readers: their handlers end up blocked in write_all.
    let mut stuck = Vec::new();
    for _ in 0..5 {
        let mut s = connect(addr);
        s.set_nonblocking(true).unwrap();
        let chunk = vec![b'x'; 1 << 20];
        let deadline = Instant::now() + WAIT;
        // Fill both directions' buffers; stop when the kernel takes no more.
        while Instant::now() < deadline {
            match s.write(&chunk) {
                Ok(n) if n > 0 => thread::sleep(Duration::from_millis(1)),
                _ => break,
            }
        }
        stuck.push(s);
    }
    let mut fast = connect(addr);
    let started = Instant::now();
    for i in 0..100 {
        for t in &mut tricklers {
            t.write_all(b"z").unwrap();
        }
        assert_eq!(
            ask(&mut fast, format!("fast {i}\n").as_bytes()).unwrap(),
            Answer::Echo
        );
    }
    assert!(started.elapsed() < WAIT * 3);
}

#[test]
fn silent_clients_lose_their_slots() {
    let (addr, permits) = start(5, Duration::from_millis(200));
    let silent: Vec<TcpStream> = (0..5).map(|_| connect(addr)).collect();
    wait_until("five live connections", || permits.live() == 5);
    assert_eq!(ask(&mut connect(addr), b"hi\n").unwrap(), Answer::Busy);
    // After the idle timeout the server closes them: each reads EOF.
    for mut s in silent {
        assert_eq!(s.read(&mut [0; 8]).unwrap(), 0);
    }
    wait_until("free slots", || permits.live() == 0);
    assert_eq!(ask(&mut connect(addr), b"hi\n").unwrap(), Answer::Echo);
}

#[test]
fn killed_peers_give_their_slots_back() {
    let (addr, permits) = start(10, WAIT);
    for _ in 0..10 {
        let mut c = connect(addr);
        assert_eq!(ask(&mut c, b"x\n").unwrap(), Answer::Echo);
        c.write_all(&[1; 100]).unwrap();
        // Linger 0: close sends RST, as a crashed client's kernel would.
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
    wait_until("all slots back", || permits.live() == 0);
    assert_eq!(ask(&mut connect(addr), b"alive\n").unwrap(), Answer::Echo);
}
