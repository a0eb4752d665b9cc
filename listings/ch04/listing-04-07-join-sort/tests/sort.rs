use listing_04_07_join_sort::{CUTOFF, is_sorted_in_parts, par_quicksort, random_numbers};

fn check(mut v: Vec<u32>) {
    let mut expected = v.clone();
    expected.sort();
    // A pool of its own, so that stealing happens even on a one-CPU machine.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    pool.install(|| par_quicksort(&mut v));
    assert_eq!(v, expected);
    assert!(is_sorted_in_parts(&v, 7));
}

#[test]
fn sorts_random_input_of_many_sizes() {
    for n in [0, 1, 2, 3, CUTOFF, CUTOFF + 1, 3 * CUTOFF + 17, 200_000] {
        check(random_numbers(n, n as u64 + 1));
    }
}

#[test]
fn sorts_sorted_reversed_and_equal_keys() {
    let n = 100_000;
    check((0..n).collect());
    check((0..n).rev().collect());
    // All equal: a two-way partition would recurse n / CUTOFF deep.
    check(vec![7; n as usize]);
    check(
        random_numbers(n as usize, 9)
            .iter()
            .map(|x| x % 4)
            .collect(),
    );
}

#[test]
fn the_scope_check_finds_one_element_out_of_place() {
    let mut v: Vec<u32> = (0..10_000).collect();
    assert!(is_sorted_in_parts(&v, 8));
    // Swap across a part boundary: only the overlapping element catches it.
    v.swap(1249, 1250);
    assert!(!is_sorted_in_parts(&v, 8));
    assert!(is_sorted_in_parts::<u32>(&[], 8));
    assert!(is_sorted_in_parts(&[1, 2, 3], 0));
    assert!(is_sorted_in_parts(&[1, 2, 3], 100));
}
