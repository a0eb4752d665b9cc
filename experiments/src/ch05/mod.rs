//! Chapter 5's experiments, on the chapter's own listings.

mod actors;
mod failure;
mod protocols;

#[allow(dead_code)]
#[path = "../../../listings/ch05/listing-05-12-ractor-store/src/lib.rs"]
mod ractor_store;
#[allow(dead_code)]
#[path = "../../../listings/ch05/listing-05-08-store-actor/src/lib.rs"]
mod store_actor;

use crate::Experiment;

pub fn experiments() -> Vec<Experiment> {
    vec![
        Experiment {
            id: "ch05/actors",
            title: "A request through an actor, a mutex and ractor",
            steps: actors::steps,
            run: actors::run,
            render: actors::render,
        },
        Experiment {
            id: "ch05/protocols",
            title: "What a remote call costs: raw TCP, REST, RPC and ZeroMQ",
            steps: protocols::steps,
            run: protocols::run,
            render: protocols::render,
        },
        Experiment {
            id: "ch05/failure",
            title: "Detecting a dead peer, and a client getting past a dead node",
            steps: failure::steps,
            run: failure::run,
            render: failure::render,
        },
    ]
}
