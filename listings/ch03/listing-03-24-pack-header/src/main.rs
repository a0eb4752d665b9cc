//! Packing and unpacking a fixed-size record by hand, in little-endian and in
//! network (big-endian) byte order.

use std::fmt;

// ANCHOR: pack
/// The record Python writes with `struct.pack('<IHd', seq, kind, value)`.
#[derive(Debug, PartialEq)]
struct Sample {
    seq: u32,
    kind: u16,
    value: f64,
}

/// 4 + 2 + 8 bytes: the standard sizes, no padding between fields.
const LEN: usize = 14;

fn pack_le(s: &Sample) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[0..4].copy_from_slice(&s.seq.to_le_bytes());
    out[4..6].copy_from_slice(&s.kind.to_le_bytes());
    out[6..14].copy_from_slice(&s.value.to_le_bytes());
    out
}

/// Network byte order, Python's `'>IHd'` (or `'!IHd'`).
fn pack_be(s: &Sample) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[0..4].copy_from_slice(&s.seq.to_be_bytes());
    out[4..6].copy_from_slice(&s.kind.to_be_bytes());
    out[6..14].copy_from_slice(&s.value.to_be_bytes());
    out
}
// ANCHOR_END: pack

// ANCHOR: unpack
#[derive(Debug)]
enum UnpackError {
    Short { need: usize, got: usize },
}

impl fmt::Display for UnpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnpackError::Short { need, got } => write!(f, "need {need} bytes, got {got}"),
        }
    }
}

/// The `N` bytes at `at`, or an error if the input stops before them.
fn field<const N: usize>(buf: &[u8], at: usize) -> Result<[u8; N], UnpackError> {
    buf.get(at..at + N)
        // `&[u8]` to `[u8; N]` fails only if the lengths differ; `get`
        // already made them equal, so the `ok()` never discards an error.
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(UnpackError::Short {
            need: LEN,
            got: buf.len(),
        })
}

fn unpack_le(buf: &[u8]) -> Result<Sample, UnpackError> {
    Ok(Sample {
        seq: u32::from_le_bytes(field(buf, 0)?),
        kind: u16::from_le_bytes(field(buf, 4)?),
        value: f64::from_le_bytes(field(buf, 6)?),
    })
}

fn unpack_be(buf: &[u8]) -> Result<Sample, UnpackError> {
    Ok(Sample {
        seq: u32::from_be_bytes(field(buf, 0)?),
        kind: u16::from_be_bytes(field(buf, 4)?),
        value: f64::from_be_bytes(field(buf, 6)?),
    })
}
// ANCHOR_END: unpack

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

// ANCHOR: main
fn main() {
    let sample = Sample {
        seq: 7,
        kind: 2,
        value: 1.5,
    };
    let le = pack_le(&sample);
    let be = pack_be(&sample);
    println!(
        "this machine is {}-endian",
        if cfg!(target_endian = "little") {
            "little"
        } else {
            "big"
        }
    );
    println!("'<IHd' {} bytes: {}", le.len(), hex(&le));
    println!("'>IHd' {} bytes: {}", be.len(), hex(&be));

    println!(
        "unpack_le(le): {:?}",
        unpack_le(&le).map_err(|e| e.to_string())
    );
    println!(
        "unpack_be(be): {:?}",
        unpack_be(&be).map_err(|e| e.to_string())
    );
    // The bytes carry no order of their own: read with the wrong one, they
    // decode to a different, perfectly valid-looking record.
    println!(
        "unpack_be(le): {:?}",
        unpack_be(&le).map_err(|e| e.to_string())
    );
    println!(
        "unpack_le(first 10 bytes): {:?}",
        unpack_le(&le[..10]).map_err(|e| e.to_string())
    );
}
// ANCHOR_END: main
