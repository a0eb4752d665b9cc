//! Serialisation formats on one realistic data set, modelled on the `log`
//! data set of rust_serialization_benchmark: 10,000 web-server log records.
//! For serde_json, MessagePack, bincode 2, postcard and rkyv: time to
//! serialise, time to deserialise, and size; for rkyv also what validation
//! costs (access with and without checking, and deserialising from the
//! archive).

use crate::Recorded;
use crate::harness::{Ctx, Spread, Values, fmt_ns, interleaved_stats, sig, thousands};
use crate::render::{BarPlot, Rendered, Table, fragment};
use crate::results::Results;
use anyhow::{Result, ensure};
use rkyv::rancor;
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::Instant;

/// The data set, field for field as in the benchmark's `log` data set.
#[derive(
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
    Clone,
    Debug,
    PartialEq,
)]
pub struct Address {
    x0: u8,
    x1: u8,
    x2: u8,
    x3: u8,
}

#[derive(
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
    Clone,
    Debug,
    PartialEq,
)]
pub struct Log {
    address: Address,
    identity: String,
    userid: String,
    date: String,
    request: String,
    code: u16,
    size: u64,
}

#[derive(
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
    Clone,
    Debug,
    PartialEq,
)]
pub struct Logs {
    logs: Vec<Log>,
}

/// xorshift64: deterministic, so every run measures the same bytes.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self, min: u64, max: u64) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `n` log records in the common log format's fields.
pub fn logs(n: usize) -> Logs {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let logs = (0..n)
        .map(|_| Log {
            address: Address {
                x0: rng.next() as u8,
                x1: rng.next() as u8,
                x2: rng.next() as u8,
                x3: rng.next() as u8,
            },
            identity: rng.word(1, 8),
            userid: rng.word(1, 8),
            date: format!(
                "{:02}/{}/{}:{:02}:{:02}:{:02} -0700",
                1 + rng.below(28),
                MONTHS[rng.below(12) as usize],
                1995 + rng.below(30),
                rng.below(24),
                rng.below(60),
                rng.below(60)
            ),
            request: format!("GET /{}/{}.html HTTP/1.1", rng.word(1, 8), rng.word(1, 8)),
            code: [200, 200, 200, 304, 404, 500][rng.below(6) as usize],
            size: rng.below(100_000_000),
        })
        .collect();
    Logs { logs }
}

/// The formats, in the order the table shows them.
const FORMATS: [&str; 5] = ["serde_json", "MessagePack", "bincode 2", "postcard", "rkyv"];

/// rust_serialization_benchmark, 2023-09-06, `log` data set (10,000 records):
/// serialise, deserialise (seconds), size (bytes). Its bincode is bincode 1
/// with fixed-width integers; MessagePack is not among ANCHORS' figures.
const BENCHMARK: [(&str, f64, f64, f64); 4] = [
    ("serde_json", 4.47e-3, 8.69e-3, 1_827_461.0),
    ("bincode 2", 592e-6, 3.30e-3, 1_045_784.0),
    ("postcard", 412e-6, 3.60e-3, 724_953.0),
    ("rkyv", 311e-6, 2.50e-3, 1_011_488.0),
];
/// The benchmark's rkyv access without validation.
const BENCHMARK_RKYV_ACCESS: f64 = 1.5e-9;

#[derive(Serialize, Deserialize)]
struct Format {
    name: String,
    bytes: usize,
    serialise: Spread,
    deserialise: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    records: usize,
    reps: usize,
    formats: Vec<Format>,
    rkyv_access_checked: Spread,
    rkyv_access_unchecked: Spread,
    rkyv_deserialise_unchecked: Spread,
}

pub fn steps(quick: bool) -> u64 {
    let reps = if quick { 2 } else { 41 };
    // One warm-up round plus `reps` rounds of 13 measurements.
    (reps + 1) * 13
}

/// The archive without validation.
fn unchecked(bytes: &[u8]) -> &ArchivedLogs {
    // SAFETY: every caller passes the bytes `rkyv::to_bytes` produced from a
    // `Logs` value in `run`, unmodified since and held in an `AlignedVec`
    // (aligned as the archive needs); `run` validated these very bytes with
    // the checked `rkyv::from_bytes` before measuring anything.
    unsafe { rkyv::access_unchecked::<ArchivedLogs>(bytes) }
}

