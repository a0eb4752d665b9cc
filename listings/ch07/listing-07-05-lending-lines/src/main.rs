//! A line reader that reuses one buffer, as a Python generator may yield the
//! same bytearray again and again. As an `Iterator` it does not compile.

use std::io::BufRead;

struct Lines<R> {
    reader: R,
    buf: String,
}

impl<'a, R: BufRead> Iterator for Lines<R> {
    // Each item would borrow `buf`, which the next call overwrites.
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.buf.clear();
        match self.reader.read_line(&mut self.buf) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(self.buf.trim_end()),
        }
    }
}

fn main() {
    let lines = Lines {
        reader: "GET /a 200\nGET /b 404\n".as_bytes(),
        buf: String::new(),
    };
    // `collect` would keep every item alive at once: all borrows of one buffer.
    let all: Vec<&str> = lines.collect();
    println!("{all:?}");
}
