//! Speed-up of three ways to use the cores, on two CPU-bound workloads cut
//! into coarse tasks: rayon, the Chapter 2 thread pool, and Listing 4-11's
//! process pool (tasks serialised, sent by value), for 1 to 4 workers.

use super::process_pool::Pool;
use super::work::{self, Task};
use crate::Recorded;
use crate::ch02::thread_pool::ThreadPool;
use crate::harness::{Ctx, Spread, Values, interleaved_stats, sig};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment, integer_ticks};
use crate::results::Results;
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

const APPROACHES: [&str; 3] = ["rayon", "Chapter 2 pool", "process pool"];
const MAX_WORKERS: usize = 4;

/// rayon PR #56's n-body figures: (speed-up, cores).
const RAYON_PR56: [(f64, f64, &str); 2] = [
    (9.27, 8.0, "8 cores, 16 threads"),
    (4.0, 4.0, "4-core laptop"),
];

#[derive(Serialize, Deserialize)]
struct Curve {
    workload: String,
    approach: String,
    /// (workers, seconds)
    times: Vec<(usize, Spread)>,
    /// (workers, speed-up over the sequential loop timed in the same
    /// interleaved rounds)
    speedups: Vec<(usize, f64)>,
}

#[derive(Serialize, Deserialize)]
struct Load {
    name: String,
    describe: String,
    tasks: usize,
    sequential: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    cores: usize,
    loads: Vec<Load>,
    curves: Vec<Curve>,
}

/// A workload: its tasks, and how to run one task in this process.
struct Workload {
    name: &'static str,
    describe: String,
    tasks: Vec<Task>,
}

fn workloads(ctx: &Ctx) -> Vec<Workload> {
    let (width, height, max_iter) = ctx.pick((1600, 1200, 600), (160, 120, 100));
    let rows = ctx.pick(32, 8);
    let mandel = Workload {
        name: "Mandelbrot",
        describe: format!(
            "a {width} × {height} Mandelbrot image (up to {max_iter} iterations a pixel), {rows} blocks of rows"
        ),
        tasks: work::blocks(height, rows)
            .into_iter()
            .map(|(first, end)| Task::Mandel {
                first,
                end,
                width,
                height,
                max_iter,
            })
            .collect(),
    };
    let n = ctx.pick(8_000, 400);
    let parts = ctx.pick(16, 4);
    let bodies = work::bodies(n as usize);
    let nbody = Workload {
        name: "n-body",
        describe: format!(
            "one step of {n} bodies' pairwise forces, {parts} blocks of bodies (each task carries all positions)"
        ),
        tasks: work::blocks(n, parts)
            .into_iter()
            .map(|(first, end)| Task::Forces {
                bodies: bodies.clone(),
                first,
                end,
            })
            .collect(),
    };
    vec![mandel, nbody]
}

fn steps_of(quick: bool) -> u64 {
    let reps = if quick { 1 } else { 3 };
    // Two workloads, per worker count (reps + warm-up) rounds of 4 runs.
    2 * MAX_WORKERS as u64 * (reps + 1) * 4
}

pub fn steps(quick: bool) -> u64 {
    steps_of(quick)
}

