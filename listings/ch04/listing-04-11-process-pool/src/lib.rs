//! A process pool: `N` worker processes, each the same executable started
//! again in worker mode, that run tasks sent to them over their stdin and
//! answer over their stdout.
//!
//! ```text
//!             dispatcher thread                     worker processes
//!   map() ──► queue ──► frame ──► stdin pipe ──►  serve_if_worker loop
//!   submit()             ▲                          handler(task)
//!   results ◄── channel ◄┴─ reader thread ◄── stdout pipe ◄──┘
//! ```
//!
//! Every message is one frame: a big-endian `u32` length, then that many
//! bytes, checked against a maximum before anything is allocated. The
//! payload is `postcard`: a request is a chunk of tasks (`Vec<Vec<u8>>`), a
//! reply the same number of outcomes.
//!
//! What the pool guarantees: every task submitted gets exactly one result,
//! either the handler's answer or a [`TaskError`] that says which task failed
//! and why. A worker that dies mid-task (end of file on its pipe) is reaped,
//! replaced, and its task sent again, at most `max_attempts` times in all. A
//! worker that answers with bytes that are not a valid reply is killed and
//! treated the same way. A task that runs past its timeout has its worker
//! killed and replaced; it is not retried. A task that panics is caught in
//! the worker (`catch_unwind`), reported as [`Failure::Panicked`], and the
//! worker lives on.
//!
//! Listings 4-12 to 4-15 carry identical copies of this file so that each
//! folder builds alone.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Set in a worker's environment: it makes [`serve_if_worker`] serve.
pub const WORKER_ENV: &str = "PROCESS_POOL_WORKER";
/// Tells the worker the pool's maximum frame size.
const MAX_FRAME_ENV: &str = "PROCESS_POOL_MAX_FRAME";
/// The default maximum frame: 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 << 20;

// ---------------------------------------------------------------------------
// Framing

// ANCHOR: framing
/// Builds a whole frame first: the worker reads it with one `read_exact`
/// pair, and the pool writes it with one `write_all`.
fn frame(payload: &[u8], max: usize) -> Result<Vec<u8>, Failure> {
    if payload.len() > max {
        return Err(Failure::TooLarge(payload.len()));
    }
    let mut buf = Vec::with_capacity(4 + payload.len());
    buf.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    buf.extend_from_slice(payload);
    Ok(buf)
}

/// The next frame; `Ok(None)` when the stream ends cleanly between frames.
fn read_frame(r: &mut impl Read, max: usize) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match r.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "pipe closed inside a frame header",
                ));
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_be_bytes(header) as usize;
    // Checked before the allocation: a garbage prefix costs nothing.
    if len > max {
        let msg = format!("frame of {len} bytes exceeds the maximum of {max}");
        return Err(io::Error::new(io::ErrorKind::InvalidData, msg));
    }
    let mut payload = vec![0; len];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}
// ANCHOR_END: framing

/// What the worker answers for one task.
#[derive(Clone, Serialize, Deserialize)]
enum Outcome {
    Done(Vec<u8>),
    Failed(String),
    Panicked(String),
}

// ---------------------------------------------------------------------------
// The worker side

// ANCHOR: serve
/// In a process started by a [`Pool`] as a worker: serves tasks with
/// `handler` until the pool closes the pipe, then exits the process (never
/// returns). In any other process: returns at once. Call it first in `main`.
pub fn serve_if_worker(handler: fn(&[u8]) -> Result<Vec<u8>, String>) {
    if std::env::var_os(WORKER_ENV).is_some() {
        serve(&handler);
    }
}

/// What a worker runs for each task.
type Handler<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'a;

