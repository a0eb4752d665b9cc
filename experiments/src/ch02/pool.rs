//! The chapter's thread pool (Listing 2-31) against rayon and against a
//! thread per task, on the same CPU-bound work cut into more and more tasks.

use super::thread_pool::ThreadPool;
use crate::Recorded;
use crate::harness::{Ctx, Values, median_of, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::thread;
use std::time::Instant;

/// Trial division, as in Listing 1-1: all CPU, no memory traffic.
fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn primes_in(range: std::ops::Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

fn chunks(limit: u64, tasks: u64) -> Vec<std::ops::Range<u64>> {
    let size = limit.div_ceil(tasks);
    (0..tasks)
        .map(|t| (t * size).min(limit)..((t + 1) * size).min(limit))
        .collect()
}

#[derive(Serialize, Deserialize)]
struct Point {
    tasks: u64,
    sequential: f64,
    rayon: f64,
    pool: f64,
    thread_per_task: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    limit: u64,
    threads: usize,
    points: Vec<Point>,
}

fn task_counts(quick: bool) -> Vec<u64> {
    if quick {
        vec![4, 64]
    } else {
        vec![4, 16, 64, 256, 1_024, 4_096, 16_384]
    }
}

pub fn steps(quick: bool) -> u64 {
    task_counts(quick).len() as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let limit = ctx.pick(3_000_000, 20_000);
    let reps = ctx.pick(3, 1);
    let threads = ctx.cores;
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let pool = ThreadPool::new(threads);
    let timed = |f: &mut dyn FnMut() -> u64| {
        let start = Instant::now();
        std::hint::black_box(f());
        start.elapsed().as_secs_f64()
    };
    let expected = primes_in(0..limit);
    let mut points = Vec::new();
    for tasks in task_counts(ctx.quick) {
        let parts = chunks(limit, tasks);
        let sequential = median_of(reps, || {
            timed(&mut || parts.iter().cloned().map(primes_in).sum())
        });
        let rayon = median_of(reps, || {
            timed(&mut || rayon_pool.install(|| parts.par_iter().cloned().map(primes_in).sum()))
        });
        let pooled = median_of(reps, || {
            timed(&mut || {
                let (tx, rx) = crossbeam_channel::unbounded();
                for part in parts.iter().cloned() {
                    let tx = tx.clone();
                    pool.execute(move || tx.send(primes_in(part)).expect("collector alive"));
                }
                drop(tx);
                let total: u64 = rx.iter().sum();
                assert_eq!(total, expected);
                total
            })
        });
        let per_task = median_of(reps, || {
            timed(&mut || {
                thread::scope(|s| {
                    let handles: Vec<_> = parts
                        .iter()
                        .cloned()
                        .map(|p| s.spawn(move || primes_in(p)))
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).sum()
                })
            })
        });
        points.push(Point {
            tasks,
            sequential,
            rayon,
            pool: pooled,
            thread_per_task: per_task,
        });
        ctx.step(&format!("{tasks} tasks"));
    }
    let mut values = Values::default();
    let at = |t: u64| points.iter().find(|p| p.tasks == t);
    if let Some(p) = at(64) {
        values.ratio("pool_vs_rayon_64", p.pool / p.rayon);
        values.ratio("speedup_rayon_64", p.sequential / p.rayon);
    }
    if let Some(p) = points.last() {
        values.number(
            "most_tasks",
            p.tasks as f64,
            "tasks",
            thousands(p.tasks as f64),
        );
        values.ratio("pool_vs_rayon_most", p.pool / p.rayon);
        values.ratio("per_task_vs_pool_most", p.thread_per_task / p.pool);
    }
    let worst = points.iter().map(|p| p.pool / p.rayon).fold(0.0, f64::max);
    values.ratio("pool_vs_rayon_worst", worst);
    let data = Data {
        limit,
        threads,
        points,
    };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        ">tasks",
        ">sequential",
        ">rayon",
        ">the chapter's pool",
        ">pool ÷ rayon",
        ">a thread per task",
    ]);
    let ms = |s: f64| format!("{} ms", sig(s * 1e3, 3));
    for p in &d.points {
        table.row(vec![
            thousands(p.tasks as f64),
            ms(p.sequential),
            ms(p.rayon),
            ms(p.pool),
            format!("{}×", sig(p.pool / p.rayon, 3)),
            ms(p.thread_per_task),
        ]);
    }
    let notes = format!(
        "Counting the primes below {} by trial division, cut into equal ranges (tasks); {} worker threads for rayon and the pool. Medians of several runs.",
        thousands(d.limit as f64),
        d.threads
    );
    let line = |name: &str, f: fn(&Point) -> f64, color| Series {
        name: name.into(),
        points: d
            .points
            .iter()
            .map(|p| (p.tasks as f64, f(p) * 1e3))
            .collect(),
        style: Style::Measured,
        color,
    };
    let plot = LinePlot {
        title: "Time to count primes, cut into more and more tasks",
        x_label: "tasks (log scale)",
        y_label: "milliseconds (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series: vec![
            line("sequential", |p| p.sequential, 5),
            line("rayon", |p| p.rayon, 0),
            line("the chapter's pool", |p| p.pool, 1),
            line("a thread per task", |p| p.thread_per_task, 3),
        ],
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
