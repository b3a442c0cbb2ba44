//! Bounded reads: the one way the workspace reads a file or stream whose size an attacker
//! may choose. At most `limit + 1` bytes are read (the extra byte tells a file of exactly
//! `limit` bytes from a larger one), so a huge or endless input (`/dev/zero`, a FIFO, a
//! growing log) costs at most the budget in memory.

use std::fs::File;
use std::io::{self, ErrorKind, Read};
use std::path::Path;

/// Why a bounded read did not return the bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened.
    #[error("cannot open: {0}")]
    Open(#[source] io::Error),
    /// Reading failed part-way.
    #[error("cannot read: {0}")]
    Read(#[source] io::Error),
    /// There was more than the budget; nothing is returned.
    #[error("larger than the {limit}-byte limit")]
    TooLarge {
        /// The budget, in bytes.
        limit: u64,
    },
}

impl ReadError {
    /// The underlying I/O error, if it was one.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            ReadError::Open(e) | ReadError::Read(e) => Some(e),
            ReadError::TooLarge { .. } => None,
        }
    }

    /// Turns the error into an [`io::Error`] (for callers whose errors carry one); a budget
    /// overrun becomes [`ErrorKind::InvalidData`] with this error's message.
    pub fn into_io_error(self) -> io::Error {
        match self {
            ReadError::Open(e) | ReadError::Read(e) => e,
            too_large @ ReadError::TooLarge { .. } => {
                io::Error::new(ErrorKind::InvalidData, too_large.to_string())
            }
        }
    }
}

/// Reads `reader` to its end, refusing more than `limit` bytes.
pub fn read_to_end(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_to_end_sized(reader, limit, 0)
}

/// [`read_to_end`] into a buffer made for `expected` bytes (a file's size as its metadata
/// gives it) when that is within `limit`, so a file is read without the buffer being grown
/// and copied on the way; a size over the limit (or one that changes) reserves nothing more.
fn read_to_end_sized(reader: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, ReadError> {
    let capacity = if expected <= limit {
        usize::try_from(expected).unwrap_or(0)
    } else {
        0
    };
    let mut out = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(ReadError::Read)?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(out)
}

/// Reads the file at `path`, refusing more than `limit` bytes.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path).map_err(ReadError::Open)?;
    let expected = file.metadata().map_or(0, |m| m.len());
    read_to_end_sized(file, limit, expected)
}

/// Reads the file at `path` if it exists (`Ok(None)` if it does not), refusing more than
/// `limit` bytes.
pub fn read_file_if_exists(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match File::open(path) {
        Ok(file) => {
            let expected = file.metadata().map_or(0, |m| m.len());
            read_to_end_sized(file, limit, expected).map(Some)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ReadError::Open(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_limit_is_inclusive_and_an_endless_stream_is_cut_off() {
        assert_eq!(read_to_end(&b"abcd"[..], 4).unwrap(), b"abcd");
        assert!(matches!(
            read_to_end(&b"abcde"[..], 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read_to_end(io::repeat(0), 1 << 20),
            Err(ReadError::TooLarge { limit: 1_048_576 })
        ));
        assert_eq!(read_to_end(io::empty(), 0).unwrap(), b"");
    }

    #[test]
    fn a_file_is_read_whole_within_the_limit_and_refused_over_it() {
        let path = std::env::temp_dir().join(format!("bounded-{}.bin", std::process::id()));
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let read = read_file(&path, 10_000).unwrap();
        assert_eq!(read, data);
        assert_eq!(
            read.capacity(),
            data.len(),
            "read into a buffer of the file's size"
        );
        assert_eq!(read_file_if_exists(&path, 10_000).unwrap().unwrap(), data);
        assert!(matches!(
            read_file(&path, 9_999),
            Err(ReadError::TooLarge { limit: 9_999 })
        ));
        assert!(matches!(
            read_file_if_exists(&path, 0),
            Err(ReadError::TooLarge { limit: 0 })
        ));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_missing_file_is_none_only_when_asked() {
        let missing = Path::new("no such file, surely");
        assert!(read_file_if_exists(missing, 10).unwrap().is_none());
        let err = read_file(missing, 10).unwrap_err();
        assert_eq!(
            err.io_error().map(io::Error::kind),
            Some(ErrorKind::NotFound)
        );
        assert_eq!(err.into_io_error().kind(), ErrorKind::NotFound);
    }
}
