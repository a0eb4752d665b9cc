//! Encodes one request with postcard and with JSON, then decodes three
//! payloads that a server must refuse.

use listing_05_01_bank_protocol::{DecodeError, Op, Request, VERSION, decode, encode};

// ANCHOR: main
fn main() {
    let request = Request {
        version: VERSION,
        id: 7,
        op: Op::Deposit {
            account: "alice".into(),
            amount: 100,
            key: 0x5eed_cafe_0000_0000_0000_0000_0000_0001,
        },
    };
    let binary = encode(&request);
    let json = serde_json::to_vec(&request).expect("plain data");
    println!("postcard: {} bytes {:02x?}", binary.len(), &binary[..6]);
    println!(
        "json:     {} bytes {}",
        json.len(),
        String::from_utf8_lossy(&json)
    );
    assert_eq!(decode::<Request>(&binary), Ok(request));

    // A version-1 client: the first varint says 1, the rest is not read.
    let mut old = binary.clone();
    old[0] = 1;
    // Cut short inside the account name, and a valid message plus junk.
    let cut = &binary[..5];
    let mut long = binary.clone();
    long.extend_from_slice(&[0, 0]);
    for (what, payload) in [
        ("old version", &old[..]),
        ("truncated", cut),
        ("trailing", &long),
    ] {
        let err: DecodeError = decode::<Request>(payload).unwrap_err();
        println!("{what:<12} -> {err}");
    }
}
// ANCHOR_END: main
