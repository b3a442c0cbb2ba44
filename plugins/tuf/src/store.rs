//! Local storage: the metadata directory (one file per trusted role, holding exactly the
//! verified bytes as served) and the target directory. Writes are atomic: a uniquely named
//! temporary file in the same directory (never named `*.json`), synced, then renamed over
//! the destination.

use crate::error::StoreError;
use crate::urls::quote;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        path,
        action,
        source,
    }
}

/// Writes `data` to `dir/name` atomically (temp file + rename).
pub fn atomic_write(dir: &Path, name: &str, data: &[u8]) -> Result<PathBuf, StoreError> {
    let dest = dir.join(name);
    let (tmp_path, mut tmp) = loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp_path = dir.join(format!(".tuf-{}-{n}.tmp", std::process::id()));
        match File::create_new(&tmp_path) {
            Ok(f) => break (tmp_path, f),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error(&tmp_path, "create")(e)),
        }
    };
    let written = tmp
        .write_all(data)
        .and_then(|()| tmp.sync_all())
        .map_err(io_error(&tmp_path, "write"));
    drop(tmp);
    let renamed =
        written.and_then(|()| fs::rename(&tmp_path, &dest).map_err(io_error(&dest, "rename")));
    if let Err(e) = renamed {
        // Best effort: the temporary file is useless now.
        let _ = fs::remove_file(&tmp_path);
        return Err(e);
    }
    // Make the rename durable (best effort: not every platform can sync a directory).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(dest)
}

/// Reads `path` if it exists, refusing files over `limit` bytes.
pub fn read_if_exists(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
    use plugin_api::bounded::{read_file_if_exists, ReadError};
    read_file_if_exists(path, limit).map_err(|e| match e {
        ReadError::TooLarge { limit } => StoreError::TooLarge {
            path: path.to_path_buf(),
            size: limit.saturating_add(1),
            limit,
        },
        ReadError::Open(e) => io_error(path, "open")(e),
        other => io_error(path, "read")(other.into_io_error()),
    })
}

/// The metadata directory: `ROLE.json` per trusted role (role names percent-encoded).
#[derive(Debug, Clone)]
pub struct MetadataStore {
    dir: PathBuf,
}

impl MetadataStore {
    /// The store in `dir` (which must exist).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        MetadataStore { dir: dir.into() }
    }

    /// The file holding `role`.
    pub fn path(&self, role: &str) -> PathBuf {
        self.dir.join(format!("{}.json", quote(role)))
    }

    /// The stored bytes of `role`, if any.
    pub fn load(&self, role: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        read_if_exists(&self.path(role), limit)
    }

    /// Stores the verified bytes of `role`.
    pub fn persist(&self, role: &str, data: &[u8]) -> Result<(), StoreError> {
        atomic_write(&self.dir, &format!("{}.json", quote(role)), data).map(|_| ())
    }
}

/// The target directory: each target stored flat under its percent-encoded path.
#[derive(Debug, Clone)]
pub struct TargetStore {
    dir: PathBuf,
}

impl TargetStore {
    /// The store in `dir` (which must exist).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TargetStore { dir: dir.into() }
    }

    /// The file a target is stored in.
    pub fn path(&self, target_path: &str) -> PathBuf {
        self.dir.join(quote(target_path))
    }

    /// The stored bytes of a target, if any (at most `limit` bytes).
    pub fn load(&self, target_path: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        read_if_exists(&self.path(target_path), limit)
    }

    /// Stores verified target bytes.
    pub fn persist(&self, target_path: &str, data: &[u8]) -> Result<PathBuf, StoreError> {
        atomic_write(&self.dir, &quote(target_path), data)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("tuf-store-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let store = MetadataStore::new(&dir);
        store.persist("../x?", b"one").unwrap();
        store.persist("../x?", b"two").unwrap();
        assert_eq!(store.load("../x?", 10).unwrap().unwrap(), b"two");
        assert!(store.load("../x?", 2).is_err());
        assert_eq!(store.load("missing", 10).unwrap(), None);
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["..%2Fx%3F.json".to_owned()]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
