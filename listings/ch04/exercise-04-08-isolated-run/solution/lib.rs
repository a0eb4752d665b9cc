use nix::libc;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The limits a task runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most address space the child may map (`RLIMIT_AS`), in bytes.
    pub memory: u64,
    /// How long the child may run before it is killed.
    pub timeout: Duration,
}

/// How a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Killed by a signal (SIGSEGV = 11, SIGABRT = 6, ...) for a reason other
    /// than memory.
    Crashed { signal: i32 },
    /// Exited with a non-zero code (a Rust panic exits with 101).
    Exited { code: i32 },
    /// An allocation failed under the memory cap (Rust's runtime says
    /// "memory allocation of N bytes failed" on stderr, then aborts).
    OutOfMemory,
    /// Still running at the deadline: killed and reaped.
    TimedOut,
    /// The child could not be started or talked to.
    Io(String),
}

fn io(e: std::io::Error) -> Failure {
    Failure::Io(e.to_string())
}

/// Runs `program task` in a child process under `limits`, with `input` on its
/// stdin. Returns everything the child wrote to stdout if it exited with
/// code 0, or how it failed. Never waits longer than about `limits.timeout`,
/// and never leaves the child running or unreaped.
pub fn run_isolated(
    program: &Path,
    task: &str,
    input: &[u8],
    limits: Limits,
) -> Result<Vec<u8>, Failure> {
    let limit = libc::rlimit {
        rlim_cur: limits.memory,
        rlim_max: limits.memory,
    };
    let mut command = Command::new(program);
    command
        .arg(task)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed; it makes one system call,
    // setrlimit, on a struct it owns, and allocates nothing (the error path
    // reads errno without allocating).
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut child = command.spawn().map_err(io)?;

    // Each pipe on its own thread: a child blocked writing a full stdout
    // pipe must never wait on us while we wait on it.
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    let writer = thread::spawn(move || {
        // A child that dies early closes its end: that error is not ours.
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let mut stderr = child.stderr.take().expect("piped");
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + limits.timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io)? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            child.wait().map_err(io)?; // reap: no zombie left
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    // The child is gone, so every pipe is closed and the threads finish.
    let _ = writer.join();
    let out = reader.join().expect("reader thread");
    let err = errors.join().expect("stderr thread");

    let Some(status) = status else {
        return Err(Failure::TimedOut);
    };
    if err.contains("memory allocation of") {
        return Err(Failure::OutOfMemory);
    }
    match (status.code(), status.signal()) {
        (Some(0), _) => out.map_err(io),
        (Some(code), _) => Err(Failure::Exited { code }),
        (None, Some(signal)) => Err(Failure::Crashed { signal }),
        (None, None) => Err(Failure::Io("no exit code and no signal".into())),
    }
}
