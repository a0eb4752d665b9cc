//! Chapter 7's experiments, on the chapter's own listings.

mod grep;
pub(crate) mod spawn;
mod switch;

#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-06-broadcast/src/lib.rs"]
mod broadcast;
#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-04-pipeline/src/lib.rs"]
mod pipeline;

// Sections 7.5 and 7.6: the ladder and the spawn costs measure these.
#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-25-switch-ladder/src/lib.rs"]
mod switch_ladder;
#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-26-task-memory/src/lib.rs"]
mod task_memory;
// Listing 7-12's executor, declared once here; other modules `use super::executor`.
#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-12-executor/src/lib.rs"]
pub(crate) mod executor;

pub(crate) mod echo;

// The tiny OS's echo server, compiled in once.
#[allow(dead_code)]
#[path = "../../../listings/ch07/listing-07-18-pyos-echo/src/lib.rs"]
pub(crate) mod pyos_echo;

use crate::Experiment;

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch07/echo",
            title: "Beazley's echo test: the tiny OS, tokio and threads",
            steps: echo::steps,
            run: echo::run,
            render: echo::render,
        },
        Experiment {
            id: "ch07/grep",
            title: "Beazley's grep pipeline: pull chain, push handlers, a thread between stages",
            steps: grep::steps,
            run: grep::run,
            render: grep::render,
        },
        Experiment {
            id: "ch07/switch",
            title: "The switch-cost ladder: processes, threads, tasks, coroutines, iterators",
            steps: switch::steps,
            run: switch::run,
            render: switch::render,
        },
        Experiment {
            id: "ch07/spawn",
            title: "What a task costs to start and to keep: threads, tasks, coroutines",
            steps: spawn::steps,
            run: spawn::run,
            render: spawn::render,
        },
    ]
}
