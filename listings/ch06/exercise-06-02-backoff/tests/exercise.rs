//! Tests for this exercise. `cargo test -p exercise-06-02-backoff` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_06_02_backoff as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Backoff, watch};
use nix::sys::resource::{UsageWho, getrusage};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const MS: Duration = Duration::from_millis(1);

#[test]
fn busy_sweeps_never_sleep() {
    let mut b = Backoff::new(3, Duration::from_micros(50), 5 * MS);
    for _ in 0..10 {
        assert_eq!(b.after_sweep(true), Duration::ZERO);
    }
}

#[test]
fn idle_sweeps_spin_then_double_up_to_the_cap() {
    let first = Duration::from_micros(50);
    let mut b = Backoff::new(3, first, 5 * MS);
    let got: Vec<Duration> = (0..12).map(|_| b.after_sweep(false)).collect();
    let mut want = vec![Duration::ZERO; 3];
    want.extend([1, 2, 4, 8, 16, 32, 64].map(|k| first * k));
    want.extend([5 * MS, 5 * MS]);
    assert_eq!(got, want);
}

#[test]
fn work_starts_the_sequence_again() {
    let mut b = Backoff::new(1, MS, 8 * MS);
    let before: Vec<_> = (0..4).map(|_| b.after_sweep(false)).collect();
    assert_eq!(b.after_sweep(true), Duration::ZERO);
    let after: Vec<_> = (0..4).map(|_| b.after_sweep(false)).collect();
    assert_eq!(before, after);
    assert_eq!(after, vec![Duration::ZERO, MS, 2 * MS, 4 * MS]);
}

#[test]
fn a_long_idle_spell_neither_overflows_nor_exceeds_the_cap() {
    let mut b = Backoff::new(0, Duration::from_secs(1), Duration::from_secs(3));
    for _ in 0..100_000 {
        assert!(b.after_sweep(false) <= Duration::from_secs(3));
    }
    assert_eq!(b.after_sweep(false), Duration::from_secs(3));
}

fn thread_cpu() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_THREAD).unwrap();
    let t =
        |tv: nix::sys::time::TimeVal| Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000);
    t(u.user_time()) + t(u.system_time())
}

#[test]
fn an_idle_loop_is_cheap_and_still_notices_every_byte() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut clients = Vec::new();
    let mut conns = Vec::new();
    for _ in 0..50 {
        clients.push(TcpStream::connect(listener.local_addr().unwrap()).unwrap());
        let (c, _) = listener.accept().unwrap();
        c.set_nonblocking(true).unwrap();
        conns.push(c);
    }
    let (tx, rx) = mpsc::channel();
    let mut pinger = clients[7].try_clone().unwrap();
    let ping = std::thread::spawn(move || {
        for _ in 0..5 {
            std::thread::sleep(100 * MS); // long idle spells between bytes
            tx.send(Instant::now()).unwrap();
            pinger.write_all(b"!").unwrap();
        }
    });
    let mut backoff = Backoff::new(10, Duration::from_micros(50), 2 * MS);
    let (start, cpu0) = (Instant::now(), thread_cpu());
    // The last byte goes out after about 500 ms: the window leaves as much
    // again for a loaded machine to deliver it.
    let delays = watch(&mut conns, &mut backoff, start + 1000 * MS, &rx);
    let busy = (thread_cpu() - cpu0).as_secs_f64() / start.elapsed().as_secs_f64();
    ping.join().unwrap();
    assert_eq!(delays.len(), 5, "every byte seen");
    // CPU time, not wall time: a loaded machine can only lower this share
    // (a loop that sleeps asks for little CPU; spinning would ask for all).
    assert!(
        busy < 0.25,
        "an idle loop used {:.0} % of a core",
        busy * 100.0
    );
    // How late each byte was seen depends on the scheduler as much as on the
    // cap, so it is not asserted here: the tests above check that no sleep
    // exceeds the cap.
}
