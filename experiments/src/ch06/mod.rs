//! Chapter 6's experiments, on the chapter's own listings.

pub(crate) mod c10k;
pub(crate) mod echo;
pub(crate) mod fib;

// The echo servers, compiled in once for every experiment that measures them.
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-10-mio-echo/src/lib.rs"]
pub(crate) mod mio_echo;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-02-thread-echo/src/lib.rs"]
pub(crate) mod thread_echo;
#[allow(dead_code)]
#[path = "../../../listings/ch06/listing-06-16-tokio-echo/src/lib.rs"]
pub(crate) mod tokio_echo;

use crate::Experiment;

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch06/echo",
            title: "Echo server shoot-out: threads, a mio loop, tokio",
            steps: echo::steps,
            run: echo::run,
            render: echo::render,
        },
        Experiment {
            id: "ch06/fib",
            title: "Beazley's Fibonacci server: perf1 and perf2 in six models",
            steps: fib::steps,
            run: fib::run,
            render: fib::render,
        },
        Experiment {
            id: "ch06/c10k",
            title: "Ten thousand connections: memory per idle connection and load beside them",
            steps: c10k::steps,
            run: c10k::run,
            render: c10k::render,
        },
    ]
}
