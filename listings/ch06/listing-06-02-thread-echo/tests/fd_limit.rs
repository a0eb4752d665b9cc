//! Running out of file descriptors makes `accept` fail with EMFILE. The server
//! must survive it and serve again once descriptors are free. Alone in its
//! own test binary because it lowers the limit for the whole process.

use listing_06_02_thread_echo::serve;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Open descriptors (counting the one this reads with), or `None` when not
/// even that one is left.
fn open_fds() -> Option<u64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as u64)
}

#[test]
fn running_out_of_descriptors_is_survived() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // The clients connect before the server runs (the backlog completes their
    // handshakes), so only the server's accepts compete for descriptors.
    let clients: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(addr).expect("connect (the backlog takes it)"))
        .collect();
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    // Room for 10 accepted sockets: the other 10 connections meet EMFILE.
    let limit = open_fds().expect("descriptors to spare") + 10;
    setrlimit(Resource::RLIMIT_NOFILE, limit, hard).unwrap();
    std::thread::spawn(move || serve(listener));
    // Wait (bounded) until the server has used every descriptor it may.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while open_fds().is_some_and(|n| n < limit) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(clients);
    setrlimit(Resource::RLIMIT_NOFILE, soft, hard).unwrap();
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"after EMFILE\n").unwrap();
    let mut back = [0; 13];
    c.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"after EMFILE\n");
}
