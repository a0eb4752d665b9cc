use listing_03_22_hostile_input::{
    Rejected, bincode_claim, bincode_limited, capped, json_value, naive_decode, nested_json,
    postcard_bytes, postcard_claim,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the bytes every allocation asks for, to show what each decoder
/// allocated.
struct Counting;

thread_local! {
    // Per thread, so that only this thread's allocations are counted.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local without a destructor, so
// updating it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size()));
        // SAFETY: the caller upholds `alloc`'s contract; we pass it on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes this thread allocated while `f` ran.
fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATED.with(Cell::get);
    let out = f();
    (out, ALLOCATED.with(Cell::get) - before)
}

// ANCHOR: main
fn report<T>(what: &str, input: &[u8], decode: impl FnOnce(&[u8]) -> Result<T, Rejected>) {
    let (result, bytes) = allocated_by(|| decode(input));
    match result {
        Ok(_) => println!("{what}\n    ACCEPTED, allocated {bytes} bytes"),
        Err(e) => println!("{what}\n    rejected ({e}), allocated {bytes} bytes"),
    }
}

fn main() {
    const GIB_4: u64 = 4 << 30;
    // Eight bytes claiming 64 MiB; 4 GiB would work the same way, or abort.
    let mut claim = (64u32 << 20).to_le_bytes().to_vec();
    claim.extend_from_slice(b"tiny");
    let (decoded, bytes) = allocated_by(|| naive_decode(&claim));
    println!("naive decoder, {} input bytes claiming 64 MiB", claim.len());
    println!("    returned {decoded:?}, allocated {bytes} bytes");

    report(
        "bincode, limit 64 KiB, claim of 4 GiB",
        &bincode_claim(GIB_4),
        bincode_limited,
    );
    report(
        "postcard, claim of 4 GiB",
        &postcard_claim(GIB_4),
        postcard_bytes,
    );
    report(
        "serde_json, 10,000 nested arrays",
        &nested_json(10_000),
        json_value,
    );
    let big = vec![0u8; 1 << 20];
    report("size cap, a 1 MiB message", &big, |b| {
        capped(b, postcard_bytes)
    });
}
// ANCHOR_END: main
