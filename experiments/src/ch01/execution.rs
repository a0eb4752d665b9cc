//! Native code against an interpreter: Beazley's countdown compiled
//! (Listing 1-5), run by the tiny interpreter (Listing 1-6), and run by
//! CPython when `python3` is installed, side by side with Beazley's 2010 figure.

use super::{countdown, interpreter};
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, median_of, ns_per_op, sig};
use crate::render::{Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::process::Command;

#[derive(Serialize, Deserialize)]
struct Data {
    native_ns: f64,
    interpreter_ns: f64,
    instructions_per_iteration: f64,
    /// CPython's version and nanoseconds per iteration, when installed.
    python: Option<(String, f64)>,
    /// Nanoseconds per call of an empty Python function, when installed.
    #[serde(default)]
    python_call_ns: Option<f64>,
}

/// Beazley, "Understanding the Python GIL" (2010): count(100,000,000) took
/// 7.8 s sequentially on his Mac Pro, under Python 2.6.
const BEAZLEY_NS: f64 = 7.8e9 / 1e8;

pub fn steps(_quick: bool) -> u64 {
    3
}

/// CPython's side: the median of three timed countdowns, and the time of a
/// call to an empty function, in nanoseconds.
const PYTHON_COUNTDOWN: &str = "
import sys, time, platform
def count(n):
    while n > 0:
        n -= 1
def nothing():
    pass
def median_ns(run, n):
    # CPython 3.11 and later specialise (\"quicken\") a function's bytecode
    # only once it has been called several times; until then it runs slower,
    # generic code. Warm up with short calls so that every timed run is alike.
    for _ in range(16):
        run(1000)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        run(n)
        times.append(time.perf_counter() - t0)
    return sorted(times)[1] / n * 1e9
def calls(n):
    for _ in range(n):
        nothing()
def loop_only(n):
    for _ in range(n):
        pass
n = int(sys.argv[1])
call = median_ns(calls, n) - median_ns(loop_only, n)
print(platform.python_version(), median_ns(count, n), call)
";

struct Python {
    version: String,
    countdown_ns: f64,
    call_ns: f64,
}

fn python(n: u64) -> Option<Python> {
    let out = Command::new("python3")
        .args(["-c", PYTHON_COUNTDOWN, &n.to_string()])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    Some(Python {
        version: format!("CPython {}", words.next()?),
        countdown_ns: words.next()?.parse().ok()?,
        call_ns: words.next()?.parse().ok()?,
    })
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let reps = ctx.pick(5, 1);
    let n = ctx.pick(1_000_000_000, 100_000);
    let native_ns = median_of(reps, || ns_per_op(n, || countdown::count(black_box(n))));
    ctx.step("native countdown");

    let m = ctx.pick(50_000_000, 10_000);
    let code = interpreter::countdown();
    let mut executed = 0;
    let interpreter_ns = median_of(reps, || {
        let mut locals = [m as i64];
        ns_per_op(m, || {
            executed = interpreter::run(black_box(&code), &mut locals)
        })
    });
    ctx.step("interpreted countdown");

    let python = python(ctx.pick(20_000_000, 10_000));
    ctx.step("CPython countdown");

    let mut values = Values::default();
    values.nanos("native_ns", native_ns);
    values.nanos("interpreter_ns", interpreter_ns);
    values.ratio("interpreter_ratio", interpreter_ns / native_ns);
    match &python {
        Some(py) => {
            values.nanos("python_ns", py.countdown_ns);
            values.ratio("python_ratio", py.countdown_ns / native_ns);
            values.text("python_version", &py.version);
            values.nanos("python_call_ns", py.call_ns);
        }
        None => {
            values.text("python_ns", "not measured (python3 is not installed)");
            values.text("python_ratio", "not measured");
            values.text("python_version", "CPython (not installed)");
            values.text("python_call_ns", "not measured (python3 is not installed)");
        }
    }
    values.nanos("beazley_ns", BEAZLEY_NS);
    let data = Data {
        native_ns,
        interpreter_ns,
        instructions_per_iteration: executed as f64 / m as f64,
        python_call_ns: python.as_ref().map(|p| p.call_ns),
        python: python.map(|p| (p.version, p.countdown_ns)),
    };
    Recorded::new(values, data)
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "`while n > 0: n -= 1` run by",
        ">time per iteration",
        ">relative to native",
    ]);
    let rel = |ns: f64| format!("{}×", sig(ns / d.native_ns, 3));
    table.row(vec![
        "native code (Listing 1-5)".into(),
        fmt_ns(d.native_ns),
        "1×".into(),
    ]);
    table.row(vec![
        format!(
            "the tiny interpreter (Listing 1-6), {} instructions per iteration",
            sig(d.instructions_per_iteration, 2)
        ),
        fmt_ns(d.interpreter_ns),
        rel(d.interpreter_ns),
    ]);
    match &d.python {
        Some((version, ns)) => table.row(vec![
            format!("{version}, this machine"),
            fmt_ns(*ns),
            rel(*ns),
        ]),
        None => table.row(vec![
            "CPython: not installed here".into(),
            "—".into(),
            "—".into(),
        ]),
    }
    table.row(vec![
        "CPython 2.6 on a 2010 Mac Pro: 7.8 s for n = 100,000,000 <a class=\"cite\" href=\"../appendix/bibliography.md#beazley-gil-2010\">[Beazley 2010]</a>".into(),
        fmt_ns(BEAZLEY_NS),
        "—".into(),
    ]);
    let notes = "The last row was measured on another machine in another decade: compare its order of magnitude, not its digits.";
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), notes),
        plots: Vec::new(),
    })
}
