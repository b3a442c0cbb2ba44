//! The cache directory on disk: one directory per TUF repository, holding numbered
//! generations and a `current` pointer; a lock file per repository for writers.
//!
//! ```text
//! CACHE_DIR/tuf/NAME.lock          held (flock) by a warmer or importer of NAME
//! CACHE_DIR/tuf/NAME/current       `gen-000007`: the committed generation (atomic replace)
//! CACHE_DIR/tuf/NAME/gen-000007/   a complete, verified repository (see `repo`)
//! CACHE_DIR/tuf/NAME/.staging-*    a generation being written (removed if the write fails)
//! ```
//!
//! A writer fills a staging directory (every file synced), renames it to the next
//! generation, then replaces `current` atomically. Killed at any point, it leaves `current`
//! naming the previous complete generation; a writer that fails (or unwinds) removes its
//! staging directory, and one killed outright leaves it for the next writer to delete.
//! Readers take no lock: they read `current`
//! once, then that generation; the previous generation is kept so a reader that raced a
//! commit still finds its files.

use crate::error::Error;
use crate::fsutil::{create_dir_all, read, read_opt, sync_dir, write_new_synced};
use crate::repo::{
    check_name, parse_root_file_name, target_file_name, CachedRepo, State, MAX_ROOTS, MAX_ROOT_LEN,
    MAX_SNAPSHOT_LEN, MAX_STATE_LEN, MAX_TARGETS, MAX_TARGETS_LEN, MAX_TARGET_FILE_LEN,
    MAX_TIMESTAMP_LEN,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static STAGING_COUNTER: AtomicU64 = AtomicU64::new(0);
const GEN_PREFIX: &str = "gen-";
const STAGING_PREFIX: &str = ".staging-";

/// The offline cache directory.
#[derive(Debug, Clone)]
pub struct CacheDir {
    dir: PathBuf,
}

/// An exclusive lock on one repository of the cache, released on drop.
#[derive(Debug)]
pub struct RepoLock {
    _file: File,
}

/// A generation being written; [`CacheDir::commit`] makes it current. Dropped without
/// being committed (an error, a refused verification, a panic unwinding), it removes its
/// directory: a failed write leaves nothing behind. Only a process killed outright leaves a
/// staging directory, which the next writer removes ([`CacheDir::staging`]).
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    committed: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover is removed by the next writer anyway.
            let _ = fs::remove_dir_all(&self.path);
            // The repository directory a first write created, if it holds nothing else
            // (`remove_dir` removes only an empty directory).
            if let Some(repo) = self.path.parent() {
                let _ = fs::remove_dir(repo);
            }
        }
    }
}

impl Staging {
    /// The staging directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `data` at the relative path `rel` (creating parent directories), synced.
    pub fn write(&self, rel: &str, data: &[u8]) -> Result<(), Error> {
        let path = self.path.join(rel);
        if let Some(parent) = path.parent() {
            create_dir_all(parent)?;
        }
        write_new_synced(&path, data)
    }
}

