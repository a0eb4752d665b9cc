//! A copy of Listing 5-2's src/lib.rs, so this folder builds on its own.

// The modules name this crate by its package name rather than `crate`, so
// that each file the book shows also compiles on its own as a doc-test.
extern crate self as listing_05_02_bank_server;

pub mod client;
pub mod faults;
pub mod protocol;
pub mod server;

pub use client::{Client, ClientError, new_key};
pub use protocol::{Answer, Op, Reply, Request, ServerError, VERSION};
pub use server::{Config, Server, ShutdownReport};