/// A cheap digest of all answers, so every approach is checked against the
/// sequential one.
fn digest(parts: &[Vec<u8>]) -> u64 {
    parts
        .iter()
        .flatten()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

fn timed(expected: u64, f: impl FnOnce() -> Vec<Vec<u8>>) -> f64 {
    let start = Instant::now();
    let parts = f();
    let t = start.elapsed().as_secs_f64();
    assert_eq!(digest(&parts), expected, "answers differ");
    t
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = ctx.pick(3, 1);
    let mut loads = Vec::new();
    let mut curves = Vec::new();
    for w in workloads(ctx) {
        let tasks = Arc::new(w.tasks);
        let expected = digest(&tasks.iter().map(work::execute).collect::<Vec<_>>());
        let mut sequential = Vec::new();
        let mut times: [Vec<(usize, Spread)>; 3] = Default::default();
        let mut speedups: [Vec<(usize, f64)>; 3] = Default::default();
        for n in 1..=MAX_WORKERS {
            let rayon_pool = rayon::ThreadPoolBuilder::new().num_threads(n).build()?;
            let pool = ThreadPool::new(n);
            let procs = Pool::new(n)?;
            let seq = || timed(expected, || tasks.iter().map(work::execute).collect());
            let ray = || {
                timed(expected, || {
                    rayon_pool.install(|| tasks.par_iter().map(work::execute).collect())
                })
            };
            let pooled = || {
                timed(expected, || {
                    let (tx, rx) = crossbeam_channel::unbounded();
                    for i in 0..tasks.len() {
                        let (tx, tasks) = (tx.clone(), Arc::clone(&tasks));
                        pool.execute(move || {
                            tx.send((i, work::execute(&tasks[i])))
                                .expect("collector alive");
                        });
                    }
                    drop(tx);
                    let mut out = vec![Vec::new(); tasks.len()];
                    for (i, r) in rx.iter() {
                        out[i] = r;
                    }
                    out
                })
            };
            let processes = || {
                timed(expected, || {
                    // Serialising is part of the price: it stays inside the clock.
                    let msgs = tasks.iter().map(work::encode).collect();
                    procs
                        .map(msgs)
                        .into_iter()
                        .map(|r| r.expect("task ran in a worker"))
                        .collect()
                })
            };
            let stats = interleaved_stats(reps, &[&seq, &ray, &pooled, &processes], || {
                ctx.step(&format!("{}, {n} workers", w.name))
            });
            sequential.push(stats[0]);
            for (a, s) in stats[1..].iter().enumerate() {
                times[a].push((n, *s));
                // Best against best of the same rounds: drift between worker
                // counts cancels out.
                speedups[a].push((n, stats[0].min / s.min));
            }
        }
        // The sequential baseline: its best round of all.
        sequential.sort_by(|a, b| a.min.total_cmp(&b.min));
        let seq = sequential[0];
        loads.push(Load {
            name: w.name.into(),
            describe: w.describe,
            tasks: tasks.len(),
            sequential: seq,
        });
        for (a, (t, sp)) in times.into_iter().zip(speedups).enumerate() {
            curves.push(Curve {
                workload: w.name.into(),
                approach: APPROACHES[a].into(),
                times: t,
                speedups: sp,
            });
        }
    }
    let data = Data {
        cores: ctx.cores,
        loads,
        curves,
    };
    let values = values_of(&data);
    Recorded::new(values, data)
}

fn key(s: &str) -> String {
    s.to_lowercase()
        .replace("chapter 2 pool", "pool")
        .replace("process pool", "procs")
        .replace('-', "")
}

fn seconds_at(c: &Curve, n: usize) -> Option<f64> {
    c.times.iter().find(|t| t.0 == n).map(|t| t.1.min)
}

fn speedup_at(c: &Curve, n: usize) -> Option<f64> {
    c.speedups.iter().find(|t| t.0 == n).map(|t| t.1)
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    let p = d.cores.min(MAX_WORKERS);
    v.number("cores", d.cores as f64, "CPUs", d.cores.to_string());
    for l in &d.loads {
        let k = key(&l.name);
        v.nanos(&format!("{k}_sequential"), l.sequential.min * 1e9);
        v.nanos(
            &format!("{k}_task"),
            l.sequential.min * 1e9 / l.tasks as f64,
        );
        v.number(
            &format!("{k}_tasks"),
            l.tasks as f64,
            "tasks",
            l.tasks.to_string(),
        );
    }
    for c in &d.curves {
        let k = format!("{}_{}", key(&c.workload), key(&c.approach));
        for &(n, x) in &c.speedups {
            v.ratio(&format!("{k}_w{n}"), x);
        }
        if let (Some(one), Some(tp)) = (seconds_at(c, 1), seconds_at(c, p)) {
            v.ratio(&format!("{k}_self"), one / tp);
        }
        if let Some(x) = speedup_at(c, p).filter(|_| p > 1) {
            let s = work::serial_fraction(x, p as f64).max(0.0);
            v.number(&format!("{k}_serial"), s, "", sig(s, 2));
            let e = x / p as f64 * 100.0;
            v.number(
                &format!("{k}_efficiency"),
                e,
                "%",
                format!("{} %", sig(e, 3)),
            );
        }
    }
    // The process pool's throughput as a share of rayon's, at `p` workers.
    for l in &d.loads {
        let find = |a: &str| {
            d.curves
                .iter()
                .find(|c| c.workload == l.name && c.approach == a)
                .and_then(|c| seconds_at(c, p))
        };
        if let (Some(r), Some(pp), Some(cp)) =
            (find("rayon"), find("process pool"), find("Chapter 2 pool"))
        {
            let k = key(&l.name);
            v.number(
                &format!("{k}_procs_vs_rayon"),
                r / pp * 100.0,
                "%",
                format!("{} %", sig(r / pp * 100.0, 3)),
            );
            v.number(
                &format!("{k}_pool_vs_rayon"),
                r / cp * 100.0,
                "%",
                format!("{} %", sig(r / cp * 100.0, 3)),
            );
        }
    }
    for (i, (s, cores, _)) in RAYON_PR56.iter().enumerate() {
        let e = s / cores * 100.0;
        v.number(
            &format!("pr56_efficiency_{i}"),
            e,
            "%",
            format!("{} %", sig(e, 3)),
        );
    }
    v
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let p = d.cores.min(MAX_WORKERS);
    let mut cols = vec!["workload".to_string(), "approach".to_string()];
    for n in 1..=MAX_WORKERS {
        cols.push(format!(">{n} worker{}", if n == 1 { "" } else { "s" }));
    }
    cols.push(format!(">serial fraction (Amdahl, {p} workers)"));
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut table = Table::new(&cols);
    for c in &d.curves {
        let mut row = vec![c.workload.clone(), c.approach.clone()];
        for n in 1..=MAX_WORKERS {
            row.push(speedup_at(c, n).map_or("—".into(), |x| format!("{}×", sig(x, 3))));
        }
        row.push(speedup_at(c, p).map_or("—".into(), |x| {
            sig(work::serial_fraction(x, p as f64).max(0.0), 2)
        }));
        table.row(row);
    }
    let mut per_core = Table::new(&["n-body, rayon", ">speed-up", ">cores", ">per core"]);
    for (s, cores, what) in RAYON_PR56 {
        per_core.row(vec![
            format!("rayon PR #56, {what}"),
            format!("{s}×"),
            format!("{cores}"),
            format!("{} %", sig(s / cores * 100.0, 3)),
        ]);
    }
    let nbody_rayon = d
        .curves
        .iter()
        .find(|c| c.workload == "n-body" && c.approach == "rayon");
    if let Some(x) = nbody_rayon.and_then(|c| speedup_at(c, p)) {
        per_core.row(vec![
            "this machine".into(),
            format!("{}×", sig(x, 3)),
            format!("{p}"),
            format!("{} %", sig(x / p as f64 * 100.0, 3)),
        ]);
    }
    let mut notes = String::from(
        "Speed-up over a plain sequential loop over the same tasks, timed in the same interleaved rounds; best round against best round (on a shared machine, interference only ever slows a run down). ",
    );
    for l in &d.loads {
        notes.push_str(&format!(
            "{}: {}; sequential {} s, {} ms a task on average. ",
            l.name,
            l.describe,
            sig(l.sequential.min, 3),
            sig(l.sequential.min * 1e3 / l.tasks as f64, 3)
        ));
    }
    notes.push_str(&format!(
        "The serial fraction is the one Amdahl's law needs to explain the speed-up on {p} workers (Karp–Flatt). \
         The process pool encodes every task with postcard, sends it to a worker process and decodes the answer; \
         both are inside the clock. The rayon PR #56 rows are published n-body figures on other machines, shown per core."
    ));
    let mut series = Vec::new();
    for (i, c) in d.curves.iter().enumerate() {
        series.push(Series {
            name: format!("{}, {}", c.workload, c.approach),
            points: c.speedups.iter().map(|&(n, x)| (n as f64, x)).collect(),
            style: Style::Measured,
            color: i % 6,
        });
    }
    series.push(Series {
        name: format!("ideal: min(workers, {} cores)", d.cores),
        points: (1..=MAX_WORKERS)
            .map(|n| (n as f64, n.min(d.cores) as f64))
            .collect(),
        style: Style::Reference,
        color: 0,
    });
    let plot = LinePlot {
        title: "Speed-up over a sequential loop, coarse tasks",
        x_label: "workers (threads or processes)",
        y_label: "speed-up (×)",
        log_x: false,
        log_y: false,
        x_format: Some(integer_ticks),
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(
            results,
            &format!("{}\n\n{}", table.to_markdown(), per_core.to_markdown()),
            &notes,
        ),
        plots: vec![(String::new(), plot)],
    })
}
