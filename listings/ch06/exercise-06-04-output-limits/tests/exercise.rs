//! Tests for this exercise. `cargo test -p exercise-06-04-output-limits` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_04_output_limits as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{OutBuf, Overflow};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// A socket stand-in: takes at most `per_call` bytes a call, then says
/// `WouldBlock` after `calls` calls, and interrupts every third call.
struct Trickle {
    per_call: usize,
    calls: usize,
    seen: usize,
    got: Vec<u8>,
}

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.seen += 1;
        if self.seen.is_multiple_of(3) {
            return Err(ErrorKind::Interrupted.into());
        }
        if self.calls == 0 {
            return Err(ErrorKind::WouldBlock.into());
        }
        self.calls -= 1;
        let n = buf.len().min(self.per_call);
        self.got.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn partial_writes_keep_the_rest_in_order() {
    let mut out = OutBuf::new(1000, 4000);
    let data: Vec<u8> = (0..=255).collect();
    out.push(&data).unwrap();
    let mut w = Trickle {
        per_call: 10,
        calls: 5,
        seen: 0,
        got: Vec::new(),
    };
    assert_eq!(out.flush(&mut w).unwrap(), 50);
    assert_eq!(out.len(), 206);
    w.calls = 1000;
    assert_eq!(out.flush(&mut w).unwrap(), 206);
    assert!(out.is_empty());
    assert_eq!(w.got, data);
}

#[test]
fn a_push_past_the_cap_is_refused_whole() {
    let mut out = OutBuf::new(8, 16);
    out.push(b"0123456789").unwrap();
    assert_eq!(
        out.push(b"abcdefg"),
        Err(Overflow {
            unsent: 10,
            cap: 16
        })
    );
    assert_eq!(out.len(), 10, "a refused push must not append anything");
    out.push(b"abcdef").unwrap();
    assert_eq!(out.len(), 16);
}

#[test]
fn reading_pauses_at_the_high_water_mark() {
    let mut out = OutBuf::new(8, 64);
    assert!(out.wants_input());
    out.push(b"1234567").unwrap();
    assert!(out.wants_input());
    out.push(b"8").unwrap();
    assert!(!out.wants_input());
    let mut w = Trickle {
        per_call: 4,
        calls: 1,
        seen: 0,
        got: Vec::new(),
    };
    out.flush(&mut w).unwrap();
    assert!(out.wants_input());
}

#[test]
fn write_zero_and_real_errors_are_reported() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Ok(0)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    struct Reset;
    impl Write for Reset {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(ErrorKind::ConnectionReset.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut out = OutBuf::new(8, 64);
    out.push(b"data").unwrap();
    assert_eq!(
        out.flush(&mut Closed).unwrap_err().kind(),
        ErrorKind::WriteZero
    );
    assert_eq!(
        out.flush(&mut Reset).unwrap_err().kind(),
        ErrorKind::ConnectionReset
    );
    assert_eq!(out.len(), 4);
}

/// Ten megabytes to a reader that sleeps: the writer side reads its input
/// only while `wants_input`, so the buffer never holds more than the cap.
#[test]
fn ten_megabytes_reach_a_slow_reader_with_bounded_memory() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let reader = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
            thread::sleep(Duration::from_micros(200));
        }
    });
    let source: Vec<u8> = (0..10_000_000u32).map(|i| (i % 253) as u8).collect();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_nonblocking(true).unwrap();
    let (high, cap, chunk) = (64 * 1024, 80 * 1024, 16 * 1024);
    let mut out = OutBuf::new(high, cap);
    let mut fed = 0;
    let mut peak = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while fed < source.len() || !out.is_empty() {
        assert!(Instant::now() < deadline, "took too long");
        while out.wants_input() && fed < source.len() {
            let end = (fed + chunk).min(source.len());
            out.push(&source[fed..end]).unwrap();
            fed = end;
        }
        peak = peak.max(out.len());
        if out.flush(&mut s).unwrap() == 0 {
            thread::sleep(Duration::from_micros(500)); // a loop would wait for WRITABLE
        }
    }
    drop(s);
    assert!(peak <= cap, "buffer reached {peak} bytes");
    assert!(reader.join().unwrap() == source, "bytes lost or reordered");
}
