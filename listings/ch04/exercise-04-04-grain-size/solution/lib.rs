use rayon::prelude::*;

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
    let per_piece: Vec<(u64, usize)> = items
        .par_iter()
        .with_min_len(grain.max(1))
        // fold starts a fresh accumulator for each piece a thread works
        // through, so its count is the size of that piece.
        .fold(
            || (0u64, 0usize),
            |(sum, n), &x| (sum.wrapping_add(costly(x)), n + 1),
        )
        .collect();
    Summed {
        total: per_piece.iter().fold(0u64, |t, p| t.wrapping_add(p.0)),
        pieces: per_piece.into_iter().map(|p| p.1).collect(),
    }
}
