//! The frame codec at work: frames split across reads, a hostile length
//! prefix, and a stream that stops in the middle of a frame.

use listing_03_28_frame_codec::{Decoder, FrameError, encode};

const MAX: usize = 1024;

// ANCHOR: main
fn main() -> Result<(), FrameError> {
    let mut stream = Vec::new();
    for msg in ["hello", "", "a longer third frame"] {
        encode(msg.as_bytes(), MAX, &mut stream)?;
    }
    println!("3 frames encoded into {} bytes", stream.len());

    // TCP hands the reader whatever has arrived: here pieces of 3 and 7 bytes
    // that cut through prefixes and payloads alike.
    let mut decoder = Decoder::new(MAX);
    for (i, piece) in stream.chunks(7).flat_map(|c| c.chunks(3)).enumerate() {
        decoder.feed(piece);
        while let Some(frame) = decoder.next_frame()? {
            println!(
                "after piece {i:>2}: frame {:?}",
                String::from_utf8_lossy(&frame)
            );
        }
    }
    decoder.finish()?;

    // Four bytes claiming a 4 GiB frame are refused before any allocation.
    let mut hostile = Decoder::new(MAX);
    hostile.feed(&[0xff, 0xff, 0xff, 0xff, b'x']);
    println!("4 GiB prefix: {:?}", hostile.next_frame());

    // The stream ends 5 bytes into a frame of 4 + 20.
    let mut cut = Decoder::new(MAX);
    cut.feed(&stream[13..18]);
    println!(
        "cut short: {:?} then at end {:?}",
        cut.next_frame(),
        cut.finish()
    );
    Ok(())
}
// ANCHOR_END: main