fn serve(handler: &Handler) -> ! {
    let max = std::env::var(MAX_FRAME_ENV)
        .ok()
        .and_then(|v| v.parse().ok());
    let max = max.unwrap_or(DEFAULT_MAX_FRAME);
    // A panic becomes an error reply; the default hook would also print it.
    std::panic::set_hook(Box::new(|_| {}));
    let (mut input, mut output) = (io::stdin().lock(), io::stdout().lock());
    loop {
        let tasks: Vec<Vec<u8>> = match read_frame(&mut input, max) {
            Ok(None) => std::process::exit(0), // the pool closed our stdin
            Ok(Some(f)) => postcard::from_bytes(&f).unwrap_or_else(|e| die(&e)),
            Err(e) => die(&e),
        };
        let outcomes: Vec<Outcome> = tasks
            .iter()
            .map(
                |task| match catch_unwind(AssertUnwindSafe(|| handler(task))) {
                    Ok(Ok(result)) => Outcome::Done(result),
                    Ok(Err(message)) => Outcome::Failed(message),
                    Err(payload) => Outcome::Panicked(panic_message(payload.as_ref())),
                },
            )
            .collect();
        let reply = postcard::to_allocvec(&outcomes).unwrap_or_else(|e| die(&e));
        let bytes = frame(&reply, max).unwrap_or_else(|_| {
            let e = format!("reply of {} bytes exceeds the frame limit", reply.len());
            let all = vec![Outcome::Failed(e); tasks.len()];
            frame(&postcard::to_allocvec(&all).unwrap(), max).unwrap()
        });
        if output
            .write_all(&bytes)
            .and_then(|()| output.flush())
            .is_err()
        {
            std::process::exit(0); // the pool is gone: nobody to answer
        }
    }
}
// ANCHOR_END: serve

/// Like [`serve_if_worker`], with tasks and results (de)serialised with
/// `postcard`: pair it with [`Pool::map_typed`].
pub fn serve_if_worker_typed<T: DeserializeOwned, R: Serialize>(
    handler: fn(T) -> Result<R, String>,
) {
    if std::env::var_os(WORKER_ENV).is_some() {
        serve(&|bytes: &[u8]| {
            let task =
                postcard::from_bytes(bytes).map_err(|e| format!("cannot decode the task: {e}"))?;
            let result = handler(task)?;
            postcard::to_allocvec(&result).map_err(|e| format!("cannot encode the result: {e}"))
        });
    }
}

fn die(e: &dyn fmt::Display) -> ! {
    eprintln!("worker {}: broken request stream: {e}", std::process::id());
    std::process::exit(2)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

// ---------------------------------------------------------------------------
// Errors

/// Why a task has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The handler returned `Err`.
    Handler(String),
    /// The handler panicked; the worker caught it and lives on.
    Panicked(String),
    /// The worker died while running the task, on every attempt; the text
    /// says how the last one ended (e.g. "killed by signal 9 (SIGKILL)").
    Crashed(String),
    /// The worker wrote something that is not a valid reply.
    BadReply(String),
    /// The task ran longer than this; its worker was killed.
    TimedOut(Duration),
    /// The task's frame would exceed the maximum frame size (bytes).
    TooLarge(usize),
    /// No worker could be started.
    NoWorkers(String),
    /// The pool shut down before the task finished.
    PoolClosed,
}

/// A task that failed: which one, after how many attempts, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    /// The task's index in the call (`map`, `as_completed`) or its ticket's
    /// id (`submit`).
    pub task: usize,
    /// How many times it was sent to a worker.
    pub attempts: u32,
    pub failure: Failure,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Handler(m) => write!(f, "the handler returned an error: {m}"),
            Failure::Panicked(m) => write!(f, "the handler panicked: {m}"),
            Failure::Crashed(how) => write!(f, "its worker died: {how}"),
            Failure::BadReply(m) => write!(f, "its worker sent a malformed reply: {m}"),
            Failure::TimedOut(t) => {
                write!(f, "it ran past its timeout of {t:?}; its worker was killed")
            }
            Failure::TooLarge(n) => write!(f, "its frame of {n} bytes exceeds the maximum"),
            Failure::NoWorkers(e) => write!(f, "no worker could be started: {e}"),
            Failure::PoolClosed => write!(f, "the pool shut down first"),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "task {} failed after {} attempt{s}: {}",
            self.task, self.attempts, self.failure
        )
    }
}

