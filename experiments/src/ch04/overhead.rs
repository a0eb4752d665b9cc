//! What a task costs on its own (empty tasks), how long a pool takes to
//! start, and how much busy work a task needs before each approach reaches
//! 90 % efficiency on the machine's workers.

use super::process_pool::Pool;
use super::work::{self, Task};
use crate::Recorded;
use crate::ch02::thread_pool::ThreadPool;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

const APPROACHES: [&str; 6] = [
    "rayon spawn",
    "rayon par_iter",
    "Chapter 2 pool",
    "a thread per task",
    "process pool, a message per task",
    "process pool, chunked",
];
/// The most tasks one measurement may start for the slow approaches (a
/// thread or a message per task), so a run stays short.
const SLOW_CAP: usize = 4_000;
/// Chunks per run for the chunked process pool.
const CHUNKS: usize = 16;

#[derive(Serialize, Deserialize)]
struct Empty {
    approach: String,
    tasks: usize,
    /// Nanoseconds a task.
    per_task: Spread,
}

#[derive(Serialize, Deserialize)]
struct Sweep {
    approach: String,
    /// (microseconds of work a task, efficiency 0..1)
    points: Vec<(f64, f64)>,
}

#[derive(Serialize, Deserialize)]
struct Startup {
    approach: String,
    /// Nanoseconds to create, run one empty task and shut down.
    nanos: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    workers: usize,
    empty: Vec<Empty>,
    startup: Vec<Startup>,
    /// Microseconds of busy work per measurement point.
    budget_us: f64,
    sweeps: Vec<Sweep>,
}

fn sizes(quick: bool) -> Vec<f64> {
    if quick {
        vec![10.0, 1_000.0]
    } else {
        vec![
            1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1_000.0, 3_000.0, 10_000.0,
        ]
    }
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 3 }
}

pub fn steps(quick: bool) -> u64 {
    let rounds = reps(quick) as u64 + 1;
    rounds * APPROACHES.len() as u64
        + rounds * 3
        + sizes(quick).len() as u64 * rounds * (APPROACHES.len() as u64 + 1)
}

/// Runs `tasks` tasks of `iters` spin iterations each through approach `a`
/// on `n` workers; returns seconds.
struct Runner<'a> {
    rayon: &'a rayon::ThreadPool,
    pool: &'a ThreadPool,
    procs: &'a Pool,
}

impl Runner<'_> {
    fn run(&self, a: usize, tasks: usize, iters: u64) -> f64 {
        let start = Instant::now();
        match a {
            0 => self.rayon.scope(|s| {
                for _ in 0..tasks {
                    s.spawn(move |_| {
                        work::spin(iters);
                    });
                }
            }),
            1 => self.rayon.install(|| {
                (0..tasks).into_par_iter().for_each(|_| {
                    work::spin(iters);
                })
            }),
            2 => {
                let (tx, rx) = crossbeam_channel::unbounded();
                for _ in 0..tasks {
                    let tx = tx.clone();
                    self.pool.execute(move || {
                        tx.send(work::spin(iters)).expect("collector alive");
                    });
                }
                drop(tx);
                assert_eq!(rx.iter().count(), tasks);
            }
            3 => std::thread::scope(|s| {
                for _ in 0..tasks {
                    s.spawn(move || work::spin(iters));
                }
            }),
            4 => {
                let task = if iters == 0 {
                    Task::Noop
                } else {
                    Task::Spin { iters, count: 1 }
                };
                let msgs = vec![work::encode(&task); tasks];
                let done = self.procs.map(msgs).into_iter().filter(|r| r.is_ok());
                assert_eq!(done.count(), tasks);
            }
            _ => {
                // Listing 4-11's own chunking: several tasks to a message.
                let task = work::encode(&Task::Spin { iters, count: 1 });
                let chunksize = tasks.div_ceil(CHUNKS);
                let done = self.procs.map_chunked(vec![task; tasks], chunksize);
                assert_eq!(done.into_iter().filter(|r| r.is_ok()).count(), tasks);
            }
        }
        start.elapsed().as_secs_f64()
    }
}

