//! The message decoder on its own: round trips and hostile payloads.

use listing_03_29_kv_protocol::{ProtoError, Request, Response};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn requests_and_responses_round_trip() {
    let requests = [
        Request::Get { key: b"a".to_vec() },
        Request::Put {
            key: b"".to_vec(),
            value: vec![0; 300],
        },
        Request::Delete { key: vec![0xff; 7] },
    ];
    for r in requests {
        assert_eq!(Request::decode(&r.encode().unwrap()), Ok(r));
    }
    let responses = [
        Response::Value(b"v".to_vec()),
        Response::NotFound,
        Response::Ok,
        Response::Error {
            code: 7,
            msg: "no".into(),
        },
    ];
    for r in responses {
        assert_eq!(Response::decode(&r.encode()), Ok(r));
    }
}

#[test]
fn every_truncation_of_a_request_is_an_error() {
    let full = Request::Put {
        key: b"key".to_vec(),
        value: b"value".to_vec(),
    }
    .encode()
    .unwrap();
    for cut in 0..full.len() {
        assert!(Request::decode(&full[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn unknown_types_and_trailing_bytes_are_errors() {
    assert_eq!(Request::decode(&[0x09]), Err(ProtoError::UnknownType(9)));
    assert_eq!(Request::decode(&[]), Err(ProtoError::Empty));
    assert_eq!(
        Request::decode(&[0x01, 0, 0, 1]),
        Err(ProtoError::Trailing(1))
    );
}

#[test]
fn random_payloads_never_panic() {
    let mut rng = XorShift(11);
    for _ in 0..20_000 {
        let len = (rng.next() % 40) as usize;
        let mut payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if let Some(first) = payload.first_mut() {
            *first = (*first % 4) | (rng.next() as u8 & 0x80);
        }
        let _ = Request::decode(&payload);
        let _ = Response::decode(&payload);
    }
}
