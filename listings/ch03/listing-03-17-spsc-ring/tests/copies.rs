//! Listings 3-18 and 3-19 carry copies of this ring so that each folder
//! builds alone; in the book's tree their code must stay identical to it
//! (only the opening doc comment, which says where the copy comes from,
//! differs).

#![cfg(not(loom))]

/// The file without its opening `//!` lines.
fn code(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_later_listings_carry_identical_copies() {
    let here = env!("CARGO_MANIFEST_DIR");
    let original = code(&std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap());
    for path in [
        "listing-03-18-ring-processes/src/lib.rs",
        "listing-03-19-futex-doorbell/src/ring.rs",
    ] {
        // Absent when this folder is copied alone: nothing to compare.
        if let Ok(copy) = std::fs::read_to_string(format!("{here}/../{path}")) {
            assert!(
                code(&copy) == original,
                "{path} differs from Listing 3-17's ring"
            );
        }
    }
}
