//! Beazley's grep pipeline: a million log lines through a grep stage and a
//! counter, as a pull chain (Listing 7-4), as push-style handler objects
//! (Listing 7-6), and with a thread between the source and the stages, a
//! channel message per line or per batch of lines.

use super::broadcast::{Count, Grep, Sink};
use super::pipeline::{access_log, grep_count};
use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::{Result, ensure};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

const PATTERN: &str = "python";
const BATCH: usize = 1024;
/// Lines the channel between the threads may hold, in both versions.
const CHANNEL_LINES: usize = 64 * 1024;

/// Beazley, "A Curious Course on Coroutines and Concurrency" (PyCon 2009):
/// 1,000,000 lines through a grep coroutine 0.60 s, through an equivalent
/// handler object 0.92 s; a thread in the pipeline about 50 % slower.
const BEAZLEY_COROUTINE_S: f64 = 0.60;
const BEAZLEY_HANDLER_S: f64 = 0.92;
const BEAZLEY_THREAD_FACTOR: f64 = 1.5;

#[derive(Serialize, Deserialize)]
struct Data {
    lines: usize,
    matches: usize,
    reps: usize,
    iterator: Spread,
    handler: Spread,
    thread_per_line: Spread,
    thread_batched: Spread,
}

pub fn steps(quick: bool) -> u64 {
    4 * (if quick { 1 } else { 5 } + 1)
}

/// Push-style stages behind `&mut dyn Sink`, as a handler-object pipeline
/// is built: `black_box` keeps the compiler from seeing the concrete types.
fn handler(log: &str) -> usize {
    let mut count = Count::default();
    let mut grep = Grep {
        pattern: PATTERN,
        next: black_box(&mut count as &mut dyn Sink),
    };
    let stage: &mut dyn Sink = black_box(&mut grep);
    for line in log.lines() {
        stage.send(line);
    }
    stage.close();
    count.lines
}

/// The source runs in this thread, the stages in another, with one channel
/// message per line, as in Beazley's version (a `&str`: no allocation).
fn thread_per_line(log: &str) -> usize {
    let (tx, rx) = mpsc::sync_channel::<&str>(CHANNEL_LINES);
    thread::scope(|s| {
        let stages = s.spawn(move || {
            let mut count = Count::default();
            let mut grep = Grep {
                pattern: PATTERN,
                next: &mut count,
            };
            rx.iter().for_each(|line| grep.send(line));
            grep.close();
            count.lines
        });
        for line in log.lines() {
            if tx.send(line).is_err() {
                break;
            }
        }
        drop(tx);
        stages.join().expect("stage thread panicked")
    })
}

/// The same with `BATCH` lines per message; the channel holds as many lines.
fn thread_batched(log: &str) -> usize {
    let (tx, rx) = mpsc::sync_channel::<Vec<&str>>(CHANNEL_LINES / BATCH);
    thread::scope(|s| {
        let stages = s.spawn(move || {
            let mut count = Count::default();
            let mut grep = Grep {
                pattern: PATTERN,
                next: &mut count,
            };
            for lines in rx {
                lines.iter().for_each(|line| grep.send(line));
            }
            grep.close();
            count.lines
        });
        let mut lines = log.lines();
        loop {
            let chunk: Vec<&str> = lines.by_ref().take(BATCH).collect();
            if chunk.is_empty() || tx.send(chunk).is_err() {
                break;
            }
        }
        drop(tx);
        stages.join().expect("stage thread panicked")
    })
}

