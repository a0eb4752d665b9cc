//! What a request costs through an actor (Listing 5-8: tokio mpsc plus a
//! oneshot reply), through an `Arc<Mutex<HashMap>>`, and through ractor's
//! `call!` (Listing 5-12), with 1, 10 and 100 concurrent callers; and how the
//! actor's mailbox capacity changes its throughput with 100 callers.

use super::ractor_store::{Store, StoreMsg};
use super::store_actor::StoreHandle;
use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, thousands};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::Result;
use ractor::{Actor, ActorRef, call};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

const CALLERS: [usize; 3] = [1, 10, 100];
const CAPACITIES: [usize; 3] = [1, 16, 1_024];
/// Callers in the capacity sweep.
const SWEEP_CALLERS: usize = 100;
/// The comparison's mailbox: large enough never to be full.
const ROOMY: usize = 1_024;
const KEYS: [&str; 8] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];
/// The Tokio blog's `ping_pong` (October 2019, new scheduler, 4 workers):
/// 0.56 ms for 1,000 pings, each spawning two tasks and crossing two oneshots.
const TOKIO_PING_PONG_NS: f64 = 560.0;

#[derive(Clone)]
enum Target {
    Actor(StoreHandle),
    Mutex(Arc<Mutex<HashMap<String, u64>>>),
    Ractor(ActorRef<StoreMsg>),
}

impl Target {
    async fn add(&self, key: &str) {
        match self {
            Target::Actor(store) => {
                store.add(key, 1).await.expect("actor alive");
            }
            Target::Mutex(map) => {
                let mut map = map.lock().expect("not poisoned");
                *map.entry(key.to_string()).or_default() += 1;
            }
            Target::Ractor(store) => {
                call!(store, StoreMsg::Add, key.to_string(), 1).expect("ractor alive");
            }
        }
    }
}

/// Seconds for `total` adds split among `callers` tasks.
fn timed(rt: &Runtime, target: &Target, callers: usize, total: usize) -> f64 {
    let per = total / callers;
    rt.block_on(async {
        let start = Instant::now();
        let mut set = JoinSet::new();
        for c in 0..callers {
            let target = target.clone();
            set.spawn(async move {
                let key = KEYS[c % KEYS.len()];
                for _ in 0..per {
                    target.add(key).await;
                }
            });
        }
        set.join_all().await;
        start.elapsed().as_secs_f64() / (per * callers) as f64
    })
}

/// Seconds per message for `total` one-way messages from one producer to a
/// consumer task through a mailbox of `capacity`: no replies, so the
/// producer runs ahead until the mailbox is full.
fn one_way(rt: &Runtime, capacity: usize, total: usize) -> f64 {
    rt.block_on(async {
        let (sender, mut mailbox) = tokio::sync::mpsc::channel::<u64>(capacity);
        let consumer = tokio::spawn(async move {
            let mut sum = 0u64;
            while let Some(v) = mailbox.recv().await {
                sum += v;
            }
            sum
        });
        let start = Instant::now();
        for i in 0..total as u64 {
            sender.send(i).await.expect("consumer alive");
        }
        drop(sender);
        let sum = consumer.await.expect("consumer finished");
        assert_eq!(sum, (0..total as u64).sum::<u64>());
        start.elapsed().as_secs_f64() / total as f64
    })
}

#[derive(Serialize, Deserialize)]
struct Point {
    callers: usize,
    actor: Spread,
    mutex: Spread,
    ractor: Spread,
}

#[derive(Serialize, Deserialize)]
struct Capacity {
    capacity: usize,
    /// Seconds per call.
    per_call: Spread,
    /// Seconds per one-way message.
    one_way: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    calls: usize,
    workers: usize,
    points: Vec<Point>,
    capacities: Vec<Capacity>,
}

fn reps(quick: bool) -> usize {
    if quick { 1 } else { 5 }
}

