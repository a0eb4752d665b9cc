//! Compiles `c/worker.c` into the static library `src/main.rs` links.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/worker.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("listing_02_26_foreign_callback_c");
}
