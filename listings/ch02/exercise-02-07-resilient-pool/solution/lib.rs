//! A thread pool whose workers survive panicking jobs.

use crossbeam_channel::{Sender, unbounded};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct Counts {
    unfinished: usize,
    panicked: usize,
}

/// What the pool and its workers share.
#[derive(Default)]
struct Shared {
    counts: Mutex<Counts>,
    idle: Condvar, // signalled when `unfinished` reaches zero
}

/// A fixed-size pool of worker threads.
pub struct Pool {
    sender: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl Pool {
    /// Starts `size` workers (at least one), named `worker-0`, `worker-1`, …
    pub fn new(size: usize) -> Pool {
        let (sender, jobs) = unbounded::<Job>();
        let shared = Arc::new(Shared::default());
        let workers = (0..size.max(1))
            .map(|i| {
                let (jobs, shared) = (jobs.clone(), Arc::clone(&shared));
                thread::Builder::new()
                    .name(format!("worker-{i}"))
                    .spawn(move || {
                        for job in jobs {
                            // The panic stops at the job; the worker goes on.
                            let failed = catch_unwind(AssertUnwindSafe(job)).is_err();
                            let mut c = shared.counts.lock().unwrap();
                            c.panicked += usize::from(failed);
                            c.unfinished -= 1;
                            if c.unfinished == 0 {
                                shared.idle.notify_all();
                            }
                        }
                    })
                    .expect("spawning a worker")
            })
            .collect();
        Pool {
            sender: Some(sender),
            workers,
            shared,
        }
    }

    /// Queues `job`; a free worker runs it.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        self.shared.counts.lock().unwrap().unfinished += 1;
        self.sender
            .as_ref()
            .expect("open until dropped")
            .send(Box::new(job))
            .expect("workers are alive");
    }

    /// Blocks until every job queued so far has finished or panicked.
    pub fn wait(&self) {
        let counts = self.shared.counts.lock().unwrap();
        let _idle = self
            .shared
            .idle
            .wait_while(counts, |c| c.unfinished > 0)
            .unwrap();
    }

    /// How many jobs have panicked so far.
    pub fn panicked(&self) -> usize {
        self.shared.counts.lock().unwrap().panicked
    }
}

impl Drop for Pool {
    /// Finishes every queued job, then joins the workers.
    fn drop(&mut self) {
        drop(self.sender.take());
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
