use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::thread;

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
    if stages.is_empty() || stages.iter().any(|s| s.is_empty()) {
        return Err(ChainError::Empty);
    }
    let mut children: Vec<Child> = Vec::with_capacity(stages.len());
    let mut previous: Option<ChildStdout> = None;
    for (stage, argv) in stages.iter().enumerate() {
        // The first stage reads our pipe; each later one its neighbour's stdout.
        let stdin = previous.take().map_or_else(Stdio::piped, Stdio::from);
        let spawned = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .spawn();
        match spawned {
            Ok(mut child) => {
                previous = child.stdout.take();
                children.push(child);
            }
            Err(source) => {
                stop(&mut children);
                return Err(ChainError::Spawn {
                    stage,
                    program: argv[0].clone(),
                    source,
                });
            }
        }
    }
    let mut first_stdin = children[0].stdin.take().expect("stdin is piped");
    let mut last_stdout = previous.expect("stdout is piped");

    let (output, written) = thread::scope(|s| {
        // Feeding and draining at once: neither pipe can stay full.
        let writer = s.spawn(move || match first_stdin.write_all(input) {
            // The first stage stopped reading (`head` does): not our error.
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            other => other, // dropping `first_stdin` here is its end of input
        });
        let mut out = Vec::new();
        let output = last_stdout.read_to_end(&mut out).map(|_| out);
        if output.is_err() {
            // Unblock the writer before the scope waits for it.
            for child in &mut children {
                let _ = child.kill();
            }
        }
        (output, writer.join().expect("writer thread panicked"))
    });

    let mut statuses = Vec::with_capacity(children.len());
    for child in &mut children {
        statuses.push(child.wait().map_err(ChainError::Io)?);
    }
    let output = output.map_err(ChainError::Io)?;
    written.map_err(ChainError::Io)?;
    // Like a shell's `pipefail`: the rightmost stage that did not succeed.
    if let Some((stage, status)) = statuses
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| !s.success())
    {
        return Err(ChainError::Failed {
            stage,
            program: stages[stage][0].clone(),
            status: *status,
        });
    }
    Ok(output)
}

/// Kills and reaps the stages already started: no orphans, no zombies.
fn stop(children: &mut [Child]) {
    for child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
}
