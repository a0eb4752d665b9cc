use memmap2::MmapMut;
use nix::sys::memfd::{MFdFlags, memfd_create};
use std::fs::File;
use std::ops::Range;
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::Command;
use std::{env, io};

/// Set in a worker's environment: "FD WORKER".
const CHILD: &str = "LISTING_04_18_WORKER";
const WORKERS: usize = 4;
/// 4 Mi results of 8 bytes: a 32 MiB output array.
const N: usize = 4 << 20;

/// The value each element gets: any pure function of the index.
fn compute(i: usize) -> f64 {
    ((i * i) % 1000) as f64
}

/// Worker `w`'s part of the output: contiguous, disjoint from the others.
fn part(w: usize) -> Range<usize> {
    w * N / WORKERS..(w + 1) * N / WORKERS
}

/// Maps the whole shared output, writable.
fn map(file: &File) -> io::Result<MmapMut> {
    // SAFETY: the memfd belongs to this program's processes only and keeps
    // its size. While workers run, each writes only its own `part` and the
    // parent does not touch the bytes; the parent reads after every worker
    // has exited. No byte is written by one process while another uses it.
    unsafe { MmapMut::map_mut(file) }
}

// ANCHOR: worker
fn worker(spec: &str) -> io::Result<()> {
    let (fd, w) = spec.split_once(' ').ok_or(io::ErrorKind::InvalidInput)?;
    let (fd, w): (i32, usize) = (
        fd.parse().map_err(io::Error::other)?,
        w.parse().map_err(io::Error::other)?,
    );
    // SAFETY: the parent left this descriptor open for us; we own it here.
    let file = unsafe { File::from_raw_fd(fd) };
    let mut map = map(&file)?;
    let out: &mut [f64] = bytemuck::cast_slice_mut(&mut map[..]);
    // Plain stores into this worker's range: no atomics, no locks.
    for i in part(w) {
        out[i] = compute(i);
    }
    Ok(()) // exiting is the "done" signal; the pages stay in the memfd
}
// ANCHOR_END: worker

// ANCHOR: parent
fn main() -> io::Result<()> {
    if let Some(spec) = env::var_os(CHILD) {
        return worker(&spec.to_string_lossy());
    }
    let file = File::from(memfd_create(c"results", MFdFlags::empty())?);
    file.set_len((N * size_of::<f64>()) as u64)?; // zeroes until written
    let workers = (0..WORKERS)
        .map(|w| {
            let spec = format!("{} {w}", file.as_raw_fd());
            Command::new(env::current_exe()?).env(CHILD, spec).spawn()
        })
        .collect::<io::Result<Vec<_>>>()?;
    for mut child in workers {
        // wait() returns after the child's exit: everything it stored into
        // the shared pages happens before this point.
        assert!(child.wait()?.success(), "a worker failed");
    }
    let map = map(&file)?;
    let out: &[f64] = bytemuck::cast_slice(&map[..]);
    let checksum: f64 = out.iter().sum();
    let wrong = (0..N).filter(|&i| out[i] != compute(i)).count();
    println!(
        "{WORKERS} workers filled {} results ({} bytes)",
        out.len(),
        map.len()
    );
    println!("checksum: {checksum}, wrong or missing: {wrong}");
    Ok(())
}
// ANCHOR_END: parent
