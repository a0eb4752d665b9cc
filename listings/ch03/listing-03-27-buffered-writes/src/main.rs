//! Counting the `write` calls that reach a file, with and without a buffer.

use byteorder::{BigEndian, ReadBytesExt, WriteBytesExt};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::time::{Duration, Instant};

// ANCHOR: counting
/// Passes every call through to `inner` and counts it. Wrapped around a
/// `File`, each counted `write` is one `write(2)` system call.
struct CountingWriter<W> {
    inner: W,
    calls: usize,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
// ANCHOR_END: counting

const RECORDS: u32 = 10_000;

// ANCHOR: write
/// Three fields per record, in network byte order: 4 + 2 + 8 = 14 bytes.
fn write_records(out: &mut impl Write) -> io::Result<()> {
    for seq in 0..RECORDS {
        out.write_u32::<BigEndian>(seq)?;
        out.write_u16::<BigEndian>((seq % 7) as u16)?;
        out.write_f64::<BigEndian>(f64::from(seq) * 0.5)?;
    }
    Ok(())
}

fn unbuffered(file: File) -> io::Result<(usize, Duration)> {
    let mut out = CountingWriter {
        inner: file,
        calls: 0,
    };
    let start = Instant::now();
    write_records(&mut out)?;
    Ok((out.calls, start.elapsed()))
}

fn buffered(file: File) -> io::Result<(usize, Duration)> {
    // The buffer sits between the code and the counter: small writes are
    // copied into 8 KiB of memory, and only full buffers go to the file.
    let mut out = BufWriter::new(CountingWriter {
        inner: file,
        calls: 0,
    });
    let start = Instant::now();
    write_records(&mut out)?;
    out.flush()?;
    let elapsed = start.elapsed();
    Ok((out.get_ref().calls, elapsed))
}
// ANCHOR_END: write

/// Reads the records back through a buffer and checks every field.
fn verify(file: File) -> io::Result<u32> {
    let mut input = BufReader::new(file);
    let mut intact = 0;
    for seq in 0..RECORDS {
        let ok = input.read_u32::<BigEndian>()? == seq
            && input.read_u16::<BigEndian>()? == (seq % 7) as u16
            && input.read_f64::<BigEndian>()? == f64::from(seq) * 0.5;
        intact += u32::from(ok);
    }
    // Nothing may follow the last record.
    let trailing = input.read(&mut [0u8; 1])?;
    Ok(if trailing == 0 { intact } else { 0 })
}

fn main() -> io::Result<()> {
    let path = std::env::temp_dir().join(format!("buffered-writes-{}.bin", std::process::id()));
    let result = (|| {
        let (calls_u, time_u) = unbuffered(File::create(&path)?)?;
        let intact_u = verify(File::open(&path)?)?;
        let (calls_b, time_b) = buffered(File::create(&path)?)?;
        let intact_b = verify(File::open(&path)?)?;
        let bytes = std::fs::metadata(&path)?.len();
        println!("{RECORDS} records, {bytes} bytes each run");
        println!("unbuffered: {calls_u:>6} write calls, {time_u:.1?}, {intact_u} records intact");
        println!("BufWriter:  {calls_b:>6} write calls, {time_b:.1?}, {intact_b} records intact");
        println!(
            "{} times fewer calls, {:.1}x faster",
            calls_u / calls_b,
            time_u.as_secs_f64() / time_b.as_secs_f64()
        );
        Ok(())
    })();
    let _ = std::fs::remove_file(&path);
    result
}
