//! The book's code blocks, tested as doc-tests. `cargo xtask test` builds the
//! book (which writes the expanded chapters to `book/markdown/`) and then runs
//! `cargo test --doc -p book-tests`.

// A listing shown whole may carry its own `#[cfg(test)]` module; the doc-test
// compiles it but does not run it. The listing's test run does
// (`cargo xtask test tests`), so nothing goes unchecked.
#![allow(clippy::test_attr_in_doctest)]

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));
