use listing_04_15_shutdown::{Pool, describe, serve_if_worker};
use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;
use std::time::Duration;

fn work(task: &[u8]) -> Result<Vec<u8>, String> {
    if task == b"forever" {
        loop {
            std::thread::park();
        }
    }
    Ok(task.to_ascii_uppercase())
}

/// `ECHILD`: the process is no longer our child, so it left no zombie.
fn reaped(pid: u32) -> bool {
    waitpid(Pid::from_raw(pid as i32), Some(WaitPidFlag::WNOHANG)) == Err(Errno::ECHILD)
}

// ANCHOR: main
fn main() -> std::io::Result<()> {
    serve_if_worker(work);

    // Graceful: the queue drains, then each worker reads end of file.
    let pool = Pool::new(3)?;
    let results = pool.map(vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    println!("{} results", results.iter().filter(|r| r.is_ok()).count());
    for exit in pool.shutdown() {
        println!(
            "worker {}, reaped: {}",
            describe(exit.status),
            reaped(exit.pid)
        );
    }

    // A straggler: its task never ends, so the deadline kills it.
    let pool = Pool::builder(2)
        .shutdown_grace(Duration::from_millis(200))
        .start()?;
    let ticket = pool.submit(b"forever".to_vec());
    let mut exits = pool.shutdown();
    exits.sort_by_key(|e| e.killed);
    for exit in exits {
        let how = if exit.killed {
            "killed at the deadline"
        } else {
            "closed"
        };
        println!(
            "worker {how}: {}, reaped: {}",
            describe(exit.status),
            reaped(exit.pid)
        );
    }
    if let Ok(Err(e)) = ticket.wait(Duration::from_secs(1)) {
        println!("{e}");
    }
    Ok(())
}
// ANCHOR_END: main
