//! Beazley's countdown, run by the tiny interpreter: one thread, two free
//! threads, two threads under the toy GIL (new and old policies), also
//! confined to one CPU, and the same under CPython when it is installed.

use super::toy_gil::{Gil, Policy, countdown, pin_to_one_cpu};
use crate::Recorded;
use crate::harness::{Ctx, Values, interleaved_stats, sig};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::process::Command;
use std::time::Duration;

/// Python 2 checked every 100 ticks. Beazley's Python 2.6 ran a pass of the
/// countdown loop (about ten bytecodes) in 78 ns, so 100 ticks came to the
/// order of a microsecond. The tiny interpreter runs an instruction in about
/// a nanosecond (the `ns_per_instruction` value), so it checks every 1,024 to
/// switch about as often in time; a power of two keeps the check a mask.
const TICKS: u32 = 1_024;

/// Instructions the tiny interpreter executes per pass of the countdown loop.
const PER_PASS: f64 = 7.0;

#[derive(Serialize, Deserialize)]
struct Row {
    key: String,
    what: String,
    seconds: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    n: i64,
    rows: Vec<Row>,
    /// CPython's version and its one, two and pinned-two times, when installed.
    python: Option<(String, i64, [f64; 3])>,
}

pub fn steps(quick: bool) -> u64 {
    let rounds = if quick { 2 } else { 6 };
    9 * rounds + 1
}

fn interval() -> Gil {
    Gil::new(Policy::Interval {
        switch: Duration::from_millis(5),
        io_priority: false,
    })
}

/// Runs `f` on a thread confined to one CPU (its threads inherit that).
fn on_one_cpu(f: impl FnOnce() -> f64 + Send) -> f64 {
    std::thread::scope(|s| {
        s.spawn(|| {
            pin_to_one_cpu().expect("pinning to one CPU");
            f()
        })
        .join()
        .expect("pinned run")
    })
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let n: i64 = ctx.pick(200_000_000, 200_000);
    let reps = ctx.pick(5, 1);
    let secs = |d: Duration| d.as_secs_f64();
    let ticks = || Gil::new(Policy::Ticks(TICKS));
    let configs: [(&str, &str, &dyn Fn() -> f64); 9] = [
        ("one", "one thread", &|| secs(countdown(n, 1, None))),
        ("one_gil", "one thread, GIL (5 ms switch interval)", &|| {
            secs(countdown(n, 1, Some(&interval())))
        }),
        (
            "one_ticks",
            "one thread, old GIL (release every 1,024 instructions)",
            &|| secs(countdown(n, 1, Some(&ticks()))),
        ),
        ("two_free", "two threads, no GIL", &|| {
            secs(countdown(n, 2, None))
        }),
        (
            "two_gil",
            "two threads, GIL (5 ms switch interval)",
            &|| secs(countdown(n, 2, Some(&interval()))),
        ),
        (
            "two_ticks",
            "two threads, old GIL (release every 1,024 instructions)",
            &|| secs(countdown(n, 2, Some(&ticks()))),
        ),
        ("one_cpu_one", "one thread, one CPU", &|| {
            on_one_cpu(|| secs(countdown(n, 1, None)))
        }),
        ("one_cpu_gil", "two threads, GIL, one CPU", &|| {
            on_one_cpu(|| secs(countdown(n, 2, Some(&interval()))))
        }),
        ("one_cpu_ticks", "two threads, old GIL, one CPU", &|| {
            on_one_cpu(|| secs(countdown(n, 2, Some(&ticks()))))
        }),
    ];
    let measures: Vec<&dyn Fn() -> f64> = configs.iter().map(|c| c.2).collect();
    let stats = interleaved_stats(reps, &measures, || ctx.step("countdown"));
    let medians: Vec<f64> = stats.iter().map(|s| s.median).collect();
    // How far the two-threads-under-the-GIL ratio can move with the runs'
    // spread: the slowest two-thread run over the fastest one-thread run, and
    // the other way round.
    let (one_gil, two_gil) = (stats[1], stats[4]);
    let gil_ratio_low = two_gil.min / one_gil.max;
    let gil_ratio_high = two_gil.max / one_gil.min;
    let rows: Vec<Row> = configs
        .iter()
        .zip(medians)
        .map(|(&(key, what, _), seconds)| Row {
            key: key.into(),
            what: what.into(),
            seconds,
        })
        .collect();
    let py_n: i64 = ctx.pick(20_000_000, 20_000);
    let python = python_countdown(py_n, reps)?;
    ctx.step("CPython");

    let mut values = Values::default();
    let get = |k: &str| {
        rows.iter()
            .find(|r| r.key == k)
            .map_or(f64::NAN, |r| r.seconds)
    };
    let ns = get("one") * 1e9 / (n as f64 * PER_PASS);
    values.number("ns_per_instruction", ns, "ns", format!("{} ns", sig(ns, 2)));
    values.ratio("free_speedup", get("one") / get("two_free"));
    values.ratio("one_gil_cost", get("one_gil") / get("one"));
    values.ratio("one_ticks_cost", get("one_ticks") / get("one"));
    values.ratio("gil_vs_one_gil", get("two_gil") / get("one_gil"));
    values.ratio("gil_vs_one_gil_low", gil_ratio_low);
    values.ratio("gil_vs_one_gil_high", gil_ratio_high);
    values.ratio("ticks_vs_one_ticks", get("two_ticks") / get("one_ticks"));
    values.ratio("gil_speedup", get("one") / get("two_gil"));
    values.ratio("ticks_slowdown", get("two_ticks") / get("one"));
    values.ratio(
        "ticks_one_cpu_slowdown",
        get("one_cpu_ticks") / get("one_cpu_one"),
    );
    match &python {
        Some((version, _, [one, two, pinned])) => {
            values.text("python_version", version);
            values.ratio("python_two_slowdown", two / one);
            values.ratio("python_pinned_slowdown", pinned / one);
        }
        None => {
            values.text("python_version", "CPython (not installed)");
            values.text("python_two_slowdown", "not measured");
            values.text("python_pinned_slowdown", "not measured");
        }
    }
    let data = Data { n, rows, python };
    Recorded::new(values, data)
}

