use listing_02_20_toy_gil::{Gil, Load, Policy, countdown, echo_rate};
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let n = 20_000_000;
    let switch = Duration::from_millis(5);
    let interval = || {
        Gil::new(Policy::Interval {
            switch,
            io_priority: false,
        })
    };
    // ANCHOR: demo
    let one = countdown(n, 1, None);
    let two_free = countdown(n, 2, None);
    let two_gil = countdown(n, 2, Some(&interval()));
    println!("countdown of {n} on the tiny interpreter:");
    println!("  one thread:              {one:.0?}");
    println!(
        "  two threads, no GIL:     {two_free:.0?}  ({:.2}x)",
        one.as_secs_f64() / two_free.as_secs_f64()
    );
    println!(
        "  two threads, with a GIL: {two_gil:.0?}  ({:.2}x)",
        one.as_secs_f64() / two_gil.as_secs_f64()
    );

    let second = Duration::from_secs(1);
    let busy = |gil_threads, free_threads| Load {
        gil_threads,
        free_threads,
    };
    let alone = echo_rate(&interval(), busy(0, 0), second)?;
    let beside_free = echo_rate(&interval(), busy(0, 1), second)?;
    let loaded = echo_rate(&interval(), busy(1, 0), second)?;
    let fixed = echo_rate(
        &Gil::new(Policy::Interval {
            switch,
            io_priority: true,
        }),
        busy(1, 0),
        second,
    )?;
    println!("echo server under the GIL, 5 ms switch interval:");
    println!("  alone:                         {alone:.0} requests/s");
    println!("  beside a busy thread, no GIL:  {beside_free:.0} requests/s");
    println!(
        "  beside a counting GIL thread:  {loaded:.0} requests/s ({:.0}x fewer)",
        alone / loaded
    );
    println!("  the same, I/O first:           {fixed:.0} requests/s");
    // ANCHOR_END: demo
    Ok(())
}
