// Remove this line when you are done: it silences the warnings about
// parameters and fields that the `todo!()`s do not use yet.
#![allow(unused_variables, dead_code)]

// Under `--cfg loom` the atomics are loom's, so that its model check can
// explore every interleaving of `record`.
#[cfg(loom)]
use loom::sync::atomic::AtomicU64;
#[cfg(not(loom))]
use std::sync::atomic::AtomicU64;

/// Statistics of values recorded by many threads at once, without a lock.
pub struct Stats {
    count: AtomicU64,
    sum: AtomicU64,
    max: AtomicU64,
}

impl Stats {
    pub fn new() -> Self {
        Stats {
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }

    /// Records one value. May be called from any number of threads at once.
    pub fn record(&self, value: u64) {
        todo!("add to count and sum; raise max if value is larger, without losing a larger one")
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        todo!()
    }

    /// Their sum.
    pub fn sum(&self) -> u64 {
        todo!()
    }

    /// The largest value recorded (0 if none).
    pub fn max(&self) -> u64 {
        todo!()
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}
