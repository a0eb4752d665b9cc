use listing_07_23_green_threads::{Channel, Scheduler, Yielder, yield_now};
use std::cell::RefCell;
use std::rc::Rc;

// ANCHOR: main
/// Written as blocking code: it calls `recv`, which may suspend it.
fn sum_of_lines(lines: &Channel<Option<String>>, y: &Yielder) -> usize {
    let mut total = 0;
    while let Some(line) = lines.recv(y) {
        total += line.len();
    }
    total
}

fn main() -> std::io::Result<()> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new(64 * 1024);
    for name in ["a", "b", "c"] {
        let log = log.clone();
        sched.spawn(move |y| {
            for i in 0..3 {
                log.borrow_mut().push(format!("{name}{i}"));
                yield_now(y);
            }
        })?;
    }
    let switches = sched.run();
    println!(
        "round robin: {} ({switches} switches)",
        log.borrow().join(" ")
    );

    let lines = Channel::default();
    let producer = lines.clone();
    sched.spawn(move |y| {
        for line in ["green", "threads", "share", "one", "OS", "thread"] {
            producer.send(Some(line.to_string()));
            yield_now(y);
        }
        producer.send(None);
    })?;
    let result = Rc::new(RefCell::new(0));
    let out = result.clone();
    sched.spawn(move |y| *out.borrow_mut() = sum_of_lines(&lines, y))?;
    let switches = sched.run();
    println!(
        "consumer counted {} bytes ({switches} switches)",
        result.borrow()
    );
    Ok(())
}
// ANCHOR_END: main