pub fn steps(quick: bool) -> u64 {
    ((reps(quick) + 1) * (CALLERS.len() * 3 + CAPACITIES.len() * 2)) as u64
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let calls = ctx.pick(100_000, 4_000);
    let reps = reps(ctx.quick);
    let workers = ctx.cores;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    let (actor, _) = rt.block_on(async { StoreHandle::spawn(ROOMY) });
    let (ractor, _) = rt.block_on(Actor::spawn(None, Store, ()))?;
    let targets = [
        Target::Actor(actor),
        Target::Mutex(Arc::new(Mutex::new(HashMap::new()))),
        Target::Ractor(ractor),
    ];

    let sweep: Vec<Target> = CAPACITIES
        .iter()
        .map(|&c| Target::Actor(rt.block_on(async { StoreHandle::spawn(c) }).0))
        .collect();
    let mut measures: Vec<Box<dyn Fn() -> f64 + '_>> = Vec::new();
    for callers in CALLERS {
        for target in &targets {
            let rt = &rt;
            measures.push(Box::new(move || timed(rt, target, callers, calls)));
        }
    }
    for target in &sweep {
        let rt = &rt;
        measures.push(Box::new(move || timed(rt, target, SWEEP_CALLERS, calls)));
    }
    for capacity in CAPACITIES {
        let rt = &rt;
        measures.push(Box::new(move || one_way(rt, capacity, calls)));
    }
    let refs: Vec<&dyn Fn() -> f64> = measures.iter().map(|m| m.as_ref()).collect();
    let stats = interleaved_stats(reps, &refs, || ctx.step("a batch of calls"));

    let points: Vec<Point> = CALLERS
        .iter()
        .enumerate()
        .map(|(i, &callers)| Point {
            callers,
            actor: stats[3 * i],
            mutex: stats[3 * i + 1],
            ractor: stats[3 * i + 2],
        })
        .collect();
    let capacities: Vec<Capacity> = CAPACITIES
        .iter()
        .enumerate()
        .map(|(i, &capacity)| Capacity {
            capacity,
            per_call: stats[3 * CALLERS.len() + i],
            one_way: stats[3 * CALLERS.len() + CAPACITIES.len() + i],
        })
        .collect();

    let mut values = Values::default();
    for p in &points {
        let n = p.callers;
        values.nanos(&format!("actor_{n}"), p.actor.median * 1e9);
        values.nanos(&format!("mutex_{n}"), p.mutex.median * 1e9);
        values.nanos(&format!("ractor_{n}"), p.ractor.median * 1e9);
        values.ratio(
            &format!("actor_vs_mutex_{n}"),
            p.actor.median / p.mutex.median,
        );
        values.ratio(
            &format!("ractor_vs_actor_{n}"),
            p.ractor.median / p.actor.median,
        );
        let rate = 1.0 / p.actor.median;
        values.number(
            &format!("actor_rate_{n}"),
            rate,
            "calls/s",
            format!("{} calls/s", thousands(rate)),
        );
    }
    for c in &capacities {
        let rate = 1.0 / c.per_call.median;
        values.number(
            &format!("capacity_{}_rate", c.capacity),
            rate,
            "calls/s",
            format!("{} calls/s", thousands(rate)),
        );
    }
    for c in &capacities {
        values.nanos(&format!("one_way_{}", c.capacity), c.one_way.median * 1e9);
    }
    if let (Some(small), Some(large)) = (capacities.first(), capacities.last()) {
        values.ratio(
            "capacity_large_vs_1",
            small.per_call.median / large.per_call.median,
        );
        values.ratio(
            "one_way_large_vs_1",
            small.one_way.median / large.one_way.median,
        );
    }
    Recorded::new(
        values,
        Data {
            calls,
            workers,
            points,
            capacities,
        },
    )
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let ns = |s: &Spread| fmt_ns(s.median * 1e9);
    let rate = |s: &Spread| format!("{} /s", thousands(1.0 / s.median));
    let mut table = Table::new(&[
        ">callers",
        ">actor (mpsc + oneshot)",
        ">`Arc<Mutex<HashMap>>`",
        ">ractor call!",
        ">actor ÷ mutex",
        ">ractor ÷ actor",
        ">actor calls/s",
    ]);
    for p in &d.points {
        table.row(vec![
            p.callers.to_string(),
            ns(&p.actor),
            ns(&p.mutex),
            ns(&p.ractor),
            format!("{:.1}×", p.actor.median / p.mutex.median),
            format!("{:.2}×", p.ractor.median / p.actor.median),
            rate(&p.actor),
        ]);
    }
    let mut sweep = Table::new(&[
        ">mailbox capacity",
        ">request/reply, 100 callers: per call",
        ">calls/s",
        ">one-way, 1 producer: per message",
        ">messages/s",
    ]);
    for c in &d.capacities {
        sweep.row(vec![
            thousands(c.capacity as f64),
            ns(&c.per_call),
            rate(&c.per_call),
            ns(&c.one_way),
            rate(&c.one_way),
        ]);
    }
    let body = format!(
        "{}\n\nThe mailbox's capacity, for the actor with {} callers and for a bare mailbox fed by one producer that does not wait for replies:\n\n{}",
        table.to_markdown(),
        SWEEP_CALLERS,
        sweep.to_markdown()
    );
    let notes = format!(
        "Time per call is wall time divided by calls ({} calls or messages per run, split among the callers), so with many callers it is the inverse of throughput, not one caller's latency. Each call adds 1 to one of {} keys; every version allocates the key once. Tokio multi-threaded runtime with {} workers; the comparison's mailbox holds {} requests. Medians of interleaved runs. The reference line is the Tokio blog's `ping_pong` benchmark (2019, 4 workers, new scheduler): 0.56 ms for 1,000 pings, each spawning two tasks and crossing two oneshot channels — a different benchmark on another machine, shown for scale.",
        thousands(d.calls as f64),
        KEYS.len(),
        d.workers,
        thousands(ROOMY as f64)
    );
    let line = |name: &str, f: fn(&Point) -> f64, color| Series {
        name: name.into(),
        points: d
            .points
            .iter()
            .map(|p| (p.callers as f64, f(p) * 1e9))
            .collect(),
        style: Style::Measured,
        color,
    };
    let first = d.points.first().map_or(1.0, |p| p.callers as f64);
    let last = d.points.last().map_or(100.0, |p| p.callers as f64);
    let plot = LinePlot {
        title: "Time per request/reply call, by concurrent callers",
        x_label: "concurrent callers (log scale)",
        y_label: "nanoseconds per call (log scale)",
        log_x: true,
        log_y: true,
        x_format: Some(crate::render::integer_ticks),
        series: vec![
            line("actor: mpsc + oneshot (Listing 5-8)", |p| p.actor.median, 0),
            line("Arc<Mutex<HashMap>>", |p| p.mutex.median, 1),
            line("ractor call! (Listing 5-12)", |p| p.ractor.median, 2),
            Series {
                name: "Tokio blog ping_pong, per ping (2019)".into(),
                points: vec![(first, TOKIO_PING_PONG_NS), (last, TOKIO_PING_PONG_NS)],
                style: Style::Reference,
                color: 5,
            },
        ],
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}