/// Runs `f` once over the log: nanoseconds per line.
fn per_line(lines: usize, f: impl Fn() -> usize, expected: usize) -> f64 {
    let start = Instant::now();
    let got = black_box(f());
    let ns = start.elapsed().as_secs_f64() * 1e9 / lines as f64;
    assert_eq!(got, expected, "a pipeline lost or invented lines");
    ns
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let lines = ctx.pick(1_000_000, 100_000);
    let reps = ctx.pick(5, 1);
    let log = access_log(lines);
    let matches = grep_count(&log, PATTERN);
    ensure!(handler(&log) == matches && thread_per_line(&log) == matches);
    ensure!(thread_batched(&log) == matches);
    let measures: [&dyn Fn() -> f64; 4] = [
        &|| per_line(lines, || grep_count(black_box(&log), PATTERN), matches),
        &|| per_line(lines, || handler(black_box(&log)), matches),
        &|| per_line(lines, || thread_per_line(black_box(&log)), matches),
        &|| per_line(lines, || thread_batched(black_box(&log)), matches),
    ];
    let s = interleaved_stats(reps, &measures, || ctx.step("grep"));
    let mut values = Values::default();
    values.number("lines", lines as f64, "lines", thousands(lines as f64));
    values.number(
        "matches",
        matches as f64,
        "lines",
        thousands(matches as f64),
    );
    values.nanos("iterator_ns", s[0].median);
    values.nanos("handler_ns", s[1].median);
    values.nanos("thread_line_ns", s[2].median);
    values.nanos("thread_batch_ns", s[3].median);
    values.ratio("handler_vs_iterator", s[1].median / s[0].median);
    values.ratio("thread_line_vs_iterator", s[2].median / s[0].median);
    values.ratio("thread_batch_vs_iterator", s[3].median / s[0].median);
    values.ratio("thread_line_vs_batch", s[2].median / s[3].median);
    values.ratio(
        "beazley_handler_vs_coroutine",
        BEAZLEY_HANDLER_S / BEAZLEY_COROUTINE_S,
    );
    values.ratio(
        "python_vs_iterator",
        BEAZLEY_COROUTINE_S * 1e9 / 1e6 / s[0].median,
    );
    let data = Data {
        lines,
        matches,
        reps,
        iterator: s[0],
        handler: s[1],
        thread_per_line: s[2],
        thread_batched: s[3],
    };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "pipeline",
        ">ns per line (median)",
        ">range",
        ">÷ iterator chain",
        ">Beazley, Python (ns per line)",
        ">Beazley ÷ coroutine",
    ]);
    let ns = |x: f64| sig(x, 3);
    let py = |s: f64| ns(s * 1e9 / 1e6);
    let rows: [(&str, &Spread, String, String); 4] = [
        (
            "iterator chain (pull) / Python: generator–coroutine",
            &d.iterator,
            py(BEAZLEY_COROUTINE_S),
            "1×".into(),
        ),
        (
            "handler objects, `&mut dyn Sink` (push)",
            &d.handler,
            py(BEAZLEY_HANDLER_S),
            format!("{}×", sig(BEAZLEY_HANDLER_S / BEAZLEY_COROUTINE_S, 3)),
        ),
        (
            "thread between stages, a message per line",
            &d.thread_per_line,
            py(BEAZLEY_COROUTINE_S * BEAZLEY_THREAD_FACTOR),
            format!("≈{}×", sig(BEAZLEY_THREAD_FACTOR, 2)),
        ),
        (
            "thread between stages, 1,024 lines per message",
            &d.thread_batched,
            "–".into(),
            "–".into(),
        ),
    ];
    for (name, s, beazley, beazley_ratio) in rows {
        table.row(vec![
            name.into(),
            ns(s.median),
            format!("{}–{}", ns(s.min), ns(s.max)),
            format!("{}×", sig(s.median / d.iterator.median, 3)),
            beazley,
            beazley_ratio,
        ]);
    }
    let notes = format!(
        "{} generated access-log lines in memory, {} of them containing \"{PATTERN}\"; each pipeline greps and counts them; the threaded ones through a `std::sync::mpsc` channel holding {} lines. Medians of {} interleaved rounds, with the range. Python figures: Beazley's 2009 talk (1,000,000 lines: coroutine 0.60 s, handler object 0.92 s, a thread about 50 % slower), another machine and a file read included, so compare the ratios, not the times.",
        thousands(d.lines as f64),
        thousands(d.matches as f64),
        thousands(CHANNEL_LINES as f64),
        d.reps
    );
    let plot = BarPlot {
        title: "A grep pipeline: time per line",
        x_label: "nanoseconds per line (log scale)",
        bars: vec![
            ("iterator chain".into(), d.iterator.median),
            ("handler objects (dyn Sink)".into(), d.handler.median),
            ("thread, batched".into(), d.thread_batched.median),
            ("thread, message per line".into(), d.thread_per_line.median),
            (
                "Python coroutine (Beazley 2009)".into(),
                BEAZLEY_COROUTINE_S * 1e3,
            ),
            (
                "Python handler object (Beazley 2009)".into(),
                BEAZLEY_HANDLER_S * 1e3,
            ),
        ],
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
