//! Standard output that tells the truth when it is closed. Rust's standard
//! library puts `/dev/null` in place of a closed descriptor 1 (`cnnc FILE`
//! run with `>&-`), so a report would be lost with exit status 0; here a
//! closed stdout is found before anything is written and every write to it
//! fails (E0920 in the driver).

use std::io::{self, Write};

/// Whether descriptor 1 was closed when cnnc started. The standard
/// library's start-up code reopens a closed descriptor 0, 1 or 2 on
/// `/dev/null` read-write, so that is what a closed stdout looks like by
/// the time `main` runs; a shell's `> /dev/null` opens it write-only, which
/// stays a valid place to send the report.
#[cfg(target_os = "linux")]
fn stdout_closed() -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    const O_ACCMODE: u32 = 0o3;
    const O_RDWR: u32 = 0o2;
    if flags.map(|f| f & O_ACCMODE) != Some(O_RDWR) {
        return false;
    }
    match (
        std::fs::metadata("/proc/self/fd/1"),
        std::fs::metadata("/dev/null"),
    ) {
        (Ok(out), Ok(null)) => out.file_type().is_char_device() && out.rdev() == null.rdev(),
        _ => false,
    }
}

#[cfg(not(target_os = "linux"))]
fn stdout_closed() -> bool {
    false
}

/// The process's stdout, or a writer that refuses every write when stdout
/// was closed at start.
pub fn checked_stdout() -> Box<dyn Write> {
    if stdout_closed() {
        Box::new(Closed)
    } else {
        Box::new(io::stdout().lock())
    }
}

/// A closed standard output: writing or flushing it is an error.
pub struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(closed())
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(closed())
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "standard output is closed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_stdout_refuses_writes_and_flushes() {
        let mut c = Closed;
        assert!(c.write_all(b"x").is_err());
        assert!(c.flush().is_err());
    }
}