/// Seconds per call of `f`, over `iters` calls.
fn per_call<T>(iters: u32, mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / f64::from(iters)
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let records = ctx.pick(10_000, 1_000);
    let reps = ctx.pick(41, 2);
    let data = logs(records);
    let bincode_config = bincode::config::standard();

    // Encode once, check that every format gives the data back intact.
    let json = serde_json::to_vec(&data)?;
    let msgpack = rmp_serde::to_vec(&data)?;
    let bincode = bincode::serde::encode_to_vec(&data, bincode_config)?;
    let postcard = postcard::to_allocvec(&data)?;
    let rkyv_bytes = rkyv::to_bytes::<rancor::Error>(&data)?;
    ensure!(serde_json::from_slice::<Logs>(&json)? == data);
    ensure!(rmp_serde::from_slice::<Logs>(&msgpack)? == data);
    ensure!(bincode::serde::decode_from_slice::<Logs, _>(&bincode, bincode_config)?.0 == data);
    ensure!(postcard::from_bytes::<Logs>(&postcard)? == data);
    ensure!(rkyv::from_bytes::<Logs, rancor::Error>(&rkyv_bytes)? == data);

    let access_iters = ctx.pick(200_000, 1_000);
    let measures: [&dyn Fn() -> f64; 13] = [
        &|| per_call(1, || serde_json::to_vec(&data).unwrap()),
        &|| per_call(1, || serde_json::from_slice::<Logs>(&json).unwrap()),
        &|| per_call(1, || rmp_serde::to_vec(&data).unwrap()),
        &|| per_call(1, || rmp_serde::from_slice::<Logs>(&msgpack).unwrap()),
        &|| {
            per_call(1, || {
                bincode::serde::encode_to_vec(&data, bincode_config).unwrap()
            })
        },
        &|| {
            per_call(1, || {
                bincode::serde::decode_from_slice::<Logs, _>(&bincode, bincode_config).unwrap()
            })
        },
        &|| per_call(1, || postcard::to_allocvec(&data).unwrap()),
        &|| per_call(1, || postcard::from_bytes::<Logs>(&postcard).unwrap()),
        &|| per_call(1, || rkyv::to_bytes::<rancor::Error>(&data).unwrap()),
        &|| {
            per_call(1, || {
                rkyv::from_bytes::<Logs, rancor::Error>(&rkyv_bytes).unwrap()
            })
        },
        &|| {
            per_call(10, || {
                rkyv::access::<ArchivedLogs, rancor::Error>(black_box(&rkyv_bytes))
                    .unwrap()
                    .logs
                    .len()
            })
        },
        &|| {
            per_call(access_iters, || {
                unchecked(black_box(&rkyv_bytes)).logs.len()
            })
        },
        &|| {
            per_call(1, || {
                rkyv::deserialize::<Logs, rancor::Error>(unchecked(&rkyv_bytes)).unwrap()
            })
        },
    ];
    let labels = [
        "serde_json serialise",
        "serde_json deserialise",
        "MessagePack serialise",
        "MessagePack deserialise",
        "bincode serialise",
        "bincode deserialise",
        "postcard serialise",
        "postcard deserialise",
        "rkyv serialise",
        "rkyv deserialise",
        "rkyv access, checked",
        "rkyv access, unchecked",
        "rkyv deserialise, unchecked",
    ];
    let mut done = 0;
    let stats = interleaved_stats(reps, &measures, || {
        ctx.step(labels[done % labels.len()]);
        done += 1;
    });
    let sizes = [
        json.len(),
        msgpack.len(),
        bincode.len(),
        postcard.len(),
        rkyv_bytes.len(),
    ];
    let formats: Vec<Format> = FORMATS
        .iter()
        .enumerate()
        .map(|(i, name)| Format {
            name: name.to_string(),
            bytes: sizes[i],
            serialise: stats[2 * i],
            deserialise: stats[2 * i + 1],
        })
        .collect();

    let mut values = Values::default();
    values.number(
        "records",
        records as f64,
        "records",
        thousands(records as f64),
    );
    for f in &formats {
        let key = f.name.replace([' ', '_'], "").to_lowercase();
        let key = key.trim_end_matches('2');
        values.number(
            &format!("{key}_bytes"),
            f.bytes as f64,
            "bytes",
            thousands(f.bytes as f64),
        );
        values.nanos(&format!("{key}_serialise"), f.serialise.median * 1e9);
        values.nanos(&format!("{key}_deserialise"), f.deserialise.median * 1e9);
    }
    let by = |name: &str| {
        formats
            .iter()
            .find(|f| f.name == name)
            .expect("format measured")
    };
    let (json_f, post_f, rkyv_f) = (by("serde_json"), by("postcard"), by("rkyv"));
    values.ratio(
        "json_vs_postcard_size",
        json_f.bytes as f64 / post_f.bytes as f64,
    );
    values.ratio(
        "json_vs_postcard_deserialise",
        json_f.deserialise.median / post_f.deserialise.median,
    );
    values.ratio(
        "json_vs_postcard_serialise",
        json_f.serialise.median / post_f.serialise.median,
    );
    values.ratio("benchmark_json_vs_postcard_size", 1_827_461.0 / 724_953.0);
    values.ratio("benchmark_json_vs_postcard_deserialise", 8.69 / 3.60);
    values.ratio("benchmark_json_vs_postcard_serialise", 4.47 / 0.412);
    values.ratio(
        "postcard_vs_rkyv_deserialise",
        post_f.deserialise.median / stats[12].median,
    );
    values.ratio("benchmark_postcard_vs_rkyv_deserialise", 3.60 / 2.50);
    values.number(
        "postcard_bytes_per_record",
        post_f.bytes as f64 / records as f64,
        "bytes",
        sig(post_f.bytes as f64 / records as f64, 3),
    );
    values.number(
        "benchmark_postcard_bytes_per_record",
        72.5,
        "bytes",
        "72.5".into(),
    );
    values.nanos("rkyv_access_checked", stats[10].median * 1e9);
    values.nanos("rkyv_access_unchecked", stats[11].median * 1e9);
    values.nanos("rkyv_deserialise_unchecked", stats[12].median * 1e9);
    values.ratio(
        "rkyv_checked_vs_unchecked_access",
        stats[10].median / stats[11].median,
    );
    let share = (rkyv_f.deserialise.median - stats[12].median) / rkyv_f.deserialise.median * 100.0;
    values.number(
        "rkyv_validation_share",
        share,
        "%",
        format!("{} %", sig(share.max(0.0), 2)),
    );
    values.ratio(
        "postcard_deserialise_vs_rkyv_checked_access",
        post_f.deserialise.median / stats[10].median,
    );
    let d = Data {
        records,
        reps,
        formats,
        rkyv_access_checked: stats[10],
        rkyv_access_unchecked: stats[11],
        rkyv_deserialise_unchecked: stats[12],
    };
    Recorded::new(values, d)
}

