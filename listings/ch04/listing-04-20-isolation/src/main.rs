//! Why pay for a process: a task that crashes takes down only the process it
//! runs in. Each bad task runs twice, each time in a fresh copy of this
//! program: once in a thread beside the program's other work, once as the
//! whole of a worker process. The parent reads how each copy ended.

use nix::libc;
use nix::sys::signal::Signal;
use std::hint::black_box;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};

const ROLE_VAR: &str = "ISOLATION_ROLE";
/// The address space a child may use: allocation fails beyond it.
const MEMORY_CAP: u64 = 256 << 20;

// ANCHOR: tasks
fn bad_task(name: &str) {
    match name {
        "panic" => panic!("a bug in the task"),
        "stack overflow" => {
            fn deeper(n: u64) -> u64 {
                if n == u64::MAX {
                    return 0; // never: the stack runs out long before
                }
                let pad = black_box([n; 64]);
                deeper(n + 1) + pad[7]
            }
            black_box(deeper(0));
        }
        "abort" => std::process::abort(),
        "runaway allocation" => {
            let mut hoard = Vec::new();
            loop {
                hoard.push(black_box(vec![0u8; 16 << 20]));
            }
        }
        _ => unreachable!("unknown task"),
    }
}
// ANCHOR_END: tasks

// ANCHOR: roles
/// Runs in the child: cap memory, then run the task in a thread or alone.
fn child(role: &str) {
    let cap = libc::rlimit {
        rlim_cur: MEMORY_CAP,
        rlim_max: MEMORY_CAP,
    };
    // SAFETY: setrlimit only reads the struct we pass, which outlives the
    // call, and changes nothing but this process's own limit.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &cap) };
    assert_eq!(rc, 0, "setrlimit");
    let (in_thread, task) = role.split_once(':').expect("role is how:task");
    if in_thread == "thread" {
        let task = task.to_string();
        let joined = std::thread::spawn(move || bad_task(&task)).join();
        // Only reached if the failure stayed inside the thread.
        std::process::exit(if joined.is_err() { 3 } else { 0 });
    }
    bad_task(task);
}

fn run_child(role: &str) -> std::io::Result<ExitStatus> {
    Command::new(std::env::current_exe()?)
        .env(ROLE_VAR, role)
        .stderr(Stdio::null()) // the crash reports would clutter the table
        .status()
}
// ANCHOR_END: roles

fn describe(status: ExitStatus, whole: &str) -> String {
    match (status.code(), status.signal()) {
        (Some(3), _) => "program carries on (join gives Err)".into(),
        (Some(code), _) => format!("{whole} exits with code {code}"),
        (None, Some(sig)) => match Signal::try_from(sig) {
            Ok(s) => format!("{whole} killed by {s}"),
            Err(_) => format!("{whole} killed by signal {sig}"),
        },
        (None, None) => "unknown".into(),
    }
}

fn main() -> std::io::Result<()> {
    if let Ok(role) = std::env::var(ROLE_VAR) {
        child(&role);
        return Ok(());
    }
    println!(
        "{:<20} {:<40} in its own worker process",
        "task", "in a thread"
    );
    for task in ["panic", "stack overflow", "abort", "runaway allocation"] {
        let threaded = run_child(&format!("thread:{task}"))?;
        let alone = run_child(&format!("process:{task}"))?;
        println!(
            "{task:<20} {:<40} {}",
            describe(threaded, "whole program"),
            describe(alone, "worker")
        );
    }
    println!("the parent ran every task and is still here");
    Ok(())
}
