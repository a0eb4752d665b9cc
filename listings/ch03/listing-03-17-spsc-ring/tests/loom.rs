//! Model checks, run with `RUSTFLAGS="--cfg loom" cargo test --release -p
//! listing-03-17-spsc-ring --test loom`. Without `--cfg loom` this file
//! compiles to nothing.

#[cfg(loom)]
mod model {
    use listing_03_17_spsc_ring::{Consumer, HeapRegion, Producer};
    use loom::sync::Arc;
    use loom::thread;

    const CAPACITY: usize = 32; // messages of up to 12 bytes
    /// Records of 16, 8 and 16 bytes: the third one needs padding at the end.
    const MESSAGES: [&[u8]; 3] = [b"hello", b"", b"wrap-around"];

    /// A producer thread sends the messages; this thread receives them, and
    /// they must arrive intact and in order in every interleaving.
    fn check(attach: unsafe fn(*mut u8, usize) -> Producer) {
        loom::model(move || {
            let region = Arc::new(HeapRegion::new(CAPACITY));
            // SAFETY: the region is made for CAPACITY, each thread keeps an
            // `Arc` to it while its end lives, one end of each kind.
            let (mut tx, mut rx) = unsafe {
                (
                    attach(region.as_ptr(), CAPACITY),
                    Consumer::attach(region.as_ptr(), CAPACITY),
                )
            };
            let keep = Arc::clone(&region);
            let producer = thread::spawn(move || {
                let _region = keep;
                for msg in MESSAGES {
                    while !tx.try_send(msg) {
                        thread::yield_now();
                    }
                }
            });
            let mut out = Vec::new();
            for msg in MESSAGES {
                while !rx.try_recv(&mut out) {
                    thread::yield_now();
                }
                assert_eq!(out, msg);
            }
            producer.join().unwrap();
        });
    }

    // ANCHOR: tests
    #[test]
    fn release_and_acquire_deliver_every_message() {
        check(Producer::attach);
    }

    /// Publishing the write index with Relaxed lets the consumer read bytes
    /// the producer's copy is not ordered before: loom reports the race. If
    /// this test ever stops panicking, loom no longer catches the bug.
    #[test]
    #[should_panic(expected = "Causality violation")]
    fn relaxed_publication_is_caught_by_loom() {
        check(Producer::attach_relaxed);
    }
    // ANCHOR_END: tests
}
