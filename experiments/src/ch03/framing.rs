//! Listing 3-28's frame decoder on a large buffer of well-formed frames, fed
//! in 64 KiB pieces as reads from a socket would deliver them, at several
//! frame sizes; one core's memcpy bandwidth, measured in the same run, is the
//! reference.

#[allow(dead_code)]
#[path = "../../../listings/ch03/listing-03-28-frame-codec/src/lib.rs"]
mod codec;

use crate::Recorded;
use crate::harness::{
    Ctx, MAIN_MEMORY, Spread, Values, human_bytes, interleaved_stats, memcpy_rate, sig, thousands,
};
use crate::render::{LinePlot, Rendered, Series, Style, Table, fragment};
use crate::results::Results;
use anyhow::{Result, ensure};
use codec::{Decoder, encode};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [usize; 5] = [16, 100, 1024, 16 * 1024, 64 * 1024];
const CHUNK: usize = 64 * 1024;
/// The decoder's limit: above every frame size measured.
const MAX: usize = 1 << 20;

#[derive(Serialize, Deserialize)]
struct Point {
    frame: usize,
    frames: u64,
    /// GB/s of stream decoded, frames copied out (`next_frame`).
    copied: Spread,
    /// GB/s of stream decoded, frames borrowed (`next_frame_ref`).
    borrowed: Spread,
}

#[derive(Serialize, Deserialize)]
struct Data {
    total: u64,
    chunk: usize,
    memcpy: Spread,
    points: Vec<Point>,
}

pub fn steps(quick: bool) -> u64 {
    let reps = if quick { 1 } else { 5 };
    // Each of `reps` rounds plus the warm-up runs both variants per size,
    // and memcpy the same way.
    (SIZES.len() as u64 * 2 + 1) * (reps + 1)
}

fn stream_of(frame: usize, total: usize) -> (Vec<u8>, u64) {
    let payload: Vec<u8> = (0..frame).map(|i| i as u8).collect();
    let count = total / (frame + codec::HEADER);
    let mut out = Vec::with_capacity(count * (frame + codec::HEADER));
    for _ in 0..count {
        encode(&payload, MAX, &mut out).expect("frame under the limit");
    }
    (out, count as u64)
}