fn python_countdown(n: i64, reps: usize) -> Result<Option<(String, i64, [f64; 3])>> {
    let script = super::listing_dir("listing-02-20-toy-gil").join("python/countdown.py");
    let Ok(version) = Command::new("python3").arg("--version").output() else {
        return Ok(None);
    };
    let out = Command::new("python3")
        .arg(&script)
        .arg(n.to_string())
        .arg(reps.to_string())
        .output()
        .context("running countdown.py")?;
    anyhow::ensure!(
        out.status.success(),
        "countdown.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let times: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    anyhow::ensure!(
        times.len() == 3,
        "countdown.py printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let version = String::from_utf8_lossy(&version.stdout)
        .trim()
        .replace("Python", "CPython");
    Ok(Some((version, n, [times[0], times[1], times[2]])))
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let base = |key: &str| {
        d.rows
            .iter()
            .find(|r| r.key == key)
            .map_or(f64::NAN, |r| r.seconds)
    };
    let mut table = Table::new(&["countdown run by", ">time", ">relative to one thread"]);
    for r in &d.rows {
        let one = if r.key.starts_with("one_cpu") {
            base("one_cpu_one")
        } else {
            base("one")
        };
        table.row(vec![
            r.what.clone(),
            format!("{} s", sig(r.seconds, 3)),
            format!("{}×", sig(r.seconds / one, 3)),
        ]);
    }
    let cite = "<a class=\"cite\" href=\"../appendix/bibliography.md#beazley-gil-2010\">[Beazley 2010]</a>";
    match &d.python {
        Some((version, n, [one, two, pinned])) => {
            table.row(vec![
                format!("{version}, one thread (n = {n})"),
                format!("{} s", sig(*one, 3)),
                "1×".into(),
            ]);
            table.row(vec![
                format!("{version}, two threads"),
                format!("{} s", sig(*two, 3)),
                format!("{}×", sig(two / one, 3)),
            ]);
            table.row(vec![
                format!("{version}, two threads, one CPU"),
                format!("{} s", sig(*pinned, 3)),
                format!("{}×", sig(pinned / one, 3)),
            ]);
        }
        None => table.row(vec![
            "CPython: not installed here".into(),
            "—".into(),
            "—".into(),
        ]),
    }
    table.row(vec![
        format!("Python 2.6, Mac Pro, one thread {cite}"),
        "7.8 s".into(),
        "1×".into(),
    ]);
    table.row(vec![
        format!("Python 2.6, two threads {cite}"),
        "15.4 s".into(),
        "1.97×".into(),
    ]);
    table.row(vec![
        format!("Python 2.6, two threads, one CPU disabled {cite}"),
        "11.3 s".into(),
        "1.45×".into(),
    ]);
    let notes = format!(
        "The tiny interpreter counts down from {} in every row of ours; times are medians. \"Relative\" is time divided by the one-thread time (of the same CPU setting): below 1× is faster. Beazley's rows count from 100,000,000 on a 2010 machine; compare the ratios.",
        crate::harness::thousands(d.n as f64)
    );
    let plot = BarPlot {
        title: "Countdown time relative to one thread (log scale)",
        x_label: "time ÷ one-thread time",
        bars: d
            .rows
            .iter()
            .map(|r| {
                let one = if r.key.starts_with("one_cpu") {
                    base("one_cpu_one")
                } else {
                    base("one")
                };
                (r.what.clone(), r.seconds / one)
            })
            .collect(),
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
