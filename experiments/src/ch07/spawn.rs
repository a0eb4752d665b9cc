//! What a task costs to start and to keep alive: an OS thread, a tokio task,
//! a task on Listing 7-12's executor, and a corosensei coroutine. Start-up:
//! spawn a batch, run every member to completion, wait for all. Memory:
//! Listing 7-26's counters, each kind measured in a fresh process.

use super::executor::Executor;
use super::task_memory::{self as memory, PerTask};
use crate::Recorded;
use crate::harness::{Ctx, Values, fmt_ns, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::task::Poll;
use std::time::Instant;

/// The Tokio tutorial: a spawned task is one allocation of about 64 bytes.
const TOKIO_ANCHOR_BYTES: f64 = 64.0;

fn per_task_ns(n: usize, f: impl FnOnce(usize)) -> f64 {
    let start = Instant::now();
    f(n);
    start.elapsed().as_secs_f64() * 1e9 / n as f64
}

fn threads(n: usize) {
    let handles: Vec<_> = (0..n)
        .map(|i| std::thread::spawn(move || black_box(i)))
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
}

fn tokio_tasks(n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(async move { black_box(i) }))
            .collect();
        for h in handles {
            h.await.expect("task");
        }
    });
}

fn executor_tasks(n: usize) {
    let ex = Executor::new();
    let handles: Vec<_> = (0..n)
        .map(|i| ex.spawn(async move { black_box(i) }))
        .collect();
    ex.block_on(async {
        for h in handles {
            black_box(h.await);
        }
    });
}

/// `Coroutine::new`: every coroutine maps (and later unmaps) its own stack.
fn coroutines_fresh_stack(n: usize) {
    for i in 0..n {
        let mut co = Coroutine::new(move |_: &Yielder<(), ()>, ()| black_box(i));
        black_box(co.resume(()));
    }
}

/// One stack handed from coroutine to coroutine (`into_stack`): what a
/// pool of stacks saves.
fn coroutines_reused_stack(n: usize) {
    let mut stack = DefaultStack::default();
    for i in 0..n {
        let mut co = Coroutine::with_stack(stack, move |_: &Yielder<(), ()>, ()| black_box(i));
        assert!(matches!(co.resume(()), CoroutineResult::Return(_)));
        stack = co.into_stack();
    }
}

/// Returns `Pending` once (waking itself), so every spawned task gets polled.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// `n` executor tasks polled once and left pending.
fn executor_memory(n: usize) -> PerTask {
    let (per, ex) = memory::per_task(n, |n| {
        let ex = Executor::new();
        for _ in 0..n {
            drop(ex.spawn(std::future::pending::<()>()));
        }
        ex.block_on(yield_once());
        ex
    });
    drop(ex);
    per
}

/// The environment variable that makes the experiments binary measure one
/// kind of task's memory, print "reserved resident", and exit.
const CHILD: &str = "BOOK_EXPERIMENTS_CH07_SPAWN_MEMORY";

pub(crate) fn child_entry() -> Option<Result<()>> {
    let spec = std::env::var(CHILD).ok()?;
    Some((|| {
        let (kind, n) = spec
            .split_once(' ')
            .ok_or_else(|| anyhow::anyhow!("bad spec {spec:?}"))?;
        let n: usize = n.parse()?;
        let per = match kind {
            "thread" => memory::threads(n),
            "tokio" => memory::tokio_tasks(n),
            "executor" => executor_memory(n),
            "coroutine" => memory::coroutines(n, 1 << 20),
            other => anyhow::bail!("unknown kind {other}"),
        };
        println!("{} {}", per.reserved, per.resident);
        Ok(())
    })())
}

fn memory_in_fresh_process(kind: &str, n: usize) -> Result<(f64, f64)> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .env(CHILD, format!("{kind} {n}"))
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "measuring {kind} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<f64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match numbers[..] {
        [reserved, resident] => Ok((reserved, resident)),
        _ => anyhow::bail!("the child printed {text:?}"),
    }
}

#[derive(Serialize, Deserialize)]
struct Kind {
    key: String,
    name: String,
    spawned: usize,
    spawn_ns: f64,
    spawn_min: f64,
    spawn_max: f64,
    /// Tasks alive at once in the memory measurement (0: not measured).
    alive: usize,
    reserved: f64,
    resident: f64,
}

#[derive(Serialize, Deserialize)]
struct Data {
    reps: usize,
    kinds: Vec<Kind>,
}

struct Spec {
    key: &'static str,
    name: &'static str,
    spawn_full: usize,
    spawn: fn(usize),
    alive_full: usize,
}

fn specs() -> Vec<Spec> {
    vec![
        Spec {
            key: "thread",
            name: "OS thread (2 MiB stack)",
            spawn_full: 2_000,
            spawn: threads,
            alive_full: 1_000,
        },
        Spec {
            key: "tokio",
            name: "tokio task (current thread)",
            spawn_full: 200_000,
            spawn: tokio_tasks,
            alive_full: 100_000,
        },
        Spec {
            key: "executor",
            name: "task on Listing 7-12's executor",
            spawn_full: 200_000,
            spawn: executor_tasks,
            alive_full: 100_000,
        },
        Spec {
            key: "coroutine",
            name: "corosensei coroutine (1 MiB stack)",
            spawn_full: 20_000,
            spawn: coroutines_fresh_stack,
            alive_full: 10_000,
        },
        Spec {
            key: "coroutine_reused",
            name: "corosensei coroutine, stack reused",
            spawn_full: 1_000_000,
            spawn: coroutines_reused_stack,
            alive_full: 0,
        },
    ]
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 5 }
}

