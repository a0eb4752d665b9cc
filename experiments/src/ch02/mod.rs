//! Chapter 2's experiments, on the chapter's own listings.

mod contention;
mod false_sharing;
mod gil_convoy;
mod gil_countdown;
mod pool;
mod threads;

#[allow(dead_code)]
#[path = "../../../listings/ch02/listing-02-34-false-sharing/src/main.rs"]
mod false_sharing_listing;
#[allow(dead_code)]
#[path = "../../../listings/ch02/listing-02-19-polite-spin-lock/src/lib.rs"]
mod polite_spin_lock;
#[allow(dead_code)]
#[path = "../../../listings/ch02/listing-02-07-thread-memory/src/main.rs"]
mod thread_memory;
#[allow(dead_code)]
#[path = "../../../listings/ch02/listing-02-31-thread-pool/src/lib.rs"]
pub(crate) mod thread_pool;
#[allow(dead_code)]
#[path = "../../../listings/ch02/listing-02-20-toy-gil/src/lib.rs"]
mod toy_gil;

use crate::Experiment;

use std::path::PathBuf;
pub use threads::child_entry;

/// The folder of a listing, for the Python scripts some experiments run.
fn listing_dir(name: &str) -> PathBuf {
    crate::root().join("listings/ch02").join(name)
}

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch02/threads",
            title: "What a thread costs: creation, memory, and how many fit",
            steps: threads::steps,
            run: threads::run,
            render: threads::render,
        },
        Experiment {
            id: "ch02/gil-countdown",
            title: "Beazley's countdown: free threads, a GIL, and CPython",
            steps: gil_countdown::steps,
            run: gil_countdown::run,
            render: gil_countdown::render,
        },
        Experiment {
            id: "ch02/pool",
            title: "The chapter's thread pool against rayon, and a thread per task",
            steps: pool::steps,
            run: pool::run,
            render: pool::render,
        },
        Experiment {
            id: "ch02/contention",
            title: "Lock contention: a shared counter under four kinds of lock",
            steps: contention::steps,
            run: contention::run,
            render: contention::render,
        },
        Experiment {
            id: "ch02/false-sharing",
            title: "False sharing: private counters side by side and padded apart",
            steps: false_sharing::steps,
            run: false_sharing::run,
            render: false_sharing::render,
        },
        Experiment {
            id: "ch02/gil-convoy",
            title: "The convoy effect: echo requests per second beside a CPU-bound thread",
            steps: gil_convoy::steps,
            run: gil_convoy::run,
            render: gil_convoy::render,
        },
    ]
}
