//! The decoder against split, truncated, oversized and random input.

use listing_03_28_frame_codec::{Decoder, FrameError, HEADER, encode};

/// A tiny deterministic generator (xorshift64), so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn payloads(rng: &mut XorShift, count: usize, max: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|_| {
            let len = rng.below(max + 1);
            (0..len).map(|_| rng.next() as u8).collect()
        })
        .collect()
}

fn encode_all(frames: &[Vec<u8>], max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        encode(f, max, &mut out).unwrap();
    }
    out
}

/// Feeds `pieces` one by one, draining frames after each.
fn decode_pieces<'a>(
    max: usize,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<Vec<u8>>, Result<(), FrameError>) {
    let mut d = Decoder::new(max);
    let mut frames = Vec::new();
    for piece in pieces {
        d.feed(piece);
        loop {
            match d.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(e) => return (frames, Err(e)),
            }
        }
    }
    let end = d.finish();
    (frames, end)
}

#[test]
fn whole_buffer_round_trips() {
    let mut rng = XorShift(1);
    let frames = payloads(&mut rng, 200, 300);
    let stream = encode_all(&frames, 300);
    assert_eq!(decode_pieces(300, [stream.as_slice()]), (frames, Ok(())));
}

#[test]
fn byte_at_a_time_equals_whole() {
    let mut rng = XorShift(2);
    let frames = payloads(&mut rng, 100, 64);
    let stream = encode_all(&frames, 64);
    let whole = decode_pieces(64, [stream.as_slice()]);
    let bytewise = decode_pieces(64, stream.chunks(1));
    assert_eq!(whole, bytewise);
    assert_eq!(bytewise.0, frames);
}

#[test]
fn random_splits_give_the_same_frames() {
    let mut rng = XorShift(3);
    let frames = payloads(&mut rng, 300, 100);
    let stream = encode_all(&frames, 100);
    for _ in 0..200 {
        let mut pieces = Vec::new();
        let mut rest = stream.as_slice();
        while !rest.is_empty() {
            let n = 1 + rng.below(rest.len().min(150));
            let (piece, tail) = rest.split_at(n);
            pieces.push(piece);
            rest = tail;
        }
        assert_eq!(decode_pieces(100, pieces), (frames.clone(), Ok(())));
    }
}

#[test]
fn zero_copy_frames_match_copied_frames() {
    let mut rng = XorShift(4);
    let frames = payloads(&mut rng, 100, 50);
    let stream = encode_all(&frames, 50);
    let mut d = Decoder::new(50);
    let mut got = Vec::new();
    for piece in stream.chunks(17) {
        d.feed(piece);
        while let Some(f) = d.next_frame_ref().unwrap() {
            got.push(f.to_vec());
        }
    }
    assert_eq!(got, frames);
    assert_eq!(d.buffered(), 0);
}

#[test]
fn empty_frames_are_frames() {
    let stream = encode_all(&[vec![], vec![], vec![7]], 8);
    assert_eq!(
        decode_pieces(8, stream.chunks(1)).0,
        vec![vec![], vec![], vec![7]]
    );
}

#[test]
fn prefix_over_the_maximum_is_too_large_and_sticks() {
    let mut d = Decoder::new(10);
    d.feed(&11u32.to_be_bytes());
    let e = FrameError::TooLarge { len: 11, max: 10 };
    assert_eq!(d.next_frame(), Err(e.clone()));
    d.feed(&[0; 100]);
    assert_eq!(d.next_frame(), Err(e.clone()));
    assert_eq!(d.finish(), Err(e));
    assert_eq!(d.buffered(), 0, "nothing after a bad prefix is kept");
}

#[test]
fn exactly_the_maximum_is_accepted() {
    let stream = encode_all(&[vec![9; 10]], 10);
    assert_eq!(
        decode_pieces(10, [stream.as_slice()]),
        (vec![vec![9; 10]], Ok(()))
    );
}

#[test]
fn encoder_refuses_oversized_payloads() {
    let mut out = Vec::new();
    assert_eq!(
        encode(&[0; 11], 10, &mut out),
        Err(FrameError::TooLarge { len: 11, max: 10 })
    );
    assert!(out.is_empty());
}

#[test]
fn four_gib_prefix_is_rejected_without_growing_the_buffer() {
    let mut d = Decoder::new(1 << 20);
    d.feed(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    assert_eq!(
        d.next_frame(),
        Err(FrameError::TooLarge {
            len: u32::MAX as u64,
            max: 1 << 20
        })
    );
}

#[test]
fn every_truncation_is_reported_at_end_of_stream() {
    let stream = encode_all(&[b"abcdef".to_vec()], 64);
    for cut in 1..stream.len() {
        let (frames, end) = decode_pieces(64, [&stream[..cut]]);
        assert!(frames.is_empty());
        let need = if cut < HEADER { HEADER } else { stream.len() };
        assert_eq!(
            end,
            Err(FrameError::Truncated { have: cut, need }),
            "cut at {cut}"
        );
    }
    assert_eq!(decode_pieces(64, [&stream[..0]]), (vec![], Ok(())));
}

#[test]
fn garbage_never_panics_and_stays_bounded() {
    let mut rng = XorShift(5);
    for round in 0..500 {
        let len = rng.below(2000);
        let junk: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let mut d = Decoder::new(256);
        for piece in junk.chunks(1 + rng.below(64)) {
            d.feed(piece);
            while let Ok(Some(f)) = d.next_frame() {
                assert!(f.len() <= 256, "round {round}");
            }
            // Never more than one frame plus one piece is held.
            assert!(d.buffered() <= HEADER + 256 + 64, "round {round}");
        }
        let _ = d.finish();
    }
}
