// BoxedError keeps the description of what failed, in release builds too.
use rkyv::rancor::BoxedError as Error;
use rkyv::{Archive, Deserialize, Serialize};

// ANCHOR: archive
#[derive(Archive, Serialize, Deserialize, Debug, PartialEq)]
struct Log {
    host: String,
    code: u16,
    size: u64,
}

fn main() -> Result<(), Error> {
    let logs: Vec<Log> = (0..1_000)
        .map(|i| Log {
            host: format!("host-{:03}.example.org", i % 250),
            code: if i % 10 == 0 { 404 } else { 200 },
            size: i * 100,
        })
        .collect();
    // One contiguous, aligned buffer: what you would write to a file or socket.
    let bytes = rkyv::to_bytes::<Error>(&logs)?;
    // `access` checks every offset, length and UTF-8 string, then hands out
    // a reference into `bytes`: no parsing, no allocation, no copy.
    let archived = rkyv::access::<rkyv::Archived<Vec<Log>>, Error>(&bytes)?;
    let total: u64 = archived.iter().map(|log| log.size.to_native()).sum();
    let not_found = archived.iter().filter(|log| log.code == 404).count();
    println!("{} records in {} bytes", archived.len(), bytes.len());
    println!("record 999: {} {}", archived[999].host, archived[999].code);
    println!("total size {total}, {not_found} not found, read in place");
    // Deserialising builds ordinary owned values again, when you need them.
    let owned: Vec<Log> = rkyv::deserialize::<Vec<Log>, Error>(archived)?;
    println!("deserialised copy equal: {}", owned == logs);
    // ANCHOR_END: archive

    // ANCHOR: corrupt
    let mut flipped = bytes.to_vec();
    let at = find(&flipped, b"host-123").expect("the host name is in the archive");
    flipped[at] = 0xff; // no longer valid UTF-8
    let truncated = &bytes[..bytes.len() - 8];
    let mut shifted = rkyv::util::AlignedVec::<16>::new();
    shifted.extend_from_slice(&[0]);
    shifted.extend_from_slice(&bytes); // same bytes, one byte off alignment
    let cases: [(&str, &[u8]); 3] = [
        ("one byte flipped", &flipped),
        ("truncated", truncated),
        ("misaligned", &shifted[1..]),
    ];
    for (what, input) in cases {
        match rkyv::access::<rkyv::Archived<Vec<Log>>, Error>(input) {
            Ok(_) => println!("{what}: accepted"),
            Err(e) => println!("{what}: rejected: {}", first_line(&e)),
        }
    }
    // ANCHOR_END: corrupt
    pod_contrast();
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn first_line(e: &Error) -> String {
    // The rest of the message names addresses, which differ from run to run.
    let text = e.to_string();
    text.split(": ptr").next().unwrap_or_default().to_string()
}

// ANCHOR: pod
/// Plain old data: no pointers, no padding, every bit pattern a valid value.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct Sample {
    timestamp_ns: u64,
    value: f64,
}

fn pod_contrast() {
    let samples = [
        Sample {
            timestamp_ns: 1,
            value: 0.5,
        },
        Sample {
            timestamp_ns: 2,
            value: 1.5,
        },
    ];
    let bytes: &[u8] = bytemuck::cast_slice(&samples);
    // Reading back needs only a length and an alignment check.
    let back: &[Sample] = bytemuck::try_cast_slice(bytes).expect("same length and alignment");
    println!(
        "{} samples from {} bytes, equal: {}",
        back.len(),
        bytes.len(),
        back == samples
    );
    let short = bytemuck::try_cast_slice::<u8, Sample>(&bytes[..bytes.len() - 1]);
    println!("one byte short: {short:?}");
}
// ANCHOR_END: pod
