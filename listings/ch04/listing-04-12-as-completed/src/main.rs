use listing_04_12_as_completed::{Pool, serve_if_worker};
use std::time::Duration;

/// The task: sleep for the number of milliseconds it holds, then echo it.
fn nap(task: &[u8]) -> Result<Vec<u8>, String> {
    let ms = u64::from_le_bytes(task.try_into().map_err(|_| "expected 8 bytes")?);
    std::thread::sleep(Duration::from_millis(ms));
    Ok(task.to_vec())
}

fn millis(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    serve_if_worker(nap);
    let pool = Pool::new(4)?;

    // Four tasks of different lengths, sent at once: the shortest ends first.
    let naps: Vec<u64> = vec![600, 0, 400, 200];
    let tasks = naps.iter().map(|ms| ms.to_le_bytes().to_vec()).collect();
    for (index, result) in pool.as_completed(tasks) {
        let ms = millis(&result.expect("a nap never fails"));
        println!("task {index} finished ({ms} ms)");
    }

    // One task at a time: a ticket, and a wait with a bound.
    let slow = pool.submit(500u64.to_le_bytes().to_vec());
    let quick = pool.submit(50u64.to_le_bytes().to_vec());
    if let Ok(result) = quick.wait(Duration::from_secs(5)) {
        println!("quick ticket: {} ms", millis(&result.expect("no failure")));
    }
    match slow.wait(Duration::from_millis(10)) {
        Ok(_) => println!("slow ticket: ready already?"),
        Err(ticket) => {
            println!("slow ticket {}: not ready after 10 ms", ticket.id());
            if let Ok(result) = ticket.wait(Duration::from_secs(5)) {
                println!("slow ticket: {} ms", millis(&result.expect("no failure")));
            }
        }
    }
    Ok(())
}
// ANCHOR_END: main
