//! The book's code blocks, tested as doc-tests. `cargo xtask test` builds the
//! book (which writes the expanded chapters to `book/markdown/`) and then runs
//! `cargo test --doc -p book-tests`.

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));
