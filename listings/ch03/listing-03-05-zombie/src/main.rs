use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: state
/// The process state letter from /proc/<pid>/stat ('R', 'S', 'Z', ...),
/// or None once the process is gone from the table.
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name, in parentheses, may contain spaces; the state follows it.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits (at most 5 s) until `pid` reaches `want`.
fn until_state(pid: u32, want: char) -> Option<char> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while state(pid) != Some(want) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(1));
    }
    state(pid)
}

fn show(state: Option<char>) -> String {
    state.map_or("gone".to_string(), |c| c.to_string())
}
// ANCHOR_END: state

fn main() -> std::io::Result<()> {
    // ANCHOR: zombie
    let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn()?;
    let pid = child.id();
    println!(
        "exited, not waited for: state {}",
        show(until_state(pid, 'Z'))
    );
    println!("wait: {}", child.wait()?); // reads the status, frees the entry
    println!("after wait: state {}", show(state(pid)));

    // ANCHOR: dropped
    let child = Command::new("sh").args(["-c", "exit 8"]).spawn()?;
    let pid = child.id();
    drop(child); // no wait: std's Child does not reap on drop
    println!("Child dropped: state {}", show(until_state(pid, 'Z')));
    // Only the parent can reap it, with the raw pid.
    match waitpid(Pid::from_raw(pid as i32), None)? {
        WaitStatus::Exited(_, code) => println!("waitpid: exited with {code}"),
        other => println!("waitpid: {other:?}"),
    }
    println!("after waitpid: state {}", show(state(pid)));
    // ANCHOR_END: dropped
    // ANCHOR_END: zombie

    // ANCHOR: reaper
    // A reaper thread per child: whoever forgets the child, it is still waited for.
    let (reaped, statuses) = mpsc::channel();
    let mut pids = Vec::new();
    for code in 1..=3 {
        let mut child = Command::new("sh")
            .args(["-c", &format!("exit {code}")])
            .spawn()?;
        pids.push(child.id());
        let reaped = reaped.clone();
        thread::spawn(move || reaped.send((code, child.wait())));
    }
    drop(reaped);
    let mut codes = Vec::new();
    while let Ok((code, status)) = statuses.recv_timeout(Duration::from_secs(10)) {
        codes.push((code, status?.code()));
    }
    codes.sort();
    println!("reaped: {codes:?}");
    let zombies = pids.iter().filter(|&&p| state(p) == Some('Z')).count();
    println!("zombies left: {zombies}");
    // ANCHOR_END: reaper
    Ok(())
}
