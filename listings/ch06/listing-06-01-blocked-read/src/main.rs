//! A thread blocks in read() on a socket with no data. The main thread looks
//! at it through /proc: its scheduler state, where in the kernel it waits,
//! how much CPU it uses while waiting. Then bytes arrive and it wakes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// One field of /proc/self/task/TID/FILE (Linux only).
fn task_file(tid: i32, file: &str) -> String {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/{file}")).unwrap_or_default()
}

/// Scheduler state letter: R running, S sleeping (interruptible), D disk wait.
fn state(tid: i32) -> char {
    let stat = task_file(tid, "stat");
    // The name in parentheses may contain spaces; the state follows ") ".
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next())
        .unwrap_or('?')
}

/// Nanoseconds this thread has spent on a CPU, and its voluntary switches.
fn cpu_and_switches(tid: i32) -> (u64, u64) {
    let on_cpu = task_file(tid, "schedstat")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let switches = task_file(tid, "status")
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    (on_cpu, switches)
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut conn, _) = listener.accept()?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))?; // bounded, still blocking

    let (tid_tx, tid_rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        tid_tx.send(nix::unistd::gettid().as_raw()).unwrap();
        let mut buf = [0u8; 64];
        let n = conn.read(&mut buf); // nothing to read yet: the thread sleeps
        (n, Instant::now())
    });
    let tid = tid_rx.recv().unwrap();
    // Wait (at most two seconds) until the reader is asleep in the kernel.
    let deadline = Instant::now() + Duration::from_secs(2);
    while state(tid) != 'S' && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    println!("reader thread state: {} (sleeping)", state(tid));
    println!("kernel wait point: {}", task_file(tid, "wchan"));

    let (cpu0, sw0) = cpu_and_switches(tid);
    thread::sleep(Duration::from_millis(300));
    let (cpu1, sw1) = cpu_and_switches(tid);
    println!(
        "over 300 ms asleep: {} context switches, {} µs on a CPU",
        sw1 - sw0,
        (cpu1 - cpu0) / 1000
    );

    let sent = Instant::now();
    client.write_all(b"hello")?; // the kernel queues the bytes, wakes the reader
    let (n, woke) = reader.join().unwrap();
    println!(
        "read() returned {} bytes, {:.1} µs after the write",
        n?,
        woke.duration_since(sent).as_secs_f64() * 1e6
    );
    Ok(())
}
// ANCHOR_END: main
