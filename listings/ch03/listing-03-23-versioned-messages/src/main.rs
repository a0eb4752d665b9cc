use serde::{Deserialize, Serialize};
use std::fmt::Debug;

// ANCHOR: versions
/// Version 1 of a sensor reading.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct ReadingV1 {
    sensor: String,
    celsius: f32,
}

/// Version 2 adds a field. `default` lets a v2 reader accept v1 messages,
/// where the field is missing.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct ReadingV2 {
    sensor: String,
    celsius: f32,
    #[serde(default)]
    tags: Vec<String>,
}

/// A v1 reader that refuses fields it does not know instead of dropping them.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read only through Debug
struct StrictV1 {
    sensor: String,
    celsius: f32,
}
// ANCHOR_END: versions

// ANCHOR: envelope
/// Every message carries its version: postcard writes the variant's index
/// first, so a reader sees the version before it reads any field.
#[derive(Serialize, Deserialize, Debug)]
enum Envelope {
    V1(ReadingV1),
    V2(ReadingV2),
}

/// What a reader built before version 2 existed knows.
#[derive(Deserialize, Debug)]
enum OldEnvelope {
    V1(#[allow(dead_code)] ReadingV1),
}

impl From<ReadingV1> for ReadingV2 {
    fn from(v1: ReadingV1) -> Self {
        ReadingV2 {
            sensor: v1.sensor,
            celsius: v1.celsius,
            tags: Vec::new(),
        }
    }
}

/// The current reader upgrades old messages to the current type.
fn read_current(bytes: &[u8]) -> Result<ReadingV2, postcard::Error> {
    Ok(match postcard::from_bytes(bytes)? {
        Envelope::V1(old) => old.into(),
        Envelope::V2(current) => current,
    })
}
// ANCHOR_END: envelope

fn show<T: Debug, E: Debug>(what: &str, result: Result<T, E>) {
    match result {
        Ok(value) => println!("{what}:\n    {value:?}"),
        Err(e) => println!("{what}:\n    error: {e:?}"),
    }
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let v1 = ReadingV1 {
        sensor: "t-7".into(),
        celsius: 21.5,
    };
    let v2 = ReadingV2 {
        sensor: "t-7".into(),
        celsius: 21.5,
        tags: vec!["roof".into()],
    };
    let (v1_json, v2_json) = (serde_json::to_vec(&v1)?, serde_json::to_vec(&v2)?);
    println!("JSON carries field names:");
    show(
        "v2 reader, v1 message",
        serde_json::from_slice::<ReadingV2>(&v1_json),
    );
    show(
        "v1 reader, v2 message",
        serde_json::from_slice::<ReadingV1>(&v2_json),
    );
    show(
        "strict v1 reader, v2 message",
        serde_json::from_slice::<StrictV1>(&v2_json),
    );

    let (v1_post, v2_post) = (postcard::to_allocvec(&v1)?, postcard::to_allocvec(&v2)?);
    println!("postcard carries only values:");
    show(
        "v2 reader, v1 message",
        postcard::from_bytes::<ReadingV2>(&v1_post),
    );
    show(
        "v1 reader, v2 message",
        postcard::from_bytes::<ReadingV1>(&v2_post),
    );

    let old = postcard::to_allocvec(&Envelope::V1(v1.clone()))?;
    let new = postcard::to_allocvec(&Envelope::V2(v2.clone()))?;
    println!(
        "postcard in a versioned envelope (first byte {} or {}):",
        old[0], new[0]
    );
    show(
        "old reader, v2 message",
        postcard::from_bytes::<OldEnvelope>(&new),
    );
    show("current reader, v1 message", read_current(&old));
    show("current reader, v2 message", read_current(&new));
    Ok(())
}
// ANCHOR_END: main
