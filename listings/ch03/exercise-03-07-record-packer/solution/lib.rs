//! A fixed 27-byte little-endian record, as Python's
//! `struct.pack('<IBhd12s', id, kind, level, value, name)` would write it.

/// Bytes of a packed record.
pub const LEN: usize = 27;
/// Bytes of the name field.
pub const NAME_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: u32,
    pub kind: u8,
    pub level: i16,
    pub value: f64,
    /// At most 12 bytes of UTF-8, without zero bytes.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    BadName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackError {
    Short { got: usize },
    BadUtf8,
}

pub fn pack(record: &Record) -> Result<[u8; LEN], PackError> {
    let name = record.name.as_bytes();
    // A zero byte inside the name would read back as its end.
    if name.len() > NAME_LEN || name.contains(&0) {
        return Err(PackError::BadName);
    }
    let mut out = [0u8; LEN];
    out[0..4].copy_from_slice(&record.id.to_le_bytes());
    out[4] = record.kind;
    out[5..7].copy_from_slice(&record.level.to_le_bytes());
    out[7..15].copy_from_slice(&record.value.to_le_bytes());
    out[15..15 + name.len()].copy_from_slice(name);
    Ok(out)
}

pub fn unpack(buf: &[u8]) -> Result<Record, UnpackError> {
    let b: &[u8; LEN] = buf
        .first_chunk::<LEN>()
        .ok_or(UnpackError::Short { got: buf.len() })?;
    // From here on every range is inside a fixed-size array: the compiler
    // checks the slices' lengths against the arrays they become.
    let field = &b[15..LEN];
    let end = field.iter().position(|&c| c == 0).unwrap_or(NAME_LEN);
    let name = std::str::from_utf8(&field[..end]).map_err(|_| UnpackError::BadUtf8)?;
    Ok(Record {
        id: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        kind: b[4],
        level: i16::from_le_bytes([b[5], b[6]]),
        value: f64::from_le_bytes([b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14]]),
        name: name.to_owned(),
    })
}
