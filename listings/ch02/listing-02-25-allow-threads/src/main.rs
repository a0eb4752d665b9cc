use std::ffi::c_uint;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// SAFETY: the declaration matches the definition in c/digest.c.
#[link(name = "listing_02_25_allow_threads_c", kind = "static")]
unsafe extern "C" {
    fn slow_fnv_digest(data: *const u8, len: usize, ms: c_uint) -> u64;
}

const WAIT_MS: c_uint = 100;
const THREADS: usize = 4;

/// The C call, made safe: a slice is always a valid buffer.
fn digest(data: &[u8]) -> u64 {
    // SAFETY: `data` is valid for `data.len()` bytes for the whole call; the
    // C function only reads it, keeps no pointer to it and keeps no state,
    // so any number of threads may be inside it at once.
    unsafe { slow_fnv_digest(data.as_ptr(), data.len(), WAIT_MS) }
}

/// What every thread shares, as Python threads share the interpreter's
/// objects: inputs to digest and a slot for each result.
struct Table {
    inputs: Vec<Arc<[u8]>>,
    digests: Vec<u64>,
}

// ANCHOR: steps
/// Digests input `i` with the lock held across the C call.
fn digest_holding_lock(table: &Mutex<Table>, i: usize) {
    let mut table = table.lock().unwrap();
    let d = digest(&table.inputs[i]); // every other thread waits for this
    table.digests[i] = d;
}

// ANCHOR: released
/// Digests input `i` with the lock released around the C call, as
/// CPython's `Py_BEGIN_ALLOW_THREADS` … `Py_END_ALLOW_THREADS` do.
fn digest_releasing_lock(table: &Mutex<Table>, i: usize) {
    // Take out what the call needs (a counted reference, not a copy). The
    // guard is a temporary, dropped at the end of the statement: unlocked.
    let input = Arc::clone(&table.lock().unwrap().inputs[i]);
    let d = digest(&input); // no lock held: the other threads go on
    table.lock().unwrap().digests[i] = d; // lock again to store the result
}
// ANCHOR_END: released
// ANCHOR_END: steps

/// Runs `step` on one thread per input and returns the time and the digests.
fn run(step: fn(&Mutex<Table>, usize)) -> (Duration, Vec<u64>) {
    let table = Mutex::new(Table {
        inputs: (0..THREADS).map(|i| vec![i as u8; 1000].into()).collect(),
        digests: vec![0; THREADS],
    });
    let start = Instant::now();
    thread::scope(|s| {
        for i in 0..THREADS {
            let table = &table;
            s.spawn(move || step(table, i));
        }
    });
    (start.elapsed(), table.into_inner().unwrap().digests)
}

fn main() {
    let (held, a) = run(digest_holding_lock);
    let (released, b) = run(digest_releasing_lock);
    println!("each C call waits {WAIT_MS} ms; {THREADS} threads make one each");
    println!("lock held across the call:     all done in {held:.1?}");
    println!(
        "lock released around the call: all done in {released:.1?}, {:.1}x sooner",
        held.as_secs_f64() / released.as_secs_f64()
    );
    println!("same digests both ways: {}", a == b);
}
