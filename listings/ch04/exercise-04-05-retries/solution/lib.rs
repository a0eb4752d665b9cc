//! A small process pool. Each of `workers` threads owns one worker process
//! (the package's `retries-worker` binary) and feeds it tasks from a shared queue,
//! one at a time: a frame (`u32` big-endian length, then the bytes) on the
//! worker's stdin, a frame back on its stdout whose first byte says whether
//! the handler succeeded.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;

/// Set in a worker's environment.
pub const WORKER_ENV: &str = "EXERCISE_04_05_WORKER";
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
            Ok(mut bytes) => {
                bytes.insert(0, 0);
                bytes
            }
            Err(message) => [&[1], message.as_bytes()].concat(),
        };
        if write_frame(&mut output, &reply).is_err() {
            break;
        }
    }
    std::process::exit(0)
}

/// How a process ended, in words.
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => match nix::sys::signal::Signal::try_from(sig) {
            Ok(s) => format!("killed by signal {sig} ({})", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        },
        (None, None) => "ended".to_string(),
    }
}

/// One worker process and the two ends of its pipes.
pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

/// What became of one call.
#[derive(Debug, PartialEq, Eq)]
pub enum Call {
    /// The handler's answer.
    Reply(Result<Vec<u8>, String>),
    /// The worker died (or broke the protocol) before answering; it has
    /// been reaped, and this says how it ended.
    Died(String),
}

impl Worker {
    pub fn spawn(program: &Path) -> io::Result<Worker> {
        let mut child = Command::new(program)
            .env(WORKER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `task` and reads the answer. A worker that dies first gives
    /// end of file (or a broken pipe): it is killed if need be and reaped.
    pub fn call(&mut self, task: &[u8]) -> Call {
        let reply = write_frame(&mut self.stdin, task).and_then(|()| read_frame(&mut self.stdout));
        match reply {
            Ok(Some(frame)) if frame.first() == Some(&0) => Call::Reply(Ok(frame[1..].to_vec())),
            Ok(Some(frame)) if frame.first() == Some(&1) => {
                Call::Reply(Err(String::from_utf8_lossy(&frame[1..]).into_owned()))
            }
            _ => {
                let _ = self.child.kill(); // harmless if it is dead already
                match self.child.wait() {
                    Ok(status) => Call::Died(describe(status)),
                    Err(e) => Call::Died(format!("could not be reaped: {e}")),
                }
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait(); // no zombies
    }
}

/// A task that has no result: which, after how many attempts, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    pub task: usize,
    pub attempts: u32,
    pub reason: String,
}

/// Runs every task on `workers` worker processes running `program`; the
/// results come back in task order, each exactly once.
pub fn map(
    program: &Path,
    workers: usize,
    tasks: Vec<Vec<u8>>,
    max_attempts: u32,
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
                    let result = run_task(&mut worker, program, index, &task, max_attempts);
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

/// Runs task `index` on `*worker`, starting a worker first if there is
/// none; after a crash, a new worker and another attempt, `max_attempts`
/// in all. A handler's error is final at once: sending it again would give
/// the same error.
pub fn run_task(
    worker: &mut Option<Worker>,
    program: &Path,
    index: usize,
    task: &[u8],
    max_attempts: u32,
) -> Result<Vec<u8>, TaskError> {
    let fail = |attempts, reason| TaskError {
        task: index,
        attempts,
        reason,
    };
    let mut last = String::new();
    for attempt in 1..=max_attempts.max(1) {
        if worker.is_none() {
            let spawned = Worker::spawn(program)
                .map_err(|e| fail(attempt, format!("cannot start a worker: {e}")))?;
            *worker = Some(spawned);
        }
        match worker.as_mut().expect("just started").call(task) {
            Call::Reply(Ok(bytes)) => return Ok(bytes),
            Call::Reply(Err(message)) => {
                return Err(fail(attempt, format!("handler error: {message}")));
            }
            Call::Died(how) => {
                *worker = None; // reaped already; the next attempt starts a new one
                last = format!("its worker {how}");
            }
        }
    }
    Err(fail(max_attempts.max(1), last))
}
