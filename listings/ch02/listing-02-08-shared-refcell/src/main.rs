use std::cell::RefCell;
use std::thread;

fn main() {
    let log = RefCell::new(Vec::new());
    thread::scope(|s| {
        for id in 0..2 {
            s.spawn(|| log.borrow_mut().push(id));
        }
    });
    println!("{:?}", log.borrow());
}
