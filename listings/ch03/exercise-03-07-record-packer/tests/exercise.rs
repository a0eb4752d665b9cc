//! Tests for this exercise. `cargo test -p exercise-03-07-record-packer` tests
//! your `src/lib.rs`; the book's own test run adds `--features solution` to
//! test the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_03_07_record_packer as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use ex::{LEN, NAME_LEN, PackError, Record, UnpackError, pack, unpack};

/// xorshift64: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const NAMES: [&str; 6] = ["", "a", "sensor-12", "twelve bytes", "häuser", "日本語"];

fn random_record(rng: &mut Rng) -> Record {
    Record {
        id: rng.next() as u32,
        kind: rng.next() as u8,
        level: rng.next() as i16,
        // Any bit pattern: NaNs, infinities and subnormals included.
        value: f64::from_bits(rng.next()),
        name: NAMES[(rng.next() % NAMES.len() as u64) as usize].to_string(),
    }
}

/// Equality that treats a float by its bits (NaN != NaN otherwise).
fn same(a: &Record, b: &Record) -> bool {
    a.id == b.id
        && a.kind == b.kind
        && a.level == b.level
        && a.value.to_bits() == b.value.to_bits()
        && a.name == b.name
}

fn sample() -> Record {
    Record {
        id: 0x0102_0304,
        kind: 5,
        level: -2,
        value: 1.5,
        name: "ab".into(),
    }
}

#[test]
fn golden_bytes() {
    let expected: [u8; LEN] = [
        0x04, 0x03, 0x02, 0x01, // id, little-endian
        0x05, // kind
        0xfe, 0xff, // level -2
        0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // 1.5
        b'a', b'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // name, zero-padded
    ];
    assert_eq!(pack(&sample()), Ok(expected));
    assert_eq!(unpack(&expected), Ok(sample()));
}

#[test]
fn random_records_round_trip() {
    let mut rng = Rng(42);
    for i in 0..20_000 {
        let r = random_record(&mut rng);
        let bytes = pack(&r).unwrap_or_else(|e| panic!("record {i}: {e:?}"));
        let back = unpack(&bytes).unwrap_or_else(|e| panic!("record {i}: {e:?}"));
        assert!(same(&r, &back), "record {i}: {r:?} came back as {back:?}");
    }
}

#[test]
fn every_truncation_is_rejected() {
    let bytes = pack(&sample()).unwrap();
    for cut in 0..LEN {
        assert_eq!(
            unpack(&bytes[..cut]),
            Err(UnpackError::Short { got: cut }),
            "cut at {cut}"
        );
    }
}

#[test]
fn longer_input_reads_the_first_record() {
    let mut bytes = pack(&sample()).unwrap().to_vec();
    bytes.extend_from_slice(&[0xff; 10]);
    assert_eq!(unpack(&bytes), Ok(sample()));
}

#[test]
fn invalid_utf8_in_the_name_is_rejected() {
    let mut bytes = pack(&sample()).unwrap();
    bytes[15] = 0xc3; // the first byte of a two-byte character...
    bytes[16] = b'('; // ...followed by something that cannot continue it
    assert_eq!(unpack(&bytes), Err(UnpackError::BadUtf8));
    // A multi-byte character cut by the end of the field is invalid too.
    let mut bytes = pack(&sample()).unwrap();
    bytes[15..LEN].copy_from_slice(b"abcdefghijk\xe6");
    assert_eq!(unpack(&bytes), Err(UnpackError::BadUtf8));
}

#[test]
fn a_full_twelve_byte_name_has_no_terminator() {
    let r = Record {
        name: "twelve bytes".into(),
        ..sample()
    };
    assert_eq!(r.name.len(), NAME_LEN);
    assert_eq!(unpack(&pack(&r).unwrap()), Ok(r));
}

#[test]
fn bad_names_are_refused_by_pack() {
    for name in ["thirteen byte", "a\0b", "日本語!!!!"] {
        let r = Record {
            name: name.into(),
            ..sample()
        };
        assert_eq!(pack(&r), Err(PackError::BadName), "{name:?}");
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(7);
    let mut ok = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % (LEN as u64 + 8)) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        match unpack(&bytes) {
            Ok(r) => {
                ok += 1;
                assert!(r.name.len() <= NAME_LEN);
            }
            Err(UnpackError::Short { got }) => assert!(got < LEN && got == len),
            Err(UnpackError::BadUtf8) => assert!(len >= LEN),
        }
    }
    assert!(ok > 0, "some random records are valid");
}