/// Decodes `stream` fed in `CHUNK` pieces; returns GB/s and checks the count.
fn decode(stream: &[u8], expected: u64, borrow: bool) -> f64 {
    let mut decoder = Decoder::new(MAX);
    let mut frames = 0u64;
    let mut bytes = 0usize;
    let start = Instant::now();
    for piece in stream.chunks(CHUNK) {
        decoder.feed(piece);
        if borrow {
            while let Ok(Some(frame)) = decoder.next_frame_ref() {
                bytes += black_box(frame).len();
                frames += 1;
            }
        } else {
            while let Ok(Some(frame)) = decoder.next_frame() {
                bytes += black_box(frame).len();
                frames += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(frames, expected, "every frame decoded");
    assert!(decoder.finish().is_ok() && bytes > 0);
    stream.len() as f64 / secs / 1e9
}

pub fn run(ctx: &Ctx) -> Result<Recorded> {
    let total = ctx.pick(64 << 20, 4 << 20);
    let reps = ctx.pick(5, 1);

    let budget = Duration::from_millis(ctx.pick(300, 30));
    let memcpy = interleaved_stats(reps, &[&|| memcpy_rate(MAIN_MEMORY, budget) / 1e9], || {
        ctx.step("memcpy")
    })[0];

    let mut points = Vec::new();
    for frame in SIZES {
        let (stream, count) = stream_of(frame, total);
        let label = format!("{} frames", human_bytes(frame as u64));
        let stats = interleaved_stats(
            reps,
            &[&|| decode(&stream, count, false), &|| {
                decode(&stream, count, true)
            }],
            || ctx.step(&label),
        );
        points.push(Point {
            frame,
            frames: count,
            copied: stats[0],
            borrowed: stats[1],
        });
    }
    ensure!(!points.is_empty(), "no frame sizes measured");

    let mut values = Values::default();
    let gbps = |v: f64| format!("{} GB/s", sig(v, 2));
    values.number("memcpy", memcpy.median, "GB/s", gbps(memcpy.median));
    values.number("total", total as f64, "bytes", human_bytes(total as u64));
    for p in &points {
        let key = match p.frame {
            16 => "16b",
            100 => "100b",
            1024 => "1k",
            16384 => "16k",
            _ => "64k",
        };
        values.number(
            &format!("copied_{key}"),
            p.copied.median,
            "GB/s",
            gbps(p.copied.median),
        );
        values.number(
            &format!("borrowed_{key}"),
            p.borrowed.median,
            "GB/s",
            gbps(p.borrowed.median),
        );
        let share = p.borrowed.median / memcpy.median * 100.0;
        values.number(
            &format!("borrowed_{key}_of_memcpy"),
            share,
            "%",
            format!("{} %", sig(share, 2)),
        );
    }
    let first = |f: fn(&Point) -> f64| {
        points
            .iter()
            .find(|p| f(p) >= 1.0)
            .map_or("none of the sizes".to_string(), |p| {
                human_bytes(p.frame as u64)
            })
    };
    values.text("copied_reaches_1gbps_at", &first(|p| p.copied.median));
    values.text("borrowed_reaches_1gbps_at", &first(|p| p.borrowed.median));
    if let Some(p) = points.first() {
        values.ratio(
            "borrowed_vs_copied_16b",
            p.borrowed.median / p.copied.median,
        );
        values.number(
            "ns_per_frame_copied_16b",
            (p.frame + codec::HEADER) as f64 / p.copied.median,
            "ns",
            format!(
                "{} ns",
                sig((p.frame + codec::HEADER) as f64 / p.copied.median, 2)
            ),
        );
        values.number(
            "ns_per_frame_borrowed_16b",
            (p.frame + codec::HEADER) as f64 / p.borrowed.median,
            "ns",
            format!(
                "{} ns",
                sig((p.frame + codec::HEADER) as f64 / p.borrowed.median, 2)
            ),
        );
    }
    Recorded::new(
        values,
        Data {
            total: total as u64,
            chunk: CHUNK,
            memcpy,
            points,
        },
    )
}

pub fn render(results: &Results) -> Result<Rendered> {
    let d: Data = crate::data_of(results)?;
    let mut table = Table::new(&[
        ">frame payload",
        ">frames",
        ">copied out (GB/s)",
        ">borrowed (GB/s)",
        ">borrowed ÷ memcpy",
    ]);
    let g = |s: &Spread| format!("{} ({}–{})", sig(s.median, 2), sig(s.min, 2), sig(s.max, 2));
    for p in &d.points {
        table.row(vec![
            human_bytes(p.frame as u64),
            thousands(p.frames as f64),
            g(&p.copied),
            g(&p.borrowed),
            format!("{} %", sig(p.borrowed.median / d.memcpy.median * 100.0, 2)),
        ]);
    }
    table.row(vec![
        "memcpy, one core".into(),
        "".into(),
        g(&d.memcpy),
        g(&d.memcpy),
        "100 %".into(),
    ]);
    let notes = format!(
        "Decoding {} of well-formed frames (4-byte prefix plus payload), fed in {} pieces. \
         *Copied out*: `next_frame` returns each payload as a new `Vec`. *Borrowed*: \
         `next_frame_ref` returns a slice of the decoder's buffer. Both copy every piece into \
         the decoder's buffer once, as `feed` does. GB/s counts stream bytes (prefixes \
         included); median of the rounds, with the range. The memcpy row copies a buffer of \
         {} over and over, larger than any cache: main memory to main memory.",
        human_bytes(d.total),
        human_bytes(d.chunk as u64),
        human_bytes(MAIN_MEMORY as u64)
    );
    let xs = |f: fn(&Point) -> f64| d.points.iter().map(|p| (p.frame as f64, f(p))).collect();
    let lo = d.points.first().map_or(16.0, |p| p.frame as f64);
    let hi = d.points.last().map_or(65536.0, |p| p.frame as f64);
    let plot = LinePlot {
        title: "Frame decoder throughput against frame size",
        x_label: "frame payload, bytes (log scale)",
        y_label: "GB/s of stream decoded (log scale)",
        log_x: true,
        log_y: true,
        x_format: Some(|x: &f64| format!("{} B", thousands(*x))),
        series: vec![
            Series {
                name: "frames copied out".into(),
                points: xs(|p| p.copied.median),
                style: Style::Measured,
                color: 1,
            },
            Series {
                name: "frames borrowed".into(),
                points: xs(|p| p.borrowed.median),
                style: Style::Measured,
                color: 0,
            },
            Series {
                name: "memcpy, one core (reference)".into(),
                points: vec![(lo, d.memcpy.median), (hi, d.memcpy.median)],
                style: Style::Reference,
                color: 0,
            },
            Series {
                name: "target: 1 GB/s".into(),
                points: vec![(lo, 1.0), (hi, 1.0)],
                style: Style::Predicted,
                color: 5,
            },
        ],
    }
    .to_svg()?;
    Ok(Rendered {
        markdown: fragment(results, &table.to_markdown(), &notes),
        plots: vec![(String::new(), plot)],
    })
}
