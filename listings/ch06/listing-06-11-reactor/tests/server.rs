//! The reactor's line server under load, slow and hostile peers, and shutdown.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use listing_06_11_reactor::{Config, Handle, LineServer, Reactor};
use nix::libc;
use nix::sys::socket::{setsockopt, sockopt};

struct Server {
    addr: SocketAddr,
    handle: Handle,
    done: mpsc::Receiver<std::io::Result<()>>,
}

impl Server {
    fn start(config: Config, idle: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut reactor = Reactor::new(listener, config, move || LineServer::new(idle)).unwrap();
        let handle = reactor.handle();
        let (tx, done) = mpsc::channel();
        thread::spawn(move || tx.send(reactor.run()));
        Server { addr, handle, done }
    }

    fn default() -> Server {
        Server::start(Config::default(), Duration::from_secs(60))
    }

    fn connect(&self) -> BufReader<TcpStream> {
        let s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        BufReader::new(s)
    }

    fn stop(self) {
        self.handle.shutdown();
        let result = self.done.recv_timeout(Duration::from_secs(5));
        result.expect("loop did not stop").unwrap();
    }
}

fn ask(c: &mut BufReader<TcpStream>, line: &str) -> String {
    c.get_mut().write_all(line.as_bytes()).unwrap();
    let mut reply = String::new();
    c.read_line(&mut reply).unwrap();
    reply
}

fn read_to_end(c: &mut BufReader<TcpStream>) -> String {
    let mut rest = String::new();
    c.read_to_string(&mut rest).unwrap();
    rest
}

#[test]
fn holds_a_thousand_concurrent_clients() {
    let config = Config {
        max_connections: 2000,
        ..Config::default()
    };
    let server = Server::start(config, Duration::from_secs(60));
    // Every read below is bounded by the sockets' 10 s timeouts.
    let barrier = Arc::new(Barrier::new(4));
    let addr = server.addr;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let mut socks: Vec<_> = (0..250)
                    .map(|_| {
                        let s = TcpStream::connect(addr).unwrap();
                        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                        BufReader::new(s)
                    })
                    .collect();
                barrier.wait(); // all 1,000 connected at once
                for (i, s) in socks.iter_mut().enumerate() {
                    s.get_mut()
                        .write_all(format!("hello {t} {i}\n").as_bytes())
                        .unwrap();
                }
                for (i, s) in socks.iter_mut().enumerate() {
                    let mut reply = String::new();
                    s.read_line(&mut reply).unwrap();
                    assert_eq!(reply, format!("HELLO {t} {i}\n"));
                }
                socks.len()
            })
        })
        .collect();
    let served: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(served, 1000);
    server.stop();
}

#[test]
fn connections_beyond_the_limit_are_refused_cleanly() {
    let config = Config {
        max_connections: 20,
        ..Config::default()
    };
    let server = Server::start(config, Duration::from_secs(60));
    let mut admitted: Vec<_> = (0..20).map(|_| server.connect()).collect();
    for (i, c) in admitted.iter_mut().enumerate() {
        assert_eq!(ask(c, &format!("in {i}\n")), format!("IN {i}\n"));
    }
    for _ in 0..50 {
        let mut c = server.connect();
        assert_eq!(read_to_end(&mut c), "ERR server full\n");
    }
    // A place frees up when someone leaves.
    drop(admitted.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // Listen first: writing to a socket the server is closing would turn
        // its close into a reset and could lose the refusal.
        let mut c = server.connect();
        c.get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut reply = String::new();
        match c.read_line(&mut reply) {
            Ok(_) => assert_eq!(reply, "ERR server full\n"),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                // Nothing said yet: probably admitted, but a loaded server may
                // only now be sending its refusal, so both answers are legal.
                c.get_ref()
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reply = String::new();
                let sent = c.get_mut().write_all(b"late\n");
                match sent.and_then(|()| c.read_line(&mut reply)) {
                    Ok(_) if reply == "LATE\n" => break,
                    Ok(_) => assert_eq!(reply, "ERR server full\n"),
                    // Our line met a socket the server had closed: refused.
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                        ) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            Err(e) => panic!("{e}"),
        }
        assert!(Instant::now() < deadline, "slot never freed");
        thread::sleep(Duration::from_millis(10));
    }
    server.stop();
}

