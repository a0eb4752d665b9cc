use listing_03_18_ring_processes::{Consumer, Producer, region_size};
use memmap2::MmapMut;
use nix::sys::memfd::{MFdFlags, memfd_create};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::Command;
use std::time::{Duration, Instant};
use std::{env, hint, io, thread};

/// Set in the child's environment: the descriptor of the shared memory.
const CHILD: &str = "LISTING_03_18_FD";
const CAPACITY: usize = 1 << 16;
const MESSAGES: u64 = 1_000_000;
const SIZE: usize = 100;

/// Message `i`: its number, then bytes that depend on it.
fn message(i: u64, msg: &mut [u8; SIZE]) {
    msg[..8].copy_from_slice(&i.to_le_bytes());
    for (k, b) in msg[8..].iter_mut().enumerate() {
        *b = (i as usize + k) as u8;
    }
}

/// Retries `op` until it succeeds, spinning; a stuck peer ends the process.
fn retry(mut op: impl FnMut() -> bool) {
    let mut spins = 0u32;
    let mut deadline = None;
    while !op() {
        hint::spin_loop();
        spins += 1;
        if spins.is_multiple_of(1024) {
            thread::yield_now(); // let the peer run if it shares our core
            let d = *deadline.get_or_insert_with(|| Instant::now() + Duration::from_secs(10));
            assert!(Instant::now() < d, "the other process is stuck");
        }
    }
}

/// Maps the shared memory of `file`.
fn map(file: &File) -> io::Result<MmapMut> {
    // SAFETY: the memory file was made by the parent for this ring alone and
    // keeps its size; both processes reach it only through the ring.
    unsafe { MmapMut::map_mut(file) }
}

// ANCHOR: main
fn main() -> io::Result<()> {
    if let Ok(fd) = env::var(CHILD) {
        // SAFETY: the parent passed us this inherited descriptor; nothing
        // else in this process owns it.
        let file = unsafe { File::from_raw_fd(fd.parse().expect("a descriptor")) };
        return receive(map(&file)?);
    }
    // A file that lives only in memory; without MFD_CLOEXEC the child
    // inherits its descriptor across exec.
    let file = File::from(memfd_create(c"ring", MFdFlags::empty())?);
    file.set_len(region_size(CAPACITY) as u64)?; // zero-filled
    let mut map = map(&file)?;
    let mut child = Command::new(env::current_exe()?)
        .env(CHILD, file.as_raw_fd().to_string())
        .spawn()?;
    // SAFETY: a zeroed region of the right size, page-aligned, mapped until
    // the end of this function; the child attaches the only consumer.
    let mut tx = unsafe { Producer::attach(map.as_mut_ptr(), CAPACITY) };
    let mut msg = [0; SIZE];
    for i in 0..MESSAGES {
        message(i, &mut msg);
        retry(|| tx.try_send(&msg));
    }
    assert!(child.wait()?.success(), "the consumer failed");
    Ok(())
}

fn receive(mut map: MmapMut) -> io::Result<()> {
    // SAFETY: the parent's region, mapped while `map` lives; we are the only
    // consumer.
    let mut rx = unsafe { Consumer::attach(map.as_mut_ptr(), CAPACITY) };
    let (mut out, mut expected) = (Vec::new(), [0; SIZE]);
    let start = Instant::now();
    for i in 0..MESSAGES {
        retry(|| rx.try_recv(&mut out));
        message(i, &mut expected);
        assert_eq!(out, expected, "message {i} damaged or out of order");
    }
    let rate = MESSAGES as f64 / start.elapsed().as_secs_f64();
    println!("received {MESSAGES} messages of {SIZE} bytes, all intact and in order");
    println!("rate: {:.1} M messages/s", rate / 1e6);
    Ok(())
}
// ANCHOR_END: main
