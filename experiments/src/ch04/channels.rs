//! Channel throughput: std's mpsc (unbounded and `sync_channel`), crossbeam
//! (bounded, unbounded, rendezvous) and flume (bounded, unbounded), with one
//! producer and with four producers feeding one consumer.

use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::thread;
use std::time::Instant;

/// Capacity of the bounded channels (the rendezvous one has none).
const CAPACITY: usize = 1_000;
/// Producers in the many-to-one shape.
const PRODUCERS: usize = 4;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    StdUnbounded,
    StdSync,
    CbBounded,
    CbUnbounded,
    CbZero,
    FlumeBounded,
    FlumeUnbounded,
}

const KINDS: [Kind; 7] = [
    Kind::StdUnbounded,
    Kind::StdSync,
    Kind::CbBounded,
    Kind::CbUnbounded,
    Kind::CbZero,
    Kind::FlumeBounded,
    Kind::FlumeUnbounded,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::StdUnbounded => "std mpsc::channel (unbounded)",
            Kind::StdSync => "std mpsc::sync_channel(1000)",
            Kind::CbBounded => "crossbeam bounded(1000)",
            Kind::CbUnbounded => "crossbeam unbounded",
            Kind::CbZero => "crossbeam bounded(0) (rendezvous)",
            Kind::FlumeBounded => "flume bounded(1000)",
            Kind::FlumeUnbounded => "flume unbounded",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::StdUnbounded => "std_unbounded",
            Kind::StdSync => "std_sync",
            Kind::CbBounded => "crossbeam_bounded",
            Kind::CbUnbounded => "crossbeam_unbounded",
            Kind::CbZero => "crossbeam_rendezvous",
            Kind::FlumeBounded => "flume_bounded",
            Kind::FlumeUnbounded => "flume_unbounded",
        }
    }

    /// Nanoseconds per message (one send and one receive), `n` messages
    /// from `producers` threads to one consumer (this thread).
    fn ns_per_message(self, producers: usize, n: usize) -> f64 {
        match self {
            Kind::StdUnbounded => through(
                std::sync::mpsc::channel(),
                producers,
                n,
                |tx, v| tx.send(v).is_ok(),
                |rx| rx.recv().ok(),
            ),
            Kind::StdSync => through(
                std::sync::mpsc::sync_channel(CAPACITY),
                producers,
                n,
                |tx, v| tx.send(v).is_ok(),
                |rx| rx.recv().ok(),
            ),
            Kind::CbBounded | Kind::CbUnbounded | Kind::CbZero => {
                let pair = match self {
                    Kind::CbBounded => crossbeam_channel::bounded(CAPACITY),
                    Kind::CbZero => crossbeam_channel::bounded(0),
                    _ => crossbeam_channel::unbounded(),
                };
                through(
                    pair,
                    producers,
                    n,
                    |tx, v| tx.send(v).is_ok(),
                    |rx| rx.recv().ok(),
                )
            }
            Kind::FlumeBounded | Kind::FlumeUnbounded => {
                let pair = if self == Kind::FlumeBounded {
                    flume::bounded(CAPACITY)
                } else {
                    flume::unbounded()
                };
                through(
                    pair,
                    producers,
                    n,
                    |tx, v| tx.send(v).is_ok(),
                    |rx| rx.recv().ok(),
                )
            }
        }
    }
}

/// Sends `n` numbers from `producers` threads and receives them all here.
fn through<S: Clone + Send, R>(
    (tx, rx): (S, R),
    producers: usize,
    n: usize,
    send: fn(&S, usize) -> bool,
    recv: fn(&R) -> Option<usize>,
) -> f64 {
    let per = n / producers;
    let start = Instant::now();
    let (count, sum) = thread::scope(|s| {
        for _ in 0..producers {
            let tx = tx.clone();
            s.spawn(move || {
                for i in 0..per {
                    assert!(send(&tx, i), "the consumer is alive");
                }
            });
        }
        drop(tx);
        let (mut count, mut sum) = (0usize, 0usize);
        while let Some(v) = recv(&rx) {
            count += 1;
            sum = sum.wrapping_add(v);
        }
        (count, sum)
    });
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(count, per * producers, "every message arrives once");
    assert_eq!(sum, producers * (per * per.saturating_sub(1) / 2));
    elapsed * 1e9 / count as f64
}

