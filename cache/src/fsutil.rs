//! File helpers: bounded reads, synced writes, directory syncs.

use crate::error::Error;
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Reads `path` if it exists, refusing more than `limit` bytes.
pub(crate) fn read_opt(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, Error> {
    use plugin_api::bounded::{read_file_if_exists, ReadError};
    read_file_if_exists(path, limit).map_err(|e| match e {
        ReadError::TooLarge { limit } => Error::TooLarge {
            path: path.to_path_buf(),
            size: limit.saturating_add(1),
            limit,
        },
        ReadError::Open(e) => Error::io(path, "open")(e),
        other => Error::io(path, "read")(other.into_io_error()),
    })
}

/// Reads `path`, which must exist, refusing more than `limit` bytes.
pub(crate) fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    read_opt(path, limit)?.ok_or_else(|| Error::corrupt(path, "missing"))
}

/// Creates `path` (which must not exist) with `data`, synced to disk.
pub(crate) fn write_new_synced(path: &Path, data: &[u8]) -> Result<(), Error> {
    let mut f = File::create_new(path).map_err(Error::io(path, "create"))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(Error::io(path, "write"))
}

/// Syncs a directory so that renames and creations in it are durable (best effort where
/// the platform cannot sync directories).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates `dir` and its parents.
pub(crate) fn create_dir_all(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(Error::io(dir, "create directory"))
}
