//! Durable file writes: temporary file, fsync, rename, then fsync of each touched directory.
//!
//! A [`Durable`] batch stages files and commits them in rounds whose fsyncs run in parallel
//! (fsync latency, not bandwidth, bounds a log on most disks): (1) every temporary file is
//! written and fsynced, (2) they are renamed into place and their directories fsynced, (3) the
//! optional *last* file (the checkpoint) is renamed and its directory fsynced. So the last file
//! is never visible, let alone durable, before every other file of the batch is durable.

use crate::TlogError;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Most threads used for one round of fsyncs.
const MAX_SYNC_THREADS: usize = 32;

/// A batch of files to write durably.
#[derive(Debug, Default)]
pub struct Durable {
    files: Vec<(PathBuf, Vec<u8>)>,
    last: Option<(PathBuf, Vec<u8>)>,
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), TlogError> {
    let tmp = tmp_path(path);
    let mut f = std::fs::File::create(&tmp).map_err(|e| TlogError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| TlogError::io(&tmp, e))?;
    f.sync_all().map_err(|e| TlogError::io(&tmp, e))
}

/// Runs `f` on every item with up to [`MAX_SYNC_THREADS`] threads; the first error wins.
pub(crate) fn parallel<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<(), TlogError> + Sync,
) -> Result<(), TlogError> {
    let threads = items.len().clamp(1, MAX_SYNC_THREADS);
    if threads == 1 {
        return items.iter().try_for_each(&f);
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || items.iter().skip(t).step_by(threads).try_for_each(f)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(TlogError::Input("an fsync thread panicked".into())))
        })
    })
}

impl Durable {
    /// A new batch.
    pub fn new() -> Self {
        Durable::default()
    }

    /// Stages `bytes` for `path`.
    pub fn put(&mut self, path: &Path, bytes: &[u8]) -> Result<(), TlogError> {
        self.files.push((path.to_path_buf(), bytes.to_vec()));
        Ok(())
    }

    /// Stages the file that must become visible only after all others are durable.
    pub fn put_last(&mut self, path: &Path, bytes: &[u8]) {
        self.last = Some((path.to_path_buf(), bytes.to_vec()));
    }

    /// Writes everything (see the module documentation).
    pub fn commit(self) -> Result<(), TlogError> {
        let mut dirs = BTreeSet::new();
        let all: Vec<&(PathBuf, Vec<u8>)> = self.files.iter().chain(self.last.iter()).collect();
        // Directories of the batch's files (the last file's too, in case it must be created).
        for (path, _) in &all {
            let dir = path
                .parent()
                .ok_or_else(|| TlogError::Input(format!("{} has no parent", path.display())))?;
            if dirs.contains(dir) {
                continue;
            }
            // Directories created here must have their entries synced in their parents.
            let mut missing = Vec::new();
            let mut d = dir;
            while !d.as_os_str().is_empty() && !d.exists() {
                missing.push(d.to_path_buf());
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
            if !missing.is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| TlogError::io(dir, e))?;
                if !d.as_os_str().is_empty() {
                    dirs.insert(d.to_path_buf());
                }
                dirs.extend(missing);
            }
            dirs.insert(dir.to_path_buf());
        }
        // Round 1: every file's bytes durable under its temporary name.
        parallel(&all, |(path, bytes)| write_synced(path, bytes))?;
        // Round 2: renamed into place, directories synced.
        let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
        for (path, _) in &self.files {
            std::fs::rename(tmp_path(path), path).map_err(|e| TlogError::io(path, e))?;
            if let Some(dir) = path.parent() {
                touched.insert(dir.to_path_buf());
            }
        }
        // Created directories are synced too (their entries live in their parents). The last
        // file's directory is synced again after its rename.
        touched.extend(dirs);
        let last_dir = self
            .last
            .as_ref()
            .and_then(|(p, _)| p.parent())
            .map(Path::to_path_buf);
        let touched: Vec<PathBuf> = touched.into_iter().collect();
        parallel(&touched, |d| sync_dir(d))?;
        // Round 3: the last file.
        if let Some((path, _)) = &self.last {
            std::fs::rename(tmp_path(path), path).map_err(|e| TlogError::io(path, e))?;
            if let Some(dir) = &last_dir {
                sync_dir(dir)?;
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, creating missing directories,
/// **without** fsync: a concurrent reader sees the old file or the whole new one, never a torn
/// one, but the write may be lost in a power failure. Used for tiles and the checkpoint, whose
/// durable copy is the writer's journal (see [`crate::writer`]); [`sync_paths`] makes them
/// durable before the journal forgets them.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TlogError> {
    stage(path, bytes)?;
    publish_staged(path)
}

/// The first half of [`write_atomic`]: writes `bytes` to `path`'s temporary file (creating
/// missing directories), without fsync.
pub fn stage(path: &Path, bytes: &[u8]) -> Result<(), TlogError> {
    let tmp = tmp_path(path);
    let create = |p: &Path| std::fs::File::create(p).and_then(|mut f| f.write_all(bytes));
    if let Err(e) = create(&tmp) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(TlogError::io(&tmp, e));
        }
        let dir = path
            .parent()
            .ok_or_else(|| TlogError::Input(format!("{} has no parent", path.display())))?;
        std::fs::create_dir_all(dir).map_err(|e| TlogError::io(dir, e))?;
        create(&tmp).map_err(|e| TlogError::io(&tmp, e))?;
    }
    Ok(())
}

