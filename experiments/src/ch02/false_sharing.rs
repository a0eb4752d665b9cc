//! False sharing: each thread increments its own counter; the counters sit
//! side by side or padded onto their own cache lines (Listing 2-34).

use super::false_sharing_listing::{adjacent, padded, run as race};
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, median_of};
use crate::render::{Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Data {
    /// (threads, ns per increment side by side, ns per increment padded)
    points: Vec<(usize, f64, f64)>,
}

fn thread_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (1..=cores.clamp(2, 16)).collect()
}

pub fn steps(_quick: bool) -> u64 {
    thread_counts().len() as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let per = ctx.pick(20_000_000, 20_000);
    let reps = ctx.pick(3, 1);
    let mut points = Vec::new();
    for threads in thread_counts() {
        let ns = |d: std::time::Duration| d.as_secs_f64() * 1e9 / per as f64;
        let side = median_of(reps, || ns(race(threads, per, adjacent)));
        let apart = median_of(reps, || ns(race(threads, per, padded)));
        points.push((threads, side, apart));
        ctx.step(&format!("{threads} threads"));
    }
    let mut values = Values::default();
    if let Some(&(threads, side, apart)) = points.iter().rfind(|p| p.0 <= ctx.cores) {
        values.number("threads", threads as f64, "threads", threads.to_string());
        values.nanos("side_ns", side);
        values.nanos("apart_ns", apart);
        values.ratio("penalty", side / apart);
    }
    let data = Data { points };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[">threads", ">side by side", ">padded apart", ">penalty"]);
    for (threads, side, apart) in &d.points {
        table.row(vec![
            threads.to_string(),
            fmt_ns(*side),
            fmt_ns(*apart),
            format!("{:.2}×", side / apart),
        ]);
    }
    let notes = "Wall-clock time per increment for each thread (every thread increments its own counter in parallel, so with no interference the time would stay flat as threads are added). Medians of several runs.";
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), notes),
        plots: Vec::new(),
    })
}
