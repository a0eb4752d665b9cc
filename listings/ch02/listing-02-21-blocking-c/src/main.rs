use std::ffi::{c_long, c_uint};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: extern
// SAFETY: the declaration matches the definition in c/blocking.c (`long`,
// `unsigned`, returning `long`), and that function reads only its arguments
// and keeps no state, so any thread may call it at any time with any values.
// That is what `safe fn` promises, and why its calls need no `unsafe`.
#[link(name = "listing_02_21_blocking_c_c", kind = "static")]
unsafe extern "C" {
    safe fn blocking_slow_square(x: c_long, ms: c_uint) -> c_long;
}
// ANCHOR_END: extern

const WAIT_MS: c_uint = 200;

fn main() {
    let start = Instant::now();
    // ANCHOR: threads
    let handles: Vec<_> = (1..=4)
        .map(|x| thread::spawn(move || blocking_slow_square(x, WAIT_MS)))
        .collect();
    let squares: Vec<c_long> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // ANCHOR_END: threads
    let elapsed = start.elapsed();

    let one = Duration::from_millis(WAIT_MS.into());
    println!("squares: {squares:?}");
    println!(
        "one call blocks for {one:?}; four, one after another, for {:?}",
        one * 4
    );
    println!("four calls on four threads took {elapsed:.1?}");
}
