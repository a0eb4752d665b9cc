//! Lock contention: threads increment one shared counter, protected by
//! std's `Mutex`, parking_lot's `Mutex`, the chapter's spin lock (Listing
//! 2-19), or kept in an `AtomicU64` — from one thread to twice the CPUs.

use super::polite_spin_lock::SpinLock;
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, median_of};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment, integer_ticks};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::Instant;

const KINDS: [&str; 4] = [
    "std Mutex",
    "parking_lot Mutex",
    "spin lock (Listing 2-19)",
    "AtomicU64::fetch_add",
];

#[derive(Serialize, Deserialize)]
struct Data {
    cores: usize,
    /// (threads, ns per increment for each kind, in KINDS order)
    points: Vec<(usize, Vec<f64>)>,
}

fn max_threads() -> usize {
    (2 * std::thread::available_parallelism().map_or(1, |n| n.get())).max(4)
}

pub fn steps(_quick: bool) -> u64 {
    max_threads() as u64
}

/// `threads` threads each do `per` increments through `inc`; ns per increment.
fn measure(threads: usize, per: u64, inc: &(dyn Fn() + Sync)) -> f64 {
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| (0..per).for_each(|_| inc()));
        }
    });
    start.elapsed().as_secs_f64() * 1e9 / (threads as u64 * per) as f64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let per = ctx.pick(2_000_000, 2_000);
    let reps = ctx.pick(3, 1);
    let mut points = Vec::new();
    for threads in 1..=max_threads() {
        let std_mutex = std::sync::Mutex::new(0u64);
        let pl_mutex = parking_lot::Mutex::new(0u64);
        let spin = SpinLock::new(0u64);
        let atomic = AtomicU64::new(0);
        let ns = vec![
            median_of(reps, || {
                measure(threads, per, &|| *std_mutex.lock().unwrap() += 1)
            }),
            median_of(reps, || measure(threads, per, &|| *pl_mutex.lock() += 1)),
            median_of(reps, || measure(threads, per, &|| spin.with(|c| *c += 1))),
            median_of(reps, || {
                measure(threads, per, &|| {
                    atomic.fetch_add(1, Relaxed);
                })
            }),
        ];
        points.push((threads, ns));
        ctx.step(&format!("{threads} threads"));
    }
    let mut values = Values::default();
    let at = |t: usize, k: usize| {
        points
            .iter()
            .find(|p| p.0 == t)
            .map_or(f64::NAN, |p| p.1[k])
    };
    let cores = ctx.cores;
    values.nanos("mutex_1", at(1, 0));
    values.nanos("mutex_cores", at(cores, 0));
    values.nanos("atomic_1", at(1, 3));
    values.nanos("atomic_cores", at(cores, 3));
    values.nanos("spin_cores", at(cores, 2));
    values.nanos("spin_over", at(max_threads(), 2));
    values.nanos("mutex_over", at(max_threads(), 0));
    values.ratio("mutex_slowdown", at(cores, 0) / at(1, 0));
    let over = max_threads();
    values.number(
        "over_threads",
        over as f64,
        "threads",
        format!("{over} threads"),
    );
    let data = Data { cores, points };
    Ok(Recorded {
        values,
        data: serde_json::to_value(data)?,
    })
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = serde_json::from_value(results.data.clone())?;
    let mut header = vec![">threads".to_string()];
    header.extend(KINDS.iter().map(|k| format!(">{k}")));
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs);
    for (threads, ns) in &d.points {
        let mut row = vec![threads.to_string()];
        row.extend(ns.iter().map(|&x| fmt_ns(x)));
        table.row(row);
    }
    let notes = format!(
        "Time per increment of one shared counter (total time ÷ increments, so lower is better), medians of several runs; this machine has {} logical CPUs. Every thread does nothing but increment: this is contention at its worst, not a typical program.",
        d.cores
    );
    let mut series: Vec<Series> = KINDS
        .iter()
        .enumerate()
        .map(|(k, name)| Series {
            name: (*name).into(),
            points: d.points.iter().map(|(t, ns)| (*t as f64, ns[k])).collect(),
            style: Style::Measured,
            color: k,
        })
        .collect();
    let hi = d
        .points
        .iter()
        .flat_map(|p| p.1.iter().copied())
        .fold(0.0, f64::max);
    let lo = d
        .points
        .iter()
        .flat_map(|p| p.1.iter().copied())
        .fold(f64::INFINITY, f64::min);
    series.push(Series {
        name: format!("{} CPUs", d.cores),
        points: vec![(d.cores as f64, lo), (d.cores as f64, hi)],
        style: Style::Reference,
        color: 0,
    });
    let plot = LinePlot {
        title: "Time per increment of a shared counter",
        x_label: "threads",
        y_label: "ns per increment (log scale)",
        log_x: false,
        log_y: true,
        x_format: Some(integer_ticks),
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