impl std::error::Error for TaskError {}

/// How a worker process ended, in words: "exited with status 0",
/// "killed by signal 6 (SIGABRT)".
pub fn describe(status: ExitStatus) -> String {
    if let Some(sig) = status.signal() {
        match nix::sys::signal::Signal::try_from(sig) {
            Ok(s) => format!("killed by signal {sig} ({})", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        }
    } else {
        format!("exited with status {}", status.code().unwrap_or(-1))
    }
}

// ---------------------------------------------------------------------------
// Configuration

/// Settings for a [`Pool`]; start one with [`Builder::start`].
#[derive(Debug, Clone)]
pub struct Builder {
    program: Option<PathBuf>,
    args: Vec<OsString>,
    workers: usize,
    task_timeout: Option<Duration>,
    max_attempts: u32,
    max_frame: usize,
    shutdown_grace: Duration,
}

impl Builder {
    /// `workers` workers running the current executable; no timeout; three
    /// attempts per task; 16 MiB frames; five seconds' grace at shutdown.
    pub fn new(workers: usize) -> Builder {
        Builder {
            program: None,
            args: Vec::new(),
            workers: workers.max(1),
            task_timeout: None,
            max_attempts: 3,
            max_frame: DEFAULT_MAX_FRAME,
            shutdown_grace: Duration::from_secs(5),
        }
    }
    /// Runs `program` (which must call [`serve_if_worker`]) instead of the
    /// current executable: a test harness starts the package's worker binary.
    pub fn program(mut self, program: impl Into<PathBuf>) -> Builder {
        self.program = Some(program.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Builder {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }
    /// The longest a task may run (a chunk of `n` tasks: `n` times this).
    pub fn task_timeout(mut self, timeout: Duration) -> Builder {
        self.task_timeout = Some(timeout);
        self
    }
    /// How many times a task is sent before a crash is final (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Builder {
        self.max_attempts = attempts.max(1);
        self
    }
    pub fn max_frame(mut self, bytes: usize) -> Builder {
        self.max_frame = bytes.min(u32::MAX as usize);
        self
    }
    /// How long [`Pool::shutdown`] waits for queued work before it kills.
    pub fn shutdown_grace(mut self, grace: Duration) -> Builder {
        self.shutdown_grace = grace;
        self
    }

    /// Starts the workers and the dispatcher thread.
    pub fn start(self) -> io::Result<Pool> {
        let program = match self.program.clone() {
            Some(p) => p,
            None => std::env::current_exe()?,
        };
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let mut d = Dispatcher {
            program,
            cfg: self.clone(),
            tx: tx.clone(),
            slots: (0..self.workers)
                .map(|_| Slot {
                    generation: 0,
                    worker: None,
                })
                .collect(),
            queue: VecDeque::new(),
            next_generation: 0,
            shared: shared.clone(),
        };
        for slot in 0..self.workers {
            if let Err(e) = d.spawn(slot) {
                d.kill_all();
                return Err(e);
            }
        }
        let dispatcher = thread::Builder::new()
            .name("pool-dispatcher".into())
            .spawn(move || d.run(rx))?;
        Ok(Pool {
            tx,
            dispatcher: Some(dispatcher),
            next_ticket: AtomicUsize::new(0),
            shared,
            cfg: self,
        })
    }
}

// ---------------------------------------------------------------------------
// The pool's handle

type Done = (usize, Result<Vec<u8>, TaskError>);

/// A batch of tasks sent as one message.
struct Job {
    /// The id of the first task; the others follow.
    first: usize,
    count: usize,
    /// The framed request, built once on the caller's thread.
    bytes: Vec<u8>,
    attempts: u32,
    reply: Sender<Done>,
}

enum Event {
    Submit(Job),
    /// What a reader thread read from worker `slot` of `generation`:
    /// a frame, the end of the pipe (`Ok(None)`), or a broken frame.
    Read {
        slot: usize,
        generation: u64,
        frame: io::Result<Option<Vec<u8>>>,
    },
    Shutdown,
}

/// Counters the dispatcher updates and the handle reads.
#[derive(Default)]
struct Shared {
    messages: AtomicU64,
    started: AtomicU64,
    retries: AtomicU64,
    pids: Mutex<Vec<u32>>,
}

/// What the pool has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Request frames written to workers (one per chunk per attempt).
    pub messages: u64,
    /// Worker processes started, replacements included.
    pub workers_started: u64,
    /// Tasks sent again after their worker died or broke.
    pub retries: u64,
}

/// How a worker process ended at shutdown.
#[derive(Debug, Clone, Copy)]
pub struct WorkerExit {
    pub pid: u32,
    pub status: ExitStatus,
    /// Whether the pool had to kill it.
    pub killed: bool,
}

/// A pool of worker processes. Dropping it shuts it down gracefully.
pub struct Pool {
    tx: Sender<Event>,
    dispatcher: Option<JoinHandle<Vec<WorkerExit>>>,
    next_ticket: AtomicUsize,
    shared: Arc<Shared>,
    cfg: Builder,
}

impl Pool {
    /// Starts `workers` worker processes: the current executable, run again
    /// with [`WORKER_ENV`] set so that its [`serve_if_worker`] serves.
    pub fn new(workers: usize) -> io::Result<Pool> {
        Builder::new(workers).start()
    }

    /// Starts `workers` copies of `program` with `args` as workers.
    pub fn with_program(
        program: impl Into<PathBuf>,
        args: &[&str],
        workers: usize,
    ) -> io::Result<Pool> {
        Builder::new(workers)
            .program(program)
            .args(args.iter().copied())
            .start()
    }

    pub fn builder(workers: usize) -> Builder {
        Builder::new(workers)
    }

    pub fn workers(&self) -> usize {
        self.cfg.workers
    }

    /// Runs every task; results in task order. A task that fails gives an
    /// `Err` saying which and why. Every task appears exactly once.
    pub fn map(&self, tasks: Vec<Vec<u8>>) -> Vec<Result<Vec<u8>, TaskError>> {
        self.map_chunked(tasks, 1)
    }

    /// Like [`Pool::map`], sending `chunksize` tasks per message.
    pub fn map_chunked(
        &self,
        tasks: Vec<Vec<u8>>,
        chunksize: usize,
    ) -> Vec<Result<Vec<u8>, TaskError>> {
        let mut results: Vec<Option<Result<Vec<u8>, TaskError>>> = vec![None; tasks.len()];
        for (i, result) in self.as_completed_chunked(tasks, chunksize) {
            results[i] = Some(result);
        }
        results
            .into_iter()
            .map(|r| r.expect("as_completed yields every task"))
            .collect()
    }

    /// Like [`Pool::map`] with `postcard`-encoded tasks and results.
    pub fn map_typed<T: Serialize, R: DeserializeOwned>(
        &self,
        tasks: &[T],
    ) -> Vec<Result<R, TaskError>> {
        let encoded = tasks
            .iter()
            .map(|t| postcard::to_allocvec(t).expect("a task serialises"))
            .collect();
        let decode = |(task, result): (usize, Result<Vec<u8>, TaskError>)| {
            let bytes = result?;
            postcard::from_bytes(&bytes).map_err(|e| TaskError {
                task,
                attempts: 1,
                failure: Failure::BadReply(format!("cannot decode the result: {e}")),
            })
        };
        self.map(encoded)
            .into_iter()
            .enumerate()
            .map(decode)
            .collect()
    }

    /// Sends every task now and yields `(index, result)` as results arrive,
    /// fastest first. Yields each index exactly once.
    pub fn as_completed(&self, tasks: Vec<Vec<u8>>) -> Completed {
        self.as_completed_chunked(tasks, 1)
    }

    /// Like [`Pool::as_completed`], `chunksize` tasks per message.
    pub fn as_completed_chunked(&self, tasks: Vec<Vec<u8>>, chunksize: usize) -> Completed {
        let (reply, rx) = mpsc::channel();
        let pending = vec![true; tasks.len()];
        let mut first = 0;
        let mut tasks = tasks.into_iter().peekable();
        while tasks.peek().is_some() {
            let chunk: Vec<Vec<u8>> = tasks.by_ref().take(chunksize.max(1)).collect();
            let count = chunk.len();
            self.send(first, chunk, reply.clone());
            first += count;
        }
        Completed {
            rx,
            left: pending.len(),
            pending,
        }
    }

    /// Sends one task; its [`Ticket`] gives the result later.
    pub fn submit(&self, task: Vec<u8>) -> Ticket {
        let id = self.next_ticket.fetch_add(1, Relaxed);
        let (reply, rx) = mpsc::channel();
        self.send(id, vec![task], reply);
        Ticket { id, rx }
    }

    fn send(&self, first: usize, chunk: Vec<Vec<u8>>, reply: Sender<Done>) {
        let count = chunk.len();
        let payload = postcard::to_allocvec(&chunk).expect("bytes serialise");
        match frame(&payload, self.cfg.max_frame) {
            Ok(bytes) => {
                let job = Job {
                    first,
                    count,
                    bytes,
                    attempts: 0,
                    reply,
                };
                if let Err(mpsc::SendError(Event::Submit(job))) = self.tx.send(Event::Submit(job)) {
                    finish(job, Failure::PoolClosed);
                }
            }
            Err(failure) => finish(
                Job {
                    first,
                    count,
                    bytes: Vec::new(),
                    attempts: 0,
                    reply,
                },
                failure,
            ),
        }
    }

    /// Counters: messages sent, workers started, retries.
    pub fn stats(&self) -> Stats {
        Stats {
            messages: self.shared.messages.load(Relaxed),
            workers_started: self.shared.started.load(Relaxed),
            retries: self.shared.retries.load(Relaxed),
        }
    }

    /// The process ids of the current workers.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.shared
            .pids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .filter(|&p| p != 0)
            .collect()
    }

    /// Finishes the queued tasks (for up to the shutdown grace), closes every
    /// worker's stdin so that it exits, reaps it, and kills any worker still
    /// running at the deadline. Returns how each worker ended.
    pub fn shutdown(mut self) -> Vec<WorkerExit> {
        self.stop()
    }

    fn stop(&mut self) -> Vec<WorkerExit> {
        let Some(dispatcher) = self.dispatcher.take() else {
            return Vec::new();
        };
        let _ = self.tx.send(Event::Shutdown);
        dispatcher.join().unwrap_or_default()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.stop(); // no worker outlives the pool, and none is left a zombie
    }
}