fn is_slow(a: usize) -> bool {
    a == 3 || a == 4
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let quick = ctx.quick;
    let reps = reps(quick);
    let workers = ctx.cores.max(2);
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()?;
    let pool = ThreadPool::new(workers);
    let procs = Pool::new(workers)?;
    let runner = Runner {
        rayon: &rayon_pool,
        pool: &pool,
        procs: &procs,
    };

    // Empty tasks.
    let many = ctx.pick(200_000, 2_000);
    let count = |a: usize| if is_slow(a) { SLOW_CAP.min(many) } else { many };
    let measures: Vec<Box<dyn Fn() -> f64>> = (0..APPROACHES.len())
        .map(|a| {
            let runner = &runner;
            Box::new(move || runner.run(a, count(a), 0) * 1e9 / count(a) as f64)
                as Box<dyn Fn() -> f64>
        })
        .collect();
    let refs: Vec<&dyn Fn() -> f64> = measures.iter().map(|m| m.as_ref()).collect();
    let stats = interleaved_stats(reps, &refs, || ctx.step("empty tasks"));
    let empty = stats
        .into_iter()
        .enumerate()
        .map(|(a, s)| Empty {
            approach: APPROACHES[a].into(),
            tasks: count(a),
            per_task: s,
        })
        .collect();

    // Start-up: create, one empty task, shut down.
    let start_rayon = || {
        let t = Instant::now();
        let p = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .expect("rayon pool");
        p.install(|| rayon::join(|| (), || ()));
        drop(p);
        t.elapsed().as_secs_f64() * 1e9
    };
    let start_pool = || {
        let t = Instant::now();
        let p = ThreadPool::new(workers);
        let (tx, rx) = crossbeam_channel::bounded(1);
        p.execute(move || tx.send(()).expect("waiting"));
        rx.recv().expect("ran");
        drop(p);
        t.elapsed().as_secs_f64() * 1e9
    };
    let start_procs = || {
        let t = Instant::now();
        let p = Pool::new(workers).expect("process pool");
        assert!(p.map(vec![work::encode(&Task::Noop)])[0].is_ok());
        drop(p);
        t.elapsed().as_secs_f64() * 1e9
    };
    let stats = interleaved_stats(
        reps.max(3),
        &[&start_rayon, &start_pool, &start_procs],
        || ctx.step("start-up"),
    );
    let startup = ["rayon", "Chapter 2 pool", "process pool"]
        .iter()
        .zip(stats)
        .map(|(a, s)| Startup {
            approach: (*a).into(),
            nanos: s,
        })
        .collect();

    // Efficiency against task size.
    let per_us = work::spin_per_micro();
    let budget_us = ctx.pick(100_000.0, 5_000.0);
    let mut sweeps: Vec<Sweep> = APPROACHES
        .iter()
        .map(|a| Sweep {
            approach: (*a).into(),
            points: Vec::new(),
        })
        .collect();
    for size in sizes(quick) {
        let iters = (size * per_us).round().max(1.0) as u64;
        let tasks = |a: usize| {
            // At least 20 tasks, so ten a worker: one late task is a small
            // share of the run.
            let n = (budget_us / size).round().max(20.0) as usize;
            if is_slow(a) { n.min(SLOW_CAP) } else { n }
        };
        // Time per task on one core, measured beside the parallel runs.
        let seq_tasks = tasks(0);
        let seq = || {
            let t = Instant::now();
            for _ in 0..seq_tasks {
                work::spin(iters);
            }
            t.elapsed().as_secs_f64() / seq_tasks as f64
        };
        let par: Vec<Box<dyn Fn() -> f64>> = (0..APPROACHES.len())
            .map(|a| {
                let runner = &runner;
                let n = tasks(a);
                Box::new(move || runner.run(a, n, iters) / n as f64) as Box<dyn Fn() -> f64>
            })
            .collect();
        let mut refs: Vec<&dyn Fn() -> f64> = vec![&seq];
        refs.extend(par.iter().map(|m| m.as_ref()));
        let stats = interleaved_stats(reps, &refs, || ctx.step(&format!("{size} µs tasks")));
        // Best rounds: interference from other programs only slows a run.
        let one = stats[0].min;
        for (a, s) in stats[1..].iter().enumerate() {
            // Ideal: the work spread perfectly over the workers (at most
            // the cores there are).
            let ideal = one / workers.min(ctx.cores) as f64;
            sweeps[a].points.push((size, ideal / s.min));
        }
    }
    let data = Data {
        workers,
        empty,
        startup,
        budget_us,
        sweeps,
    };
    Recorded::new(values_of(&data), data)
}

/// The smallest task size (µs) at which efficiency reaches 90 %,
/// interpolated on the log scale between sweep points.
fn size_for_90(points: &[(f64, f64)]) -> Option<f64> {
    let first = points.iter().position(|p| p.1 >= 0.9)?;
    if first == 0 {
        return Some(points[0].0);
    }
    let (x0, y0) = points[first - 1];
    let (x1, y1) = points[first];
    let f = ((0.9 - y0) / (y1 - y0)).clamp(0.0, 1.0);
    Some((x0.ln() + f * (x1.ln() - x0.ln())).exp())
}

