//! The convoy effect: an echo server thread and a CPU-bound thread under one
//! GIL. Requests per second against the switch interval, with and without
//! the I/O-priority fix, for the toy GIL and (when installed) for CPython,
//! beside Skvortsov's published CPython figures.

use super::toy_gil::{Gil, Load, Policy, echo_rate};
use crate::Recorded;
use crate::harness::{Ctx, Values, median_of, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Context, Result, ensure};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Switch intervals swept, in seconds (CPython's default is 0.005).
const INTERVALS: [f64; 5] = [0.00001, 0.0001, 0.001, 0.005, 0.1];

/// Skvortsov (2021): requests/s of a CPython echo server beside one CPU-bound
/// thread, against the switch interval; and alone.
const SKVORTSOV: [(f64, f64); 4] = [
    (0.00001, 11_000.0),
    (0.0001, 3_200.0),
    (0.005, 100.0),
    (0.1, 5.0),
];
const SKVORTSOV_ALONE: f64 = 30_000.0;

#[derive(Serialize, Deserialize)]
struct Data {
    toy_alone: f64,
    /// The server beside a busy thread that does not take the GIL: the
    /// control for what a second busy CPU does to the rate by itself.
    toy_beside_free: f64,
    /// (interval s, requests/s) beside one CPU-bound thread
    toy_loaded: Vec<(f64, f64)>,
    /// (interval s, requests/s) with the I/O-priority fix
    toy_priority: Vec<(f64, f64)>,
    python: Option<PythonData>,
}

#[derive(Serialize, Deserialize)]
struct PythonData {
    version: String,
    alone: f64,
    loaded: Vec<(f64, f64)>,
}

pub fn steps(_quick: bool) -> u64 {
    (2 + 2 * INTERVALS.len() + 1 + INTERVALS.len()) as u64
}

/// Long intervals answer few requests a second: measure them longer.
fn duration(ctx: &Ctx, interval: f64) -> Duration {
    let base = ctx.pick(1.0, 0.05);
    Duration::from_secs_f64(if interval >= 0.05 { base * 3.0 } else { base })
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = ctx.pick(3, 1);
    let gil = |switch: f64, io_priority| {
        Gil::new(Policy::Interval {
            switch: Duration::from_secs_f64(switch),
            io_priority,
        })
    };
    let rate = |g: &Gil, gil_threads: usize, free_threads: usize, d: Duration| -> f64 {
        let load = Load {
            gil_threads,
            free_threads,
        };
        echo_rate(g, load, d).unwrap_or(f64::NAN)
    };
    let toy_alone = median_of(reps, || rate(&gil(0.005, false), 0, 0, duration(ctx, 0.0)));
    ctx.step("toy GIL, server alone");
    let toy_beside_free = median_of(reps, || rate(&gil(0.005, false), 0, 1, duration(ctx, 0.0)));
    ctx.step("toy GIL, server beside a thread outside the GIL");
    let mut toy_loaded = Vec::new();
    let mut toy_priority = Vec::new();
    for &i in &INTERVALS {
        toy_loaded.push((
            i,
            median_of(reps, || rate(&gil(i, false), 1, 0, duration(ctx, i))),
        ));
        ctx.step(&format!("toy GIL, interval {i} s"));
        toy_priority.push((
            i,
            median_of(reps, || rate(&gil(i, true), 1, 0, duration(ctx, i))),
        ));
        ctx.step(&format!("toy GIL with I/O priority, interval {i} s"));
    }
    let python = python_rates(ctx)?;

    let mut values = Values::default();
    let at = |v: &[(f64, f64)], i: f64| v.iter().find(|p| p.0 == i).map_or(f64::NAN, |p| p.1);
    let per_s = |x: f64| thousands(x);
    values.number("toy_alone", toy_alone, "1/s", per_s(toy_alone));
    values.number(
        "toy_beside_free",
        toy_beside_free,
        "1/s",
        per_s(toy_beside_free),
    );
    values.ratio("toy_free_vs_alone", toy_beside_free / toy_alone);
    values.number(
        "toy_5ms",
        at(&toy_loaded, 0.005),
        "1/s",
        per_s(at(&toy_loaded, 0.005)),
    );
    values.ratio("toy_drop", toy_alone / at(&toy_loaded, 0.005));
    values.number(
        "toy_priority_5ms",
        at(&toy_priority, 0.005),
        "1/s",
        per_s(at(&toy_priority, 0.005)),
    );
    values.ratio(
        "toy_priority_vs_free",
        at(&toy_priority, 0.005) / toy_beside_free,
    );
    match &python {
        Some(p) => {
            values.text("python_version", &p.version);
            values.number("python_alone", p.alone, "1/s", per_s(p.alone));
            values.number(
                "python_5ms",
                at(&p.loaded, 0.005),
                "1/s",
                per_s(at(&p.loaded, 0.005)),
            );
            values.ratio("python_drop", p.alone / at(&p.loaded, 0.005));
        }
        None => {
            for k in [
                "python_version",
                "python_alone",
                "python_5ms",
                "python_drop",
            ] {
                values.text(k, "not measured (python3 is not installed)");
            }
        }
    }
    let data = Data {
        toy_alone,
        toy_beside_free,
        toy_loaded,
        toy_priority,
        python,
    };
    Recorded::new(values, data)
}

/// One CPython echo server (beside a counting thread or not) against our
/// client for `d`: requests per second.
fn python_rate(interval: f64, cpu: bool, d: Duration) -> Result<f64> {
    let script = super::listing_dir("listing-02-20-toy-gil").join("python/echo_server.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&script).arg(interval.to_string());
    if cpu {
        cmd.arg("cpu");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting echo_server.py")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
    let port: u16 = line
        .trim()
        .parse()
        .with_context(|| format!("echo_server.py printed {line:?}"))?;
    let result = (|| -> Result<f64> {
        let mut conn = TcpStream::connect(("127.0.0.1", port))?;
        conn.set_nodelay(true)?;
        conn.set_read_timeout(Some(Duration::from_secs(10)))?;
        let start = Instant::now();
        let (mut count, mut byte) = (0u64, [0u8; 1]);
        while start.elapsed() < d {
            conn.write_all(b"x")?;
            conn.read_exact(&mut byte)?;
            count += 1;
        }
        Ok(count as f64 / d.as_secs_f64())
    })();
    // The server exits when we hang up; make sure of it either way.
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn python_rates(ctx: &Ctx) -> Result<Option<PythonData>> {
    let Ok(version) = Command::new("python3").arg("--version").output() else {
        for _ in 0..=INTERVALS.len() {
            ctx.step("CPython: not installed");
        }
        return Ok(None);
    };
    let version = String::from_utf8_lossy(&version.stdout)
        .trim()
        .replace("Python", "CPython");
    let alone = python_rate(0.005, false, duration(ctx, 0.0))?;
    ensure!(alone > 0.0, "the CPython echo server answered nothing");
    ctx.step("CPython, server alone");
    let mut loaded = Vec::new();
    for &i in &INTERVALS {
        loaded.push((i, python_rate(i, true, duration(ctx, i))?));
        ctx.step(&format!("CPython, interval {i} s"));
    }
    Ok(Some(PythonData {
        version,
        alone,
        loaded,
    }))
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let cite = "<a class=\"cite\" href=\"../appendix/bibliography.md#skvortsov-2021\">[Skvortsov 2021]</a>";
    let mut columns = vec![
        "switch interval".to_string(),
        ">toy GIL".to_string(),
        ">toy GIL, I/O priority".to_string(),
    ];
    if let Some(p) = &d.python {
        columns.push(format!(">{}", p.version));
    }
    columns.push(format!(">CPython, Skvortsov {cite}"));
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs);
    let rate = |x: f64| thousands(x);
    let mut alone = vec![
        "server alone".to_string(),
        rate(d.toy_alone),
        "—".to_string(),
    ];
    if let Some(p) = &d.python {
        alone.push(rate(p.alone));
    }
    alone.push(rate(SKVORTSOV_ALONE));
    table.row(alone);
    let mut free = vec![
        "server beside a busy thread outside the GIL".to_string(),
        rate(d.toy_beside_free),
        "—".to_string(),
    ];
    if d.python.is_some() {
        free.push("—".to_string());
    }
    free.push("—".to_string());
    table.row(free);
    for (k, &(i, loaded)) in d.toy_loaded.iter().enumerate() {
        let mut row = vec![
            format!("{} ms", sig(i * 1e3, 2)),
            rate(loaded),
            rate(d.toy_priority[k].1),
        ];
        if let Some(p) = &d.python {
            row.push(rate(p.loaded[k].1));
        }
        row.push(
            SKVORTSOV
                .iter()
                .find(|s| s.0 == i)
                .map_or("—".into(), |s| rate(s.1)),
        );
        table.row(row);
    }
    let notes = "Requests per second that a one-connection echo server answers, alone or beside one thread that counts for ever; the client is outside the GIL, like a separate process. The second row is a control: a busy thread that never takes the GIL, to show what a second busy CPU does to the rate by itself. Every row below it has the counting thread running under the GIL.";
    let mut series = vec![
        Series {
            name: "toy GIL".into(),
            points: d.toy_loaded.iter().map(|&(i, r)| (i * 1e3, r)).collect(),
            style: Style::Measured,
            color: 0,
        },
        Series {
            name: "toy GIL, I/O priority".into(),
            points: d.toy_priority.iter().map(|&(i, r)| (i * 1e3, r)).collect(),
            style: Style::Measured,
            color: 2,
        },
    ];
    if let Some(p) = &d.python {
        series.push(Series {
            name: format!("{}, this machine", p.version),
            points: p.loaded.iter().map(|&(i, r)| (i * 1e3, r)).collect(),
            style: Style::Measured,
            color: 1,
        });
    }
    series.push(Series {
        name: "CPython, Skvortsov (2021)".into(),
        points: SKVORTSOV.iter().map(|&(i, r)| (i * 1e3, r)).collect(),
        style: Style::Predicted,
        color: 3,
    });
    let lo = INTERVALS[0] * 1e3;
    let hi = INTERVALS[INTERVALS.len() - 1] * 1e3;
    series.push(Series {
        name: "toy GIL server alone".into(),
        points: vec![(lo, d.toy_alone), (hi, d.toy_alone)],
        style: Style::Reference,
        color: 0,
    });
    series.push(Series {
        name: "toy server beside a thread outside the GIL".into(),
        points: vec![(lo, d.toy_beside_free), (hi, d.toy_beside_free)],
        style: Style::Reference,
        color: 2,
    });
    let plot = LinePlot {
        title: "Echo requests/s beside a CPU-bound thread",
        x_label: "switch interval (ms, log scale)",
        y_label: "requests/s (log scale)",
        log_x: true,
        log_y: true,
        x_format: None,
        series,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), notes),
        plots: vec![(String::new(), plot)],
    })
}
