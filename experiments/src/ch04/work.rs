//! The work Section 4.5's experiments hand out: Mandelbrot rows, n-body
//! forces, a calibrated spin loop and empty tasks. The same functions run in
//! a thread (rayon, the Chapter 2 pool) and in a worker process (Listing
//! 4-11's pool), where a task arrives as bytes and leaves as bytes.

use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::Instant;

/// One task as a worker process receives it (postcard-encoded).
#[derive(Serialize, Deserialize, Clone)]
pub enum Task {
    /// Rows `first..end` of a `width` × `height` Mandelbrot image.
    Mandel {
        first: u32,
        end: u32,
        width: u32,
        height: u32,
        max_iter: u32,
    },
    /// The forces on bodies `first..end` from all `bodies` (x, y, z, mass),
    /// which travel with the task by value.
    Forces {
        bodies: Vec<[f64; 4]>,
        first: u32,
        end: u32,
    },
    /// `count` spin loops of `iters` iterations each.
    Spin { iters: u64, count: u32 },
    /// Nothing at all: the cost of the trip.
    Noop,
}

/// Iteration counts (capped at 255) for rows `first..end`, one byte a pixel.
pub fn mandel_rows(first: u32, end: u32, width: u32, height: u32, max_iter: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(((end - first) * width) as usize);
    for y in first..end {
        let ci = -1.2 + 2.4 * f64::from(y) / f64::from(height);
        for x in 0..width {
            let cr = -2.0 + 3.0 * f64::from(x) / f64::from(width);
            let (mut zr, mut zi, mut n) = (0.0f64, 0.0f64, 0u32);
            while n < max_iter && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                n += 1;
            }
            out.push(n.min(255) as u8);
        }
    }
    out
}

/// A deterministic cloud of `n` bodies.
pub fn bodies(n: usize) -> Vec<[f64; 4]> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| [next() * 100.0, next() * 100.0, next() * 100.0, 1.0 + next()])
        .collect()
}

/// The gravitational pull on each body in `first..end` from every other body.
pub fn forces(bodies: &[[f64; 4]], first: u32, end: u32) -> Vec<[f64; 3]> {
    (first as usize..end as usize)
        .map(|i| {
            let [xi, yi, zi, _] = bodies[i];
            let mut f = [0.0f64; 3];
            for (j, b) in bodies.iter().enumerate() {
                if j == i {
                    continue;
                }
                let (dx, dy, dz) = (b[0] - xi, b[1] - yi, b[2] - zi);
                let d2 = dx * dx + dy * dy + dz * dz + 1e-3;
                let s = b[3] / (d2 * d2.sqrt());
                f[0] += dx * s;
                f[1] += dy * s;
                f[2] += dz * s;
            }
            f
        })
        .collect()
}

/// A loop the optimiser cannot remove: `iters` rounds of xorshift.
pub fn spin(iters: u64) -> u64 {
    let mut x = black_box(0x2545_F491_4F6C_DD1Du64);
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// Spin iterations per microsecond on this machine (best of a few tries).
pub fn spin_per_micro() -> f64 {
    let iters = 2_000_000;
    (0..5)
        .map(|_| {
            let start = Instant::now();
            spin(iters);
            iters as f64 / (start.elapsed().as_secs_f64() * 1e6)
        })
        .fold(0.0, f64::max)
}

/// Runs a task in this process and encodes its answer.
pub fn execute(task: &Task) -> Vec<u8> {
    match task {
        Task::Mandel {
            first,
            end,
            width,
            height,
            max_iter,
        } => mandel_rows(*first, *end, *width, *height, *max_iter),
        Task::Forces { bodies, first, end } => {
            postcard::to_allocvec(&forces(bodies, *first, *end)).expect("encode forces")
        }
        Task::Spin { iters, count } => {
            let mut x = 0;
            for _ in 0..*count {
                x ^= spin(*iters);
            }
            x.to_le_bytes().to_vec()
        }
        Task::Noop => Vec::new(),
    }
}

/// What a worker process of Listing 4-11's pool runs for each message.
pub fn worker_handler(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let task: Task = postcard::from_bytes(bytes).map_err(|e| format!("bad task: {e}"))?;
    Ok(execute(&task))
}

pub fn encode(task: &Task) -> Vec<u8> {
    postcard::to_allocvec(task).expect("encode task")
}

/// Equal blocks `0..n` cut into `parts` ranges.
pub fn blocks(n: u32, parts: u32) -> Vec<(u32, u32)> {
    let size = n.div_ceil(parts);
    (0..parts)
        .map(|p| ((p * size).min(n), ((p + 1) * size).min(n)))
        .filter(|(a, b)| a < b)
        .collect()
}

/// Least-squares-free Amdahl fit: the serial fraction that explains
/// speed-up `s` on `p` workers (the Karp–Flatt metric, as in Chapter 1).
pub fn serial_fraction(s: f64, p: f64) -> f64 {
    (1.0 / s - 1.0 / p) / (1.0 - 1.0 / p)
}
