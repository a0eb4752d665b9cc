//! Tests for this exercise. `cargo test -p exercise-02-04-atomic-stats` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_04_atomic_stats as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

/// Ordinary tests with real threads (not under loom).
#[cfg(not(loom))]
mod threads {
    use super::ex::Stats;
    use std::thread;

    #[test]
    fn totals_are_exact_after_the_threads_finish() {
        let stats = Stats::new();
        thread::scope(|s| {
            for t in 0..4u64 {
                let stats = &stats;
                s.spawn(move || {
                    for i in 0..10_000u64 {
                        stats.record(t * 10_000 + i);
                    }
                });
            }
        });
        assert_eq!(stats.count(), 40_000);
        assert_eq!(stats.sum(), (0..40_000u64).sum());
        assert_eq!(stats.max(), 39_999);
    }

    #[test]
    fn an_empty_record_is_all_zeros() {
        let stats = Stats::new();
        assert_eq!((stats.count(), stats.sum(), stats.max()), (0, 0, 0));
    }

    #[test]
    fn the_largest_value_wins_whatever_the_order() {
        let stats = Stats::new();
        for v in [3, 9, 1, 9, 4] {
            stats.record(v);
        }
        assert_eq!(stats.max(), 9);
    }
}

/// The model check: every interleaving of two threads recording at once.
#[cfg(loom)]
mod model {
    use super::ex::Stats;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn no_interleaving_loses_the_maximum() {
        loom::model(|| {
            let stats = Arc::new(Stats::new());
            let handles: Vec<_> = [5, 7]
                .into_iter()
                .map(|v| {
                    let stats = Arc::clone(&stats);
                    thread::spawn(move || stats.record(v))
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(stats.max(), 7);
            assert_eq!(stats.count(), 2);
            assert_eq!(stats.sum(), 12);
        });
    }
}
