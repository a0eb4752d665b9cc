use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;
use std::{env, process};

/// Set in the child's environment: "you are the worker".
const CHILD: &str = "LISTING_04_16_CHILD";
/// 4 Mi values of 8 bytes: a 32 MiB array.
const N: usize = 4 << 20;

/// The input: i / 2 for every index. Every partial sum is a multiple of
/// 0.5 far below 2^52, so the sum is exact and the same on every run.
fn input() -> Vec<f64> {
    (0..N).map(|i| i as f64 * 0.5).collect()
}

// ANCHOR: child
/// The worker: reads the whole stream, decodes it, answers with the sum.
fn child() -> io::Result<()> {
    let mut bytes = Vec::new();
    io::stdin().lock().read_to_end(&mut bytes)?; // until the parent closes
    let data: Vec<f64> = postcard::from_bytes(&bytes).map_err(io::Error::other)?;
    let sum: f64 = data.iter().sum();
    println!("{sum}");
    Ok(())
}
// ANCHOR_END: child

// ANCHOR: parent
fn main() -> io::Result<()> {
    if env::var_os(CHILD).is_some() {
        return child();
    }
    let data = input();
    let start = Instant::now();
    let mut worker = Command::new(env::current_exe()?)
        .env(CHILD, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    // Serialise into one buffer: a copy of the whole array, plus a length.
    let bytes = postcard::to_allocvec(&data).map_err(io::Error::other)?;
    let mut stdin = worker.stdin.take().expect("stdin is piped");
    stdin.write_all(&bytes)?; // 32 MiB through a 64 KiB pipe, chunk by chunk
    drop(stdin); // end of file: the child's read_to_end returns
    let out = worker.wait_with_output()?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        eprintln!("the worker failed");
        process::exit(1);
    }
    let sum: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(f64::NAN);
    let expected: f64 = data.iter().sum();
    println!("array: {} values, {} bytes", data.len(), data.len() * 8);
    println!("through the pipe: {} bytes (postcard)", bytes.len());
    println!("sum from the worker: {sum} (expected {expected})");
    println!("round trip: {:.1} ms", elapsed.as_secs_f64() * 1e3);
    Ok(())
}
// ANCHOR_END: parent
