//! Chapter 3's experiments, on the chapter's own listings.

mod framing;
pub mod ipc_ladder;
mod message_cost;
pub mod ring;
mod serialization;

/// Listing 3-17's ring, measured by `ring` and by `ipc_ladder`.
#[allow(dead_code)]
#[path = "../../../listings/ch03/listing-03-17-spsc-ring/src/lib.rs"]
mod spsc_ring;

use crate::Experiment;
use anyhow::{Result, ensure};
use std::time::{Duration, Instant};

/// Waits for `ready` by spinning, as a ring's reader must: it has nothing to
/// sleep on. Every `yield_every` polls it gives the core away, in case the
/// peer is waiting for it (two cores, two spinning processes, and the rest
/// of the machine), and fails once `patience` has passed.
fn spin_until(mut ready: impl FnMut() -> bool, yield_every: u32, patience: Duration) -> Result<()> {
    let mut spins = 0u32;
    let mut since: Option<Instant> = None;
    while !ready() {
        std::hint::spin_loop();
        spins += 1;
        if spins.is_multiple_of(yield_every) {
            std::thread::yield_now();
            let start = *since.get_or_insert_with(Instant::now);
            ensure!(start.elapsed() < patience, "the other process stopped");
        }
    }
    Ok(())
}

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch03/ipc-ladder",
            title: "The IPC ladder: round trips and throughput between two processes",
            steps: ipc_ladder::steps,
            run: ipc_ladder::run,
            render: ipc_ladder::render,
        },
        Experiment {
            id: "ch03/message-cost",
            title: "What one small message costs, rung by rung",
            steps: message_cost::steps,
            run: message_cost::run,
            render: message_cost::render,
        },
        Experiment {
            id: "ch03/serialization",
            title: "Serialisation formats on 10,000 log records: time, size, validation",
            steps: serialization::steps,
            run: serialization::run,
            render: serialization::render,
        },
        Experiment {
            id: "ch03/framing",
            title: "A length-prefixed frame decoder against memcpy, by frame size",
            steps: framing::steps,
            run: framing::run,
            render: framing::render,
        },
        Experiment {
            id: "ch03/ring",
            title: "A shared-memory ring between two processes",
            steps: ring::steps,
            run: ring::run,
            render: ring::render,
        },
    ]
}
