use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: deadline
/// Waits at most `limit` for `child`; `None` if it is still running.
fn wait_deadline(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(5)); // polling: cheap, adds <= 5 ms
    }
}
// ANCHOR_END: deadline

// ANCHOR: family
/// Starts `sh`, which starts `sleep` in the background and prints its pid.
/// Both hold the write end of the stdout pipe.
fn start_family(own_group: bool) -> std::io::Result<(Child, Pid, BufReader<ChildStdout>)> {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "sleep 30 & echo $!; wait"])
        .stdout(Stdio::piped());
    if own_group {
        cmd.process_group(0); // setpgid(0, 0) in the child: a new group, id = its pid
    }
    let mut child = cmd.spawn()?;
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    out.read_line(&mut line)?;
    let grandchild = Pid::from_raw(line.trim().parse().expect("a pid"));
    Ok((child, grandchild, out))
}

/// True if the pipe reaches end-of-file within `limit`: every process
/// holding its write end, the grandchild included, has exited.
fn pipe_closes(mut out: BufReader<ChildStdout>, limit: Duration) -> bool {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(out.read_to_end(&mut Vec::new()).is_ok()));
    rx.recv_timeout(limit).unwrap_or(false)
}
// ANCHOR_END: family

fn main() -> std::io::Result<()> {
    let mut child = Command::new("sleep").arg("30").spawn()?;
    let status = wait_deadline(&mut child, Duration::from_millis(200))?;
    println!("sleep 30 after 200 ms: {status:?}");
    child.kill()?;
    println!("after kill: {}", child.wait()?);

    // ANCHOR: kill
    let (mut child, grandchild, out) = start_family(false)?;
    child.kill()?; // SIGKILL to the shell only
    println!("shell: {}", child.wait()?);
    let closed = pipe_closes(out, Duration::from_millis(500));
    println!("killed the child only; grandchild gone: {closed}");
    kill(grandchild, Signal::SIGKILL)?; // clean up the orphan by hand

    let (mut child, _grandchild, out) = start_family(true)?;
    let group = Pid::from_raw(child.id() as i32);
    killpg(group, Signal::SIGKILL)?; // every process in the group
    println!("shell: {}", child.wait()?);
    let closed = pipe_closes(out, Duration::from_secs(10));
    println!("killed the process group; grandchild gone: {closed}");
    // ANCHOR_END: kill
    Ok(())
}
