use std::thread;

fn main() {
    let mut hits = 0;
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..1000 {
                hits += 1;
            }
        });
        s.spawn(|| {
            for _ in 0..1000 {
                hits += 1;
            }
        });
    });
    println!("hits: {hits}");
}
