//! The cost ladder: what the basic operations every later chapter builds on
//! cost on this machine (Listings 1-11 to 1-16), and how the latency of a
//! memory load grows with the working set (Listing 1-14's chain, swept).

use super::{cache_miss, context_switch, copy_bandwidth, loopback, spawn_cost, syscall};
use crate::Recorded;
use crate::harness::{Ctx, Values, caches, fmt_ns, human_bytes, median_of, sig, thousands};
use crate::render::{BarPlot, LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Row {
    key: String,
    what: String,
    ns: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    rows: Vec<Row>,
    /// Copy bandwidth between main-memory buffers, bytes per second.
    copy_bytes_per_s: f64,
    /// (working-set bytes, nanoseconds per dependent load)
    latency: Vec<(u64, f64)>,
    /// CPU 0's data caches, (name, bytes), smallest first.
    #[serde(default)]
    caches: Vec<(String, u64)>,
}

fn sweep_sizes(quick: bool) -> Vec<u64> {
    let top = if quick { 64 << 10 } else { 256 << 20 };
    std::iter::successors(Some(4u64 << 10), |s| Some(s * 2))
        .take_while(|&s| s <= top)
        .collect()
}

pub fn steps(quick: bool) -> u64 {
    9 + sweep_sizes(quick).len() as u64
}

/// Published figures to set beside ours (other machines, other years).
/// ipc-bench's "message" goes forth and back: one round trip, two hand-offs.
fn anchor(key: &str) -> &'static str {
    match key {
        "switch_same_cpu" => {
            "pipe ping-pong between processes: 162,441 round trips/s, so about 3.1 µs per hand-off <a class=\"cite\" href=\"../appendix/bibliography.md#ipc-bench\">[ipc-bench]</a>"
        }
        "loopback_rtt" => {
            "TCP ping-pong between processes: 70,221 round trips/s, about 14 µs each <a class=\"cite\" href=\"../appendix/bibliography.md#ipc-bench\">[ipc-bench]</a>"
        }
        _ => "",
    }
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = ctx.pick(5, 1);
    let mut rows = Vec::new();
    let mut add = |key: &str, what: &str, ns: f64| {
        rows.push(Row {
            key: key.into(),
            what: what.into(),
            ns,
        });
        ctx.step(what);
    };

    let calls = ctx.pick(20_000_000, 10_000);
    add(
        "call",
        "function call (not inlined)",
        median_of(reps, || {
            syscall::per_call(calls, || syscall::plain_function(7))
        }),
    );
    let small = cache_miss::random_cycle(16 * 1024 / size_of::<usize>(), 42);
    let loads = ctx.pick(20_000_000, 10_000);
    add(
        "l1_hit",
        "load that hits the L1 cache (16 KiB chain)",
        median_of(reps, || cache_miss::chase(&small, loads)),
    );
    let syscalls = ctx.pick(2_000_000, 1_000);
    add(
        "syscall",
        "system call (getppid)",
        median_of(reps, || {
            syscall::per_call(syscalls, std::os::unix::process::parent_id)
        }),
    );
    let big_bytes = ctx.pick(64 << 20, 1 << 20);
    let big = cache_miss::random_cycle(big_bytes / size_of::<usize>(), 42);
    let misses = ctx.pick(5_000_000, 10_000);
    add(
        "dram_miss",
        &format!(
            "load that misses the caches ({} MiB chain)",
            big_bytes >> 20
        ),
        median_of(reps, || cache_miss::chase(&big, misses)),
    );
    drop(big);
    let cpus = context_switch::allowed_cpus();
    let rounds = ctx.pick(100_000, 1_000);
    let ns = |d: std::time::Duration| d.as_secs_f64() * 1e9;
    add(
        "switch_same_cpu",
        "hand-off between two threads on one CPU (pipe)",
        median_of(reps, || {
            ns(context_switch::ping_pong(rounds, (cpus[0], cpus[0])))
        }),
    );
    if cpus.len() >= 2 {
        add(
            "wakeup_cross_cpu",
            "hand-off between two threads on two CPUs (pipe)",
            median_of(reps, || {
                ns(context_switch::ping_pong(rounds, (cpus[0], cpus[1])))
            }),
        );
    } else {
        ctx.step("(one CPU: no cross-CPU hand-off)");
    }
    let threads = ctx.pick(5_000, 50);
    add(
        "spawn_join",
        "spawn and join a thread",
        median_of(reps, || ns(spawn_cost::spawn_join(threads))),
    );
    let trips = ctx.pick(50_000, 200);
    let mut failure = None;
    let rtt = median_of(reps, || match loopback::round_trips(trips) {
        Ok(d) => ns(d),
        Err(e) => {
            failure = Some(e);
            f64::NAN
        }
    });
    if let Some(e) = failure {
        return Err(e).context("loopback round trips");
    }
    add("loopback_rtt", "TCP round trip over loopback (1 byte)", rtt);
    let copy_reps = ctx.pick(10, 1);
    let copy_bytes_per_s = median_of(reps, || {
        copy_bandwidth::copy_bandwidth(big_bytes, copy_reps)
    });
    add(
        "copy_1mib",
        "copy 1 MiB in main memory",
        (1u64 << 20) as f64 / copy_bytes_per_s * 1e9,
    );

    let mut latency = Vec::new();
    for size in sweep_sizes(ctx.quick) {
        let chain = cache_miss::random_cycle(size as usize / size_of::<usize>(), 7);
        let steps = ctx.pick(4_000_000, 10_000);
        latency.push((
            size,
            median_of(reps.min(3), || cache_miss::chase(&chain, steps)),
        ));
        ctx.step(&format!("latency at {}", human_bytes(size)));
    }

    let mut values = Values::default();
    for r in &rows {
        values.nanos(&r.key, r.ns);
    }
    let by = |k: &str| rows.iter().find(|r| r.key == k).map(|r| r.ns);
    if let (Some(call), Some(sys), Some(hit), Some(miss)) =
        (by("call"), by("syscall"), by("l1_hit"), by("dram_miss"))
    {
        values.ratio("syscall_vs_call", sys / call);
        values.ratio("miss_vs_hit", miss / hit);
    }
    if let Some(spawn) = by("spawn_join") {
        values.number("spawns_per_s", 1e9 / spawn, "1/s", thousands(1e9 / spawn));
    }
    if let Some(rtt) = by("loopback_rtt") {
        values.number("rtt_per_s", 1e9 / rtt, "1/s", thousands(1e9 / rtt));
    }
    if let (Some(lo), Some(hi)) = (
        rows.iter().map(|r| r.ns).reduce(f64::min),
        rows.iter().map(|r| r.ns).reduce(f64::max),
    ) {
        let orders = (hi / lo).log10();
        values.number("orders", orders, "decades", sig(orders, 2));
    }
    let gib = copy_bytes_per_s / (1u64 << 30) as f64;
    values.number("copy_gib_s", gib, "GiB/s", format!("{} GiB/s", sig(gib, 3)));
    let data = Data {
        rows,
        copy_bytes_per_s,
        latency,
        caches: caches(),
    };
    Recorded::new(values, data)
}

