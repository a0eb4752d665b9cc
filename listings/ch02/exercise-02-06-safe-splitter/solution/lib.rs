//! A safe wrapper for the word splitter in `c/split.c`, which keeps its place
//! in one static variable that every thread in the process shares.

use std::ffi::{CString, c_char};
use std::sync::{Mutex, PoisonError};

// SAFETY: these declarations match the definitions in c/split.c. They are
// private to this module, so `words` is the only way into the splitter.
#[link(name = "exercise_02_06_safe_splitter_c", kind = "static")]
unsafe extern "C" {
    /// Starts splitting `text` at spaces. The splitter keeps the pointer:
    /// `text` must stay valid until `ex_split_next` has returned NULL.
    fn ex_split_start(text: *const c_char);
    /// Returns the next word as a pointer into the text, with its length in
    /// `*len`, or NULL when no word is left.
    fn ex_split_next(len: *mut usize) -> *const c_char;
}

/// The right to use the splitter. Its state is global, so its lock is too,
/// and it is held for a whole run, from the start to the last word.
static SPLITTER: Mutex<()> = Mutex::new(());

/// Splits `text` at spaces with the C splitter and returns its words in
/// order, without empty ones. Returns `None` if `text` holds a NUL byte,
/// where C would see the end of the string.
///
/// Any number of threads may call it at once; each gets its own text's words.
pub fn words(text: &str) -> Option<Vec<String>> {
    let text = CString::new(text).ok()?;
    // Nothing guarded can be left half-changed by a panic: ignore poisoning.
    let _turn = SPLITTER.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: we hold SPLITTER, so no other thread is inside the splitter;
    // `text` is NUL-terminated and outlives every call below.
    unsafe { ex_split_start(text.as_ptr()) };
    let mut words = Vec::new();
    loop {
        let mut len = 0;
        // SAFETY: as above: we hold SPLITTER and `text` is alive.
        let word = unsafe { ex_split_next(&mut len) };
        if word.is_null() {
            // The run is over and the splitter has let go of `text`.
            return Some(words);
        }
        // SAFETY: the splitter returned `len` bytes inside `text`, which is
        // alive and unchanged while we read them.
        let bytes = unsafe { std::slice::from_raw_parts(word.cast::<u8>(), len) };
        // Cut at ASCII spaces, UTF-8 text gives UTF-8 words.
        let word = std::str::from_utf8(bytes).expect("a word of UTF-8 text");
        words.push(word.to_owned());
    }
}
