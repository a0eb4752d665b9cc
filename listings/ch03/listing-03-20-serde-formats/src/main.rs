use serde::{Deserialize, Serialize};

// ANCHOR: types
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Order {
    id: u64,
    customer: Customer,
    lines: Vec<Line>,
    note: Option<String>,
    status: Status,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Customer {
    name: String,
    email: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Line {
    sku: String,
    quantity: u32,
    price_cents: u64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Status {
    Pending,
    Shipped { tracking: String },
}
// ANCHOR_END: types

fn order() -> Order {
    Order {
        id: 300,
        customer: Customer {
            name: "Ada Lovelace".into(),
            email: "ada@example.org".into(),
        },
        lines: vec![
            Line {
                sku: "KB-104".into(),
                quantity: 1,
                price_cents: 8_900,
            },
            Line {
                sku: "MS-2".into(),
                quantity: 2,
                price_cents: 1_250,
            },
        ],
        note: None,
        status: Status::Shipped {
            tracking: "1Z999".into(),
        },
    }
}

type Error = Box<dyn std::error::Error>;

// ANCHOR: formats
/// Encodes `order`, decodes the bytes, and reports the size and whether the
/// decoded value equals the original.
fn check(
    name: &str,
    order: &Order,
    encode: impl Fn(&Order) -> Result<Vec<u8>, Error>,
    decode: impl Fn(&[u8]) -> Result<Order, Error>,
) -> Result<Vec<u8>, Error> {
    let bytes = encode(order)?;
    let intact = decode(&bytes)? == *order;
    let verdict = if intact { "round-trips" } else { "CHANGED" };
    println!("{name:>22}: {:>3} bytes, {verdict}", bytes.len());
    Ok(bytes)
}

fn main() -> Result<(), Error> {
    let order = order();
    let (standard, legacy) = (bincode::config::standard(), bincode::config::legacy());
    let json = check(
        "JSON",
        &order,
        |o| Ok(serde_json::to_vec(o)?),
        |b| Ok(serde_json::from_slice(b)?),
    )?;
    check(
        "MessagePack, named",
        &order,
        |o| Ok(rmp_serde::to_vec_named(o)?),
        |b| Ok(rmp_serde::from_slice(b)?),
    )?;
    check(
        "MessagePack, compact",
        &order,
        |o| Ok(rmp_serde::to_vec(o)?),
        |b| Ok(rmp_serde::from_slice(b)?),
    )?;
    check(
        "bincode 2, fixed ints",
        &order,
        |o| Ok(bincode::serde::encode_to_vec(o, legacy)?),
        |b| Ok(bincode::serde::decode_from_slice(b, legacy)?.0),
    )?;
    check(
        "bincode 2, varints",
        &order,
        |o| Ok(bincode::serde::encode_to_vec(o, standard)?),
        |b| Ok(bincode::serde::decode_from_slice(b, standard)?.0),
    )?;
    let postcard = check(
        "postcard",
        &order,
        |o| Ok(postcard::to_allocvec(o)?),
        |b| Ok(postcard::from_bytes(b)?),
    )?;
    println!("JSON text: {}", String::from_utf8(json)?);
    let hex: Vec<String> = postcard
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("postcard starts: {} ...", hex.join(" "));
    Ok(())
}
// ANCHOR_END: formats
