//! Model checks, run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! listing-02-18-spin-lock --test loom`: loom runs the closure once for every
//! way the threads' atomic operations can interleave and be reordered.
//! Without `--cfg loom` this file compiles to nothing.

#[cfg(loom)]
mod model {
    use listing_02_18_spin_lock::SpinLock;
    use loom::sync::Arc;
    use loom::thread;

    // ANCHOR: model
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
    // ANCHOR_END: model
}
