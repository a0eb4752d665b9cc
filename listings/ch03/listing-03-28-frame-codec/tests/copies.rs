//! Listing 3-29 carries a copy of this codec (its src/codec.rs) so that its
//! folder builds alone; in the book's tree the code must stay identical to
//! it (only the opening doc comment, which says where the copy comes from,
//! differs).

/// The file without its opening `//!` lines.
fn code(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn listing_3_29_carries_an_identical_copy() {
    let here = env!("CARGO_MANIFEST_DIR");
    let original = code(&std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap());
    let path = "listing-03-29-kv-protocol/src/codec.rs";
    // Absent when this folder is copied alone: nothing to compare.
    if let Ok(copy) = std::fs::read_to_string(format!("{here}/../{path}")) {
        assert!(
            code(&copy) == original,
            "{path} differs from Listing 3-28's codec"
        );
    }
}