#[derive(Serialize, Deserialize)]
struct Point {
    channel: String,
    key: String,
    producers: usize,
    messages: usize,
    ns: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    messages: usize,
    rendezvous_messages: usize,
    capacity: usize,
    cores: usize,
    points: Vec<Point>,
}

pub fn steps(quick: bool) -> u64 {
    let reps = if quick { 1 } else { 3 };
    (KINDS.len() * 2 * (reps + 1)) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let n = ctx.pick(1_000_000, 20_000);
    // A rendezvous costs a wake-up per message: fewer, or the run takes minutes.
    let n_zero = ctx.pick(100_000, 4_000);
    let reps = ctx.pick(3, 1);
    let shapes = [1, PRODUCERS];
    let configs: Vec<(Kind, usize, usize)> = shapes
        .iter()
        .flat_map(|&p| {
            KINDS
                .iter()
                .map(move |&k| (k, p, if k == Kind::CbZero { n_zero } else { n }))
        })
        .collect();
    let closures: Vec<Box<dyn Fn() -> f64>> = configs
        .iter()
        .map(|&(k, p, m)| Box::new(move || k.ns_per_message(p, m)) as Box<dyn Fn() -> f64>)
        .collect();
    let measures: Vec<&dyn Fn() -> f64> = closures.iter().map(|b| b.as_ref()).collect();
    let spreads = interleaved_stats(reps, &measures, || ctx.step("a channel"));
    let points: Vec<Point> = configs
        .iter()
        .zip(spreads)
        .map(|(&(k, p, m), ns)| Point {
            channel: k.name().into(),
            key: k.key().into(),
            producers: p,
            messages: m,
            ns,
        })
        .collect();

    let mut values = Values::default();
    let get = |key: &str, p: usize| {
        points
            .iter()
            .find(|pt| pt.key == key && pt.producers == p)
            .map(|pt| pt.ns.median)
            .unwrap_or(f64::NAN)
    };
    for pt in &points {
        let shape = if pt.producers == 1 { "spsc" } else { "mpsc" };
        values.nanos(&format!("{shape}_{}", pt.key), pt.ns.median);
        values.number(
            &format!("{shape}_{}_rate", pt.key),
            1e9 / pt.ns.median,
            "messages/s",
            if pt.ns.median < 1e3 {
                format!("{} million messages/s", sig(1e3 / pt.ns.median, 3))
            } else {
                format!("{} messages/s", thousands(1e9 / pt.ns.median))
            },
        );
    }
    let ratio = |v: &mut Values, key: &str, a: f64, b: f64| v.ratio(key, a / b);
    ratio(
        &mut values,
        "spsc_rendezvous_vs_bounded",
        get("crossbeam_rendezvous", 1),
        get("crossbeam_bounded", 1),
    );
    ratio(
        &mut values,
        "spsc_std_sync_vs_crossbeam_bounded",
        get("std_sync", 1),
        get("crossbeam_bounded", 1),
    );
    ratio(
        &mut values,
        "spsc_std_vs_crossbeam_unbounded",
        get("std_unbounded", 1),
        get("crossbeam_unbounded", 1),
    );
    ratio(
        &mut values,
        "spsc_crossbeam_vs_flume_bounded",
        get("crossbeam_bounded", 1),
        get("flume_bounded", 1),
    );
    ratio(
        &mut values,
        "spsc_crossbeam_vs_flume_unbounded",
        get("crossbeam_unbounded", 1),
        get("flume_unbounded", 1),
    );
    ratio(
        &mut values,
        "mpsc_vs_spsc_crossbeam_unbounded",
        get("crossbeam_unbounded", PRODUCERS),
        get("crossbeam_unbounded", 1),
    );
    ratio(
        &mut values,
        "mpsc_vs_spsc_crossbeam_bounded",
        get("crossbeam_bounded", PRODUCERS),
        get("crossbeam_bounded", 1),
    );
    // The published ratios, for the prose to set beside the measured ones.
    values.ratio("published_rendezvous_vs_bounded", 2.315 / 0.137);
    values.ratio("published_old_std_vs_crossbeam_bounded", 2.008 / 0.137);
    values.ratio("published_crossbeam_vs_flume", 56.0 / 18.0);
    let spsc: Vec<&Point> = points.iter().filter(|p| p.producers == 1).collect();
    if let Some(fast) = spsc
        .iter()
        .min_by(|a, b| a.ns.median.total_cmp(&b.ns.median))
    {
        values.text("spsc_fastest", &fast.channel);
    }
    values.number("messages", n as f64, "messages", thousands(n as f64));
    values.number(
        "producers",
        PRODUCERS as f64,
        "threads",
        PRODUCERS.to_string(),
    );
    let data = Data {
        messages: n,
        rendezvous_messages: n_zero,
        capacity: CAPACITY,
        cores: ctx.cores,
        points,
    };
    Recorded::new(values, data)
}

