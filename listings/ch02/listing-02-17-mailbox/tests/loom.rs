//! Model checks, run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! listing-02-17-mailbox --test loom`. Without `--cfg loom` this file
//! compiles to nothing.

#[cfg(loom)]
mod model {
    use listing_02_17_mailbox::{Receiver, Sender, mailbox, unsafe_relaxed};
    use loom::thread;

    /// The sender and the reader race; when the reader sees the flag, it must
    /// see the value.
    fn check(make: fn() -> (Sender, Receiver)) {
        loom::model(move || {
            let (sender, receiver) = make();
            let writer = thread::spawn(move || sender.send(42));
            if let Some(value) = receiver.try_receive() {
                assert_eq!(value, 42);
            }
            writer.join().unwrap();
        });
    }

    // ANCHOR: tests
    #[test]
    fn release_and_acquire_publish_safely() {
        check(mailbox);
    }

    /// The lesson: loom finds the interleaving in which the reader sees the
    /// flag before the value's write, and reports the data race. If this test
    /// ever stops panicking, loom no longer catches the bug.
    #[test]
    #[should_panic(expected = "Causality violation")]
    fn relaxed_is_caught_by_loom() {
        // SAFETY: inside a loom model only, where the race is detected, not run.
        check(|| unsafe { unsafe_relaxed() });
    }
    // ANCHOR_END: tests
}
