use std::any::Any;
use std::thread;

/// A job: some work that produces a number, or panics.
pub type Job = Box<dyn FnOnce() -> u64 + Send>;

/// Runs every job on its own named thread and reports each one's result or
/// panic message, in the jobs' order.
pub fn run_all(jobs: Vec<Job>) -> Vec<Result<u64, String>> {
    let handles: Vec<_> = jobs
        .into_iter()
        .enumerate()
        .map(|(i, job)| {
            thread::Builder::new()
                .name(format!("job-{i}"))
                .spawn(job)
                .expect("the system refused a thread")
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().map_err(message))
        .collect()
}

/// The text a panic was raised with, when it was a string.
fn message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
