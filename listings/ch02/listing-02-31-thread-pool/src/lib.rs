//! A fixed-size thread pool. The book's experiments (experiments/src/ch02/)
//! compile this file and compare it with rayon.

use crossbeam_channel::{Sender, unbounded};
use std::thread::{self, JoinHandle};

// ANCHOR: pool
type Job = Box<dyn FnOnce() + Send + 'static>;

pub struct ThreadPool {
    sender: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl ThreadPool {
    /// Starts `size` worker threads (at least one).
    pub fn new(size: usize) -> ThreadPool {
        let (sender, jobs) = unbounded::<Job>();
        let workers = (0..size.max(1))
            .map(|i| {
                let jobs = jobs.clone();
                thread::Builder::new()
                    .name(format!("pool-worker-{i}"))
                    .spawn(move || {
                        // Ends when the channel is closed and drained.
                        for job in jobs {
                            job();
                        }
                    })
                    .expect("spawning a worker")
            })
            .collect();
        ThreadPool {
            sender: Some(sender),
            workers,
        }
    }

    /// Queues `job` for the next free worker.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        self.sender
            .as_ref()
            .expect("open until dropped")
            .send(Box::new(job))
            .expect("workers are alive");
    }
}
// ANCHOR_END: pool

// ANCHOR: drop
impl Drop for ThreadPool {
    /// Graceful shutdown: close the queue, let the workers finish every job
    /// already queued, and wait for them.
    fn drop(&mut self) {
        drop(self.sender.take()); // the workers' `for` loops end when it is empty
        for worker in self.workers.drain(..) {
            // A job that panicked took its worker with it; the others finish.
            let _ = worker.join();
        }
    }
}
// ANCHOR_END: drop
