// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()`s do not use yet.
#![allow(unused_variables)]

//! A thread pool whose workers survive panicking jobs.

/// A fixed-size pool of worker threads.
pub struct Pool {
    // Your fields: the job sender, the workers' handles, and what you need
    // to count unfinished and panicked jobs.
}

impl Pool {
    /// Starts `size` workers (at least one), named `worker-0`, `worker-1`, …
    pub fn new(size: usize) -> Pool {
        todo!("start the workers")
    }

    /// Queues `job`; a free worker runs it. A job that panics is counted and
    /// its worker carries on.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        todo!("count the job as unfinished and send it")
    }

    /// Blocks until every job queued so far has finished or panicked.
    pub fn wait(&self) {
        todo!("wait until the unfinished count is zero")
    }

    /// How many jobs have panicked so far.
    pub fn panicked(&self) -> usize {
        todo!()
    }
}

impl Drop for Pool {
    /// Finishes every queued job, then joins the workers.
    fn drop(&mut self) {}
}
