//! Tests for this exercise. `cargo test -p exercise-05-07-lease-table` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_07_lease_table as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use std::time::{Duration, Instant};

use ex::{LeaseError, Leases};

const LEASE: Duration = Duration::from_millis(100);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn use_renews_the_lease() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 10);
    let id = table.insert(0u64, t0).unwrap();
    // Used every 90 ms for a second: always alive.
    for i in 1..=11 {
        *table.get_mut(id, t0 + ms(90 * i)).unwrap() += 1;
    }
    assert_eq!(*table.get_mut(id, t0 + ms(1000)).unwrap(), 11);
}

#[test]
fn lapsed_object_is_gone_before_the_reaper_runs() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 10);
    let id = table.insert("x", t0).unwrap();
    assert!(table.get_mut(id, t0 + ms(99)).is_ok());
    // Renewed at 99 ms: alive until 199 ms, gone at exactly 199 ms.
    assert!(table.get_mut(id, t0 + ms(198)).is_ok());
    assert_eq!(
        table.get_mut(id, t0 + ms(298)).err(),
        Some(LeaseError::Expired)
    );
    assert_eq!(table.len(), 0, "a lapsed entry found on use is removed");
}

#[test]
fn renewal_does_not_stack() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 10);
    let id = table.insert(1, t0).unwrap();
    for _ in 0..5 {
        table.get_mut(id, t0).unwrap(); // five uses at the same instant
    }
    assert_eq!(
        table.get_mut(id, t0 + LEASE).err(),
        Some(LeaseError::Expired)
    );
}

#[test]
fn reaper_counts_and_keeps_the_live() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 100);
    let ids: Vec<u64> = (0..10).map(|i| table.insert(i, t0).unwrap()).collect();
    table.get_mut(ids[3], t0 + ms(50)).unwrap();
    assert_eq!(table.reap(t0 + ms(120)), 9);
    assert_eq!(table.len(), 1);
    assert_eq!(*table.get_mut(ids[3], t0 + ms(120)).unwrap(), 3);
    assert_eq!(table.reap(t0 + ms(120)), 0);
}

#[test]
fn cap_counts_only_live_objects_and_ids_are_never_reused() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 3);
    let a = table.insert('a', t0).unwrap();
    let b = table.insert('b', t0).unwrap();
    let c = table.insert('c', t0).unwrap();
    assert_eq!(table.insert('d', t0 + ms(10)), Err(LeaseError::TooMany));
    assert_eq!(table.release(b, t0 + ms(10)), Ok('b'));
    assert_eq!(table.release(b, t0 + ms(10)), Err(LeaseError::Expired));
    let d = table.insert('d', t0 + ms(10)).unwrap();
    // a and c lapse at 100 ms, d at 110 ms: two places free up.
    let e = table.insert('e', t0 + ms(105)).unwrap();
    let f = table.insert('f', t0 + ms(105)).unwrap();
    assert_eq!(table.insert('g', t0 + ms(105)), Err(LeaseError::TooMany));
    let mut ids = vec![a, b, c, d, e, f];
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "an id was reused");
}

#[test]
fn release_of_a_lapsed_object_is_expired() {
    let t0 = Instant::now();
    let mut table = Leases::new(LEASE, 3);
    let id = table.insert(vec![1u8], t0).unwrap();
    assert_eq!(table.release(id, t0 + LEASE), Err(LeaseError::Expired));
    assert!(table.is_empty());
}
