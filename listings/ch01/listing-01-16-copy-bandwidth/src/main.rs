// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use std::hint::black_box;
use std::time::Instant;

// ANCHOR: copy
/// Copies a buffer of `bytes` bytes `reps` times; returns bytes copied per second.
pub fn copy_bandwidth(bytes: usize, reps: u32) -> f64 {
    let source = vec![1u8; bytes];
    let mut dest = vec![0u8; bytes];
    // The first copy touches every page, so the timed copies pay no page faults.
    dest.copy_from_slice(&source);
    let start = Instant::now();
    for _ in 0..reps {
        dest.copy_from_slice(black_box(&source));
        black_box(&mut dest);
    }
    bytes as f64 * f64::from(reps) / start.elapsed().as_secs_f64()
}
// ANCHOR_END: copy

fn main() {
    const GIB: f64 = (1u64 << 30) as f64;
    let large = copy_bandwidth(256 << 20, 8); // 256 MiB: from and to main memory
    let small = copy_bandwidth(8 << 10, 200_000); // 8 KiB: both buffers fit in the L1 cache
    println!("copying 256 MiB: {:.1} GiB/s", large / GIB);
    println!("copying 8 KiB:   {:.1} GiB/s", small / GIB);
}
