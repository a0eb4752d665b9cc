#[cfg(loom)]
use loom::sync::atomic::AtomicU64;
#[cfg(not(loom))]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

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
        // Relaxed: each counter stands alone, and readers look only after
        // the recording threads have been joined.
        self.count.fetch_add(1, Relaxed);
        self.sum.fetch_add(value, Relaxed);
        let mut current = self.max.load(Relaxed);
        // Replace the maximum only if it is still the one we compared with.
        while value > current {
            match self
                .max
                .compare_exchange_weak(current, value, Relaxed, Relaxed)
            {
                Ok(_) => break,
                Err(seen) => current = seen,
            }
        }
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// Their sum.
    pub fn sum(&self) -> u64 {
        self.sum.load(Relaxed)
    }

    /// The largest value recorded (0 if none).
    pub fn max(&self) -> u64 {
        self.max.load(Relaxed)
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}
