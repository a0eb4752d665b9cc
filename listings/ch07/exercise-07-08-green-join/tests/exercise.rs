//! Tests for this exercise. `cargo test -p exercise-07-08-green-join` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_07_08_green_join as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{RunError, Scheduler, join, yield_now};
use std::cell::RefCell;
use std::rc::Rc;

type Log = Rc<RefCell<Vec<String>>>;

fn note(log: &Log, s: impl Into<String>) {
    log.borrow_mut().push(s.into());
}

#[test]
fn yielding_threads_take_turns() {
    let log = Log::default();
    let mut s = Scheduler::new();
    for name in ["a", "b", "c"] {
        let log = log.clone();
        s.spawn(move |y| {
            for i in 0..2 {
                note(&log, format!("{name}{i}"));
                yield_now(y);
            }
        });
    }
    assert_eq!(s.run(), Ok(vec![0, 1, 2]));
    assert_eq!(*log.borrow(), ["a0", "b0", "c0", "a1", "b1", "c1"]);
}

#[test]
fn a_joiner_waits_until_its_target_finishes() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let l = log.clone();
    s.spawn(move |y| {
        note(&l, "main starts");
        join(y, 1);
        note(&l, "main joined");
    });
    let l = log.clone();
    s.spawn(move |y| {
        for i in 0..3 {
            note(&l, format!("worker {i}"));
            yield_now(y);
        }
    });
    assert_eq!(s.run(), Ok(vec![1, 0]));
    assert_eq!(
        *log.borrow(),
        [
            "main starts",
            "worker 0",
            "worker 1",
            "worker 2",
            "main joined"
        ]
    );
}

#[test]
fn joining_a_finished_thread_returns_at_the_next_turn() {
    let log = Log::default();
    let mut s = Scheduler::new();
    let l = log.clone();
    s.spawn(move |_| note(&l, "quick done"));
    let l = log.clone();
    s.spawn(move |y| {
        join(y, 0);
        note(&l, "joined finished");
        join(y, 99); // no such thread: nothing to wait for
        note(&l, "joined nobody");
    });
    assert_eq!(s.run(), Ok(vec![0, 1]));
    assert_eq!(
        *log.borrow(),
        ["quick done", "joined finished", "joined nobody"]
    );
}

#[test]
fn several_waiters_wake_in_the_order_they_waited() {
    let log = Log::default();
    let mut s = Scheduler::new();
    s.spawn(|y| {
        for _ in 0..3 {
            yield_now(y);
        }
    });
    for name in ["x", "y", "z"] {
        let l = log.clone();
        s.spawn(move |yl| {
            join(yl, 0);
            note(&l, name);
        });
    }
    assert_eq!(s.run(), Ok(vec![0, 1, 2, 3]));
    assert_eq!(*log.borrow(), ["x", "y", "z"]);
}

#[test]
fn a_join_cycle_is_reported_as_a_deadlock() {
    let mut s = Scheduler::new();
    s.spawn(|y| join(y, 1));
    s.spawn(|y| join(y, 0));
    s.spawn(yield_now); // not involved: finishes
    s.spawn(|y| join(y, 3)); // waits for itself
    assert_eq!(s.run(), Err(RunError::Deadlock(vec![0, 1, 3])));
}

#[test]
fn a_chain_of_a_thousand_joins_finishes_in_order() {
    let mut s = Scheduler::new();
    s.spawn(yield_now);
    for id in 1..1000 {
        // Each thread waits for the one spawned before it.
        s.spawn(move |y| join(y, id - 1));
    }
    assert_eq!(s.run(), Ok((0..1000).collect::<Vec<_>>()));
}