impl CacheDir {
    /// The cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CacheDir { dir: dir.into() }
    }

    /// The cache directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn tuf_dir(&self) -> PathBuf {
        self.dir.join("tuf")
    }

    /// The directory of repository `name`.
    pub fn repo_dir(&self, name: &str) -> PathBuf {
        self.tuf_dir().join(name)
    }

    /// Waits for, then takes, the writer lock of repository `name`.
    pub fn lock(&self, name: &str) -> Result<RepoLock, Error> {
        check_name(name)?;
        let tuf = self.tuf_dir();
        create_dir_all(&tuf)?;
        let path = tuf.join(format!("{name}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(&path, "open lock file"))?;
        file.lock().map_err(Error::io(&path, "lock"))?;
        Ok(RepoLock { _file: file })
    }

    /// The committed generation directory of `name`, if any.
    pub fn current_generation(&self, name: &str) -> Result<Option<PathBuf>, Error> {
        check_name(name)?;
        let pointer = self.repo_dir(name).join("current");
        let Some(data) = read_opt(&pointer, 64)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&data)
            .map_err(|_| Error::corrupt(&pointer, "not UTF-8"))?
            .trim_end_matches('\n');
        if parse_generation(text).is_none() {
            return Err(Error::corrupt(
                &pointer,
                format!("not a generation: {text:?}"),
            ));
        }
        Ok(Some(self.repo_dir(name).join(text)))
    }

    /// The names of the repositories with a committed generation, sorted.
    pub fn repositories(&self) -> Result<Vec<String>, Error> {
        let tuf = self.tuf_dir();
        let entries = match fs::read_dir(&tuf) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&tuf, "list")(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(Error::io(&tuf, "list"))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if check_name(&name).is_ok() && entry.path().join("current").is_file() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Reads the committed generation of `name` (sizes bounded; nothing verified yet).
    pub fn load(&self, name: &str) -> Result<CachedRepo, Error> {
        let gen = self
            .current_generation(name)?
            .ok_or_else(|| Error::NotCached {
                name: name.to_owned(),
                dir: self.dir.clone(),
            })?;
        load_generation(&gen)
    }

    /// Starts a new generation of `name`. Requires the lock; removes staging directories
    /// left by writers that died.
    pub fn staging(&self, name: &str, _lock: &RepoLock) -> Result<Staging, Error> {
        let repo = self.repo_dir(name);
        create_dir_all(&repo)?;
        for entry in fs::read_dir(&repo).map_err(Error::io(&repo, "list"))? {
            let entry = entry.map_err(Error::io(&repo, "list"))?;
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(STAGING_PREFIX)
            {
                let p = entry.path();
                fs::remove_dir_all(&p).map_err(Error::io(&p, "remove stale staging"))?;
            }
        }
        let n = STAGING_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = repo.join(format!("{STAGING_PREFIX}{}-{n}", std::process::id()));
        fs::create_dir(&path).map_err(Error::io(&path, "create"))?;
        Ok(Staging {
            path,
            committed: false,
        })
    }

    /// Makes `staging` the current generation of `name` (see the module documentation)
    /// and removes generations older than the previous one. Returns the new generation.
    /// An error means nothing was committed (`current` names the previous generation, and
    /// the staging directory is removed); removing old generations after the commit is
    /// housekeeping that the next commit retries, never an error.
    pub fn commit(
        &self,
        name: &str,
        mut staging: Staging,
        _lock: &RepoLock,
    ) -> Result<PathBuf, Error> {
        let repo = self.repo_dir(name);
        sync_tree(&staging.path)?;
        let previous = self.current_generation(name)?;
        let mut newest = 0u64;
        for entry in fs::read_dir(&repo).map_err(Error::io(&repo, "list"))? {
            let entry = entry.map_err(Error::io(&repo, "list"))?;
            if let Some(n) = entry.file_name().to_str().and_then(parse_generation) {
                newest = newest.max(n);
            }
        }
        let gen_name = format!("{GEN_PREFIX}{:06}", newest.saturating_add(1));
        let gen = repo.join(&gen_name);
        fs::rename(&staging.path, &gen).map_err(Error::io(&gen, "rename staging to"))?;
        // The staging directory is now `gen`: from here on, `gen` is what to clean up.
        staging.committed = true;
        sync_dir(&repo);
        if let Err(e) =
            plugin_tuf::atomic_write(&repo, "current", format!("{gen_name}\n").as_bytes())
        {
            // Not committed: `current` still names the previous generation. The renamed
            // directory is removed (best effort; a later commit removes it otherwise).
            let _ = fs::remove_dir_all(&gen);
            return Err(Error::corrupt(repo.join("current"), e.to_string()));
        }
        remove_old_generations(&repo, &gen, previous.as_deref());
        Ok(gen)
    }
}

/// Removes every generation of `repo` other than `keep` and `previous` (best effort).
fn remove_old_generations(repo: &Path, keep: &Path, previous: Option<&Path>) {
    let Ok(entries) = fs::read_dir(repo) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let is_gen = entry
            .file_name()
            .to_str()
            .and_then(parse_generation)
            .is_some();
        if is_gen && p != keep && Some(p.as_path()) != previous {
            let _ = fs::remove_dir_all(&p);
        }
    }
}

