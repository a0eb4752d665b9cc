//! Holds N idle connections (default 1,000; first argument), each served by a
//! thread blocked in read(), and reads the process's memory from /proc before
//! and after: once with Rust's default 2 MiB stacks, once with 64 KiB stacks.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::thread;

/// (virtual size, resident size) of this process in bytes, from the kernel.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
            .map_or(0, |kb: u64| kb * 1024)
    };
    (field("VmSize:"), field("VmRSS:"))
}

fn human(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 * 1024.0 => format!("{:.1} GiB", b / (1u64 << 30) as f64),
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MiB", b / (1u64 << 20) as f64),
        b => format!("{:.1} KiB", b / 1024.0),
    }
}

// ANCHOR: hold
/// Opens `n` connections, each served by a thread sleeping in read(), and
/// returns how much virtual and resident memory they added.
fn hold_idle(n: usize, stack: Option<usize>) -> std::io::Result<(u64, u64)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let before = memory();
    let mut clients = Vec::with_capacity(n);
    let mut servers = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(TcpStream::connect(addr)?);
        let (mut conn, _) = listener.accept()?;
        let mut b = thread::Builder::new();
        if let Some(size) = stack {
            b = b.stack_size(size);
        }
        servers.push(b.spawn(move || {
            let mut buf = [0u8; 4096]; // on the stack: touched once, by read()
            while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
        })?);
    }
    let after = memory();
    drop(clients); // every read() returns 0, every thread ends
    for s in servers {
        s.join().expect("server thread panicked");
    }
    Ok((after.0 - before.0, after.1.saturating_sub(before.1)))
}
// ANCHOR_END: hold

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    println!("{n} idle connections, one thread blocked in read() for each");
    for (label, stack) in [("default stacks", None), ("64 KiB stacks", Some(64 * 1024))] {
        let (virt, rss) = hold_idle(n, stack)?;
        println!(
            "{label}: per thread {} of address space, {} resident",
            human(virt as f64 / n as f64),
            human(rss as f64 / n as f64)
        );
    }
    Ok(())
}
