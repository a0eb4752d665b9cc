use memmap2::{Mmap, MmapMut};
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use nix::sys::memfd::{MFdFlags, memfd_create};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::{Command, Stdio};
use std::time::Instant;
use std::{env, io, process};

/// Set in the child's environment: the number of the inherited descriptor.
const CHILD: &str = "LISTING_04_17_FD";
/// 4 Mi values of 8 bytes: a 32 MiB array, as in Listing 4-16.
const N: usize = 4 << 20;

// ANCHOR: child
/// The worker: maps the inherited memfd read-only and sums it in place.
fn child(fd: &str) -> io::Result<()> {
    let fd: i32 = fd.parse().map_err(io::Error::other)?;
    // SAFETY: the parent created this descriptor for us and left it open
    // across exec; nothing else in this process owns it.
    let file = unsafe { File::from_raw_fd(fd) };
    // SAFETY: a mapped file may change under a `&[u8]` if another process
    // writes it. The parent sealed this memfd against writes and resizes
    // before starting us, so the kernel refuses any change while we read.
    let map = unsafe { Mmap::map(&file)? };
    // Checked, not assumed: the length is whole f64s, the start is aligned
    // (a mapping starts on a page boundary). Panics on a bad input.
    let data: &[f64] = bytemuck::cast_slice(&map[..]);
    let sum: f64 = data.iter().sum();
    println!("{sum}");
    Ok(())
}
// ANCHOR_END: child

// ANCHOR: share
/// Writes the array into a fresh memfd, then seals it: from now on no
/// process can write, shrink or grow it.
fn share(data: &[f64]) -> io::Result<File> {
    // No MFD_CLOEXEC: the descriptor stays open in the child after exec.
    let file = File::from(memfd_create(c"array", MFdFlags::MFD_ALLOW_SEALING)?);
    file.set_len(size_of_val(data) as u64)?;
    // SAFETY: the memfd is new and private to this process until the child
    // starts; nobody else can resize or write it while we fill it.
    let mut map = unsafe { MmapMut::map_mut(&file)? };
    map.copy_from_slice(bytemuck::cast_slice(data)); // the one copy
    drop(map); // a writable mapping would make the write seal fail (EBUSY)
    let seals = SealFlag::F_SEAL_WRITE | SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW;
    fcntl(&file, FcntlArg::F_ADD_SEALS(seals))?;
    Ok(file)
}
// ANCHOR_END: share

// ANCHOR: parent
fn main() -> io::Result<()> {
    if let Some(fd) = env::var_os(CHILD) {
        return child(&fd.to_string_lossy());
    }
    let data: Vec<f64> = (0..N).map(|i| i as f64 * 0.5).collect();
    let start = Instant::now();
    let file = share(&data)?;
    let worker = Command::new(env::current_exe()?)
        .env(CHILD, file.as_raw_fd().to_string()) // only a small number
        .stdin(Stdio::null()) // nothing goes in
        .stdout(Stdio::piped()) // only the sum comes back
        .spawn()?;
    let out = worker.wait_with_output()?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        eprintln!("the worker failed");
        process::exit(1);
    }
    let answer = String::from_utf8_lossy(&out.stdout);
    let sum: f64 = answer.trim().parse().unwrap_or(f64::NAN);
    println!(
        "array: {} values, {} bytes in a sealed memfd",
        N,
        file.metadata()?.len()
    );
    println!(
        "through the pipe: 0 bytes in, {} bytes out (the sum)",
        out.stdout.len()
    );
    println!(
        "sum from the worker: {sum} (expected {})",
        data.iter().sum::<f64>()
    );
    println!("round trip: {:.1} ms", elapsed.as_secs_f64() * 1e3);
    Ok(())
}
// ANCHOR_END: parent