/// The measured curve, and a vertical grey line at each cache size.
fn latency_series(d: &Data) -> Vec<Series> {
    let mut series = vec![Series {
        name: "pointer chase (Listing 1-14)".into(),
        points: d
            .latency
            .iter()
            .map(|&(b, ns)| ((b as f64).log2(), ns))
            .collect(),
        style: Style::Measured,
        color: 0,
    }];
    let lo = d.latency.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = d.latency.iter().map(|p| p.1).fold(0.0, f64::max);
    let names: Vec<&str> = d.caches.iter().map(|c| c.0.as_str()).collect();
    for (i, (_, bytes)) in d.caches.iter().enumerate() {
        let x = (*bytes as f64).log2();
        series.push(Series {
            // One legend entry for all the cache lines.
            name: if i == 0 {
                format!("cache sizes ({})", names.join(", "))
            } else {
                String::new()
            },
            points: vec![(x, lo), (x, hi)],
            style: Style::Reference,
            color: 0,
        });
    }
    series
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut rows: Vec<&Row> = d.rows.iter().collect();
    rows.sort_by(|a, b| a.ns.total_cmp(&b.ns));
    let call = d
        .rows
        .iter()
        .find(|r| r.key == "call")
        .map_or(1.0, |r| r.ns);
    let mut table = Table::new(&[
        "operation",
        ">time",
        ">per second",
        ">function calls",
        "published figure (other machine)",
    ]);
    for r in &rows {
        table.row(vec![
            r.what.clone(),
            fmt_ns(r.ns),
            thousands(1e9 / r.ns),
            if r.ns / call < 10.0 {
                sig(r.ns / call, 2)
            } else {
                thousands(r.ns / call)
            },
            anchor(&r.key).into(),
        ]);
    }
    let notes = format!(
        "Each time is the median of several runs after a warm-up. Copy bandwidth between two large buffers: {} GiB/s, counting each byte once (the memory bus moves it twice: a read and a write). \"Function calls\" is each time divided by the time of a call: how many calls you could make instead. The published figures come from ping-pong between two processes on an Intel i5-4590S (ipc-bench's message goes there and back, so it is one round trip: two hand-offs); compare orders of magnitude, not digits.",
        sig(d.copy_bytes_per_s / (1u64 << 30) as f64, 3)
    );
    let ladder = BarPlot {
        title: "The cost ladder (log scale)",
        x_label: "nanoseconds",
        bars: rows.iter().map(|r| (r.what.clone(), r.ns)).collect(),
    }
    .to_svg()?;
    // x is log2 of the working set, so that ticks fall on powers of two.
    let latency = LinePlot {
        title: "Latency of a dependent load against the working set",
        x_label: "working set (log scale)",
        y_label: "ns per load (log scale)",
        log_x: false,
        log_y: true,
        x_format: Some(|x| {
            if x.fract() == 0.0 && (*x as u32).is_multiple_of(2) {
                human_bytes(1u64 << (*x as u32))
            } else {
                String::new()
            }
        }),
        series: latency_series(&d),
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![("-ladder".into(), ladder), ("-latency".into(), latency)],
    })
}