/// Published figures, as nanoseconds per message.
const PUBLISHED: [(&str, &str, f64); 9] = [
    (
        "crossbeam table",
        "crossbeam bounded, 1 producer",
        0.137e9 / 5e6,
    ),
    (
        "crossbeam table",
        "old std sync_channel, 1 producer",
        2.008e9 / 5e6,
    ),
    (
        "crossbeam table",
        "Go buffered channel, 1 producer",
        0.648e9 / 5e6,
    ),
    (
        "crossbeam table",
        "crossbeam rendezvous, 1 producer",
        2.315e9 / 5e6,
    ),
    (
        "crossbeam table",
        "old std rendezvous, 1 producer",
        25.1e9 / 5e6,
    ),
    (
        "crossbeam table",
        "crossbeam unbounded, 4 producers",
        0.588e9 / 5e6,
    ),
    (
        "crossbeam table",
        "old std unbounded, 4 producers",
        0.489e9 / 5e6,
    ),
    ("flume README", "flume", 18.0),
    ("flume README", "crossbeam", 56.0),
];

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "channel",
        ">1 → 1: per message",
        ">1 → 1: messages/s",
        ">4 → 1: per message",
        ">4 → 1: messages/s",
    ]);
    let cell = |s: &Spread| {
        format!(
            "{} ({} to {})",
            fmt_ns(s.median),
            fmt_ns(s.min),
            fmt_ns(s.max)
        )
    };
    let rate = |s: &Spread| {
        let per_second = 1e9 / s.median;
        if per_second >= 1e6 {
            format!("{} M", sig(per_second / 1e6, 3))
        } else {
            thousands(per_second)
        }
    };
    let mut bars = Vec::new();
    for k in KINDS {
        let one = d
            .points
            .iter()
            .find(|p| p.key == k.key() && p.producers == 1);
        let many = d
            .points
            .iter()
            .find(|p| p.key == k.key() && p.producers != 1);
        if let (Some(one), Some(many)) = (one, many) {
            table.row(vec![
                k.name().into(),
                cell(&one.ns),
                rate(&one.ns),
                cell(&many.ns),
                rate(&many.ns),
            ]);
            bars.push((format!("{}, 1 → 1", k.name()), one.ns.median));
            bars.push((format!("{}, 4 → 1", k.name()), many.ns.median));
        }
    }
    let mut anchors = Table::new(&["source", "channel", ">published, per message"]);
    for (source, what, ns) in PUBLISHED {
        anchors.row(vec![source.into(), what.into(), fmt_ns(ns)]);
    }
    let notes = format!(
        "Time per message (a send and its receive), {} `usize` messages ({} through the rendezvous channel); median of interleaved rounds, with the fastest and slowest round in brackets. 4 → 1 is four producer threads and one consumer on a machine with {} CPUs, so it is oversubscribed. Published figures: the crossbeam-channel benchmarks' older table (5,000,000 messages, 4 threads; total time divided by 5,000,000) and the flume README (a 2.8 GHz Ryzen 7); other machines, compare ratios.",
        thousands(d.messages as f64),
        thousands(d.rendezvous_messages as f64),
        d.cores
    );
    let body = format!(
        "{}\n**Published figures.**\n\n{}",
        table.to_markdown(),
        anchors.to_markdown()
    );
    let plot = BarPlot {
        title: "Time per message through a channel (send + receive)",
        x_label: "nanoseconds per message (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}
