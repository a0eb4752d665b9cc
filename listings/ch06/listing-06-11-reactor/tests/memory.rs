//! Clients that send lines and never read the replies must not make the
//! server buffer without bound. Its own file: the process measures one test.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use listing_06_11_reactor::{Config, LineServer, Reactor};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn clients_that_never_read_cannot_grow_server_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::default();
    let cap = config.max_unsent;
    let mut reactor = Reactor::new(listener, config, || {
        LineServer::new(Duration::from_secs(60))
    })
    .unwrap();
    thread::spawn(move || reactor.run());

    let before = resident_bytes();
    let clients = 32;
    let lines = b"0123456789abcdef\n".repeat(4096);
    let mut flooders = Vec::new();
    for _ in 0..clients {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut stalls = 0;
        while stalls < 20 {
            assert!(Instant::now() < deadline, "server keeps reading");
            match s.write(&lines) {
                Ok(_) => stalls = 0,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    stalls += 1;
                    thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("{e}"),
            }
        }
        flooders.push(s);
    }
    let grown = resident_bytes().saturating_sub(before);
    assert!(
        grown < clients * 2 * cap + 16 * 1024 * 1024,
        "server grew by {grown} bytes for {clients} stuck clients"
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"hello\n").unwrap();
    let mut back = [0u8; 6];
    s.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"HELLO\n");
}