/// Gives `failure` to every task of `job`.
fn finish(job: Job, failure: Failure) {
    for task in job.first..job.first + job.count {
        let error = TaskError {
            task,
            attempts: job.attempts,
            failure: failure.clone(),
        };
        let _ = job.reply.send((task, Err(error)));
    }
}

/// Results in the order they complete; see [`Pool::as_completed`].
pub struct Completed {
    rx: Receiver<Done>,
    pending: Vec<bool>,
    left: usize,
}

impl Iterator for Completed {
    type Item = (usize, Result<Vec<u8>, TaskError>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.left > 0 {
            let (task, result) = match self.rx.recv() {
                Ok(done) => done,
                Err(_) => {
                    // The dispatcher is gone: the missing ones failed.
                    let task = self.pending.iter().position(|&p| p)?;
                    (
                        task,
                        Err(TaskError {
                            task,
                            attempts: 0,
                            failure: Failure::PoolClosed,
                        }),
                    )
                }
            };
            if std::mem::take(&mut self.pending[task]) {
                self.left -= 1;
                return Some((task, result));
            }
        }
        None
    }
}

/// A task in flight: [`Ticket::wait`] gives its result.
pub struct Ticket {
    id: usize,
    rx: Receiver<Done>,
}

impl Ticket {
    pub fn id(&self) -> usize {
        self.id
    }

