//! Tests for this exercise. `cargo test -p exercise-06-03-timers` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_03_timers as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::Timers;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn timers_fire_in_deadline_order() {
    let t0 = Instant::now();
    let mut timers = Timers::new();
    let c = timers.schedule(t0 + ms(30));
    let a = timers.schedule(t0 + ms(10));
    let b = timers.schedule(t0 + ms(20));
    assert_eq!(timers.len(), 3);
    assert_eq!(timers.expired(t0 + ms(5)), vec![]);
    assert_eq!(timers.expired(t0 + ms(25)), vec![a, b]);
    assert_eq!(timers.expired(t0 + ms(100)), vec![c]);
    assert!(timers.is_empty());
}

#[test]
fn equal_deadlines_fire_in_scheduling_order() {
    let at = Instant::now() + ms(10);
    let mut timers = Timers::new();
    let ids: Vec<_> = (0..20).map(|_| timers.schedule(at)).collect();
    assert_eq!(timers.expired(at), ids);
}

#[test]
fn cancelled_timers_never_fire() {
    let t0 = Instant::now();
    let mut timers = Timers::new();
    let a = timers.schedule(t0 + ms(10));
    let b = timers.schedule(t0 + ms(20));
    assert!(timers.cancel(a));
    assert!(!timers.cancel(a), "second cancel of the same timer");
    assert_eq!(timers.len(), 1);
    assert_eq!(timers.expired(t0 + ms(50)), vec![b]);
    assert!(!timers.cancel(b), "b has fired");
}

#[test]
fn timeout_tells_poll_how_long_to_sleep() {
    let t0 = Instant::now();
    let mut timers = Timers::new();
    assert_eq!(timers.timeout(t0), None);
    let a = timers.schedule(t0 + ms(10));
    timers.schedule(t0 + ms(40));
    assert_eq!(timers.timeout(t0), Some(ms(10)));
    assert_eq!(timers.timeout(t0 + ms(15)), Some(Duration::ZERO));
    // A cancelled timer at the top must not wake the loop.
    timers.cancel(a);
    assert_eq!(timers.timeout(t0), Some(ms(40)));
}

#[test]
fn the_loop_closes_only_idle_connections() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(ex::idle_echo(listener, ms(300), ms(2000))));
    let connect = || {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    };
    let quiet: Vec<_> = (0..2).map(|_| connect()).collect();
    let mut chatty = connect();
    let start = Instant::now();
    while start.elapsed() < ms(900) {
        chatty.write_all(b"hi").unwrap();
        let mut back = [0u8; 2];
        chatty.read_exact(&mut back).unwrap();
        thread::sleep(ms(50));
    }
    for q in quiet {
        let mut line = String::new();
        BufReader::new(q).read_line(&mut line).unwrap();
        assert_eq!(line, "idle timeout\n");
    }
    let closed = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("loop never stopped");
    assert_eq!(
        closed.unwrap(),
        2 + 1,
        "two quiet clients, then the chatty one went quiet"
    );
}
