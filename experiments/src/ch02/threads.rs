//! What a thread costs: spawn and join at several stack sizes, memory per
//! waiting thread at several counts, and how many threads the machine runs
//! at once (up to a cap), with Listing 2-7's code.

use super::thread_memory::{how_many_threads, per_thread_kib, spawn_join_ns};
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, median_of, sig, thousands};
use crate::render::{Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};

const STACKS: [(usize, &str); 3] = [
    (64 << 10, "64 KiB"),
    (2 << 20, "2 MiB (the default)"),
    (64 << 20, "64 MiB"),
];

#[derive(Serialize, Deserialize)]
struct Data {
    /// (stack label, ns per spawn + join)
    spawn: Vec<(String, f64)>,
    /// (threads, virtual KiB per thread, resident KiB per thread)
    memory: Vec<(usize, f64, f64)>,
    max_threads: usize,
    cap: usize,
    stopped: String,
}

fn counts(quick: bool) -> Vec<usize> {
    if quick {
        vec![10, 50]
    } else {
        vec![10, 100, 1_000, 4_000]
    }
}

pub fn steps(quick: bool) -> u64 {
    (STACKS.len() + counts(quick).len() + 1) as u64
}

/// The environment variable that makes the experiments binary measure
/// `per_thread_kib` for that many threads, print it, and exit.
const CHILD: &str = "BOOK_EXPERIMENTS_THREAD_MEMORY";

/// When this process is such a child, measures and prints: "virt rss".
pub fn child_entry() -> Option<Result<()>> {
    let n = std::env::var(CHILD).ok()?;
    Some((|| {
        let (virt, rss) = per_thread_kib(n.parse()?);
        println!("{virt} {rss}");
        Ok(())
    })())
}

/// Memory per waiting thread, measured in a new process each time: in this
/// one, the C library keeps stacks and allocator arenas from earlier runs,
/// which the next run would reuse and so under-count.
fn per_thread_in_fresh_process(threads: usize) -> Result<(f64, f64)> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .env(CHILD, threads.to_string())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "measuring {threads} threads failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<f64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match numbers[..] {
        [virt, rss] => Ok((virt, rss)),
        _ => anyhow::bail!("the child printed {text:?}"),
    }
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = ctx.pick(5, 1);
    let n = ctx.pick(2_000, 20);
    let mut spawn = Vec::new();
    for (bytes, label) in STACKS {
        spawn.push((
            label.to_string(),
            median_of(reps, || spawn_join_ns(n, bytes)),
        ));
        ctx.step(&format!("spawn with a {label} stack"));
    }
    let mut memory = Vec::new();
    for threads in counts(ctx.quick) {
        let (virt, rss) = per_thread_in_fresh_process(threads)?;
        memory.push((threads, virt, rss));
        ctx.step(&format!("{threads} waiting threads"));
    }
    let cap = ctx.pick(10_000, 50);
    let (max_threads, stopped) = how_many_threads(cap);
    ctx.step("how many threads");

    let mut values = Values::default();
    values.nanos("spawn_default", spawn[1].1);
    if let Some(&(threads, virt, _)) = memory.first() {
        values.number(
            "few_threads",
            threads as f64,
            "threads",
            thousands(threads as f64),
        );
        values.number(
            "virt_few_mib",
            virt / 1024.0,
            "MiB",
            format!("{} MiB", sig(virt / 1024.0, 2)),
        );
    }
    if let Some(&(threads, virt, rss)) = memory.last() {
        values.number(
            "mem_threads",
            threads as f64,
            "threads",
            thousands(threads as f64),
        );
        values.number("virt_kib", virt, "KiB", format!("{} KiB", sig(virt, 3)));
        values.number("rss_kib", rss, "KiB", format!("{} KiB", sig(rss, 2)));
    }
    values.number(
        "max_threads",
        max_threads as f64,
        "threads",
        thousands(max_threads as f64),
    );
    values.number("cap", cap as f64, "threads", thousands(cap as f64));
    let data = Data {
        spawn,
        memory,
        max_threads,
        cap,
        stopped,
    };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut spawn = Table::new(&["stack size", ">spawn + join"]);
    for (label, ns) in &d.spawn {
        spawn.row(vec![label.clone(), fmt_ns(*ns)]);
    }
    let mut memory = Table::new(&[
        "threads waiting",
        ">address space per thread",
        ">resident memory per thread",
    ]);
    for (threads, virt, rss) in &d.memory {
        memory.row(vec![
            thousands(*threads as f64),
            format!("{} KiB", sig(*virt, 3)),
            format!("{} KiB", sig(*rss, 2)),
        ]);
    }
    let body = format!(
        "{}\n{}\nThreads alive at once (64 KiB stacks, capped at {}): **{}** — {}.",
        spawn.to_markdown(),
        memory.to_markdown(),
        thousands(d.cap as f64),
        thousands(d.max_threads as f64),
        d.stopped
    );
    let notes = "Each memory row is measured in a new process, so that no stacks or allocator arenas are left over from an earlier row. Address space is reserved, not used: each thread's stack is mapped in full, but only the pages it touches take memory. The cap keeps the experiment polite; the real limit is the smallest of the kernel's `threads-max`, the user's process limit (`ulimit -u`), the cgroup's `pids.max`, and memory for the pages each thread does touch.";
    Ok(Rendered {
        markdown: fragment(results, &body, notes),
        plots: Vec::new(),
    })
}