pub fn steps(quick: bool) -> u64 {
    let specs = specs();
    ((reps(quick) + 1) * specs.len() + specs.iter().filter(|s| s.alive_full > 0).count()) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let specs = specs();
    let reps = reps(ctx.quick);
    let counts: Vec<usize> = specs
        .iter()
        .map(|s| ctx.pick(s.spawn_full, (s.spawn_full / 100).max(20)))
        .collect();
    let closures: Vec<Box<dyn Fn() -> f64>> = specs
        .iter()
        .zip(&counts)
        .map(|(s, &n)| {
            let f = s.spawn;
            Box::new(move || per_task_ns(n, f)) as Box<dyn Fn() -> f64>
        })
        .collect();
    let refs: Vec<&dyn Fn() -> f64> = closures.iter().map(|b| b.as_ref()).collect();
    let stats = interleaved_stats(reps, &refs, || ctx.step("spawn"));
    let mut kinds = Vec::new();
    for ((s, n), st) in specs.iter().zip(counts).zip(stats) {
        let alive = if s.alive_full == 0 {
            0
        } else {
            ctx.pick(s.alive_full, (s.alive_full / 100).max(20))
        };
        let (reserved, resident) = if alive > 0 {
            let m = memory_in_fresh_process(s.key, alive)?;
            ctx.step(&format!("{} memory", s.key));
            m
        } else {
            (0.0, 0.0)
        };
        kinds.push(Kind {
            key: s.key.into(),
            name: s.name.into(),
            spawned: n,
            spawn_ns: st.median,
            spawn_min: st.min,
            spawn_max: st.max,
            alive,
            reserved,
            resident,
        });
    }
    let get = |key: &str| kinds.iter().find(|k| k.key == key);
    let mut values = Values::default();
    for k in &kinds {
        values.nanos(&format!("{}_spawn", k.key), k.spawn_ns);
        if k.alive > 0 {
            values.number(
                &format!("{}_resident", k.key),
                k.resident,
                "B",
                size(k.resident),
            );
            values.number(
                &format!("{}_reserved", k.key),
                k.reserved,
                "B",
                size(k.reserved),
            );
            values.number(
                &format!("{}_alive", k.key),
                k.alive as f64,
                "tasks",
                thousands(k.alive as f64),
            );
        }
    }
    if let (Some(t), Some(e), Some(th), Some(c), Some(cr)) = (
        get("tokio"),
        get("executor"),
        get("thread"),
        get("coroutine"),
        get("coroutine_reused"),
    ) {
        values.ratio("thread_vs_tokio_spawn", th.spawn_ns / t.spawn_ns);
        values.ratio("executor_vs_tokio_spawn", e.spawn_ns / t.spawn_ns);
        values.ratio("fresh_vs_reused_stack", c.spawn_ns / cr.spawn_ns);
        values.ratio("thread_vs_tokio_resident", th.resident / t.resident);
        values.ratio("coroutine_vs_tokio_resident", c.resident / t.resident);
        values.ratio("tokio_vs_anchor", t.resident / TOKIO_ANCHOR_BYTES);
    }
    Recorded::new(values, Data { reps, kinds })
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "task",
        ">spawn, run, join (median)",
        ">range",
        ">alive at once",
        ">address space per task",
        ">resident per task",
    ]);
    for k in &d.kinds {
        let (alive, reserved, resident) = if k.alive > 0 {
            let reserved = if matches!(k.key.as_str(), "tokio" | "executor") {
                "heap".to_string() // malloc's arena grows in large steps
            } else {
                size(k.reserved)
            };
            (thousands(k.alive as f64), reserved, size(k.resident))
        } else {
            ("—".into(), "—".into(), "—".into())
        };
        table.row(vec![
            k.name.clone(),
            fmt_ns(k.spawn_ns),
            format!("{} – {}", fmt_ns(k.spawn_min), fmt_ns(k.spawn_max)),
            alive,
            reserved,
            resident,
        ]);
    }
    table.row(vec![
        "*anchor: Tokio tutorial, one spawned task*".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("about {} B", TOKIO_ANCHOR_BYTES),
    ]);
    let notes = format!(
        "Spawn: a batch of tasks is started, each runs to completion, and all are joined; time per task, medians of {} rounds taken in turns. Memory: growth of the process's virtual size and resident set while the tasks are alive and parked (threads blocked in `recv`, tasks and coroutines suspended after their first poll or resume), divided by their number; each kind in a fresh process. A thread's address space includes the C library's per-thread malloc arena as well as its stack; tasks on an executor live on the heap, whose address space grows in large steps, so only their resident growth means something.",
        d.reps
    );
    let mut bars: Vec<(String, f64)> = d
        .kinds
        .iter()
        .filter(|k| k.alive > 0)
        .map(|k| (k.name.clone(), k.resident))
        .collect();
    bars.push(("anchor: Tokio tutorial (64 B)".into(), TOKIO_ANCHOR_BYTES));
    let memory_plot = BarPlot {
        title: "Resident memory per parked task",
        x_label: "bytes per task (log scale)",
        bars,
    }
    .to_svg()?;
    let spawn_plot = BarPlot {
        title: "Time to spawn, run and join one task",
        x_label: "nanoseconds per task (log scale)",
        bars: d
            .kinds
            .iter()
            .map(|k| (k.name.clone(), k.spawn_ns))
            .collect(),
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), memory_plot), ("-time".into(), spawn_plot)],
    })
}

/// Bytes with three significant digits: "319 B", "9.81 KiB", "1.00 MiB".
fn size(b: f64) -> String {
    if b < 1024.0 {
        format!("{} B", sig(b, 3))
    } else if b < 1024.0 * 1024.0 {
        format!("{} KiB", sig(b / 1024.0, 3))
    } else {
        format!("{} MiB", sig(b / (1024.0 * 1024.0), 3))
    }
}
