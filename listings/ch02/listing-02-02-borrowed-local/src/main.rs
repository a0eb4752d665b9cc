use std::thread;

fn main() {
    let names = vec!["Ada", "Grace", "Barbara"];
    let handle = thread::spawn(|| {
        println!("{} names", names.len());
    });
    handle.join().unwrap();
}