/// The second half of [`write_atomic`]: renames the file [`stage`]d for `path` into place.
pub fn publish_staged(path: &Path) -> Result<(), TlogError> {
    std::fs::rename(tmp_path(path), path).map_err(|e| TlogError::io(path, e))
}

/// Writes a file whose path determines its bytes (a tile of an append-only log), without
/// fsync: created in place when absent (no temporary file, no rename: no published checkpoint
/// names a new tile before it is written, so no reader looks for it earlier); left alone when
/// present with the same bytes; replaced atomically ([`write_atomic`]) when present with other
/// bytes (a write cut short by a crash).
pub fn write_immutable(path: &Path, bytes: &[u8]) -> Result<(), TlogError> {
    let create = || {
        std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let f = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = path
                .parent()
                .ok_or_else(|| TlogError::Input(format!("{} has no parent", path.display())))?;
            std::fs::create_dir_all(dir).map_err(|e| TlogError::io(dir, e))?;
            create()
        }
        other => other,
    };
    match f {
        Ok(mut f) => f.write_all(bytes).map_err(|e| TlogError::io(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if matches!(read_limited(path, bytes.len()), Ok(Some(b)) if b == bytes) {
                Ok(())
            } else {
                write_atomic(path, bytes)
            }
        }
        Err(e) => Err(TlogError::io(path, e)),
    }
}

/// fsyncs these existing files, then every directory from each file's parent up to and
/// including `root`, with parallel rounds: afterwards the files, their names and the
/// directories created for them are durable.
pub fn sync_paths(root: &Path, files: &[PathBuf]) -> Result<(), TlogError> {
    parallel(files, |p| {
        std::fs::File::open(p)
            .and_then(|f| f.sync_all())
            .map_err(|e| TlogError::io(p, e))
    })?;
    let mut dirs = BTreeSet::new();
    for f in files {
        let mut d = f.parent();
        while let Some(dir) = d {
            if !dirs.insert(dir.to_path_buf()) || dir == root || !dir.starts_with(root) {
                break;
            }
            d = dir.parent();
        }
    }
    dirs.insert(root.to_path_buf());
    let dirs: Vec<PathBuf> = dirs.into_iter().filter(|d| d.starts_with(root)).collect();
    parallel(&dirs, |d| sync_dir(d))
}

/// fsync of a directory (makes renames and creations in it durable).
pub fn sync_dir(dir: &Path) -> Result<(), TlogError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| TlogError::io(dir, e))
}

/// Reads a file of at most `max` bytes; `Ok(None)` if it does not exist.
pub fn read_limited(path: &Path, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    plugin_api::bounded::read_file_if_exists(path, limit).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => {
            TlogError::corrupt(path, format!("larger than the limit of {max} bytes"))
        }
        other => TlogError::io(path, other.into_io_error()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn write_immutable_creates_keeps_and_replaces_torn() {
        let dir = std::env::temp_dir().join(format!("tlog-fsio-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("tile/0/000.p/2");
        write_immutable(&path, b"0123").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"0123");
        // Present with the same bytes: left alone (not rewritten).
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        let before = mtime(&path);
        write_immutable(&path, b"0123").unwrap();
        assert_eq!(mtime(&path), before);
        // Present with other bytes (torn): replaced whole.
        std::fs::write(&path, b"01").unwrap();
        write_immutable(&path, b"0123").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"0123");
        assert!(!tmp_path(&path).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
