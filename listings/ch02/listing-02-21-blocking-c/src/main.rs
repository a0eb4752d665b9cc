use std::ffi::{c_long, c_uint};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: extern
// SAFETY: the declaration matches the definition in c/blocking.c (`long`,
// `unsigned`, returning `long`). That function reads only its arguments,
// keeps no state, and is defined for every argument (its multiplication
// wraps instead of overflowing), so any thread may call it at any time with
// any values. That is what `safe fn` promises, and why calls need no `unsafe`.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The promise behind `safe fn`: every argument is fine, even one whose
    /// square does not fit.
    #[test]
    fn large_arguments_wrap_like_rust() {
        for x in [c_long::MAX, c_long::MIN, 3_037_000_500, -7] {
            assert_eq!(blocking_slow_square(x, 0), x.wrapping_mul(x));
        }
    }
}
