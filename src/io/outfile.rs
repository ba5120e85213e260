//! Output files written whole or not at all. [`OutFile::create`] runs
//! before any work: it refuses a path that names an input file and creates
//! an empty temporary file next to the target, which proves the directory
//! writable. [`OutFile::commit`] writes the bytes to the temporary file and
//! renames it over the target, so a reader sees the old file or the whole
//! new one; a run that fails drops the `OutFile`, which removes the
//! temporary file and leaves the target as it was.
//!
//! A target that exists and is not a regular file (`/dev/null`,
//! `/dev/stdout`, a FIFO) cannot be replaced by a rename (and must not be:
//! renaming over `/dev/null` as root would replace the device), so it is
//! opened and written directly.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why an output file cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutError {
    /// The path names one of the input files.
    IsInput(PathBuf),
    /// The directory is missing or unwritable, the path is a directory...
    Io(String),
}

enum Sink {
    /// A temporary file in the target's directory, renamed at commit.
    Temp { tmp: PathBuf, file: File },
    /// A device or FIFO written in place.
    Direct(File),
}

pub struct OutFile {
    path: PathBuf,
    sink: Option<Sink>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// An existing file's identity (through links): device and inode on Unix,
/// the canonical path elsewhere.
pub fn file_id(p: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(p).ok()?;
        Some(format!("{}:{}", m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        p.canonicalize().ok().map(|c| c.display().to_string())
    }
}

/// Whether `a` and `b` name the same existing file (through links too).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (file_id(a), file_id(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

impl OutFile {
    /// Prepares `path` for writing; nothing visible changes at `path`.
    pub fn create(path: &Path, inputs: &[&Path]) -> Result<OutFile, OutError> {
        if let Some(i) = inputs.iter().find(|i| same_file(path, i)) {
            return Err(OutError::IsInput(i.to_path_buf()));
        }
        let io = |e: std::io::Error| OutError::Io(e.to_string());
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_dir() {
                return Err(OutError::Io("it is a directory".into()));
            }
            if !meta.is_file() {
                let file = OpenOptions::new().write(true).open(path).map_err(io)?;
                return Ok(OutFile {
                    path: path.to_path_buf(),
                    sink: Some(Sink::Direct(file)),
                });
            }
        }
        let name = path
            .file_name()
            .ok_or_else(|| OutError::Io("the path names no file".into()))?
            .to_string_lossy()
            .into_owned();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{}.{n}.cnnc-tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    return Ok(OutFile {
                        path: path.to_path_buf(),
                        sink: Some(Sink::Temp { tmp, file }),
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` and puts the file in place.
    pub fn commit(mut self, bytes: &[u8]) -> Result<(), OutError> {
        match self.write_all(bytes) {
            Ok(()) => self.finish(),
            // Dropped: the temporary file goes, the target stays as it was.
            Err(e) => Err(OutError::Io(e.to_string())),
        }
    }

    /// Puts the file written so far (through `Write`) in place.
    pub fn finish(mut self) -> Result<(), OutError> {
        let io = |e: std::io::Error| OutError::Io(e.to_string());
        match self.sink.take() {
            Some(Sink::Direct(mut f)) => f.flush().map_err(io),
            Some(Sink::Temp { tmp, mut file }) => {
                let written = file.flush().and_then(|()| file.sync_data());
                // Keep the permissions of a file being replaced.
                if let Ok(meta) = std::fs::metadata(&self.path) {
                    let _ = file.set_permissions(meta.permissions());
                }
                drop(file);
                let done = written.and_then(|()| std::fs::rename(&tmp, &self.path));
                if done.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                done.map_err(io)
            }
            None => Ok(()),
        }
    }
}

/// Bytes written go to the temporary file (or the device), to be put in
/// place by [`OutFile::finish`]; dropping the `OutFile` instead discards
/// them.
impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Some(Sink::Temp { file, .. }) | Some(Sink::Direct(file)) => file.write(buf),
            None => Err(std::io::Error::other("the output file is already finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Some(Sink::Temp { file, .. }) | Some(Sink::Direct(file)) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if let Some(Sink::Temp { tmp, .. }) = self.sink.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Writes `bytes` to `path` whole or not at all, in one step (for outputs
/// with no input to protect and nothing to prepare before the work: the
/// sweep's rows, figures).
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let err = |e: OutError| match e {
        OutError::IsInput(p) => std::io::Error::other(format!("{} is an input", p.display())),
        OutError::Io(why) => std::io::Error::other(why),
    };
    OutFile::create(path, &[])
        .map_err(err)?
        .commit(bytes)
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cnnc-outfile-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_and_drop_leaves_nothing() {
        let d = scratch("commit");
        let p = d.join("out.txt");
        std::fs::write(&p, "old").unwrap();
        let f = OutFile::create(&p, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        f.commit(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        drop(OutFile::create(&p, &[]).unwrap());
        assert_eq!(entries(&d), ["out.txt"]);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn inputs_directories_and_missing_directories_are_refused() {
        let d = scratch("refuse");
        let input = d.join("in.cnn");
        std::fs::write(&input, "layer").unwrap();
        assert!(matches!(
            OutFile::create(&input, &[&input]),
            Err(OutError::IsInput(_))
        ));
        assert!(matches!(OutFile::create(&d, &[]), Err(OutError::Io(_))));
        assert!(matches!(
            OutFile::create(&d.join("no/such/dir/x"), &[]),
            Err(OutError::Io(_))
        ));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "layer");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn devices_are_written_in_place() {
        OutFile::create(Path::new("/dev/null"), &[])
            .unwrap()
            .commit(b"x")
            .unwrap();
        assert!(Path::new("/dev/null").exists());
    }
}
