//! Chapter 4's experiments, on the chapter's own listings.

mod channels;
mod overhead;
pub(crate) mod sharing;
mod speedup;
mod work;

#[allow(dead_code)]
#[path = "../../../listings/ch04/listing-04-11-process-pool/src/lib.rs"]
pub(crate) mod process_pool;
pub(crate) use work::worker_handler;

use crate::Experiment;

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch04/channels",
            title: "Channel throughput: std, crossbeam and flume, one and four producers",
            steps: channels::steps,
            run: channels::run,
            render: channels::render,
        },
        Experiment {
            id: "ch04/speedup",
            title: "Speed-up of rayon, a thread pool and a process pool",
            steps: speedup::steps,
            run: speedup::run,
            render: speedup::render,
        },
        Experiment {
            id: "ch04/overhead",
            title: "What a task costs: empty tasks, start-up, and the size for 90 % efficiency",
            steps: overhead::steps,
            run: overhead::run,
            render: overhead::render,
        },
        Experiment {
            id: "ch04/sharing",
            title: "Large data to a worker process: through a pipe or in a shared mapping",
            steps: sharing::steps,
            run: sharing::run,
            render: sharing::render,
        },
    ]
}
