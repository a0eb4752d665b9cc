//! The switch-cost ladder (Listing 7-25's rungs, plus Listing 7-12's
//! executor): one round trip (there and back) between two processes, two
//! threads, two tokio tasks, two tasks on the chapter's executor, a
//! coroutine and its caller, and an iterator and its consumer, measured in
//! turns in one run.

use super::executor::Executor;
use super::switch_ladder as ladder;
use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// corosensei's README: resume + suspend on a Ryzen 9 3950X.
const ANCHOR_NS: f64 = 4.2867;

struct Rung {
    key: &'static str,
    name: &'static str,
    what: &'static str,
    /// Round trips per measurement in a full run.
    full: u64,
    measure: fn(u64) -> Duration,
}

/// Two tasks of Listing 7-25 (`ping_task`, `pong_task`) on the chapter's own
/// executor: the same code and channels as the tokio rung, another scheduler.
fn executor_round_trips(n: u64) -> Duration {
    let ex = Executor::new();
    let ((down_tx, down_rx), (up_tx, up_rx)) = ladder::channels();
    let pong = ex.spawn(ladder::pong_task(down_rx, up_tx));
    let took = ex.block_on(ladder::ping_task(n, down_tx, up_rx));
    ex.block_on(pong); // the ping's sender is gone: pong ends
    took
}

fn rungs() -> Vec<Rung> {
    vec![
        Rung {
            key: "process",
            name: "two processes (pipes)",
            what: "kernel: sleep, wake, switch address space",
            full: 20_000,
            measure: |n| ladder::process_round_trips(n).expect("fork and pipes"),
        },
        Rung {
            key: "thread",
            name: "two threads (pipes)",
            what: "kernel: sleep, wake, switch registers and stack",
            full: 20_000,
            measure: |n| ladder::thread_round_trips(n).expect("pipes"),
        },
        Rung {
            key: "tokio",
            name: "two tokio tasks (current thread)",
            what: "user space: wake a task, poll its state machine",
            full: 200_000,
            measure: |n| ladder::tokio_round_trips(n).expect("runtime"),
        },
        Rung {
            key: "executor",
            name: "two tasks on Listing 7-12's executor",
            what: "user space: the same tasks, the chapter's run queue",
            full: 200_000,
            measure: executor_round_trips,
        },
        Rung {
            key: "coroutine",
            name: "corosensei resume + suspend",
            what: "user space: save registers, switch stack pointer",
            full: 10_000_000,
            measure: ladder::coroutine_round_trips,
        },
        Rung {
            key: "iterator",
            name: "iterator next()",
            what: "a call and a return (often inlined away)",
            full: 50_000_000,
            measure: ladder::iterator_steps,
        },
    ]
}

#[derive(Serialize, Deserialize)]
struct Point {
    key: String,
    name: String,
    what: String,
    round_trips: u64,
    ns: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    reps: usize,
    points: Vec<Point>,
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 7 }
}

pub fn steps(quick: bool) -> u64 {
    ((reps(quick) + 1) * rungs().len()) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let rungs = rungs();
    let reps = reps(ctx.quick);
    let counts: Vec<u64> = rungs
        .iter()
        .map(|r| ctx.pick(r.full, (r.full / 200).max(100)))
        .collect();
    let closures: Vec<Box<dyn Fn() -> f64>> = rungs
        .iter()
        .zip(&counts)
        .map(|(r, &n)| {
            let measure = r.measure;
            Box::new(move || measure(n).as_secs_f64() * 1e9 / n as f64) as Box<dyn Fn() -> f64>
        })
        .collect();
    let refs: Vec<&dyn Fn() -> f64> = closures.iter().map(|b| b.as_ref()).collect();
    let stats = interleaved_stats(reps, &refs, || ctx.step("round trips"));
    let points: Vec<Point> = rungs
        .iter()
        .zip(counts)
        .zip(stats)
        .map(|((r, n), ns)| Point {
            key: r.key.into(),
            name: r.name.into(),
            what: r.what.into(),
            round_trips: n,
            ns,
        })
        .collect();
    let ns = |key: &str| {
        points
            .iter()
            .find(|p| p.key == key)
            .map_or(f64::NAN, |p| p.ns.median)
    };
    let mut values = Values::default();
    for p in &points {
        values.nanos(&format!("{}_ns", p.key), p.ns.median);
    }
    values.ratio("executor_vs_tokio", ns("executor") / ns("tokio"));
    values.ratio("process_vs_coroutine", ns("process") / ns("coroutine"));
    values.ratio("thread_vs_coroutine", ns("thread") / ns("coroutine"));
    values.ratio("process_vs_thread", ns("process") / ns("thread"));
    values.ratio("tokio_vs_coroutine", ns("tokio") / ns("coroutine"));
    values.ratio("thread_vs_tokio", ns("thread") / ns("tokio"));
    values.ratio("coroutine_vs_anchor", ns("coroutine") / ANCHOR_NS);
    values.nanos("anchor_ns", ANCHOR_NS);
    Recorded::new(values, Data { reps, points })
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let coroutine = d
        .points
        .iter()
        .find(|p| p.key == "coroutine")
        .map_or(f64::NAN, |p| p.ns.median);
    let mut table = Table::new(&[
        "one round trip between",
        "what a switch involves",
        ">time (median)",
        ">range",
        ">÷ coroutine",
    ]);
    for p in &d.points {
        table.row(vec![
            p.name.clone(),
            p.what.clone(),
            fmt_ns(p.ns.median),
            format!("{} – {}", fmt_ns(p.ns.min), fmt_ns(p.ns.max)),
            ratio_text(p.ns.median / coroutine),
        ]);
    }
    table.row(vec![
        "*anchor: corosensei README, Ryzen 9 3950X*".into(),
        "resume + suspend, bare metal".into(),
        fmt_ns(ANCHOR_NS),
        String::new(),
        String::new(),
    ]);
    let counts = d
        .points
        .iter()
        .map(|p| format!("{} {}", thousands(p.round_trips as f64), p.key))
        .collect::<Vec<_>>()
        .join(", ");
    let notes = format!(
        "A round trip hands control to the other side and back. Medians of {} rounds taken in turns (range: fastest and slowest round); round trips per measurement: {counts}. Both async rungs run the same two tasks and tokio channels of capacity 1; only the scheduler differs.",
        d.reps
    );
    let mut bars: Vec<(String, f64)> = d
        .points
        .iter()
        .map(|p| (p.name.clone(), p.ns.median))
        .collect();
    bars.push(("anchor: corosensei README (3950X)".into(), ANCHOR_NS));
    let plot = BarPlot {
        title: "Time per round trip, from processes to an iterator step",
        x_label: "nanoseconds per round trip (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}

/// "1.00×", "117×", "1,882×".
fn ratio_text(x: f64) -> String {
    if x >= 1000.0 {
        format!("{}×", thousands(x))
    } else {
        format!("{}×", sig(x, 3))
    }
}
