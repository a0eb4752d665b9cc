use std::ptr::NonNull;
use std::thread;

/// The C library's `struct accum`, whose fields Rust never touches.
#[repr(C)]
struct RawAccum {
    _opaque: [u8; 0],
}

// SAFETY: these declarations match the definitions in c/accum.c.
#[link(name = "listing_02_23_shared_handle_c", kind = "static")]
unsafe extern "C" {
    fn accum_new() -> *mut RawAccum;
    fn accum_add(acc: *mut RawAccum, x: i64);
    fn accum_sum(acc: *const RawAccum) -> i64;
    fn accum_free(acc: *mut RawAccum);
}

// ANCHOR: share
/// Owns one C accumulator. Like the zmq crate's `Socket`, its methods take
/// `&self`: the C object changes behind the pointer, out of the compiler's
/// sight, so only the missing `Sync` keeps two threads out of it at once.
struct Accumulator {
    raw: NonNull<RawAccum>,
}

// SAFETY: the C library keeps no global or thread-local state, so whichever
// thread owns an accumulator may use it; moving it moves only the pointer.
// No `Sync`: two threads inside `accum_add` at once would race.
unsafe impl Send for Accumulator {}

fn main() {
    let acc = Accumulator::new();
    thread::scope(|s| {
        s.spawn(|| (1..=1000).for_each(|x| acc.add(x)));
        s.spawn(|| (1001..=2000).for_each(|x| acc.add(x)));
    });
    println!("sum: {}", acc.sum());
}
// ANCHOR_END: share

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

    fn sum(&self) -> i64 {
        // SAFETY: as in `add`.
        unsafe { accum_sum(self.raw.as_ptr()) }
    }
}

impl Drop for Accumulator {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `accum_new` and is freed once, here.
        unsafe { accum_free(self.raw.as_ptr()) }
    }
}
