// The libc crate as nix re-exports it, so that one version serves both.
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::libc;
use nix::unistd::pipe2;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::thread;

/// 65536 -> "65,536"
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ANCHOR: capacity
/// Fills a fresh non-blocking pipe until the kernel refuses more; with
/// `size`, asks for that capacity first. Returns (reported, measured).
fn capacity(size: Option<i32>) -> nix::Result<(i32, usize)> {
    let (_read_end, write_end) = pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
    if let Some(size) = size {
        fcntl(&write_end, FcntlArg::F_SETPIPE_SZ(size))?;
    }
    let reported = fcntl(&write_end, FcntlArg::F_GETPIPE_SZ)?;
    let mut pipe = File::from(write_end);
    let mut filled = 0;
    loop {
        match pipe.write(&[0u8; 1024]) {
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break, // EAGAIN: full
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    Ok((reported, filled))
}
// ANCHOR_END: capacity

// ANCHOR: atomic
/// Four threads each write `count` records of `size` bytes, every byte of a
/// record its writer's letter, into one pipe. Counts records that arrive
/// mixed with another writer's bytes.
fn torn_records(size: usize, count: usize) -> std::io::Result<(usize, usize)> {
    let (mut reader, writer) = std::io::pipe()?;
    let mut writers = Vec::new();
    for letter in b"abcd" {
        let mut w = writer.try_clone()?;
        let record = vec![*letter; size];
        writers.push(thread::spawn(move || {
            for _ in 0..count {
                w.write_all(&record)?; // one write(2) when size <= PIPE_BUF
            }
            Ok::<(), std::io::Error>(())
        }));
    }
    drop(writer);
    let mut stream = Vec::new();
    let mut page = [0u8; 4096]; // a reader that takes a page at a time
    loop {
        match reader.read(&mut page)? {
            0 => break,
            n => stream.extend_from_slice(&page[..n]),
        }
    }
    for w in writers {
        w.join().expect("writer panicked")?;
    }
    let records = stream.chunks(size);
    let total = records.len();
    let torn = records.filter(|r| r.iter().any(|&b| b != r[0])).count();
    Ok((torn, total))
}
// ANCHOR_END: atomic

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: main
    for size in [None, Some(100_000), Some(1 << 20)] {
        let (reported, filled) = capacity(size)?;
        let asked = size.map_or("default".into(), |s| thousands(s as usize));
        println!(
            "asked {asked}: F_GETPIPE_SZ {}, filled {} bytes before EAGAIN",
            thousands(reported as usize),
            thousands(filled)
        );
    }
    println!("PIPE_BUF: {} bytes", thousands(libc::PIPE_BUF));
    let (torn, total) = torn_records(libc::PIPE_BUF, 1000)?;
    println!("{torn} of {} records of 4,096 bytes torn", thousands(total));
    let (torn, total) = torn_records(65_536, 100)?;
    println!(
        "{torn} of {} records of 65,536 bytes torn",
        thousands(total)
    );
    println!("records larger than PIPE_BUF may tear: POSIX allows it");
    // ANCHOR_END: main
    Ok(())
}
