//! Compiles `c/accum.c` into the static library `src/main.rs` links.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/accum.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("listing_02_23_shared_handle_c");
}
