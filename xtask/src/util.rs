//! Running programs with a time limit, in parallel, and reporting steps.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Output {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// What to show when the program failed.
    pub fn describe(&self) -> String {
        let status = if self.timed_out {
            format!("killed after {:.0?} (timeout)", self.elapsed)
        } else {
            match self.status {
                Some(s) => s.to_string(),
                None => "no status".into(),
            }
        };
        format!(
            "{status}\n--- stdout\n{}\n--- stderr\n{}",
            tail(&self.stdout, 40),
            tail(&self.stderr, 40)
        )
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].join("\n")
}

/// Runs `cmd` to completion or until `timeout`, capturing its output. The
/// child runs in its own process group, so a timeout kills its children too.
pub fn run_with_timeout(
    cmd: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<Output> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    spawn_and_wait(cmd, stdin, timeout)
}

/// Like [`run_with_timeout`], but stdout and stderr share one pipe, so the
/// output reads as it would in a terminal (in `Output::stdout`).
pub fn run_merged_with_timeout(
    cmd: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<Output> {
    let (reader, writer) = std::io::pipe()?;
    cmd.stdout(writer.try_clone()?).stderr(writer);
    let mut out = spawn_and_wait_with(cmd, stdin, timeout, Some(reader))?;
    out.stdout = std::mem::take(&mut out.stderr);
    Ok(out)
}

fn spawn_and_wait(cmd: &mut Command, stdin: Option<&str>, timeout: Duration) -> Result<Output> {
    spawn_and_wait_with(cmd, stdin, timeout, None)
}

fn spawn_and_wait_with(
    cmd: &mut Command,
    stdin: Option<&str>,
    timeout: Duration,
    merged: Option<std::io::PipeReader>,
) -> Result<Output> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    // Our copies of the merged pipe's write end live in `cmd`; drop them by
    // replacing them, or the reader would never see the end of the output.
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().context("stdin")?;
        let input = input.to_owned();
        std::thread::spawn(move || {
            // The program may exit without reading everything; that is its business.
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let out_reader = reader(child.stdout.take());
    let err_reader = match merged {
        Some(pipe) => reader(Some(pipe)),
        None => reader(child.stderr.take()),
    };
    let (status, timed_out) = wait_until(&mut child, start + timeout)?;
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Output {
        status,
        stdout,
        stderr,
        timed_out,
        elapsed: start.elapsed(),
    })
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn wait_until(child: &mut Child, deadline: Instant) -> Result<(Option<ExitStatus>, bool)> {
    // Polling with a short sleep: std offers no wait-with-timeout, and a
    // 10 ms granularity is far below any limit we set.
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((Some(status), false));
        }
        if Instant::now() >= deadline {
            // `kill` with a negative pid signals the child's whole process
            // group, created by `process_group(0)`: its children die too.
            let pgid = child.id() as i32;
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .status();
            let _ = child.kill();
            let status = child.wait().ok();
            return Ok((status, true));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs a command, inheriting stdout and stderr, and fails if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{} failed: {status}", describe_cmd(cmd));
    }
    Ok(())
}

pub fn describe_cmd(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(crate::model::root());
    cmd
}

/// Applies `f` to every item on `jobs` threads; results keep the items' order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// Parallel jobs for the checks: the machine's cores.
pub fn jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Prints a step's name and, when it ends, how long it took.
pub fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    eprintln!("\n==> {name}");
    let start = Instant::now();
    let r = f();
    match &r {
        Ok(_) => eprintln!("==> {name}: ok ({:.1} s)", start.elapsed().as_secs_f64()),
        Err(e) => eprintln!(
            "{e:#}\n==> {name}: FAILED ({:.1} s)",
            start.elapsed().as_secs_f64()
        ),
    }
    r
}

pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == "Cargo.lock" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &to.join(&name))?;
        } else {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs the named Debian packages that are missing: as root on a Debian
/// machine (as CI runs) with apt-get; otherwise it fails and says what to
/// install. `what` names what needs them.
pub fn ensure_debian_packages(missing: &[&str], what: &str) -> Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    let have_apt = Command::new("apt-get").arg("-v").output().is_ok();
    if is_root() && have_apt {
        eprintln!("Installing Debian's {} (once)…", missing.join(", "));
        run(Command::new("apt-get").arg("update"))?;
        return run(Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(missing));
    }
    bail!(
        "{what} need Debian's {}: `sudo apt-get install {}`",
        missing.join(", "),
        missing.join(" ")
    )
}

/// The C library the `zmq` crate links (Chapter 3's ZeroMQ listings), found
/// through pkg-config: installs `libzmq3-dev` and `pkg-config` if missing.
pub fn ensure_libzmq() -> Result<()> {
    let found = Command::new("pkg-config")
        .args(["--exists", "libzmq"])
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Ok(());
    }
    ensure_debian_packages(&["libzmq3-dev", "pkg-config"], "the ZeroMQ listings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_kill_the_program() {
        let out = run_with_timeout(
            Command::new("sleep").arg("5"),
            None,
            Duration::from_millis(200),
        )
        .unwrap();
        assert!(out.timed_out);
        assert!(!out.success());
        assert!(out.elapsed < Duration::from_secs(4));
    }

    #[test]
    fn output_and_stdin_pass_through() {
        let out = run_with_timeout(
            &mut Command::new("cat"),
            Some("hello\n"),
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(out.success(), "{}", out.describe());
        assert_eq!(out.stdout, "hello\n");
    }

    #[test]
    fn merged_output_keeps_the_terminal_order() {
        let out = run_merged_with_timeout(
            Command::new("sh").args(["-c", "echo one; echo two >&2; echo three"]),
            None,
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(out.success(), "{}", out.describe());
        assert_eq!(out.stdout, "one\ntwo\nthree\n");
    }

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = parallel_map(&items, 4, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
