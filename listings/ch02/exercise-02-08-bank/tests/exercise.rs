//! Tests for this exercise. `cargo test -p exercise-02-08-bank` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_02_08_bank as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{Bank, TransferError};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread; a deadlock fails the test after `limit` instead of
/// hanging it (the stuck threads are abandoned).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(limit)
        .expect("timed out: the transfers deadlocked")
}

#[test]
fn crossing_transfers_finish() {
    within(Duration::from_secs(10), || {
        let bank = Arc::new(Bank::new(2, 1_000_000));
        // Two threads each way, released together, so that transfers in
        // opposite directions overlap from the first one on.
        let start = Arc::new(Barrier::new(4));
        let handles: Vec<_> = [(0, 1), (1, 0), (0, 1), (1, 0)]
            .into_iter()
            .map(|(from, to)| {
                let (bank, start) = (Arc::clone(&bank), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    for _ in 0..250_000 {
                        bank.transfer(from, to, 1).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!((bank.balance(0), bank.balance(1)), (1_000_000, 1_000_000));
    });
}

#[test]
fn many_accounts_many_threads_conserve_money() {
    within(Duration::from_secs(10), || {
        let bank = Arc::new(Bank::new(5, 1_000));
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let bank = Arc::clone(&bank);
                thread::spawn(move || {
                    let mut x: usize = t * 7 + 1;
                    for _ in 0..20_000 {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        let (from, to) = (x % 5, (x / 5) % 5);
                        let _ = bank.transfer(from, to, (x % 50) as u64);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(bank.total(), 5_000);
    });
}

#[test]
fn errors_are_reported_and_change_nothing() {
    within(Duration::from_secs(2), || {
        let bank = Bank::new(2, 10);
        assert_eq!(bank.transfer(0, 0, 1), Err(TransferError::SameAccount));
        assert_eq!(
            bank.transfer(0, 1, 11),
            Err(TransferError::InsufficientFunds)
        );
        assert_eq!(bank.transfer(1, 0, 10), Ok(()));
        assert_eq!((bank.balance(0), bank.balance(1)), (20, 0));
    });
}
