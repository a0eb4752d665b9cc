//! The server holds a thousand idle connections at once, frees each task when
//! its client leaves (also mid-message), and the limit is raised as promised.

use listing_06_28_fd_limit::{hold, raise_fd_limit, start_server, wait_for};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[test]
fn soft_limit_reaches_the_hard_limit() {
    let (before, soft, hard) = raise_fd_limit().expect("setrlimit");
    assert!(soft >= before);
    assert!(soft == hard || soft >= 1 << 20, "soft {soft}, hard {hard}");
}

#[test]
fn thousand_idle_connections_then_all_released() {
    raise_fd_limit().expect("setrlimit");
    let server = start_server("127.0.0.1:0").expect("server");
    let held = hold(server.addr, 1_000).expect("1,000 connections");
    assert_eq!(held.len(), 1_000);
    assert_eq!(server.live.load(Ordering::Relaxed), 1_000);
    drop(held);
    assert!(wait_for(&server.live, 0, Duration::from_secs(10)));
}

#[test]
fn peer_vanishing_mid_message_frees_its_task() {
    let server = start_server("127.0.0.1:0").expect("server");
    let mut idle = hold(server.addr, 3).expect("3 connections");
    let mut s = TcpStream::connect(server.addr).expect("connect");
    assert!(wait_for(&server.live, 4, Duration::from_secs(10)));
    s.set_write_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(&[7u8; 10_000]).expect("write"); // never reads its echo
    drop(s);
    assert!(wait_for(&server.live, 3, Duration::from_secs(10)));
    idle.truncate(0);
    assert!(wait_for(&server.live, 0, Duration::from_secs(10)));
}
