// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables, unused_imports)]

use std::path::Path;
use std::time::Duration;

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
    todo!("spawn with a memory cap, feed stdin, wait with a deadline, classify the ending")
}
