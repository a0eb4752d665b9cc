use memmap2::MmapMut;
use std::fs::{self, File, OpenOptions};
use std::path::Path;
use std::process::{self, Command};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use std::{env, hint, io};

/// Set in the child's environment: the path of the file to map.
const CHILD: &str = "LISTING_03_16_FILE";
const ROUNDS: u64 = 1_000_000;

/// Maps the whole file, shared: writes go to the file's pages in the page
/// cache, which every process mapping the file sees.
fn map(file: &File) -> io::Result<MmapMut> {
    // SAFETY: the file is created by the parent for this program only and
    // keeps its size while mapped; its bytes are reached only through the
    // atomics returned by `counters`.
    unsafe { MmapMut::map_mut(file) }
}

// ANCHOR: counters
/// The two counters at the start of the mapping: [ready, count].
fn counters(map: &MmapMut) -> &[AtomicU64; 2] {
    assert!(map.len() >= 16);
    // SAFETY: a mapping starts on a page boundary, so the pointer is aligned
    // for AtomicU64, and 16 bytes are mapped. `AtomicU64` has the layout of
    // `u64`, and zeroed bytes are a valid 0. The reference borrows `map`, so
    // it cannot outlive the mapping. The other process touches these bytes
    // only with atomic instructions too, so there is no data race.
    unsafe { &*map.as_ptr().cast::<[AtomicU64; 2]>() }
}

/// Says "ready", waits (bounded) until both processes are, then counts.
fn count(map: &MmapMut) {
    let [ready, count] = counters(map);
    ready.fetch_add(1, Relaxed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while ready.load(Relaxed) < 2 {
        assert!(Instant::now() < deadline, "the other process never came");
        hint::spin_loop();
    }
    for _ in 0..ROUNDS {
        // One atomic read-modify-write on the shared cache line: no update
        // is lost, whichever core or process it comes from.
        count.fetch_add(1, Relaxed);
    }
}
// ANCHOR_END: counters

// ANCHOR: main
fn main() -> io::Result<()> {
    if let Some(path) = env::var_os(CHILD) {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        count(&map(&file)?);
        return Ok(());
    }
    let path = env::temp_dir().join(format!("listing-03-16-{}.bin", process::id()));
    let result = parent(&path);
    fs::remove_file(&path)?;
    result
}

fn parent(path: &Path) -> io::Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)?;
    file.set_len(4096)?; // one page of zeroes
    let map = map(&file)?;
    // The same program, as the child: it maps the same file.
    let mut child = Command::new(env::current_exe()?).env(CHILD, path).spawn()?;
    count(&map);
    assert!(child.wait()?.success(), "the child failed");
    // The child has exited, so all its increments are done.
    let total = counters(&map)[1].load(Relaxed);
    println!("count = {total} (2 processes x {ROUNDS} increments)");
    Ok(())
}
// ANCHOR_END: main
