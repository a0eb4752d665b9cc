//! A ventilator/worker/sink pipeline over inproc://. `run_pipeline` is
//! given; you write `worker` and `sink`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// Where the ventilator hands out tasks (it binds a PUSH socket here).
pub const TASKS: &str = "inproc://tasks";
/// Where the sink collects results (it binds a PULL socket here).
pub const RESULTS: &str = "inproc://results";

/// A number as one 8-byte frame.
pub fn encode(n: u64) -> [u8; 8] {
    n.to_le_bytes()
}

/// The number in an 8-byte frame; `None` for a frame of any other length.
pub fn decode(frame: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(frame.try_into().ok()?))
}

/// Why the sink did not deliver all results.
#[derive(Debug, PartialEq, Eq)]
pub enum SinkError {
    /// No result within the timeout; `received` results had arrived.
    Timeout {
        received: usize,
    },
    /// A second result for the same task.
    Duplicate(u64),
    /// A result for a task number outside `0..n`.
    UnknownTask(u64),
    /// A message that is not two 8-byte frames.
    Malformed,
    Zmq(zmq::Error),
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<zmq::Error> for SinkError {
    fn from(e: zmq::Error) -> Self {
        SinkError::Zmq(e)
    }
}

/// A worker: receive task numbers (one 8-byte frame each) from `TASKS`, and
/// for each send a two-frame result `[task, task * task]` to `RESULTS`.
/// Stop, returning `Ok(())`, once `done` is set; never block for long
/// without looking at `done`.
pub fn worker(ctx: &zmq::Context, done: &AtomicBool) -> zmq::Result<()> {
    let _ = (ctx, done, Ordering::Relaxed);
    todo!("connect a PULL to TASKS and a PUSH to RESULTS; square tasks until done")
}

/// The sink: receive results on the bound PULL socket `results` until all
/// `n` tasks (numbered `0..n`) have reported, and return the squares
/// indexed by task. Waiting longer than `timeout` for any one result is
/// an error, and so is a duplicate, an unknown task, or a malformed message.
pub fn sink(results: &zmq::Socket, n: usize, timeout: Duration) -> Result<Vec<u64>, SinkError> {
    let _ = (results, n, timeout);
    todo!("collect n results, each task exactly once, each wait bounded")
}

/// Runs the whole pipeline: `tasks` task numbers, `workers` worker threads.
pub fn run_pipeline(tasks: u64, workers: usize, timeout: Duration) -> Result<Vec<u64>, SinkError> {
    let ctx = zmq::Context::new();
    let ventilator = ctx.socket(zmq::PUSH)?;
    ventilator.set_sndtimeo(5000)?;
    ventilator.bind(TASKS)?;
    let results = ctx.socket(zmq::PULL)?;
    results.bind(RESULTS)?;
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| worker(&ctx, &done));
        }
        let outcome = (|| {
            for task in 0..tasks {
                ventilator.send(&encode(task)[..], 0)?;
            }
            sink(&results, tasks as usize, timeout)
        })();
        done.store(true, Ordering::Relaxed);
        outcome
    })
}
