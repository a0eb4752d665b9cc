//! Model check, run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! listing-02-19-polite-spin-lock --test loom`. Without `--cfg loom` this
//! file compiles to nothing.

#[cfg(loom)]
mod model {
    use listing_02_19_polite_spin_lock::SpinLock;
    use loom::sync::Arc;
    use loom::thread;

    /// Waiting by reading must not weaken the lock: no increment is lost in
    /// any interleaving loom explores.
    #[test]
    fn no_increment_is_lost_in_any_interleaving() {
        loom::model(|| {
            let lock = Arc::new(SpinLock::new(0));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let lock = Arc::clone(&lock);
                    thread::spawn(move || lock.with(|v| *v += 1))
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            assert_eq!(lock.with(|v| *v), 2);
        });
    }
}
