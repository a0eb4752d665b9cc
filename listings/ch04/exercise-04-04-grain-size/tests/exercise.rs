//! Tests for this exercise. `cargo test -p exercise-04-04-grain-size` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests. No test times anything:
//! timings depend on the machine, piece sizes do not.

#[cfg(not(feature = "solution"))]
use exercise_04_04_grain_size as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn expected(items: &[u64]) -> u64 {
    items
        .iter()
        .fold(0u64, |t, &x| t.wrapping_add(ex::costly(x)))
}

#[test]
fn the_total_is_right_for_every_grain() {
    let items: Vec<u64> = (0..50_000).map(|i| i * 7919).collect();
    let pool = pool(4);
    for grain in [0, 1, 7, 100, 4_096, 50_000, 1_000_000] {
        let got = pool.install(|| ex::sum_of_costly(&items, grain));
        assert_eq!(got.total, expected(&items), "grain {grain}");
        assert_eq!(
            got.pieces.iter().sum::<usize>(),
            items.len(),
            "grain {grain}"
        );
    }
}

#[test]
fn no_piece_is_smaller_than_the_grain() {
    let items: Vec<u64> = (0..100_000).collect();
    let pool = pool(4);
    for grain in [10, 1_000, 12_345, 40_000] {
        let got = pool.install(|| ex::sum_of_costly(&items, grain));
        assert!(
            got.pieces.iter().all(|&n| n >= grain),
            "grain {grain}: pieces {:?}",
            got.pieces
        );
        assert!(got.pieces.len() <= items.len() / grain, "grain {grain}");
    }
}

#[test]
fn a_small_grain_lets_rayon_split_and_a_large_one_does_not() {
    let items: Vec<u64> = (0..100_000).collect();
    let pool = pool(4);
    // On a pool of four, rayon splits at least until each thread has a piece.
    let fine = pool.install(|| ex::sum_of_costly(&items, 1));
    assert!(fine.pieces.len() >= 4, "pieces {:?}", fine.pieces);
    let whole = pool.install(|| ex::sum_of_costly(&items, items.len()));
    assert_eq!(whole.pieces, vec![items.len()]);
    let half_plus = pool.install(|| ex::sum_of_costly(&items, items.len() / 2 + 1));
    assert_eq!(half_plus.pieces, vec![items.len()]);
}

#[test]
fn an_empty_slice_sums_to_zero() {
    let got = ex::sum_of_costly(&[], 10);
    assert_eq!(got.total, 0);
    assert_eq!(got.pieces.iter().sum::<usize>(), 0);
}