fn time(s: f64) -> String {
    fmt_ns(s * 1e9)
}

fn spread(s: &Spread) -> String {
    format!(
        "{} ({}–{})",
        time(s.median),
        sig(s.min * 1e9 / unit(s.median), 3),
        sig(s.max * 1e9 / unit(s.median), 3)
    )
}

/// The divisor `fmt_ns` uses for a value, so a range shares its median's unit.
fn unit(s: f64) -> f64 {
    let ns = s * 1e9;
    if ns < 1e3 {
        1.0
    } else if ns < 1e6 {
        1e3
    } else if ns < 1e9 {
        1e6
    } else {
        1e9
    }
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        "format",
        ">serialise",
        ">deserialise",
        ">size",
        ">bytes per record",
        ">benchmark: serialise",
        ">benchmark: deserialise",
        ">benchmark: size",
    ]);
    for f in &d.formats {
        let anchor = BENCHMARK.iter().find(|b| b.0 == f.name);
        let (bs, bd, bb) = match anchor {
            Some(&(name, s, de, b)) => {
                // The benchmark's rkyv figure skips validation; `from_bytes`
                // here validates, like every serde format must.
                let de = if name == "rkyv" {
                    format!("{} (unchecked)", time(de))
                } else {
                    time(de)
                };
                (time(s), de, format!("{} B", thousands(b)))
            }
            None => ("—".into(), "—".into(), "—".into()),
        };
        table.row(vec![
            f.name.clone(),
            spread(&f.serialise),
            spread(&f.deserialise),
            format!("{} B", thousands(f.bytes as f64)),
            sig(f.bytes as f64 / d.records as f64, 3),
            bs,
            bd,
            bb,
        ]);
    }
    let mut rkyv = Table::new(&["rkyv: reading the archive", ">this machine", ">benchmark"]);
    rkyv.row(vec![
        "access, checked (validates every byte)".into(),
        spread(&d.rkyv_access_checked),
        "—".into(),
    ]);
    rkyv.row(vec![
        "access, unchecked (`unsafe`)".into(),
        spread(&d.rkyv_access_unchecked),
        time(BENCHMARK_RKYV_ACCESS),
    ]);
    rkyv.row(vec![
        "deserialise from the archive, unchecked".into(),
        spread(&d.rkyv_deserialise_unchecked),
        time(2.50e-3),
    ]);
    let body = format!("{}\n{}", table.to_markdown(), rkyv.to_markdown());
    let notes = format!(
        "{} log records generated deterministically (xorshift), shaped like rust_serialization_benchmark's `log` data set (10,000 records); one call serialises or deserialises all of them. Medians of {} rounds taken in turns, (min–max) in brackets. Serialising allocates a fresh buffer each time; bincode 2 uses its standard configuration (varints) and MessagePack rmp-serde's compact form (structs as arrays). Benchmark columns: rust_serialization_benchmark, 2023-09-06, on its own machine; its bincode is bincode 1 with fixed-width integers and its rkyv deserialise is unvalidated. Compare ratios between formats, not absolute times.",
        thousands(d.records as f64),
        d.reps
    );
    let mut bars: Vec<(String, f64)> = d
        .formats
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                (f.serialise.median + f.deserialise.median) * 1e3,
            )
        })
        .collect();
    for (name, s, de, _) in BENCHMARK {
        let label = match name {
            "bincode 2" => "bincode 1",
            "rkyv" => "rkyv, unchecked",
            other => other,
        };
        bars.push((format!("{label} (benchmark, 2023)"), (s + de) * 1e3));
    }
    let title = format!(
        "Serialise + deserialise {} log records",
        thousands(d.records as f64)
    );
    let plot = BarPlot {
        title: &title,
        x_label: "milliseconds (log scale)",
        bars,
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &body, &notes),
        plots: vec![(String::new(), plot)],
    })
}