fn parse_generation(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(GEN_PREFIX)?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Syncs every file and directory under `dir` (files written by plugin-tuf are already
/// synced; this makes directory entries durable before the rename that publishes them).
fn sync_tree(dir: &Path) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(Error::io(dir, "list"))? {
        let entry = entry.map_err(Error::io(dir, "list"))?;
        let ft = entry.file_type().map_err(Error::io(entry.path(), "stat"))?;
        if ft.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Refuses a target file that `state.json` does not record: a committed generation holds
/// exactly the targets its state lists, so another file means the state was damaged (e.g.
/// a target dropped from its list). Hidden files (a writer's temporary files) are ignored.
fn check_no_unrecorded_targets(dir: &Path, expected: &BTreeSet<String>) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, "list")(e)),
    };
    // Budget on the listing: the expected files plus as many stray ones.
    let limit = MAX_TARGETS.saturating_mul(2);
    for (n, entry) in entries.enumerate() {
        if n >= limit {
            return Err(Error::corrupt(dir, format!("more than {limit} entries")));
        }
        let entry = entry.map_err(Error::io(dir, "list"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && !expected.contains(&name) {
            return Err(Error::corrupt(
                entry.path(),
                "a target file that state.json does not record (a damaged cache: remove this repository's directory, then warm or import it again)",
            ));
        }
    }
    Ok(())
}

/// Reads a generation directory with size budgets.
pub(crate) fn load_generation(gen: &Path) -> Result<CachedRepo, Error> {
    let origin = gen.display().to_string();
    let state = State::from_json(&read(&gen.join("state.json"), MAX_STATE_LEN)?, &origin)?;
    let meta = gen.join("metadata");
    let mut target_files = BTreeMap::new();
    let mut expected = BTreeSet::new();
    for target in &state.targets {
        let file = target_file_name(target)?;
        let path = gen.join("targets").join(&file);
        target_files.insert(target.clone(), read(&path, MAX_TARGET_FILE_LEN)?);
        expected.insert(file);
    }
    check_no_unrecorded_targets(&gen.join("targets"), &expected)?;
    let roots_dir = gen.join("roots");
    let mut roots = BTreeMap::new();
    match fs::read_dir(&roots_dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(Error::io(&roots_dir, "list"))?;
                let file_name = entry.file_name();
                let name = file_name.to_string_lossy();
                let version = parse_root_file_name(&name)
                    .ok_or_else(|| Error::corrupt(entry.path(), "unexpected file in roots/"))?;
                if roots.len() >= MAX_ROOTS {
                    return Err(Error::corrupt(
                        &roots_dir,
                        format!("more than {MAX_ROOTS} root versions"),
                    ));
                }
                roots.insert(version, read(&entry.path(), MAX_ROOT_LEN)?);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&roots_dir, "list")(e)),
    }
    let mut delegated = BTreeMap::new();
    for entry in fs::read_dir(&meta).map_err(Error::io(&meta, "list"))? {
        let entry = entry.map_err(Error::io(&meta, "list"))?;
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        let Some(stem) = crate::repo::delegated_stem(&name) else {
            continue; // top-level roles (read below) and temporary files
        };
        if delegated.len() >= crate::repo::MAX_DELEGATED_ROLES {
            return Err(Error::corrupt(
                &meta,
                format!(
                    "more than {} delegated roles",
                    crate::repo::MAX_DELEGATED_ROLES
                ),
            ));
        }
        delegated.insert(stem.to_owned(), read(&entry.path(), MAX_TARGETS_LEN)?);
    }
    Ok(CachedRepo {
        delegated,
        anchor: read(&gen.join("anchor.json"), MAX_ROOT_LEN)?,
        roots,
        timestamp: read(&meta.join("timestamp.json"), MAX_TIMESTAMP_LEN)?,
        snapshot: read(&meta.join("snapshot.json"), MAX_SNAPSHOT_LEN)?,
        targets: read(&meta.join("targets.json"), MAX_TARGETS_LEN)?,
        target_files,
        state,
    })
}
