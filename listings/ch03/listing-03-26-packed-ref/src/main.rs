/// A wire header laid out exactly as it travels: 1 + 4 bytes, no padding.
#[repr(C, packed)]
struct Header {
    tag: u8,
    len: u32,
}

fn checked_len(len: &u32) -> u32 {
    (*len).min(1 << 20)
}

fn main() {
    let header = Header { tag: 1, len: 300 };
    // `len` sits at offset 1: a `&u32` to it would be misaligned.
    let len = checked_len(&header.len);
    println!("tag {} len {len}", { header.tag });
}
