//! Compiles `c/split.c` into the static library `src/main.rs` links.

fn main() {
    println!("cargo::rerun-if-changed=c");
    cc::Build::new()
        .file("c/split.c")
        .std("c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("listing_02_22_global_state_c");
}
