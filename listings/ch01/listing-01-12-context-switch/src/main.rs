// The book's experiments (experiments/src/ch01/) compile this file and call
// its `pub` functions with larger sizes and more repetitions.
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;
use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

/// The CPUs this process may run on (a container may allow only some).
pub fn allowed_cpus() -> Vec<usize> {
    let set = sched_getaffinity(Pid::from_raw(0)).expect("reading the CPU affinity");
    (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect()
}

/// Restricts the calling thread to one CPU.
pub fn pin_to(cpu: usize) {
    let mut set = CpuSet::new();
    set.set(cpu).expect("CPU index in range");
    sched_setaffinity(Pid::from_raw(0), &set).expect("pinning the thread");
}

// ANCHOR: ping_pong
/// Threads A and B pass one byte back and forth through two pipes, `rounds`
/// times, A on CPU `cpus.0` and B on `cpus.1`. Returns the time per hand-off
/// (write, wake the other thread, let it run, read).
pub fn ping_pong(rounds: u32, cpus: (usize, usize)) -> Duration {
    let (mut a_in, mut b_out) = std::io::pipe().expect("pipe");
    let (mut b_in, mut a_out) = std::io::pipe().expect("pipe");
    thread::scope(|s| {
        // Each thread owns its pipe ends: if one panics, its ends close and
        // the other's read fails instead of waiting for ever.
        s.spawn(move || {
            pin_to(cpus.1);
            let mut byte = [0u8; 1];
            for _ in 0..rounds {
                b_in.read_exact(&mut byte).expect("read");
                b_out.write_all(&byte).expect("write");
            }
        });
        let a = s.spawn(move || {
            pin_to(cpus.0);
            let mut byte = [7u8; 1];
            let start = Instant::now();
            for _ in 0..rounds {
                a_out.write_all(&byte).expect("write");
                a_in.read_exact(&mut byte).expect("read");
            }
            start.elapsed()
        });
        a.join().expect("thread A") / (2 * rounds)
    })
}
// ANCHOR_END: ping_pong

fn main() {
    let cpu = allowed_cpus()[0];
    ping_pong(1_000, (cpu, cpu)); // warm up
    let switch = ping_pong(100_000, (cpu, cpu));
    println!("one hand-off between two threads on the same CPU: {switch:.2?}");
}
