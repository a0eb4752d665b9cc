//! Size, alignment, field offsets and padding of one struct under three
//! representations.

use std::mem::{align_of, offset_of, size_of};

// ANCHOR: types
/// The default representation, `repr(Rust)`: the compiler picks the order.
#[allow(dead_code)]
struct Plain {
    a: u8,
    b: u32,
    c: u16,
    d: u64,
}

/// C's rules: declaration order, each field at a multiple of its alignment.
#[allow(dead_code)]
#[repr(C)]
struct C {
    a: u8,
    b: u32,
    c: u16,
    d: u64,
}

/// C's order with no padding at all: the struct's alignment drops to 1.
#[repr(C, packed)]
struct Packed {
    a: u8,
    b: u32,
    c: u16,
    d: u64,
}
// ANCHOR_END: types

// ANCHOR: map
/// One character per byte of the struct: the field that owns it, or `.`
/// for a padding byte that belongs to no field.
fn byte_map(size: usize, fields: [(char, usize, usize); 4]) -> String {
    let mut map = vec!['.'; size];
    for (name, offset, len) in fields {
        map[offset..offset + len].fill(name);
    }
    map.into_iter().collect()
}

macro_rules! show {
    ($t:ty) => {{
        let fields = [
            ('a', offset_of!($t, a), 1),
            ('b', offset_of!($t, b), 4),
            ('c', offset_of!($t, c), 2),
            ('d', offset_of!($t, d), 8),
        ];
        let used: usize = fields.iter().map(|f| f.2).sum();
        println!(
            "{:<18} size {:>2}  align {}  padding {:>2}  {}",
            stringify!($t),
            size_of::<$t>(),
            align_of::<$t>(),
            size_of::<$t>() - used,
            byte_map(size_of::<$t>(), fields)
        );
    }};
}
// ANCHOR_END: map

fn main() {
    show!(Plain);
    show!(C);
    show!(Packed);

    // ANCHOR: copy
    let p = Packed {
        a: 1,
        b: 2,
        c: 3,
        d: 4,
    };
    // Reading a packed field by value is fine: the compiler emits an
    // unaligned load and hands you a copy.
    let sum = u64::from(p.a) + u64::from(p.b) + u64::from(p.c) + p.d;
    // `println!` borrows its arguments, and a reference to `p.d` could be
    // misaligned (Listing 3-26); the braces copy each field out first.
    println!(
        "Packed {{ b: {}, d: {} }} read by copy, sum {sum}",
        { p.b },
        { p.d }
    );
    // ANCHOR_END: copy
}
