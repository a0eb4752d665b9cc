use std::future::Future;
use std::mem::size_of_val;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// Returns `Pending` once (waking itself first), then `Ready`: one real
/// suspension point for the functions below.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// ANCHOR: async_fns
async fn holds_nothing() -> u8 {
    YieldOnce(false).await;
    1
}

async fn holds_u64(x: u64) -> u64 {
    YieldOnce(false).await;
    x // `x` lives across the `.await`: it is stored in the future
}

async fn holds_buffer() -> u8 {
    let buf = [7u8; 1024];
    YieldOnce(false).await;
    buf[1023] // the whole array is kept while suspended
}

async fn drops_buffer_first() -> u8 {
    let last = [7u8; 1024][1023]; // the array is gone before the `.await`
    YieldOnce(false).await;
    last
}

async fn awaits_two() -> u8 {
    // Only one child future is alive at a time: they share the space.
    holds_buffer().await + holds_buffer().await
}

async fn boxes_its_child() -> u8 {
    Box::pin(holds_buffer()).await // the child lives on the heap
}
// ANCHOR_END: async_fns

// ANCHOR: by_hand
/// `holds_u64` written by hand: one variant per place it can be.
#[allow(dead_code)] // the variants document the states; only the size is used
enum HoldsU64 {
    Start { x: u64 },
    Suspended { x: u64, waiting_on: YieldOnce },
    Done,
}
// ANCHOR_END: by_hand

// ANCHOR: run
/// Polls until ready. `YieldOnce` wakes itself, so a no-op waker suffices.
fn run<F: Future>(future: F) -> F::Output {
    // `pin!` moves the future into this frame and never lets it move again:
    // that is what a future pointing into itself needs.
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn main() {
    println!(
        "holds_nothing()      {:>5} bytes",
        size_of_val(&holds_nothing())
    );
    println!(
        "holds_u64(1)         {:>5} bytes",
        size_of_val(&holds_u64(1))
    );
    let by_hand = HoldsU64::Start { x: 1 };
    println!("HoldsU64, by hand    {:>5} bytes", size_of_val(&by_hand));
    println!(
        "holds_buffer()       {:>5} bytes",
        size_of_val(&holds_buffer())
    );
    println!(
        "drops_buffer_first() {:>5} bytes",
        size_of_val(&drops_buffer_first())
    );
    println!(
        "awaits_two()         {:>5} bytes",
        size_of_val(&awaits_two())
    );
    println!(
        "boxes_its_child()    {:>5} bytes",
        size_of_val(&boxes_its_child())
    );

    let self_referential = async {
        let greeting = String::from("hello");
        let borrowed = &greeting; // points into this future's own state
        YieldOnce(false).await;
        borrowed.len()
    };
    let sum = run(holds_u64(41)) + run(awaits_two()) as u64 + run(boxes_its_child()) as u64;
    println!(
        "results: {sum}; pinned self-referential future: {}",
        run(self_referential)
    );
}
// ANCHOR_END: run
