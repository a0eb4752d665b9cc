//! Compiles `c/digest.c` into the static library `src/main.rs` links.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/digest.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("listing_02_25_allow_threads_c");
}
