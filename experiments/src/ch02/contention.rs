//! Lock contention: threads increment one shared counter, protected by
//! std's `Mutex`, parking_lot's `Mutex`, the chapter's spin lock (Listing
//! 2-19), or kept in an `AtomicU64` — from one thread to twice the CPUs;
//! and, for comparison, threads that only read it under std's `RwLock`.

use super::polite_spin_lock::SpinLock;
use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment, integer_ticks};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::Instant;

const KINDS: [&str; 5] = [
    "std Mutex",
    "parking_lot Mutex",
    "spin lock (Listing 2-19)",
    "AtomicU64::fetch_add",
    "std RwLock, read only",
];

#[derive(Serialize, Deserialize)]
struct Data {
    cores: usize,
    /// (threads, ns per increment for each kind, in KINDS order): medians
    points: Vec<(usize, Vec<f64>)>,
    /// The same with each median's range over the runs.
    #[serde(default)]
    spreads: Vec<(usize, Vec<Spread>)>,
}

fn max_threads() -> usize {
    (2 * std::thread::available_parallelism().map_or(1, |n| n.get())).max(4)
}

pub fn steps(quick: bool) -> u64 {
    let rounds = if quick { 2 } else { 6 };
    (max_threads() * KINDS.len() * rounds) as u64
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
    let reps = ctx.pick(5, 1);
    let std_mutex = std::sync::Mutex::new(0u64);
    let pl_mutex = parking_lot::Mutex::new(0u64);
    let spin = SpinLock::new(0u64);
    let atomic = AtomicU64::new(0);
    let rwlock = std::sync::RwLock::new(0u64);
    let kinds: [&(dyn Fn() + Sync); 5] = [
        &|| *std_mutex.lock().unwrap() += 1,
        &|| *pl_mutex.lock() += 1,
        &|| spin.with(|c| *c += 1),
        &|| {
            atomic.fetch_add(1, Relaxed);
        },
        &|| {
            std::hint::black_box(*rwlock.read().unwrap());
        },
    ];
    // Every (thread count, kind) pair, measured in turns: a drift in the
    // machine's speed then falls on all of them alike.
    let configs: Vec<(usize, usize)> = (1..=max_threads())
        .flat_map(|t| (0..kinds.len()).map(move |k| (t, k)))
        .collect();
    let closures: Vec<Box<dyn Fn() -> f64 + '_>> = configs
        .iter()
        .map(|&(t, k)| -> Box<dyn Fn() -> f64 + '_> { Box::new(move || measure(t, per, kinds[k])) })
        .collect();
    let measures: Vec<&dyn Fn() -> f64> = closures.iter().map(|c| c.as_ref()).collect();
    let stats = interleaved_stats(reps, &measures, || ctx.step("contention"));
    let spreads: Vec<(usize, Vec<Spread>)> = (1..=max_threads())
        .map(|t| {
            let ns = configs
                .iter()
                .zip(&stats)
                .filter(|((ct, _), _)| *ct == t)
                .map(|(_, &m)| m)
                .collect();
            (t, ns)
        })
        .collect();
    let points: Vec<(usize, Vec<f64>)> = spreads
        .iter()
        .map(|(t, s)| (*t, s.iter().map(|x| x.median).collect()))
        .collect();
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
    values.ratio("spin_over_vs_cores", at(max_threads(), 2) / at(cores, 2));
    let range = |t: usize, k: usize| {
        spreads
            .iter()
            .find(|p| p.0 == t)
            .map_or((f64::NAN, f64::NAN), |p| (p.1[k].min, p.1[k].max))
    };
    let (lo, hi) = range(max_threads(), 2);
    values.nanos("spin_over_min", lo);
    values.nanos("spin_over_max", hi);
    let (lo, hi) = range(max_threads(), 0);
    values.nanos("mutex_over_min", lo);
    values.nanos("mutex_over_max", hi);
    values.nanos("parking_lot_cores", at(cores, 1));
    values.nanos("rwlock_read_cores", at(cores, 4));
    values.ratio("rwlock_read_vs_mutex_cores", at(cores, 4) / at(cores, 0));
    let over = max_threads();
    values.number(
        "over_threads",
        over as f64,
        "threads",
        format!("{over} threads"),
    );
    let data = Data {
        cores,
        points,
        spreads,
    };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
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
        "Time per increment of one shared counter (total time ÷ increments, so lower is better), medians of five runs (the results file keeps each median's range); this machine has {} logical CPUs. Every thread does nothing but increment (or, in the last column, read under a read lock, which never excludes another reader): this is contention at its worst, not a typical program.",
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
