//! Tests for this exercise. `cargo test -p exercise-03-03-checksum-server` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_03_checksum_server as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Limits, expected_reply, start, upload};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
const MAX: u64 = 64 * 1024;

fn server(idle: Duration) -> SocketAddr {
    start(
        "127.0.0.1:0",
        Limits {
            max_upload: MAX,
            idle,
        },
    )
    .expect("bind")
}

/// Runs `f` on a thread and fails if it does not finish within `WAIT`.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(WAIT).expect("did not finish in time")
}

/// A raw client: sends `data`, half-closes, returns the whole reply.
fn raw_upload(addr: SocketAddr, data: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(data).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("read the reply");
    reply
}

fn data(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn the_checksum_is_correct() {
    let addr = server(WAIT);
    let text = b"Wikipedia";
    within(move || {
        // Adler-32's textbook example.
        assert_eq!(raw_upload(addr, text), "OK 9 11e60398\n");
        assert_eq!(raw_upload(addr, b""), "OK 0 00000001\n");
        let d = data(1, 50_000);
        assert_eq!(raw_upload(addr, &d), format!("{}\n", expected_reply(&d)));
    });
}

#[test]
fn an_upload_of_exactly_the_cap_is_accepted() {
    let addr = server(WAIT);
    within(move || {
        let d = data(2, MAX as usize);
        assert_eq!(upload(addr, &d, WAIT).unwrap(), expected_reply(&d));
    });
}

#[test]
fn the_client_function_works() {
    let addr = server(WAIT);
    within(move || {
        assert_eq!(upload(addr, b"Wikipedia", WAIT).unwrap(), "OK 9 11e60398");
    });
}

#[test]
fn an_oversized_upload_is_refused() {
    let addr = server(WAIT);
    within(move || {
        for extra in [1usize, 1 << 20] {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(WAIT)).unwrap();
            // The server stops reading part-way, so the writer may see an error.
            let mut w = s.try_clone().unwrap();
            let writer = thread::spawn(move || {
                let _ = w.write_all(&data(3, MAX as usize + extra));
                let _ = w.shutdown(Shutdown::Write);
            });
            let mut reply = String::new();
            s.read_to_string(&mut reply).expect("read the reply");
            assert_eq!(reply, "ERR too large\n", "upload of MAX + {extra} bytes");
            writer.join().unwrap();
        }
    });
}

#[test]
fn an_idle_client_is_timed_out() {
    let addr = server(Duration::from_millis(200));
    within(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        s.write_all(b"some bytes, then silence").unwrap();
        let t = Instant::now();
        let mut reply = String::new();
        s.read_to_string(&mut reply).expect("read the reply");
        assert_eq!(reply, "ERR idle timeout\n");
        assert!(
            t.elapsed() >= Duration::from_millis(150),
            "timed out too early"
        );
    });
}

#[test]
fn a_client_that_disconnects_mid_upload_does_not_disturb_others() {
    let addr = server(WAIT);
    within(move || {
        let mut quitter = TcpStream::connect(addr).unwrap();
        quitter.write_all(&data(4, 10_000)).unwrap();
        drop(quitter);
        let d = data(5, 20_000);
        assert_eq!(upload(addr, &d, WAIT).unwrap(), expected_reply(&d));
    });
}

#[test]
fn concurrent_clients_all_get_their_own_checksum() {
    let addr = server(WAIT);
    within(move || {
        let go = Arc::new(Barrier::new(12));
        let clients: Vec<_> = (0..12u8)
            .map(|id| {
                let go = Arc::clone(&go);
                thread::spawn(move || {
                    let d = data(id, 30_000 + 1000 * id as usize);
                    go.wait();
                    assert_eq!(upload(addr, &d, WAIT).unwrap(), expected_reply(&d));
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
    });
}
