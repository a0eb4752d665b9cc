//! A parallel quicksort built on `rayon::join`, and a sortedness check built on
//! `rayon::scope`.

use std::cmp::Ordering;

/// Below this many elements a slice is sorted on the current thread: a task
/// costs about a microsecond to create and steal, more than sorting a few
/// hundred numbers.
pub const CUTOFF: usize = 4_096;

// ANCHOR: sort
/// Sorts `v` in place, splitting the work with `rayon::join`.
pub fn par_quicksort<T: Ord + Send>(v: &mut [T]) {
    if v.len() <= CUTOFF {
        v.sort_unstable();
        return;
    }
    // ANCHOR: join
    let (lt, gt) = partition(v);
    let (left, rest) = v.split_at_mut(lt);
    let right = &mut rest[gt - lt..];
    // The left half runs here; the right half waits in this worker's deque
    // where an idle worker may steal it. join returns when both are done.
    rayon::join(|| par_quicksort(left), || par_quicksort(right));
    // ANCHOR_END: join
}
// ANCHOR_END: sort

/// Three-way partition around the middle element: afterwards `v[..lt]` is
/// less than the pivot, `v[lt..gt]` equal to it and `v[gt..]` greater, so runs
/// of equal keys never recurse.
fn partition<T: Ord>(v: &mut [T]) -> (usize, usize) {
    let mid = v.len() / 2;
    v.swap(0, mid);
    // Invariant: v[lt..i] all equal the pivot, and v[lt] is one of them.
    let (mut lt, mut i, mut gt) = (0, 1, v.len());
    while i < gt {
        match v[i].cmp(&v[lt]) {
            Ordering::Less => {
                v.swap(lt, i);
                lt += 1;
                i += 1;
            }
            Ordering::Greater => {
                gt -= 1;
                v.swap(i, gt);
            }
            Ordering::Equal => i += 1,
        }
    }
    (lt, gt)
}

// ANCHOR: scope
/// Checks that `v` is sorted with one borrowed task per part: each task
/// reads its part of `v` and writes its own slot of `ok`.
pub fn is_sorted_in_parts<T: Ord + Sync>(v: &[T], parts: usize) -> bool {
    let size = v.len().div_ceil(parts.max(1)).max(1);
    let mut ok = vec![false; v.len().div_ceil(size)];
    rayon::scope(|s| {
        for (i, slot) in ok.iter_mut().enumerate() {
            // The last element of the previous part must not exceed our first.
            let start = (i * size).saturating_sub(1);
            let part = &v[start..((i + 1) * size).min(v.len())];
            s.spawn(move |_| *slot = part.windows(2).all(|w| w[0] <= w[1]));
        }
    }); // every task spawned in the scope has finished here
    ok.iter().all(|&b| b)
}
// ANCHOR_END: scope

/// Deterministic pseudo-random numbers (xorshift64*), so runs are repeatable.
pub fn random_numbers(n: usize, seed: u64) -> Vec<u32> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
        })
        .collect()
}
