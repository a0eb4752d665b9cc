//! Amdahl's law, measured: Listing 1-17's workload for several serial
//! fractions, from one thread to twice the machine's CPUs, against the law.

use super::amdahl_listing::{amdahl, run as run_workload};
use crate::Recorded;
use crate::harness::{Ctx, Values, median_of, sig, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment, integer_ticks};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};

const FRACTIONS: [f64; 4] = [0.0, 0.1, 0.25, 0.5];

#[derive(Serialize, Deserialize)]
struct Curve {
    serial: f64,
    /// (threads, measured speed-up)
    points: Vec<(u64, f64)>,
}

#[derive(Serialize, Deserialize)]
struct Data {
    cores: usize,
    /// Units of work (xorshift rounds) in each run.
    units: u64,
    seconds_one_thread: f64,
    curves: Vec<Curve>,
}

fn max_threads(cores: usize) -> u64 {
    (2 * cores).max(4) as u64
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn steps(_quick: bool) -> u64 {
    FRACTIONS.len() as u64 * max_threads(cores())
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let total = ctx.pick(400_000_000, 200_000);
    let reps = ctx.pick(3, 1);
    let mut curves = Vec::new();
    let mut seconds_one_thread = 0.0;
    for serial in FRACTIONS {
        let one = median_of(reps, || run_workload(total, serial, 1).as_secs_f64());
        if serial == 0.0 {
            seconds_one_thread = one;
        }
        let mut points = Vec::new();
        for threads in 1..=max_threads(ctx.cores) {
            let t = median_of(reps, || run_workload(total, serial, threads).as_secs_f64());
            points.push((threads, one / t));
            ctx.step(&format!("serial {serial}, {threads} threads"));
        }
        curves.push(Curve { serial, points });
    }
    let mut values = Values::default();
    let cores = ctx.cores as u64;
    for c in &curves {
        let key = format!("f{:02}", (c.serial * 100.0).round() as u32);
        for &(threads, speedup) in &c.points {
            values.ratio(&format!("{key}_t{threads}"), speedup);
        }
        if let Some(&(_, s)) = c.points.iter().find(|p| p.0 == cores) {
            values.ratio(&format!("{key}_measured"), s);
            values.ratio(&format!("{key}_predicted"), amdahl(c.serial, cores as f64));
            if cores > 1 {
                let e = karp_flatt(s, cores as f64);
                values.number(&format!("{key}_karp_flatt"), e, "", sig(e.max(0.0), 2));
            }
        }
    }
    values.number("cores", cores as f64, "CPUs", cores.to_string());
    let data = Data {
        cores: ctx.cores,
        units: total,
        seconds_one_thread,
        curves,
    };
    Recorded::new(values, data)
}

/// The serial fraction that would explain speed-up `s` on `p` CPUs.
fn karp_flatt(s: f64, p: f64) -> f64 {
    (1.0 / s - 1.0 / p) / (1.0 - 1.0 / p)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let p = d.cores as u64;
    let mut table = Table::new(&[
        "serial fraction",
        &format!(">measured on {p} threads"),
        &format!(">Amdahl on {p} CPUs"),
        ">ceiling (any number of CPUs)",
        ">serial fraction implied (Karp–Flatt)",
    ]);
    for c in &d.curves {
        let measured = c.points.iter().find(|x| x.0 == p).map_or(f64::NAN, |x| x.1);
        table.row(vec![
            format!("{}", c.serial),
            format!("{}×", sig(measured, 3)),
            format!("{}×", sig(amdahl(c.serial, p as f64), 3)),
            if c.serial == 0.0 {
                "∞".into()
            } else {
                format!("{}×", sig(1.0 / c.serial, 3))
            },
            if p > 1 {
                sig(karp_flatt(measured, p as f64).max(0.0), 2)
            } else {
                "—".into()
            },
        ]);
    }
    let mut series = Vec::new();
    let top = d
        .curves
        .iter()
        .flat_map(|c| c.points.iter().map(|x| x.1))
        .fold(1.0, f64::max);
    for (i, c) in d.curves.iter().enumerate() {
        series.push(Series {
            name: format!("serial fraction {}", c.serial),
            points: c.points.iter().map(|&(t, s)| (t as f64, s)).collect(),
            style: Style::Measured,
            color: i,
        });
        series.push(Series {
            name: String::new(),
            points: c
                .points
                .iter()
                .map(|&(t, _)| (t as f64, amdahl(c.serial, t as f64)))
                .collect(),
            style: Style::Predicted,
            color: i,
        });
    }
    series.push(Series {
        name: format!("{p} CPUs on this machine"),
        points: vec![
            (p as f64, 0.8),
            (p as f64, top.max(amdahl(0.0, p as f64)) * 1.05),
        ],
        style: Style::Reference,
        color: 0,
    });
    let plot = LinePlot {
        title: "Speed-up against threads: measured (solid) and Amdahl's law (dashed)",
        x_label: "threads",
        y_label: "speed-up over one thread",
        log_x: false,
        log_y: false,
        x_format: Some(integer_ticks),
        series,
    }
    .to_svg()?;
    let notes = format!(
        "One thread ran the whole workload ({} rounds of xorshift) in {} s. Past {p} threads the machine has no more CPUs: the law, which assumes one CPU per thread, keeps climbing and the measurements do not.",
        thousands(d.units as f64),
        sig(d.seconds_one_thread, 3)
    );
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
