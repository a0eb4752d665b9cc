//! An export endpoint that streams rows, next to one that builds the whole
//! body first, and an allocator that measures the difference.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::BytesMut;
use futures::StreamExt;
use serde::Deserialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Every row is the same width, so a body's size is `rows * ROW_BYTES`.
pub const ROW_BYTES: u64 = 17;
const ROWS_PER_CHUNK: u64 = 4096; // 68 KiB per chunk
/// The most rows one request may ask for (about 17 GB).
pub const MAX_ROWS: u64 = 1_000_000_000;

#[derive(Deserialize)]
pub struct Export {
    rows: u64,
}

fn rows_into(buf: &mut impl Write, from: u64, to: u64) {
    for i in from..to {
        // A `String`/`BytesMut` writer cannot fail.
        let _ = writeln!(buf, "{i:010},{:05}", i % 100_000);
    }
}

// ANCHOR: stream
/// Streams `rows` rows: the body is a stream of chunks, and hyper polls it
/// for the next chunk only when the socket has room, so at most a chunk or
/// two is in memory, whatever `rows` is.
async fn export_streamed(
    State(chunks): State<Arc<AtomicU64>>,
    Query(q): Query<Export>,
) -> impl IntoResponse {
    let rows = q.rows.min(MAX_ROWS);
    let starts = (0..rows).step_by(ROWS_PER_CHUNK as usize);
    let body = futures::stream::iter(starts).map(move |from| {
        let to = (from + ROWS_PER_CHUNK).min(rows);
        let mut buf = BytesMut::with_capacity(((to - from) * ROW_BYTES) as usize);
        rows_into(&mut buf, from, to);
        chunks.fetch_add(1, Relaxed);
        Ok::<_, Infallible>(buf.freeze())
    });
    let length = (rows * ROW_BYTES).to_string(); // known up front: tell the client
    (
        [
            (header::CONTENT_TYPE, "text/csv"),
            (header::CONTENT_LENGTH, length.as_str()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// The same rows built into one `String` first: memory grows with the body.
async fn export_buffered(Query(q): Query<Export>) -> impl IntoResponse {
    let rows = q.rows.min(MAX_ROWS);
    let mut text = String::new();
    rows_into(&mut text, 0, rows);
    ([(header::CONTENT_TYPE, "text/csv")], text)
}
// ANCHOR_END: stream

/// The export routes; `chunks` counts the chunks the streamed route made.
pub fn app_counting(chunks: Arc<AtomicU64>) -> Router {
    Router::new()
        .route("/export", get(export_streamed))
        .route("/export-buffered", get(export_buffered))
        .with_state(chunks)
}

pub fn app() -> Router {
    app_counting(Arc::default())
}

/// The system allocator, counting the bytes live now and the most ever live.
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds
// `GlobalAlloc`'s contract; the counters only observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's `layout` obligations pass through to `System`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

/// Starts a new peak measurement from the bytes live now; returns them.
pub fn reset_peak() -> usize {
    let now = LIVE.load(Relaxed);
    PEAK.store(now, Relaxed);
    now
}

/// The most bytes live since `reset_peak`, above `base`.
pub fn peak_growth(base: usize) -> usize {
    PEAK.load(Relaxed).saturating_sub(base)
}
