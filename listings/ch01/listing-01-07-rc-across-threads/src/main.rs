use std::rc::Rc;
use std::thread;

fn main() {
    let shared = Rc::new(vec![1, 2, 3]);
    let copy = Rc::clone(&shared);
    let handle = thread::spawn(move || {
        println!("sum in the thread: {}", copy.iter().sum::<i32>());
    });
    handle.join().unwrap();
    println!("references left: {}", Rc::strong_count(&shared));
}