#[test]
fn byte_at_a_time_clients_do_not_starve_others() {
    let server = Server::default();
    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..50)
        .map(|_| {
            let stop = stop.clone();
            let mut s = server.connect().into_inner();
            thread::spawn(move || {
                // One byte per write, replies never read.
                for &b in b"slow\n".iter().cycle() {
                    if stop.load(Ordering::Relaxed) || s.write_all(&[b]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
            })
        })
        .collect();
    // A starved client would hit its 10 s read timeout and fail the test.
    let mut c = server.connect();
    for i in 0..200 {
        assert_eq!(ask(&mut c, &format!("ping {i}\n")), format!("PING {i}\n"));
    }
    stop.store(true, Ordering::Relaxed);
    for h in slow {
        h.join().unwrap();
    }
    server.stop();
}

#[test]
fn a_flooding_client_does_not_starve_a_pinging_one() {
    let server = Server::default();
    let flood = server.connect();
    let mut flood_w = flood.get_ref().try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = thread::spawn({
        let stop = stop.clone();
        move || {
            let line = [b"a".repeat(1023), b"\n".to_vec()].concat().repeat(64);
            while !stop.load(Ordering::Relaxed) {
                flood_w.write_all(&line).unwrap();
            }
        }
    });
    let reader = thread::spawn(move || {
        let mut flood = flood;
        let mut buf = vec![0u8; 1 << 16];
        while flood.get_mut().read(&mut buf).is_ok_and(|n| n > 0) {}
    });
    // A starved client would hit its 10 s read timeout and fail the test.
    let mut c = server.connect();
    for i in 0..100 {
        assert_eq!(ask(&mut c, &format!("ping {i}\n")), format!("PING {i}\n"));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    server.stop();
    // The server closed the flood connection; its reader sees the end.
    reader.join().unwrap();
}

#[test]
fn ten_megabytes_reach_a_slow_reader_intact() {
    let server = Server::default();
    let mut c = server.connect();
    let line: Vec<u8> = [b"abcdefghij".repeat(100).as_slice(), b"\n"].concat();
    let lines = 10_000; // 10 MB
    let mut w = c.get_ref().try_clone().unwrap();
    let writer = thread::spawn(move || {
        for _ in 0..lines / 100 {
            w.write_all(&line.repeat(100)).unwrap();
        }
    });
    let expected = format!("{}\n", "ABCDEFGHIJ".repeat(100));
    for i in 0..lines {
        let mut reply = String::new();
        c.read_line(&mut reply).unwrap();
        assert_eq!(reply, expected, "line {i}");
        if i % 1000 == 0 {
            thread::sleep(Duration::from_millis(20)); // a slow reader
        }
    }
    writer.join().unwrap();
    server.stop();
}

#[test]
fn bad_input_gets_a_typed_error_and_a_close() {
    let server = Server::default();
    let mut c = server.connect();
    c.get_mut().write_all(&[b'x'; 5000]).unwrap();
    assert_eq!(read_to_end(&mut c), "ERR line too long\n");

    let mut c = server.connect();
    c.get_mut().write_all(b"caf\xff\n").unwrap();
    assert_eq!(read_to_end(&mut c), "ERR not UTF-8\n");

    // Truncated: half a line, then the client stops sending.
    let mut c = server.connect();
    c.get_mut().write_all(b"no newline").unwrap();
    c.get_ref().shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(read_to_end(&mut c), "");

    let mut c = server.connect();
    assert_eq!(ask(&mut c, "still here\n"), "STILL HERE\n");
    server.stop();
}

#[test]
fn killed_peers_are_errors_not_panics() {
    let server = Server::default();
    for i in 0..100 {
        let mut c = server.connect();
        c.get_mut().write_all(b"half a li").unwrap();
        if i % 2 == 0 {
            // SO_LINGER 0: close sends RST; the server reads ECONNRESET.
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            setsockopt(c.get_ref(), sockopt::Linger, &linger).unwrap();
        }
    }
    // A peer that vanishes while the server still owes it many replies.
    let c = server.connect();
    let mut s = c.into_inner();
    s.set_nonblocking(true).unwrap();
    let lines = b"0123456789abcdef\n".repeat(4096);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match s.write(&lines) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    drop(s);
    let mut c = server.connect();
    assert_eq!(ask(&mut c, "alive\n"), "ALIVE\n");
    server.stop();
}

#[test]
fn idle_connections_are_timed_out() {
    // A gap of 100 ms against a 1 s timeout leaves the chatty client 900 ms
    // of slack on a loaded machine; twelve gaps outlast the timeout.
    let server = Server::start(Config::default(), Duration::from_secs(1));
    let mut quiet = server.connect();
    let mut chatty = server.connect();
    for i in 0..12 {
        thread::sleep(Duration::from_millis(100)); // pacing, not ordering
        assert_eq!(ask(&mut chatty, &format!("{i}\n")), format!("{i}\n"));
    }
    // Bounded by the socket's 10 s read timeout.
    assert_eq!(read_to_end(&mut quiet), "ERR idle timeout\n");
    // The chatty one kept talking for longer than `idle` and is still open.
    assert_eq!(ask(&mut chatty, "ok\n"), "OK\n");
    server.stop();
}
