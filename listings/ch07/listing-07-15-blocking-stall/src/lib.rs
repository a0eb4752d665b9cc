//! Listing 7-13's runtime (copied into `runtime.rs`), for the program in
//! `main.rs` that blocks it.

pub mod runtime;
pub use runtime::Runtime;
