use std::thread;

/// Recursion `depth` calls deep, each call keeping a 1 KiB array on the stack.
fn dig(depth: u32) -> u64 {
    let frame = [depth as u8; 1024];
    if depth == 0 {
        return 0;
    }
    u64::from(std::hint::black_box(frame)[0]) + dig(depth - 1)
}

fn main() -> std::io::Result<()> {
    println!(
        "available parallelism: {}",
        thread::available_parallelism()?
    );

    // ANCHOR: builder
    let worker = thread::Builder::new()
        .name("deep-diver".into())
        .stack_size(128 << 20) // 128 MiB instead of the default 2 MiB
        .spawn(|| {
            let name = thread::current().name().map(str::to_owned);
            (name, dig(20_000)) // about 20 MiB of stack
        })?;
    // ANCHOR_END: builder
    let (name, sum) = worker.join().expect("enough stack");
    println!(
        "{} reached the bottom (checksum {sum})",
        name.unwrap_or_default()
    );
    Ok(())
}
