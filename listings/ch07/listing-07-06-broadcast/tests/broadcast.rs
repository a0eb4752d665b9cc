use listing_07_06_broadcast::*;
use std::io::ErrorKind;

#[test]
fn every_consumer_sees_every_line_in_order() {
    let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
    let (mut a, mut b) = (Collect::default(), Collect::default());
    let mut all = Broadcast {
        targets: vec![&mut a, &mut b],
    };
    assert_eq!(push_lines(text.as_bytes(), 100, &mut all).unwrap(), 1000);
    drop(all);
    let expected: Vec<String> = (0..1000).map(|i| format!("line {i}")).collect();
    assert_eq!(a.0, expected);
    assert_eq!(b.0, expected);
}

#[test]
fn close_reaches_the_end_of_every_pipeline() {
    let (mut x, mut y) = (Count::default(), Count::default());
    let mut gx = Grep {
        pattern: "x",
        next: &mut x,
    };
    let mut gy = Grep {
        pattern: "y",
        next: &mut y,
    };
    let mut all = Broadcast {
        targets: vec![&mut gx, &mut gy],
    };
    push_lines("x\ny\nxy\nz".as_bytes(), 100, &mut all).unwrap();
    drop(all);
    assert_eq!((x.lines, y.lines), (2, 2));
    assert!(x.closed && y.closed);
}

#[test]
fn an_overlong_line_is_an_error_without_reading_it_whole() {
    let mut huge = vec![b'a'; 10 << 20];
    huge.push(b'\n');
    let mut sink = Count::default();
    let err = push_lines(&huge[..], 1024, &mut sink).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert_eq!(sink.lines, 0);
    // A line of exactly the limit (newline included) still passes.
    let mut ok = vec![b'a'; 1023];
    ok.push(b'\n');
    assert_eq!(push_lines(&ok[..], 1024, &mut sink).unwrap(), 1);
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let mut sink = Count::default();
    let err = push_lines(&b"ok\n\xff\xfe\n"[..], 100, &mut sink).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert_eq!(sink.lines, 1);
    assert!(!sink.closed);
}
