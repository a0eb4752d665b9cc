use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;

/// FNV-1a: a checksum that notices a byte out of place.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() -> std::io::Result<()> {
    for size in [1usize << 20, 16 << 20] {
        let input: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        // ANCHOR: fix
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped");
        // The writer runs beside the reader; dropping `stdin` at the end of
        // the thread is the child's end of input.
        let writer = thread::spawn(move || stdin.write_all(&input).map(|()| input));
        // Reads stdout (and stderr) to the end, then waits for the exit.
        let output = child.wait_with_output()?;
        let input = writer.join().expect("writer thread panicked")?;
        // ANCHOR_END: fix
        println!(
            "{} MiB: sent {} bytes, received {} bytes, checksums equal: {}, {}",
            size >> 20,
            input.len(),
            output.stdout.len(),
            fnv1a(&input) == fnv1a(&output.stdout),
            output.status
        );
    }
    Ok(())
}
