use listing_07_26_task_memory::*;

fn size(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes:.0} B")
    }
}

// ANCHOR: main
fn main() {
    // The exact size depends on the compiler's layout; the property does not.
    let bytes = future_bytes();
    println!(
        "future of keeps_a_buffer: its 1 KiB buffer plus under 64 bytes: {}",
        (1024..1024 + 64).contains(&bytes)
    );
    let tokio = tokio_tasks(10_000);
    println!(
        "tokio task, 10,000 alive: {} resident",
        size(tokio.resident)
    );
    let co = coroutines(1_000, 1 << 20);
    println!(
        "coroutine, 1 MiB stack, 1,000 alive: {} reserved, {} resident",
        size(co.reserved),
        size(co.resident)
    );
    let th = threads(200);
    println!(
        "OS thread, default stack, 200 alive: {} reserved, {} resident",
        size(th.reserved),
        size(th.resident)
    );
    let touched = |p: PerTask| p.resident < p.reserved / 20.0;
    println!(
        "stacks touched under 5 % of what they reserve: {}",
        touched(co) && touched(th)
    );
}
// ANCHOR_END: main
