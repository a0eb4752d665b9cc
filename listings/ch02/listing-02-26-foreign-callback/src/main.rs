use std::ffi::{c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

/// The C library's `struct worker`, whose fields Rust never touches.
#[repr(C)]
struct RawWorker {
    _opaque: [u8; 0],
}

type Callback = extern "C" fn(user: *mut c_void, value: c_int) -> c_int;

// SAFETY: these declarations match the definitions in c/worker.c.
#[link(name = "listing_02_26_foreign_callback_c", kind = "static")]
unsafe extern "C" {
    fn worker_start(callback: Callback, user: *mut c_void, count: c_int) -> *mut RawWorker;
    fn worker_join(worker: *mut RawWorker) -> c_int;
}

// ANCHOR: callbacks
/// What C calls: it finds the Rust closure behind `user` and runs it. A
/// panic must not unwind into C (Rust would abort the process), so it is
/// caught here and turned into "stop" for the C loop.
// ANCHOR: trampoline
extern "C" fn trampoline<F>(user: *mut c_void, value: c_int) -> c_int
where
    F: Fn(i32) + Sync,
{
    // SAFETY: `on_c_thread::<F>` passed this `&F` as `user`, and `f` outlives
    // the C thread; `F: Sync` lets that thread use it.
    let f = unsafe { &*user.cast::<F>() };
    match panic::catch_unwind(AssertUnwindSafe(|| f(value))) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
// ANCHOR_END: trampoline

/// Calls `f(0)`, `f(1)`, … `f(count - 1)` on a thread the C library starts,
/// waits for that thread, and returns how many calls completed.
fn on_c_thread<F: Fn(i32) + Sync>(count: i32, f: F) -> i32 {
    let user = (&raw const f).cast_mut().cast::<c_void>();
    // SAFETY: `trampoline::<F>` reads `user` as the `&F` it is; `f` outlives
    // the C thread, because `worker_join` below waits for it to end.
    let worker = unsafe { worker_start(trampoline::<F>, user, count) };
    assert!(!worker.is_null(), "the C library could not start a thread");
    // SAFETY: `worker` came from `worker_start` and is joined exactly once.
    unsafe { worker_join(worker) }
}

fn main() {
    let me = thread::current();
    println!("main runs on thread {:?}, {:?}", me.name(), me.id());

    let (tx, rx) = mpsc::channel();
    let completed = on_c_thread(5, |i| {
        let here = thread::current(); // works on a thread Rust did not start
        let name = here.name().map(String::from);
        tx.send((i * i, name, here.id())).unwrap();
    });
    drop(tx); // the C thread has ended: every value is in the channel
    let calls: Vec<_> = rx.iter().collect();
    let squares: Vec<i32> = calls.iter().map(|call| call.0).collect();
    let (name, id) = (&calls[0].1, calls[0].2);
    println!("{completed} callbacks sent {squares:?}");
    println!(
        "they ran on thread {name:?}, {id:?}; all on that one: {}",
        calls.iter().all(|call| call.2 == id)
    );

    let completed = on_c_thread(5, |i| assert!(i != 3, "value {i} rejected"));
    println!("with a panic at 3: {completed} callbacks completed, and C stopped cleanly");
}
// ANCHOR_END: callbacks
