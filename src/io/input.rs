//! Reading an input file with a bound: only a regular file (a FIFO, a
//! terminal or `/dev/zero` would block or never end), and at most `cap + 1`
//! bytes, so that a file over the cap is refused after reading one byte
//! past it rather than after reading all of it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why an input could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Missing, unreadable, or not a regular file: the message says which.
    Unreadable(String),
    /// Larger than the cap (the size is known to be at least `cap + 1`).
    TooLarge { cap: u64 },
}

/// Checks that `path` is a regular file before it is opened: opening a
/// FIFO blocks until a writer appears, so the check cannot wait for the
/// open. (The opened file is checked again: the path may have changed.)
pub fn check_regular(path: &Path) -> Result<(), ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file (a device, FIFO or socket)"
    };
    Err(ReadError::Unreadable(format!("it is {what}")))
}

/// Opens a regular file for reading.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    check_regular(path)?;
    let f = File::open(path).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    match f.metadata() {
        Ok(m) if m.is_file() => Ok(f),
        Ok(_) => Err(ReadError::Unreadable("it is not a regular file".into())),
        Err(e) => Err(ReadError::Unreadable(e.to_string())),
    }
}

/// The whole of a regular file of at most `cap` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let f = open_regular(path)?;
    let mut bytes = Vec::new();
    f.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        for p in ["/dev/zero", "/dev/null", "/"] {
            if Path::new(p).exists() {
                assert!(matches!(
                    read_capped(Path::new(p), 10),
                    Err(ReadError::Unreadable(_))
                ));
            }
        }
    }

    #[test]
    fn the_cap_is_exact() {
        let dir = std::env::temp_dir().join(format!("cnnc-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("ten");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_capped(&p, 10).unwrap().len(), 10);
        assert!(matches!(
            read_capped(&p, 9),
            Err(ReadError::TooLarge { cap: 9 })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
