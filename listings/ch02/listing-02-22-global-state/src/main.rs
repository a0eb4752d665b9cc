use std::ffi::{CStr, c_char};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

// SAFETY: these declarations match the definitions in c/split.c.
#[link(name = "listing_02_22_global_state_c", kind = "static")]
unsafe extern "C" {
    fn global_split_start(text: *const c_char);
    fn global_split_next(len: *mut usize) -> *const c_char;
}

/// # Safety
/// `text` must stay alive until the splitting is over, and no other thread
/// may call into the splitter at the same time.
unsafe fn start(text: &CStr) {
    // SAFETY: `text` is NUL-terminated; the caller keeps the rest of the rules.
    unsafe { global_split_start(text.as_ptr()) }
}

/// Takes up to `max` words from the splitter.
///
/// # Safety
/// The text last given to `start` must be alive, and no other thread may
/// call into the splitter at the same time.
unsafe fn take_words(max: usize) -> Vec<String> {
    let mut words = Vec::new();
    while words.len() < max {
        let mut len = 0;
        // SAFETY: the caller keeps the splitter's rules (above).
        let word = unsafe { global_split_next(&mut len) };
        if word.is_null() {
            break;
        }
        // SAFETY: the splitter returned `len` bytes inside a text still alive.
        let bytes = unsafe { std::slice::from_raw_parts(word.cast::<u8>(), len) };
        words.push(String::from_utf8_lossy(bytes).into_owned());
    }
    words
}

const TEXT_A: &CStr = c"alpha beta gamma";
const TEXT_B: &CStr = c"one two";
const PATIENCE: Duration = Duration::from_secs(10);

// ANCHOR: turns
/// Thread A: starts on its text, takes one word, gives B a turn, then
/// takes the rest.
fn thread_a(to_b: Sender<()>, from_b: Receiver<()>) -> Vec<String> {
    // SAFETY: B is waiting for its turn, so no other call overlaps these;
    // the text is 'static, so the pointer the splitter keeps stays valid.
    let mut words = unsafe {
        start(TEXT_A);
        take_words(1)
    };
    to_b.send(()).unwrap(); // B's turn
    from_b.recv_timeout(PATIENCE).expect("B never handed back");
    // SAFETY: B is waiting again; every text the splitter can point into
    // is 'static.
    words.extend(unsafe { take_words(usize::MAX) });
    to_b.send(()).unwrap(); // B's last turn
    words
}

/// Thread B: waits for its turn, starts on its own text, takes one word,
/// hands back, and takes the rest when A is done.
fn thread_b(to_a: Sender<()>, from_a: Receiver<()>) -> Vec<String> {
    from_a.recv_timeout(PATIENCE).expect("A never handed over");
    // SAFETY: A waits while B has its turn; TEXT_B is 'static.
    let mut words = unsafe {
        start(TEXT_B);
        take_words(1)
    };
    to_a.send(()).unwrap(); // A's turn
    from_a.recv_timeout(PATIENCE).expect("A never finished");
    // SAFETY: A has finished; the texts are 'static.
    words.extend(unsafe { take_words(usize::MAX) });
    words
}
// ANCHOR_END: turns

fn main() {
    let (to_b, from_a) = mpsc::channel();
    let (to_a, from_b) = mpsc::channel();
    let a = thread::spawn(move || thread_a(to_b, from_b));
    let b = thread::spawn(move || thread_b(to_a, from_a));
    for (name, text, handle) in [("A", TEXT_A, a), ("B", TEXT_B, b)] {
        let expected: Vec<&str> = text.to_str().unwrap().split(' ').collect();
        let got = handle.join().unwrap();
        println!("thread {name} split {text:?}: expected {expected:?}, got {got:?}");
    }
}
