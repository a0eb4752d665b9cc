// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables)]

/// A small computation worth a few dozen nanoseconds.
pub fn costly(x: u64) -> u64 {
    (0..16).fold(x, |h, _| {
        h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
    })
}

/// The result of [`sum_of_costly`].
#[derive(Debug)]
pub struct Summed {
    /// The wrapping sum of `costly(x)` over every item.
    pub total: u64,
    /// How many items each sequential piece of the work held, in order.
    pub pieces: Vec<usize>,
}

/// Sums `costly(x)` over `items` in parallel on rayon's current pool, never
/// splitting the work into a piece of fewer than `grain` items (a grain of 0
/// counts as 1; a slice shorter than the grain is one piece).
pub fn sum_of_costly(items: &[u64], grain: usize) -> Summed {
    todo!("par_iter with a minimum length, fold a (sum, count) per piece, collect")
}
