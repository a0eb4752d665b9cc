//! Clients that send and never read must not make the server buffer without
//! bound. Its own file, so the process measures only this test's memory.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn clients_that_never_read_cannot_grow_server_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || listing_06_10_mio_echo::serve(listener));

    let before = resident_bytes();
    let clients = 32;
    let mut flooders = Vec::new();
    let chunk = vec![1u8; 65536];
    for _ in 0..clients {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_nonblocking(true).unwrap();
        // Write until the kernel says "full": the server must have stopped
        // reading, or this would go on until the deadline.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut stalls = 0;
        let mut sent = 0usize;
        while stalls < 20 {
            assert!(Instant::now() < deadline, "server keeps reading");
            match s.write(&chunk) {
                Ok(n) => {
                    sent += n;
                    stalls = 0;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    stalls += 1;
                    thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert!(sent > 0);
        flooders.push(s);
    }
    let grown = resident_bytes().saturating_sub(before);
    let cap = clients * listing_06_10_mio_echo::MAX_PENDING;
    // Unbounded buffering would hold every byte sent (megabytes per client).
    assert!(
        grown < cap + 16 * 1024 * 1024,
        "server grew by {grown} bytes for {clients} stuck clients"
    );

    // Others are still served while the flooders sit there.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"hello").unwrap();
    let mut back = [0u8; 5];
    s.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"hello");
}
