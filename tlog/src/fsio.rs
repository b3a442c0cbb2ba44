//! Durable file writes: temporary file, fsync, rename, then fsync of each touched directory.
//!
//! A [`Durable`] batch stages files and commits them in rounds whose fsyncs run in parallel
//! (fsync latency, not bandwidth, bounds a log on most disks): (1) every temporary file is
//! written and fsynced, (2) they are renamed into place and their directories fsynced, (3) the
//! optional *last* file (the checkpoint) is renamed and its directory fsynced. So the last file
//! is never visible, let alone durable, before every other file of the batch is durable.

use crate::TlogError;
use std::collections::BTreeSet;
use std::io::{Read, Write};
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
fn parallel<T: Sync>(
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
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(TlogError::io(path, e)),
    };
    let mut buf = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    f.take(limit)
        .read_to_end(&mut buf)
        .map_err(|e| TlogError::io(path, e))?;
    if buf.len() > max {
        return Err(TlogError::corrupt(
            path,
            format!("larger than the limit of {max} bytes"),
        ));
    }
    Ok(Some(buf))
}