    /// The result, if it arrives within `timeout`; otherwise the ticket back,
    /// to wait again. Taking `self` means a result is received only once.
    pub fn wait(self, timeout: Duration) -> Result<Result<Vec<u8>, TaskError>, Ticket> {
        match self.rx.recv_timeout(timeout) {
            Ok((_, result)) => Ok(result),
            Err(RecvTimeoutError::Timeout) => Err(self),
            Err(RecvTimeoutError::Disconnected) => Ok(Err(TaskError {
                task: self.id,
                attempts: 0,
                failure: Failure::PoolClosed,
            })),
        }
    }
}

// ---------------------------------------------------------------------------
// The dispatcher: one thread owns every worker and every queued job.

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The job this worker runs and its deadline.
    running: Option<(Job, Option<Instant>)>,
}

struct Slot {
    generation: u64,
    worker: Option<Worker>,
}

struct Dispatcher {
    program: PathBuf,
    cfg: Builder,
    tx: Sender<Event>,
    slots: Vec<Slot>,
    queue: VecDeque<Job>,
    next_generation: u64,
    shared: Arc<Shared>,
}

impl Dispatcher {
    // ANCHOR: spawn
    /// Starts a worker in `slot`, with a thread that reads its replies.
    fn spawn(&mut self, slot: usize) -> io::Result<()> {
        let mut child = Command::new(&self.program)
            .args(&self.cfg.args)
            .env(WORKER_ENV, "1")
            .env(MAX_FRAME_ENV, self.cfg.max_frame.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        self.next_generation += 1;
        let (generation, tx, max) = (self.next_generation, self.tx.clone(), self.cfg.max_frame);
        let reader = thread::Builder::new()
            .name(format!("pool-reader-{slot}"))
            .spawn(move || read_replies(stdout, slot, generation, max, tx));
        if let Err(e) = reader {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        self.set_pid(slot, child.id());
        let stdin = child.stdin.take();
        self.slots[slot] = Slot {
            generation,
            worker: Some(Worker {
                child,
                stdin,
                running: None,
            }),
        };
        self.shared.started.fetch_add(1, Relaxed);
        Ok(())
    }
    // ANCHOR_END: spawn

    fn set_pid(&self, slot: usize, pid: u32) {
        let mut pids = self.shared.pids.lock().unwrap_or_else(|e| e.into_inner());
        pids.resize(self.slots.len(), 0);
        pids[slot] = pid;
    }

    // ANCHOR: run
    fn run(mut self, rx: Receiver<Event>) -> Vec<WorkerExit> {
        let mut closing: Option<Instant> = None;
        loop {
            self.dispatch();
            let busy = self
                .slots
                .iter()
                .any(|s| s.worker.as_ref().is_some_and(|w| w.running.is_some()));
            if let Some(deadline) = closing
                && ((self.queue.is_empty() && !busy) || Instant::now() >= deadline)
            {
                return self.close(); // drained, or out of time
            }
            // Sleep until an event or the nearest deadline, never longer.
            let deadlines = self
                .slots
                .iter()
                .filter_map(|s| s.worker.as_ref()?.running.as_ref()?.1);
            let wake = deadlines.chain(closing).min();
            let event = match wake {
                Some(t) => rx.recv_timeout(t.saturating_duration_since(Instant::now())),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match event {
                Ok(Event::Submit(job)) => self.queue.push_back(job),
                Ok(Event::Read {
                    slot,
                    generation,
                    frame,
                }) => {
                    if self.slots[slot].generation == generation {
                        self.on_read(slot, frame);
                    } // else: from a worker already replaced
                }
                Ok(Event::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                    closing.get_or_insert(Instant::now() + self.cfg.shutdown_grace);
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.expire();
        }
    }
    // ANCHOR_END: run

    // ANCHOR: dispatch
    /// Gives queued jobs to idle workers, one job per worker at a time.
    fn dispatch(&mut self) {
        for slot in 0..self.slots.len() {
            if self.queue.is_empty() {
                return;
            }
            if self.slots[slot].worker.is_none() && self.spawn(slot).is_err() {
                continue;
            }
            let worker = self.slots[slot].worker.as_mut().expect("spawned");
            if worker.running.is_some() {
                continue;
            }
            let mut job = self.queue.pop_front().expect("not empty");
            job.attempts += 1;
            let stdin = worker.stdin.as_mut().expect("open while the worker runs");
            match stdin.write_all(&job.bytes) {
                Ok(()) => {
                    let timeout = self.cfg.task_timeout.map(|t| t * job.count as u32);
                    worker.running = Some((job, timeout.map(|t| Instant::now() + t)));
                    self.shared.messages.fetch_add(1, Relaxed);
                }
                Err(_) => {
                    // The worker died while idle: replace it and try again.
                    job.attempts -= 1;
                    self.queue.push_front(job);
                    self.replace(slot, false);
                }
            }
        }
        if !self.queue.is_empty() && self.slots.iter().all(|s| s.worker.is_none()) {
            let why = self
                .spawn(0)
                .err()
                .map_or("spawn failed".into(), |e| e.to_string());
            while let Some(job) = self.queue.pop_front() {
                finish(job, Failure::NoWorkers(why.clone()));
            }
        }
    }
    // ANCHOR_END: dispatch

    // ANCHOR: crash
    /// A reader thread saw a frame, the end of the pipe, or garbage.
    fn on_read(&mut self, slot: usize, frame: io::Result<Option<Vec<u8>>>) {
        let worker = self.slots[slot]
            .worker
            .as_mut()
            .expect("current generation");
        let running = worker.running.take().map(|(job, _deadline)| job);
        let failure = match (frame, running) {
            (Ok(Some(bytes)), Some(job)) => match postcard::from_bytes::<Vec<Outcome>>(&bytes) {
                Ok(outcomes) if outcomes.len() == job.count => return deliver(job, outcomes),
                Ok(o) => {
                    let why = format!("{} results for {} tasks", o.len(), job.count);
                    (Some(job), Failure::BadReply(why))
                }
                Err(e) => (
                    Some(job),
                    Failure::BadReply(format!("undecodable reply: {e}")),
                ),
            },
            (Ok(Some(_)), None) => (None, Failure::BadReply("a reply nobody asked for".into())),
            (Ok(None), job) => {
                // End of file: the worker closed its stdout, so it is exiting
                // or dead. Reap it to learn how it ended.
                let how = self.replace(slot, true);
                if let Some(job) = job {
                    self.retry_or_fail(job, Failure::Crashed(how));
                }
                return;
            }
            (Err(e), job) => (job, Failure::BadReply(e.to_string())),
        };
        self.replace(slot, false); // a worker that breaks the protocol is killed
        if let (Some(job), f) = failure {
            self.retry_or_fail(job, f);
        }
    }

    // ANCHOR_END: crash

    // ANCHOR: replace
    /// Sends `job` again if it has attempts left, else fails its tasks.
    fn retry_or_fail(&mut self, job: Job, failure: Failure) {
        if job.attempts < self.cfg.max_attempts {
            self.shared.retries.fetch_add(job.count as u64, Relaxed);
            self.queue.push_front(job);
        } else {
            finish(job, failure);
        }
    }

    /// Kills (unless `patient`: it is exiting anyway) and reaps the worker
    /// in `slot`, then starts a new one. Returns how the old one ended.
    fn replace(&mut self, slot: usize, patient: bool) -> String {
        let how = match self.slots[slot].worker.take() {
            Some(mut w) => describe(reap(&mut w.child, patient)),
            None => "no worker".into(),
        };
        self.set_pid(slot, 0);
        if let Err(e) = self.spawn(slot) {
            eprintln!("process pool: cannot replace worker {slot}: {e}");
        }
        how
    }
    // ANCHOR_END: replace

    // ANCHOR: expire
    /// Kills the workers whose task has run past its deadline.
    fn expire(&mut self) {
        let now = Instant::now();
        for slot in 0..self.slots.len() {
            let late = self.slots[slot]
                .worker
                .as_ref()
                .and_then(|w| w.running.as_ref()?.1)
                .is_some_and(|d| d <= now);
            if late {
                let worker = self.slots[slot]
                    .worker
                    .as_mut()
                    .expect("late means present");
                let (job, _) = worker.running.take().expect("late means running");
                self.replace(slot, false);
                let timeout = self.cfg.task_timeout.unwrap_or_default() * job.count as u32;
                finish(job, Failure::TimedOut(timeout));
            }
        }
    }
    // ANCHOR_END: expire

    // ANCHOR: close
    /// Shutdown: fails what is left, closes the pipes, reaps every worker.
    fn close(mut self) -> Vec<WorkerExit> {
        while let Some(job) = self.queue.pop_front() {
            finish(job, Failure::PoolClosed);
        }
        let mut workers: Vec<Worker> = self
            .slots
            .iter_mut()
            .filter_map(|s| s.worker.take())
            .collect();
        for w in &mut workers {
            // Dropping stdin closes the pipe: an idle worker reads end of
            // file and exits with status 0.
            w.stdin = None;
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut exits = Vec::new();
        for mut w in workers {
            let pid = w.child.id();
            let busy = w.running.is_some();
            let status = if busy {
                None
            } else {
                wait_until(&mut w.child, deadline)
            };
            let (status, killed) = match status {
                Some(s) => (s, false),
                None => (reap(&mut w.child, false), true), // a straggler
            };
            if let Some((job, _)) = w.running.take() {
                finish(job, Failure::PoolClosed);
            }
            exits.push(WorkerExit {
                pid,
                status,
                killed,
            });
        }
        self.shared
            .pids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        exits
    }
    // ANCHOR_END: close

    fn kill_all(&mut self) {
        for s in &mut self.slots {
            if let Some(mut w) = s.worker.take() {
                reap(&mut w.child, false);
            }
        }
    }
}

/// Reads frames from a worker's stdout until the end of the pipe or an
/// error, and passes each on to the dispatcher.
fn read_replies(
    mut stdout: ChildStdout,
    slot: usize,
    generation: u64,
    max: usize,
    tx: Sender<Event>,
) {
    loop {
        let frame = read_frame(&mut stdout, max);
        let last = !matches!(frame, Ok(Some(_)));
        if tx
            .send(Event::Read {
                slot,
                generation,
                frame,
            })
            .is_err()
            || last
        {
            return;
        }
    }
}

fn deliver(job: Job, outcomes: Vec<Outcome>) {
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let task = job.first + i;
        let failed = |failure| {
            Err(TaskError {
                task,
                attempts: job.attempts,
                failure,
            })
        };
        let result = match outcome {
            Outcome::Done(bytes) => Ok(bytes),
            Outcome::Failed(m) => failed(Failure::Handler(m)),
            Outcome::Panicked(m) => failed(Failure::Panicked(m)),
        };
        let _ = job.reply.send((task, result));
    }
}

/// Waits for `child` until `deadline`, polling; `None` if it still runs.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
            _ => return None,
        }
    }
}

// ANCHOR: reap
/// Reaps `child` so that it leaves no zombie. `patient`: it closed its pipe,
/// so give it 200 ms to finish exiting before the `SIGKILL`.
fn reap(child: &mut Child, patient: bool) -> ExitStatus {
    let grace = Instant::now() + Duration::from_millis(200);
    if patient && let Some(status) = wait_until(child, grace) {
        return status;
    }
    let _ = child.kill(); // SIGKILL; harmless if it has already exited
    child.wait().unwrap_or_else(|_| ExitStatus::from_raw(9))
}
// ANCHOR_END: reap
