//! Beazley's broadcast: one log feeds three pipelines at once.

use listing_07_06_broadcast::{Broadcast, Collect, Count, Grep, push_lines};

const LOG: &str = "\
10.0.0.1 - - [24/Feb/2008:00:08:59] \"GET /python/gen.html HTTP/1.1\" 200 7587
10.0.0.2 - - [24/Feb/2008:00:09:01] \"GET /ply/ply.html HTTP/1.1\" 200 97238
10.0.0.3 - - [24/Feb/2008:00:09:02] \"GET /swig/missing HTTP/1.1\" 404 -
10.0.0.1 - - [24/Feb/2008:00:09:04] \"GET /python/coroutines.pdf HTTP/1.1\" 200 121566
10.0.0.4 - - [24/Feb/2008:00:09:07] \"GET /ply/ HTTP/1.1\" 200 3322
10.0.0.2 - - [24/Feb/2008:00:09:09] \"GET /python/old HTTP/1.1\" 404 -
";

fn main() -> std::io::Result<()> {
    // ANCHOR: main
    let (mut python, mut ply, mut missing) =
        (Count::default(), Count::default(), Collect::default());
    let mut python_grep = Grep {
        pattern: "/python/",
        next: &mut python,
    };
    let mut ply_grep = Grep {
        pattern: "/ply/",
        next: &mut ply,
    };
    let mut missing_grep = Grep {
        pattern: "\" 404 ",
        next: &mut missing,
    };
    let mut all = Broadcast {
        targets: vec![&mut python_grep, &mut ply_grep, &mut missing_grep],
    };
    let lines = push_lines(LOG.as_bytes(), 64 * 1024, &mut all)?;
    drop(all); // ends the stages' borrows of the consumers
    println!("{lines} lines pushed once each, to 3 pipelines");
    println!(
        "/python/: {} lines, closed: {}",
        python.lines, python.closed
    );
    println!("/ply/:    {} lines, closed: {}", ply.lines, ply.closed);
    for line in &missing.0 {
        println!("404: {line}");
    }
    // ANCHOR_END: main
    Ok(())
}
