//! The worker program `run_isolated` starts: `isolated-worker TASK` reads
//! its input on stdin and writes its answer on stdout. Some tasks misbehave
//! on purpose.

use std::io::{Read, Write};

fn main() {
    let task = std::env::args().nth(1).unwrap_or_default();
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .expect("read stdin");
    match task.as_str() {
        "echo" => std::io::stdout().write_all(&input).expect("write stdout"),
        "sum" => {
            let total: u64 = input.iter().map(|&b| u64::from(b)).sum();
            print!("{total}");
        }
        "panic" => panic!("the task has a bug"),
        "abort" => std::process::abort(),
        "segfault" => {
            use nix::sys::signal::{SigHandler, Signal, raise, signal};
            // Rust's runtime catches SIGSEGV to report stack overflows; give
            // the signal back its default action, which is to kill us.
            // SAFETY: installing the default action runs no code of ours in
            // a signal handler.
            unsafe { signal(Signal::SIGSEGV, SigHandler::SigDfl) }.expect("signal");
            raise(Signal::SIGSEGV).expect("raise");
        }
        "forever" => loop {
            std::thread::park();
        },
        "hog" => {
            let mut hoard = Vec::new();
            loop {
                hoard.push(std::hint::black_box(vec![0u8; 16 << 20]));
            }
        }
        other => {
            eprintln!("unknown task {other:?}");
            std::process::exit(2);
        }
    }
}
