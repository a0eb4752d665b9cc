use listing_07_23_green_threads::{Channel, Scheduler, yield_now};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[test]
fn threads_take_turns_in_spawn_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new(16 * 1024);
    for id in 0..4 {
        let log = log.clone();
        sched
            .spawn(move |y| {
                for round in 0..3 {
                    log.borrow_mut().push((round, id));
                    yield_now(y);
                }
            })
            .unwrap();
    }
    // 4 threads × (3 yields + 1 final resume)
    assert_eq!(sched.run(), 16);
    let expected: Vec<_> = (0..3).flat_map(|r| (0..4).map(move |i| (r, i))).collect();
    assert_eq!(*log.borrow(), expected);
}

#[test]
fn a_thread_that_never_yields_keeps_the_cpu() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new(16 * 1024);
    let l = log.clone();
    sched
        .spawn(move |_| {
            for i in 0..3 {
                l.borrow_mut().push(format!("hog{i}"));
            }
        })
        .unwrap();
    let l = log.clone();
    sched
        .spawn(move |_| l.borrow_mut().push("other".into()))
        .unwrap();
    sched.run();
    assert_eq!(*log.borrow(), ["hog0", "hog1", "hog2", "other"]);
}

#[test]
fn ten_thousand_green_threads_finish() {
    let done = Rc::new(Cell::new(0));
    let mut sched = Scheduler::new(16 * 1024);
    for _ in 0..10_000 {
        let done = done.clone();
        sched
            .spawn(move |y| {
                yield_now(y);
                done.set(done.get() + 1);
            })
            .unwrap();
    }
    assert_eq!(sched.run(), 20_000);
    assert_eq!(done.get(), 10_000);
}

#[test]
fn channel_delivers_every_value_in_order() {
    let ch = Channel::default();
    let tx = ch.clone();
    let got = Rc::new(RefCell::new(Vec::new()));
    let g = got.clone();
    let mut sched = Scheduler::new(16 * 1024);
    // The consumer starts first and finds the channel empty.
    sched
        .spawn(move |y| {
            while let Some(v) = ch.recv(y) {
                g.borrow_mut().push(v);
            }
        })
        .unwrap();
    sched
        .spawn(move |y| {
            for v in 0..100 {
                tx.send(Some(v));
                if v % 7 == 0 {
                    yield_now(y);
                }
            }
            tx.send(None);
        })
        .unwrap();
    sched.run();
    assert_eq!(*got.borrow(), (0..100).collect::<Vec<_>>());
}

struct CountsDrops(Rc<Cell<u32>>);
impl Drop for CountsDrops {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn dropping_a_scheduler_drops_unstarted_threads() {
    let drops = Rc::new(Cell::new(0));
    {
        let mut sched = Scheduler::new(16 * 1024);
        for _ in 0..5 {
            let guard = CountsDrops(drops.clone());
            sched
                .spawn(move |y| {
                    let _guard = guard;
                    yield_now(y);
                })
                .unwrap();
        }
        // Never run: each closure, and the guard it owns, is dropped unstarted.
    }
    assert_eq!(drops.get(), 5);
}

#[test]
fn deep_recursion_fits_in_a_stack_sized_for_it() {
    fn depth(n: u32, y: &listing_07_23_green_threads::Yielder) -> u32 {
        let pad = std::hint::black_box([n as u8; 64]);
        if n == 0 {
            yield_now(y);
            return pad[0] as u32;
        }
        depth(n - 1, y) + 1
    }
    let out = Rc::new(Cell::new(0));
    let o = out.clone();
    let mut sched = Scheduler::new(4 << 20);
    sched.spawn(move |y| o.set(depth(10_000, y))).unwrap();
    sched.run();
    assert_eq!(out.get(), 10_000);
}
