// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()` does not use yet.
#![allow(unused_variables)]

use std::fmt;
use std::process::ExitStatus;

/// Why a chain did not produce its output.
#[derive(Debug)]
pub enum ChainError {
    /// No stages, or a stage with no program name.
    Empty,
    /// Stage `stage` (0-based) could not be started.
    Spawn {
        stage: usize,
        program: String,
        source: std::io::Error,
    },
    /// Stage `stage` ran and did not succeed (the rightmost such stage).
    Failed {
        stage: usize,
        program: String,
        status: ExitStatus,
    },
    /// Reading the output or waiting for a stage failed.
    Io(std::io::Error),
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Empty => write!(f, "empty chain or stage"),
            ChainError::Spawn {
                stage,
                program,
                source,
            } => write!(f, "stage {stage} ({program}) did not start: {source}"),
            ChainError::Failed {
                stage,
                program,
                status,
            } => write!(f, "stage {stage} ({program}) failed: {status}"),
            ChainError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for ChainError {}

/// Runs `stages[0] | stages[1] | ...`, each stage a program and its
/// arguments, feeding `input` to the first and returning the last one's
/// standard output. Standard error is inherited.
pub fn run_chain(stages: &[Vec<String>], input: &[u8]) -> Result<Vec<u8>, ChainError> {
    todo!(
        "spawn the stages joined by pipes, feed the input, collect the output, check every status"
    )
}
