//! A small process pool with a deadline per task. Each of `workers` threads
//! owns one worker process (the package's `timeout-worker` binary) and feeds it
//! tasks from a shared queue, one at a time, as frames on its pipes.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// Set in a worker's environment.
pub const WORKER_ENV: &str = "EXERCISE_04_06_WORKER";
const MAX_FRAME: usize = 1 << 20;

fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let mut buf = (payload.len() as u32).to_be_bytes().to_vec();
    buf.extend_from_slice(payload);
    w.write_all(&buf)?;
    w.flush()
}

/// `Ok(None)` at a clean end of the stream.
fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; 4];
    match r.read_exact(&mut header) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let len = u32::from_be_bytes(header) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut payload = vec![0; len];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// In a worker process: serves tasks until stdin closes, then exits.
/// Elsewhere: returns at once.
pub fn serve_if_worker(handler: fn(&[u8]) -> Result<Vec<u8>, String>) {
    if std::env::var_os(WORKER_ENV).is_none() {
        return;
    }
    let (mut input, mut output) = (io::stdin().lock(), io::stdout().lock());
    while let Ok(Some(task)) = read_frame(&mut input) {
        let reply = match handler(&task) {
            Ok(bytes) => [&[0], bytes.as_slice()].concat(),
            Err(message) => [&[1], message.as_bytes()].concat(),
        };
        if write_frame(&mut output, &reply).is_err() {
            break;
        }
    }
    std::process::exit(0)
}

/// One worker process, its stdin, and the frames a reader thread takes off
/// its stdout (`None`: end of file or a broken frame).
pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<Option<Vec<u8>>>,
}

/// What became of one call.
#[derive(Debug, PartialEq, Eq)]
pub enum Call {
    /// The handler's answer.
    Reply(Result<Vec<u8>, String>),
    /// The worker died before answering; it has been reaped.
    Died,
    /// The task ran past its deadline; the worker was killed and reaped.
    TimedOut,
}

impl Worker {
    pub fn spawn(program: &Path) -> io::Result<Worker> {
        let mut child = Command::new(program)
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let (tx, replies) = mpsc::channel();
        // A read on a pipe has no deadline; a channel's `recv_timeout` has.
        thread::spawn(move || {
            loop {
                let frame = read_frame(&mut stdout).ok().flatten();
                let last = frame.is_none();
                if tx.send(frame).is_err() || last {
                    return;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            replies,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `task` to the worker.
    pub fn send(&mut self, task: &[u8]) -> io::Result<()> {
        write_frame(&mut self.stdin, task)
    }

    /// Turns a reply frame into the handler's answer.
    fn answer(frame: &[u8]) -> Option<Result<Vec<u8>, String>> {
        match frame.split_first() {
            Some((0, bytes)) => Some(Ok(bytes.to_vec())),
            Some((1, message)) => Some(Err(String::from_utf8_lossy(message).into_owned())),
            _ => None,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait(); // no zombies
    }
}

/// A task that has no result, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    pub task: usize,
    pub reason: String,
}

/// Runs every task on `workers` worker processes running `program`, each
/// task with at most `timeout`; results in task order.
pub fn map(
    program: &Path,
    workers: usize,
    tasks: Vec<Vec<u8>>,
    timeout: Duration,
) -> Vec<Result<Vec<u8>, TaskError>> {
    let count = tasks.len();
    let queue = Mutex::new(tasks.into_iter().enumerate().collect::<VecDeque<_>>());
    let results = Mutex::new(vec![None; count]);
    thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| {
                let mut worker = None;
                loop {
                    let next = queue.lock().unwrap().pop_front();
                    let Some((index, task)) = next else { break };
                    let result = run_task(&mut worker, program, index, &task, timeout);
                    results.lock().unwrap()[index] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    results
        .into_iter()
        .map(|r| r.expect("every task ran"))
        .collect()
}

impl Worker {
    /// Sends `task` and waits at most `timeout` for the answer. Past the
    /// deadline, kill the worker (SIGKILL) and reap it; a worker that dies
    /// first must be reaped too.
    pub fn call(&mut self, task: &[u8], timeout: Duration) -> Call {
        // Your tools: `self.send`, `self.replies.recv_timeout` (its
        // `RecvTimeoutError`), `Worker::answer`, and `self.child`.
        let _ = (
            task,
            timeout,
            &self.replies,
            Worker::answer,
            RecvTimeoutError::Timeout,
        );
        todo!("send, then recv_timeout; kill and reap on a timeout")
    }
}

/// Runs task `index` on `*worker`, starting one first if there is none. A
/// worker that timed out or died is gone: the next task needs a new one.
pub fn run_task(
    worker: &mut Option<Worker>,
    program: &Path,
    index: usize,
    task: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, TaskError> {
    let _ = (worker, program, index, task, timeout);
    todo!("start a worker if needed, call it, drop it after a timeout")
}
