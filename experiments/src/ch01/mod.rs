//! Chapter 1's experiments. Each compiles the listing it measures from the
//! listing's own source file, so the book shows exactly the code measured.

mod amdahl;
mod costs;
mod execution;

// The listings' `main`s are unused here; everything else is used.
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-17-amdahl/src/main.rs"]
mod amdahl_listing;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-14-cache-miss/src/main.rs"]
mod cache_miss;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-12-context-switch/src/main.rs"]
mod context_switch;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-16-copy-bandwidth/src/main.rs"]
mod copy_bandwidth;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-05-countdown/src/main.rs"]
mod countdown;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-06-tiny-interpreter/src/main.rs"]
mod interpreter;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-15-loopback-round-trip/src/main.rs"]
mod loopback;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-11-spawn-cost/src/main.rs"]
mod spawn_cost;
#[allow(dead_code)]
#[path = "../../../listings/ch01/listing-01-13-syscall/src/main.rs"]
mod syscall;

use crate::Experiment;

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch01/execution",
            title: "Native code, a tiny interpreter and CPython on the same countdown",
            steps: execution::steps,
            run: execution::run,
            render: execution::render,
        },
        Experiment {
            id: "ch01/costs",
            title: "What things cost on this machine",
            steps: costs::steps,
            run: costs::run,
            render: costs::render,
        },
        Experiment {
            id: "ch01/amdahl",
            title: "Speed-up against Amdahl's law",
            steps: amdahl::steps,
            run: amdahl::run,
            render: amdahl::render,
        },
    ]
}
