//! The consumer of a ring in another process sleeps on the doorbell between
//! messages: it uses little CPU time while the producer is slow.

#[allow(dead_code)] // the ring of Listing 3-17, copied
mod ring;

// The libc crate as nix re-exports it, so that one version serves both.
use listing_03_19_futex_doorbell::Doorbell;
use memmap2::MmapMut;
use nix::libc;
use nix::sys::memfd::{MFdFlags, memfd_create};
use ring::{Consumer, Producer, region_size};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::Command;
use std::time::{Duration, Instant};
use std::{env, io, thread};

const CHILD: &str = "LISTING_03_19_FD";
const CAPACITY: usize = 4096;
const MESSAGES: u32 = 200;
/// The doorbell's line comes first, then the ring.
const RING_AT: usize = 64;

/// CPU time this process has used so far.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes into the zeroed struct we pass.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(u.ru_utime) + micros(u.ru_stime))
}

fn main() -> io::Result<()> {
    if let Ok(fd) = env::var(CHILD) {
        // SAFETY: the descriptor the parent passed us; nothing else owns it.
        let file = unsafe { File::from_raw_fd(fd.parse().expect("a descriptor")) };
        return consume(&file);
    }
    let file = File::from(memfd_create(c"ring", MFdFlags::empty())?);
    file.set_len((RING_AT + region_size(CAPACITY)) as u64)?;
    // SAFETY: a new memory file of ours; both processes use it only through
    // the doorbell and the ring.
    let mut map = unsafe { MmapMut::map_mut(&file)? };
    let mut child = Command::new(env::current_exe()?)
        .env(CHILD, file.as_raw_fd().to_string())
        .spawn()?;
    // SAFETY: zeroed, aligned, sized as above, mapped until we return; one
    // producer here, one consumer in the child.
    let (bell, mut tx) = unsafe {
        let base = map.as_mut_ptr();
        (
            Doorbell::at(base),
            Producer::attach(base.add(RING_AT), CAPACITY),
        )
    };
    for i in 0..MESSAGES {
        thread::sleep(Duration::from_millis(1)); // a slow producer
        let deadline = Instant::now() + Duration::from_secs(10);
        while !tx.try_send(&i.to_le_bytes()) {
            assert!(Instant::now() < deadline, "the consumer is stuck");
            thread::yield_now();
        }
        bell.ring();
    }
    assert!(child.wait()?.success(), "the consumer failed");
    Ok(())
}

fn consume(file: &File) -> io::Result<()> {
    // SAFETY: the parent's memory file, as described there.
    let mut map = unsafe { MmapMut::map_mut(file)? };
    // SAFETY: as in the parent; we are the only consumer.
    let (bell, mut rx) = unsafe {
        let base = map.as_mut_ptr();
        (
            Doorbell::at(base),
            Consumer::attach(base.add(RING_AT), CAPACITY),
        )
    };
    let (start, cpu) = (Instant::now(), cpu_time());
    let mut out = Vec::new();
    for i in 0..MESSAGES {
        let got = bell.wait_until(|| rx.try_recv(&mut out), Duration::from_secs(10))?;
        assert!(got, "no message {i} within 10 s");
        assert_eq!(out, i.to_le_bytes(), "message {i} damaged or out of order");
    }
    let busy = cpu_time() - cpu;
    let share = 100.0 * busy.as_secs_f64() / start.elapsed().as_secs_f64();
    println!("received {MESSAGES} messages, all in order, one every millisecond");
    println!("the consumer used {share:.0} % of a core while waiting for them");
    Ok(())
}
