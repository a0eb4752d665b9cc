use std::thread;

fn main() {
    let ctx = zmq::Context::new();
    let push = ctx.socket(zmq::PUSH).unwrap();
    push.bind("inproc://work").unwrap();
    thread::scope(|s| {
        for id in 0..2u8 {
            s.spawn(|| push.send(&[id][..], 0).unwrap());
        }
    });
}
