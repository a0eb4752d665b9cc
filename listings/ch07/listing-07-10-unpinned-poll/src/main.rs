use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

async fn tick() {}

fn main() {
    let mut fut = async {
        let greeting = String::from("hello");
        // Lives in the future's own state and points into that same state.
        let borrowed = &greeting;
        tick().await;
        println!("{borrowed}");
    };
    let mut cx = Context::from_waker(Waker::noop());
    // `Pin::new` takes a plain `&mut`: fine only for types that may move.
    let _ = Pin::new(&mut fut).poll(&mut cx);
}
