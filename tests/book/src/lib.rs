//! The book's code blocks as doc-tests of this crate: build the book (which
//! writes the expanded chapters to `book/markdown/`), then run
//! `cargo test --doc -p book-tests`. The test command runs the same blocks
//! with `mdbook test` instead, against the libraries this crate's build links
//! (see xtask/src/book.rs), so that each block runs once.

// A listing shown whole may carry its own `#[cfg(test)]` module; the doc-test
// compiles it but does not run it. The listing's test run does
// (`cargo xtask test tests`), so nothing goes unchecked.
#![allow(clippy::test_attr_in_doctest)]

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));
