//! Listing 5-25 carries a copy of this library so that its folder builds
//! alone; in the book's tree the copy must stay identical to it.

#[test]
fn the_later_listing_carries_an_identical_copy() {
    let here = env!("CARGO_MANIFEST_DIR");
    let original = std::fs::read_to_string(format!("{here}/src/lib.rs")).unwrap();
    let name = "listing-05-25-duplicate-work";
    // Absent when this folder is copied alone: nothing to compare.
    if let Ok(copy) = std::fs::read_to_string(format!("{here}/../{name}/src/lib.rs")) {
        assert!(
            copy == original,
            "{name}/src/lib.rs differs from Listing 5-24's"
        );
    }
}
