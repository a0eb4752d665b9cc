//! Tests for Exercise 1-3. `cargo test -p exercise-01-03-atomic-histogram`
//! tests your `src/lib.rs`; the book's own test run adds `--features
//! solution` to test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_01_03_atomic_histogram as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect()
}

fn one_thread(data: &[u8]) -> [u64; 256] {
    let mut counts = [0u64; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    counts
}

#[test]
fn many_threads_agree_with_one() {
    let data = pseudo_random_bytes(1_000_003);
    let expected = one_thread(&data);
    for threads in [1, 2, 3, 8, 16] {
        assert_eq!(
            ex::byte_histogram(&data, threads),
            expected,
            "{threads} threads"
        );
    }
}

#[test]
fn one_hot_buffer_under_contention() {
    // Every thread hammers the same counter: lost updates would show here.
    let data = vec![7u8; 400_000];
    let counts = ex::byte_histogram(&data, 8);
    assert_eq!(counts[7], 400_000);
    assert_eq!(counts.iter().sum::<u64>(), 400_000);
}

#[test]
fn small_inputs_and_zero_threads() {
    assert_eq!(ex::byte_histogram(&[], 4), [0; 256]);
    let counts = ex::byte_histogram(&[1, 2, 2], 0);
    assert_eq!(
        (counts[1], counts[2], counts.iter().sum::<u64>()),
        (1, 2, 3)
    );
}