fn key(a: &str) -> &'static str {
    match a {
        "rayon spawn" => "rayon_spawn",
        "rayon par_iter" => "rayon_par_iter",
        "Chapter 2 pool" => "pool",
        "a thread per task" => "thread_per_task",
        "process pool, a message per task" => "procs_message",
        "process pool, chunked" => "procs_chunked",
        "rayon" => "rayon",
        "process pool" => "procs",
        _ => "other",
    }
}

fn fmt_us(us: f64) -> String {
    fmt_ns(us * 1e3)
}

fn values_of(d: &Data) -> Values {
    let mut v = Values::default();
    v.number(
        "workers",
        d.workers as f64,
        "workers",
        d.workers.to_string(),
    );
    for e in &d.empty {
        v.nanos(&format!("empty_{}", key(&e.approach)), e.per_task.median);
    }
    for s in &d.startup {
        v.nanos(&format!("startup_{}", key(&s.approach)), s.nanos.median);
    }
    for s in &d.sweeps {
        let k = key(&s.approach);
        match size_for_90(&s.points) {
            Some(us) => v.number(&format!("size90_{k}"), us * 1e3, "ns", fmt_us(us)),
            None => v.text(&format!("size90_{k}"), "not reached"),
        }
        if let Some(&(size, e)) = s.points.last() {
            v.number(
                &format!("eff_largest_{k}"),
                e * 100.0,
                "%",
                format!("{} % at {}", sig(e * 100.0, 3), fmt_us(size)),
            );
        }
        if let Some(&(size, e)) = s.points.first() {
            v.number(
                &format!("eff_smallest_{k}"),
                e * 100.0,
                "%",
                format!("{} % at {}", sig(e * 100.0, 3), fmt_us(size)),
            );
        }
    }
    let get = |a: &str| {
        d.empty
            .iter()
            .find(|e| e.approach == a)
            .map(|e| e.per_task.median)
    };
    if let (Some(m), Some(r)) = (get("process pool, a message per task"), get("rayon spawn")) {
        v.ratio("procs_message_vs_spawn", m / r);
    }
    v
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "approach",
        ">empty task (each)",
        ">range",
        ">task size for 90 % efficiency",
        ">efficiency at the smallest size",
    ]);
    for (e, s) in d.empty.iter().zip(&d.sweeps) {
        table.row(vec![
            e.approach.clone(),
            fmt_ns(e.per_task.median),
            format!("{}–{}", fmt_ns(e.per_task.min), fmt_ns(e.per_task.max)),
            size_for_90(&s.points).map_or("not reached".into(), fmt_us),
            s.points.first().map_or("—".into(), |&(size, e)| {
                format!("{} % ({})", sig(e * 100.0, 3), fmt_us(size))
            }),
        ]);
    }
    let mut start = Table::new(&["pool", ">create, run one empty task, shut down"]);
    for s in &d.startup {
        start.row(vec![s.approach.clone(), fmt_ns(s.nanos.median)]);
    }
    let body = format!("{}\n\n{}", table.to_markdown(), start.to_markdown());
    let notes = format!(
        "{} workers. Empty tasks: up to {} tasks a run ({} for a thread or a message per task), time per task. \
         Efficiency: tasks of a calibrated spin loop, about {} of work per run (at least 20 tasks), against one core's time for the same tasks \
         divided by the workers, best of interleaved rounds; the chunked process pool sends {} messages a run. Empty-task and start-up times are medians.",
        d.workers,
        thousands(d.empty.iter().map(|e| e.tasks).max().unwrap_or(0) as f64),
        thousands(SLOW_CAP as f64),
        fmt_us(d.budget_us),
        CHUNKS
    );
    let mut series: Vec<Series> = d
        .sweeps
        .iter()
        .enumerate()
        .map(|(i, s)| Series {
            name: s.approach.clone(),
            points: s.points.iter().map(|&(x, e)| (x, e * 100.0)).collect(),
            style: Style::Measured,
            color: i % 6,
        })
        .collect();
    let xs: Vec<f64> = d
        .sweeps
        .first()
        .map_or(vec![], |s| s.points.iter().map(|p| p.0).collect());
    if let (Some(lo), Some(hi)) = (xs.first(), xs.last()) {
        series.push(Series {
            name: "90 % efficiency".into(),
            points: vec![(*lo, 90.0), (*hi, 90.0)],
            style: Style::Reference,
            color: 0,
        });
    }
    let plot = LinePlot {
        title: "Efficiency against task size",
        x_label: "busy work per task, µs (log scale)",
        y_label: "efficiency (%)",
        log_x: true,
        log_y: false,
        x_format: None,
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}
