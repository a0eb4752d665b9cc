use std::ptr::NonNull;
use std::sync::Mutex;
use std::thread;

/// The C library's `struct accum`, whose fields Rust never touches.
#[repr(C)]
struct RawAccum {
    _opaque: [u8; 0],
}

// SAFETY: these declarations match the definitions in c/accum.c.
#[link(name = "listing_02_24_moved_handle_c", kind = "static")]
unsafe extern "C" {
    fn accum_new() -> *mut RawAccum;
    fn accum_add(acc: *mut RawAccum, x: i64);
    fn accum_merge(into: *mut RawAccum, from: *const RawAccum);
    fn accum_count(acc: *const RawAccum) -> i64;
    fn accum_sum(acc: *const RawAccum) -> i64;
    fn accum_free(acc: *mut RawAccum);
}

/// Owns one C accumulator; its methods take `&self`, like zmq's `Socket`.
struct Accumulator {
    raw: NonNull<RawAccum>,
}

// SAFETY: the C library keeps no global or thread-local state, so whichever
// thread owns an accumulator may use it; moving it moves only the pointer.
// No `Sync`: two threads inside `accum_add` at once would race.
unsafe impl Send for Accumulator {}

impl Accumulator {
    fn new() -> Self {
        // SAFETY: `accum_new` has no preconditions.
        let raw = unsafe { accum_new() };
        Accumulator {
            raw: NonNull::new(raw).expect("out of memory"),
        }
    }

    fn add(&self, x: i64) {
        // SAFETY: `raw` is valid until `drop`, and as the type is not `Sync`,
        // no two threads can reach this accumulator at once.
        unsafe { accum_add(self.raw.as_ptr(), x) }
    }

    /// Adds what `other` has counted into `self`.
    fn merge(&self, other: &Accumulator) {
        // SAFETY: both pointers are valid until their `drop`, and neither
        // object can be in use on another thread (the type is not `Sync`).
        unsafe { accum_merge(self.raw.as_ptr(), other.raw.as_ptr()) }
    }

    /// How many numbers were added, and their sum.
    fn totals(&self) -> (i64, i64) {
        // SAFETY: as in `add`.
        unsafe { (accum_count(self.raw.as_ptr()), accum_sum(self.raw.as_ptr())) }
    }
}

impl Drop for Accumulator {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `accum_new` and is freed once, here.
        unsafe { accum_free(self.raw.as_ptr()) }
    }
}

/// The numbers thread `t` of four adds: a quarter of 1..=4000.
fn quarter(t: i64) -> std::ops::RangeInclusive<i64> {
    t * 1000 + 1..=(t + 1) * 1000
}

fn main() {
    // ANCHOR: fixes
    // One accumulator per thread: each is created there and moved back out
    // through `join` (that is `Send`), then merged on this thread.
    let parts: Vec<Accumulator> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || {
                    let acc = Accumulator::new();
                    quarter(t).for_each(|x| acc.add(x));
                    acc
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total = Accumulator::new();
    parts.iter().for_each(|part| total.merge(part));
    println!(
        "one per thread, merged: (count, sum) = {:?}",
        total.totals()
    );

    // One accumulator behind a `Mutex`: `Mutex<T>` is `Sync` when `T` is
    // only `Send`, because the lock lets one thread at a time reach it.
    let shared = Mutex::new(Accumulator::new());
    thread::scope(|s| {
        for t in 0..4 {
            let shared = &shared;
            s.spawn(move || quarter(t).for_each(|x| shared.lock().unwrap().add(x)));
        }
    });
    let totals = shared.lock().unwrap().totals();
    println!("one behind a Mutex:     (count, sum) = {totals:?}");
    // ANCHOR_END: fixes
}
