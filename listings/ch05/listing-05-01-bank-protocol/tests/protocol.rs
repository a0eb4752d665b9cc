//! Decoding and framing against bad input: every case is a typed error.

use bytes::BytesMut;
use listing_05_01_bank_protocol::{
    Answer, DecodeError, MAX_FRAME, Op, Reply, Request, ServerError, VERSION, codec, decode, encode,
};
use tokio_util::codec::Decoder;

fn deposit() -> Request {
    Request {
        version: VERSION,
        id: 1,
        op: Op::Deposit {
            account: "alice".into(),
            amount: 5,
            key: 42,
        },
    }
}

#[test]
fn round_trips() {
    let reply = Reply {
        version: VERSION,
        id: 9,
        result: Err(ServerError::Busy),
    };
    assert_eq!(decode::<Reply>(&encode(&reply)), Ok(reply));
    let ok = Reply {
        version: VERSION,
        id: 9,
        result: Ok(Answer::Deposited { balance: 3 }),
    };
    assert_eq!(decode::<Reply>(&encode(&ok)), Ok(ok));
    assert_eq!(decode::<Request>(&encode(&deposit())), Ok(deposit()));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = encode(&deposit());
    for n in 0..bytes.len() {
        assert!(
            matches!(
                decode::<Request>(&bytes[..n]),
                Err(DecodeError::Malformed(_))
            ),
            "prefix of {n} bytes"
        );
    }
}

#[test]
fn wrong_version_is_reported_before_the_rest_is_read() {
    // Version 1 followed by bytes that are not a valid version-2 body.
    assert_eq!(
        decode::<Request>(&[1, 0xff, 0xff, 0xff]),
        Err(DecodeError::Version {
            ours: VERSION,
            theirs: 1
        })
    );
    let e: ServerError = DecodeError::Version { ours: 2, theirs: 1 }.into();
    assert_eq!(
        e,
        ServerError::Version {
            server: 2,
            client: 1
        }
    );
}

#[test]
fn garbage_and_trailing_bytes_are_errors() {
    assert!(matches!(
        decode::<Request>(&[VERSION as u8, 1, 9]),
        Err(DecodeError::Malformed(_))
    ));
    let mut long = encode(&deposit());
    long.push(0);
    assert_eq!(decode::<Request>(&long), Err(DecodeError::Trailing(1)));
    // A string length that claims far more than the frame holds.
    assert!(matches!(
        decode::<Request>(&[VERSION as u8, 1, 0, 0xff, 0xff, 0xff, 0x0f]),
        Err(DecodeError::Malformed(_))
    ));
}

#[test]
fn a_4_gib_length_claim_is_refused_without_allocating() {
    let mut codec = codec();
    let mut buf = BytesMut::from(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3][..]);
    let err = codec.decode(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(buf.capacity() < 1024, "buffer grew to {}", buf.capacity());
    // The limit itself is accepted.
    let mut ok = BytesMut::new();
    ok.extend_from_slice(&(MAX_FRAME as u32).to_be_bytes());
    ok.extend_from_slice(&vec![0; MAX_FRAME]);
    assert_eq!(codec.decode(&mut ok).unwrap().unwrap().len(), MAX_FRAME);
}

#[tokio::test]
async fn a_stream_that_ends_inside_a_frame_is_an_error() {
    use futures::StreamExt;
    let (mut a, b) = tokio::io::duplex(64);
    let mut framed = tokio_util::codec::FramedRead::new(b, codec());
    tokio::io::AsyncWriteExt::write_all(&mut a, &[0, 0, 0, 10, 1, 2])
        .await
        .unwrap();
    drop(a);
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), framed.next())
        .await
        .unwrap();
    assert!(matches!(next, Some(Err(_))), "got {next:?}");
}
