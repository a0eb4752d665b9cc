//! One job, three ways to put it on every core: rayon, scoped threads, and
//! worker processes (this program re-run once per chunk). All three must
//! find the same checksum; the times are printed relative to rayon.

use rayon::prelude::*;
use std::io;
use std::ops::Range;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

const LIMIT: u64 = 1_000_000;
/// Set in a worker process: the range of starting values it must cover.
const CHUNK_VAR: &str = "THREE_WAYS_CHUNK";

// ANCHOR: job
/// Total Collatz steps for every start in `range`: pure CPU, no shared data.
fn collatz_steps(range: Range<u64>) -> u64 {
    let mut total = 0;
    for start in range {
        let mut n = start;
        while n > 1 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            total += 1;
        }
    }
    total
}

fn chunks(parts: u64) -> Vec<Range<u64>> {
    let size = LIMIT.div_ceil(parts);
    (0..parts)
        .map(|p| (p * size).max(1)..((p + 1) * size).min(LIMIT))
        .collect()
}
// ANCHOR_END: job

// ANCHOR: three
fn with_rayon() -> u64 {
    chunks(64).into_par_iter().map(collatz_steps).sum()
}

fn with_threads(workers: u64) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = chunks(workers)
            .into_iter()
            .map(|r| s.spawn(move || collatz_steps(r)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    })
}

fn with_processes(workers: u64) -> io::Result<u64> {
    let exe = std::env::current_exe()?;
    // Start every worker first, then collect: they run side by side.
    let children = chunks(workers)
        .into_iter()
        .map(|r| {
            Command::new(&exe)
                .env(CHUNK_VAR, format!("{} {}", r.start, r.end))
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut total = 0;
    for child in children {
        let out = child.wait_with_output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        total += text.trim().parse::<u64>().map_err(io::Error::other)?;
    }
    Ok(total)
}
// ANCHOR_END: three

/// The worker's side: parse the range, compute, print one number.
fn serve_chunk(spec: &str) -> io::Result<()> {
    let bad = || io::Error::other(format!("bad chunk {spec:?}"));
    let (a, b) = spec.split_once(' ').ok_or_else(bad)?;
    let a: u64 = a.parse().map_err(|_| bad())?;
    let b: u64 = b.parse().map_err(|_| bad())?;
    println!("{}", collatz_steps(a..b));
    Ok(())
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

fn main() -> io::Result<()> {
    if let Ok(spec) = std::env::var(CHUNK_VAR) {
        return serve_chunk(&spec);
    }
    let workers = thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let (sequential, t_seq) = timed(|| collatz_steps(1..LIMIT));
    let (rayon, t_rayon) = timed(with_rayon);
    let (threads, t_threads) = timed(|| with_threads(workers));
    let (processes, t_procs) = timed(|| with_processes(workers));
    let processes = processes?;
    println!("Collatz steps for every start below {LIMIT}:");
    println!("  sequential      {sequential}");
    println!("  rayon           {rayon}");
    println!("  scoped threads  {threads}");
    println!("  processes       {processes}");
    let agree = [rayon, threads, processes].iter().all(|&x| x == sequential);
    println!("all three agree with the sequential loop: {agree}");
    println!("speed-up over sequential:");
    for (name, t) in [
        ("rayon", t_rayon),
        ("scoped threads", t_threads),
        ("processes", t_procs),
    ] {
        println!("  {name:<15} {:.2}x", t_seq / t);
    }
    Ok(())
}
