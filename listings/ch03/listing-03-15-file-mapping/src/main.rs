// The libc crate as nix re-exports it, so that one version serves both.
use memmap2::MmapMut;
use nix::libc;
use std::fs::{self, OpenOptions};
use std::{env, io, process};

const PAGE: usize = 4096;
const PAGES: usize = 256;

/// Minor page faults of this process so far: faults the kernel served from
/// memory it already had (here, the page cache), without reading the disk.
fn minor_faults() -> i64 {
    // SAFETY: `getrusage` only writes into the zeroed struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage.ru_minflt
    }
}

// ANCHOR: main
fn main() -> io::Result<()> {
    let path = env::temp_dir().join(format!("listing-03-15-{}.bin", process::id()));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    // A mapping cannot grow a file: give it its size first.
    file.set_len((PAGE * PAGES) as u64)?;
    // SAFETY: the file is new and ours alone (the pid is in its name), so no
    // other process shrinks it (which would turn our accesses into SIGBUS)
    // or writes it while the slice below exists.
    let mut map = unsafe { MmapMut::map_mut(&file)? };
    println!("mapped {} bytes of a new file", map.len());

    let before = minor_faults();
    for page in map.chunks_mut(PAGE) {
        page[0] = b'.'; // first touch of each page: a page fault
    }
    let faults = minor_faults() - before;
    println!("writing to {PAGES} pages caused {faults} page faults");

    map[..11].copy_from_slice(b"hello, mmap");
    // msync: write the dirty pages to the disk and wait until they are there.
    map.flush()?;
    let on_disk = fs::read(&path)?; // an ordinary read(), no mapping
    println!("read() sees {:?}", String::from_utf8_lossy(&on_disk[..11]));

    drop(map); // munmap
    fs::remove_file(&path)
}
// ANCHOR_END: main
