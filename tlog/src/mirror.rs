//! A verifying mirror of a remote log, in memory bounded whatever the server sends.
//!
//! [`sync`] fetches the remote checkpoint and verifies it; then, under the mirror's lock, it
//! fetches every hash tile the new tree has that the mirrored one lacks, and every entry bundle
//! from the first level-0 tile that changed, and verifies each **as it arrives**, top down:
//!
//! 1. the rightmost (partial) tile of every level: together they must give the signed root
//!    ([`root_from_partials`]);
//! 2. the full tiles that changed, level by level from the top: each full tile's root must be
//!    the hash its parent tile (already verified) holds for it;
//! 3. each entry bundle: exactly as many canonical entries as its level-0 tile has hashes, each
//!    hashing to its leaf hash;
//! 4. against the mirror: the mirrored rightmost tile of every level must be a prefix of the
//!    new tile at the same index (so the new tree extends the mirrored one: same compact range
//!    at the mirrored size, hence the same root), and the mirrored rightmost tiles must give
//!    the mirrored root.
//!
//! A forged tile is therefore refused as soon as it arrives, by name. Verified tiles are
//! written to a staging directory inside the mirror (`.staging`, never served); memory holds
//! O(log n) partial tiles plus, per fetch thread, one response body (≤ 4 MiB), one hash tile
//! and one parent tile, whatever the checkpoint's size. Only after everything verified are the
//! staged files fsynced and renamed into place, directory by directory, and the checkpoint last
//! (the commit point). Any failure removes the staging directory and leaves the mirror as it
//! was. Upper-level tiles are fetched, not recomputed: the mirror is a copy of what the log
//! publishes.

use crate::entry::Entry;
use crate::fsio::{parallel, read_limited, sync_dir};
use crate::http::BaseUrl;
use crate::proof::{DirTiles, TileProver, TileSource};
use crate::tiles::{
    encode_hash_tile, parse_bundle, parse_hash_tile, root_from_partials, MAX_BUNDLE, MAX_HASH_TILE,
    WIDTH,
};
use crate::writer::{read_checkpoint, CHECKPOINT_FILE, LOCK_FILE, MAX_CHECKPOINT};
use crate::TlogError;
use merkle::note::VerifierKey;
use merkle::tiles::{tiles_for_size, LevelTiles, TileLevel, TilePath, TILE_WIDTH};
use merkle::{root_from_leaf_hashes, Hash};
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Default budget on the remote tree size.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 24;
/// Default overall time limit of a mirror run (`log mirror --timeout`); each request also has
/// its own limit ([`crate::http::DEFAULT_REQUEST_TIMEOUT`], `--request-timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);
/// Requests in flight at once.
pub const FETCH_WORKERS: usize = 4;
/// The staging directory inside the mirror (removed after every run).
pub const STAGING_DIR: &str = ".staging";

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The mirrored size before (0 if the mirror was empty).
    pub old_size: u64,
    /// The mirrored size now.
    pub new_size: u64,
    /// The mirrored root now.
    pub root: Hash,
    /// Tiles and bundles fetched.
    pub fetched: usize,
}

/// Where remote tiles come from (the network in practice; anything in tests).
pub trait Remote {
    /// The bytes at `path`, at most `max`; `None` if absent.
    fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError>;
}

impl Remote for BaseUrl {
    fn get(&self, path: &str, max: usize) -> Result<Option<Vec<u8>>, TlogError> {
        BaseUrl::get(self, path, max)
    }
}

fn width_for(size: u64, tile_index: u64) -> u16 {
    if tile_index < size >> 8 {
        TILE_WIDTH
    } else {
        (size % u64::from(TILE_WIDTH)) as u16
    }
}

fn fetch_required<R: Remote + ?Sized>(r: &R, path: &str, max: usize) -> Result<Vec<u8>, TlogError> {
    r.get(path, max)?
        .ok_or_else(|| TlogError::Remote(format!("{path}: not found on the remote log")))
}

fn tile_path(level: TileLevel, index: u64, width: u16) -> Result<TilePath, TlogError> {
    TilePath::new(level, index, width).map_err(|e| TlogError::Input(e.to_string()))
}

/// Fetches the hash tile `p` and parses it (exactly `p.width()` hashes).
fn fetch_hash_tile<R: Remote + ?Sized>(r: &R, p: TilePath) -> Result<Vec<Hash>, TlogError> {
    let name = p.to_string();
    parse_hash_tile(&fetch_required(r, &name, MAX_HASH_TILE)?, p.width())
        .map_err(|reason| TlogError::Remote(format!("{name}: {reason}")))
}

/// The mirror's single-writer lock and its staging directory. Dropped without
/// [`MirrorLock::keep`], it removes the staging directory and whatever it created itself (the
/// lock file, the mirror directory), so a failed or no-op run leaves the mirror as it was.
#[derive(Debug)]
struct MirrorLock {
    dir: PathBuf,
    _lock: File,
    created_dir: bool,
    created_lock: bool,
    staging: Option<PathBuf>,
    keep: bool,
}

impl MirrorLock {
    /// Takes the lock `dir/lock` (creating `dir` if needed); fails at once if another mirror
    /// run (or a log writer) holds it.
    fn take(dir: &Path) -> Result<Self, TlogError> {
        let created_dir = !dir.is_dir();
        if created_dir {
            std::fs::create_dir_all(dir).map_err(|e| TlogError::io(dir, e))?;
        }
        let lock_path = dir.join(LOCK_FILE);
        let created_lock = !lock_path.exists();
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| TlogError::io(&lock_path, e))?;
        let mut guard = MirrorLock {
            dir: dir.to_path_buf(),
            _lock: lock,
            created_dir,
            created_lock,
            staging: None,
            keep: false,
        };
        match guard._lock.try_lock() {
            Ok(()) => Ok(guard),
            Err(std::fs::TryLockError::WouldBlock) => {
                // Not ours to remove.
                guard.created_lock = false;
                guard.created_dir = false;
                Err(TlogError::Locked { path: lock_path })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(TlogError::io(&lock_path, e)),
        }
    }

    /// A fresh, empty staging directory (a leftover of a run that died is removed first: the
    /// lock says no other run uses it).
    fn staging(&mut self) -> Result<PathBuf, TlogError> {
        let path = self.dir.join(STAGING_DIR);
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| TlogError::io(&path, e))?;
        }
        std::fs::create_dir(&path).map_err(|e| TlogError::io(&path, e))?;
        self.staging = Some(path.clone());
        Ok(path)
    }

    /// The run committed: keep the lock file and the directory.
    fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for MirrorLock {
    fn drop(&mut self) {
        if let Some(s) = self.staging.take() {
            let _ = std::fs::remove_dir_all(s);
        }
        if !self.keep {
            if self.created_lock {
                let _ = std::fs::remove_file(self.dir.join(LOCK_FILE));
            }
            if self.created_dir {
                let _ = std::fs::remove_dir(&self.dir);
            }
        }
    }
}

/// Verified tiles waiting in the staging directory.
#[derive(Debug)]
struct Stage {
    root: PathBuf,
}

impl Stage {
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), TlogError> {
        let path = self.root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| TlogError::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| TlogError::io(&path, e))
    }

    /// A verified hash tile written earlier in this run.
    fn hashes(&self, p: TilePath) -> Result<Vec<Hash>, TlogError> {
        let path = self.root.join(p.to_string());
        let bytes = read_limited(&path, MAX_HASH_TILE)?
            .ok_or_else(|| TlogError::corrupt(&path, "staged tile is missing"))?;
        parse_hash_tile(&bytes, p.width()).map_err(|r| TlogError::corrupt(&path, r))
    }
}

/// Runs `work(state, i)` for every `i` in `range` on up to [`FETCH_WORKERS`] threads (each with
/// its own `state`), stopping at the first failure; returns the sum of the counts, or the
/// failure of the lowest index.
fn for_each_index<S>(
    range: Range<u64>,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u64) -> Result<usize, TlogError> + Sync,
) -> Result<usize, TlogError> {
    if range.is_empty() {
        return Ok(0);
    }
    let len = usize::try_from(range.end - range.start).unwrap_or(usize::MAX);
    let workers = FETCH_WORKERS.min(len).max(1);
    let next = AtomicU64::new(range.start);
    let stop = AtomicBool::new(false);
    let (next, stop, init, work) = (&next, &stop, &init, &work);
    let results: Vec<Result<usize, (u64, TlogError)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(move || {
                    let mut state = init();
                    let mut count = 0usize;
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= range.end {
                            break;
                        }
                        match work(&mut state, i) {
                            Ok(n) => count = count.saturating_add(n),
                            Err(e) => {
                                stop.store(true, Ordering::Relaxed);
                                return Err((i, e));
                            }
                        }
                    }
                    Ok(count)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err((0, TlogError::Input("a fetch thread panicked".into())))
                })
            })
            .collect()
    });
    let mut total = 0usize;
    let mut first: Option<(u64, TlogError)> = None;
    for r in results {
        match r {
            Ok(n) => total = total.saturating_add(n),
            Err((i, e)) => {
                if first.as_ref().is_none_or(|(j, _)| i < *j) {
                    first = Some((i, e));
                }
            }
        }
    }
    match first {
        Some((_, e)) => Err(e),
        None => Ok(total),
    }
}

/// The tree being mirrored: its shape, its verified rightmost tiles, the mirrored tree's
/// rightmost tiles, and the staging directory holding the full tiles verified so far.
struct NewTree<'a> {
    size: u64,
    levels: Vec<LevelTiles>,
    /// The rightmost (partial) tile of each level, verified against the signed root (empty
    /// where the level has none).
    partials: Vec<Vec<Hash>>,
    /// The mirrored tree's rightmost tile per level (index and hashes), if any.
    old_partials: Vec<Option<(u64, Vec<Hash>)>>,
    old_size: u64,
    stage: &'a Stage,
}

impl NewTree<'_> {
    /// The path of the level-`level` tile `index` of the new tree.
    fn tile(&self, level: u8, index: u64) -> Result<TilePath, TlogError> {
        let hashes = self.size.checked_shr(8 * u32::from(level)).unwrap_or(0);
        tile_path(TileLevel::Level(level), index, width_for(hashes, index))
    }

    /// The verified level-`level` hash `index` (from a partial tile, or a staged full tile via
    /// `cache`, which holds the last full tile read).
    fn hash_at(
        &self,
        level: u8,
        index: u64,
        cache: &mut Option<(TilePath, Vec<Hash>)>,
    ) -> Result<(Hash, TilePath), TlogError> {
        let p = self.tile(level, index >> 8)?;
        let pos = (index % WIDTH as u64) as usize;
        let missing = || TlogError::Input(format!("{p}: no hash at position {pos}"));
        if p.is_partial() {
            let hashes = self.partials.get(usize::from(level)).ok_or_else(missing)?;
            return Ok((*hashes.get(pos).ok_or_else(missing)?, p));
        }
        if cache.as_ref().is_none_or(|(c, _)| *c != p) {
            *cache = Some((p, self.stage.hashes(p)?));
        }
        let hashes = cache.as_ref().map(|(_, h)| h).ok_or_else(missing)?;
        Ok((*hashes.get(pos).ok_or_else(missing)?, p))
    }

    /// The new tile `p` (verified) must begin with the mirrored tile at the same place, if the
    /// mirror has one: otherwise the new tree does not extend the mirrored one.
    fn check_extends(&self, p: TilePath, hashes: &[Hash]) -> Result<(), TlogError> {
        let TileLevel::Level(level) = p.level() else {
            return Ok(());
        };
        let Some(Some((index, old))) = self.old_partials.get(usize::from(level)) else {
            return Ok(());
        };
        if *index != p.index() || hashes.get(..old.len()) == Some(old.as_slice()) {
            return Ok(());
        }
        Err(TlogError::SplitView(format!(
            "remote tree of size {} does not extend the mirrored tree of size {}: {p} does not begin with the {} hashes of the mirrored {}",
            self.size,
            self.old_size,
            old.len(),
            tile_path(p.level(), p.index(), old.len() as u16)?
        )))
    }

    /// Fetches the full level-`level` tile `index`, verifies it against its parent hash and the
    /// mirror, and stages it; returns its hashes.
    fn fetch_full<R: Remote + ?Sized>(
        &self,
        remote: &R,
        level: u8,
        index: u64,
        cache: &mut Option<(TilePath, Vec<Hash>)>,
    ) -> Result<Vec<Hash>, TlogError> {
        let p = tile_path(TileLevel::Level(level), index, TILE_WIDTH)?;
        let hashes = fetch_hash_tile(remote, p)?;
        let got = root_from_leaf_hashes(&hashes);
        let parent_level = level
            .checked_add(1)
            .ok_or_else(|| TlogError::Input("too many levels".into()))?;
        let (want, parent) = self.hash_at(parent_level, index, cache)?;
        if got != want {
            return Err(TlogError::Remote(format!(
                "{p}: its hashes give the subtree root {got}, but {parent}, verified against the signed checkpoint, holds {want} for it"
            )));
        }
        self.check_extends(p, &hashes)?;
        self.stage.put(&p.to_string(), &encode_hash_tile(&hashes))?;
        Ok(hashes)
    }
}

/// Syncs the mirror in `dir` from `remote`, trusting only `key` (origin = key name); see the
/// module documentation. Network waits are bounded by `remote` (for [`BaseUrl`]: its request
/// and overall time limits).
pub fn sync<R: Remote + Sync + ?Sized>(
    remote: &R,
    dir: &Path,
    key: &VerifierKey,
    max_size: u64,
) -> Result<SyncOutcome, TlogError> {
    let cp_bytes = fetch_required(remote, CHECKPOINT_FILE, MAX_CHECKPOINT)?;
    let new = merkle::checkpoint::open(&cp_bytes, std::slice::from_ref(key), Some(key.name()))
        .map_err(|e| TlogError::Remote(format!("checkpoint: {e}")))?
        .into_checkpoint();
    if new.size > max_size {
        return Err(TlogError::Remote(format!(
            "checkpoint size {} is above the mirror's budget of {max_size} entries",
            new.size
        )));
    }
    let mut lock = MirrorLock::take(dir)?;
    let old = read_checkpoint(dir, key)?.map(|(c, _)| c);
    let (old_size, old_root) = old.as_ref().map_or((0, None), |c| (c.size, Some(c.root)));
    if new.size < old_size {
        return Err(TlogError::Rollback {
            local: old_size,
            remote: new.size,
        });
    }
    if new.size == old_size {
        return match old_root {
            Some(r) if r != new.root => Err(TlogError::SplitView(format!(
                "remote root {} and mirrored root {r} differ at the same size {old_size}",
                new.root
            ))),
            _ => {
                if old.is_some() {
                    lock.keep();
                }
                Ok(SyncOutcome {
                    old_size,
                    new_size: new.size,
                    root: new.root,
                    fetched: 0,
                })
            }
        };
    }
    // The mirrored tree's rightmost tiles, which must give its root (they were verified when
    // written; this catches local damage) and must begin the new tiles at the same places.
    let mut local = DirTiles::new(dir);
    let mut old_partials = Vec::new();
    let mut old_hashes = Vec::new();
    for lt in tiles_for_size(old_size) {
        let hashes = match lt.partial {
            Some(p) => local.hashes(p)?,
            None => Vec::new(),
        };
        old_partials.push(lt.partial.map(|p| (p.index(), hashes.clone())));
        old_hashes.push(hashes);
    }
    if let Some(old_root) = old_root {
        let root = root_from_partials(old_size, &old_hashes)
            .map_err(|r| TlogError::corrupt(dir.join("tile"), r))?;
        if root != old_root {
            return Err(TlogError::corrupt(
                dir.join("tile"),
                format!(
                    "the mirror's rightmost tiles give root {root}, its checkpoint says {old_root}"
                ),
            ));
        }
    }
    drop(old_hashes);
    let stage = Stage {
        root: lock.staging()?,
    };
    // 1. The rightmost tile of every level, against the signed root.
    let levels = tiles_for_size(new.size);
    let mut partials = Vec::with_capacity(levels.len());
    let mut fetched = 0usize;
    for lt in &levels {
        partials.push(match lt.partial {
            Some(p) => {
                fetched += 1;
                fetch_hash_tile(remote, p)?
            }
            None => Vec::new(),
        });
    }
    let root =
        root_from_partials(new.size, &partials).map_err(|e| TlogError::Remote(e.to_string()))?;
    if root != new.root {
        let names: Vec<String> = levels
            .iter()
            .filter_map(|lt| lt.partial.map(|p| p.to_string()))
            .collect();
        return Err(TlogError::Remote(format!(
            "the rightmost tiles {} give root {root}, the signed checkpoint says {}",
            names.join(", "),
            new.root
        )));
    }
    let tree = NewTree {
        size: new.size,
        levels,
        partials,
        old_partials,
        old_size,
        stage: &stage,
    };
    for (lt, hashes) in tree.levels.iter().zip(&tree.partials) {
        if let Some(p) = lt.partial {
            tree.check_extends(p, hashes)?;
            stage.put(&p.to_string(), &encode_hash_tile(hashes))?;
        }
    }
    // 2. Full tiles that changed, top level first: each against its verified parent. Level 0
    // goes with the entry bundles (3).
    for lt in tree.levels.iter().rev().filter(|lt| lt.level > 0) {
        let from = old_size
            .checked_shr(8 * (u32::from(lt.level) + 1))
            .unwrap_or(0);
        fetched += for_each_index(
            from..lt.full_tiles,
            || None,
            |cache, i| tree.fetch_full(remote, lt.level, i, cache).map(|_| 1),
        )?;
    }
    // 3. Level-0 tiles and their bundles, from the first one that changed.
    let first_tile = old_size >> 8;
    let last_tile = (new.size - 1) >> 8;
    let full0 = tree.levels.first().map_or(0, |lt| lt.full_tiles);
    fetched += for_each_index(
        first_tile..last_tile.saturating_add(1),
        || None,
        |cache, t| {
            let mut n = 0;
            let w = width_for(new.size, t);
            let (hashes, hp) = if t < full0 {
                n += 1;
                (
                    tree.fetch_full(remote, 0, t, cache)?,
                    tile_path(TileLevel::Level(0), t, w)?,
                )
            } else {
                let p = tile_path(TileLevel::Level(0), t, w)?;
                let h = tree.partials.first().cloned().unwrap_or_default();
                (h, p)
            };
            let bp = tile_path(TileLevel::Entries, t, w)?.to_string();
            let bundle = fetch_required(remote, &bp, MAX_BUNDLE)?;
            n += 1;
            let entries =
                parse_bundle(&bundle, w).map_err(|r| TlogError::Remote(format!("{bp}: {r}")))?;
            for (i, (e, h)) in entries.iter().zip(&hashes).enumerate() {
                Entry::parse(e)
                    .map_err(|err| TlogError::Remote(format!("{bp}: entry {i}: {err}")))?;
                if merkle::leaf_hash(e) != *h {
                    return Err(TlogError::Remote(format!(
                        "{bp}: entry {i} does not hash to the leaf hash in {hp}"
                    )));
                }
            }
            stage.put(&bp, &bundle)?;
            Ok(n)
        },
    )?;
    // Verified. Tiles first, checkpoint last.
    stage.put(CHECKPOINT_FILE, &cp_bytes)?;
    commit(&stage.root, dir, lock.created_dir)?;
    lock.keep();
    Ok(SyncOutcome {
        old_size,
        new_size: new.size,
        root: new.root,
        fetched,
    })
}

/// Moves the staged files into the mirror: per directory, the files are fsynced (in parallel),
/// renamed into place and the directory fsynced; then the checkpoint is renamed last and the
/// mirror directory fsynced. Memory: one directory listing at a time.
fn commit(staging: &Path, dir: &Path, created_dir: bool) -> Result<(), TlogError> {
    let tiles = staging.join("tile");
    if tiles.is_dir() {
        move_tree(&tiles, &dir.join("tile"))?;
    }
    sync_dir(dir)?;
    let from = staging.join(CHECKPOINT_FILE);
    let to = dir.join(CHECKPOINT_FILE);
    File::open(&from)
        .and_then(|f| f.sync_all())
        .map_err(|e| TlogError::io(&from, e))?;
    std::fs::rename(&from, &to).map_err(|e| TlogError::io(&to, e))?;
    sync_dir(dir)?;
    if created_dir {
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
    }
    Ok(())
}

fn move_tree(src: &Path, dst: &Path) -> Result<(), TlogError> {
    if !dst.is_dir() {
        std::fs::create_dir(dst).map_err(|e| TlogError::io(dst, e))?;
    }
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for e in std::fs::read_dir(src).map_err(|e| TlogError::io(src, e))? {
        let e = e.map_err(|e| TlogError::io(src, e))?;
        let kind = e.file_type().map_err(|err| TlogError::io(e.path(), err))?;
        if kind.is_dir() {
            dirs.push(e.file_name());
        } else {
            files.push(e.file_name());
        }
    }
    parallel(&files, |name| {
        let p = src.join(name);
        File::open(&p)
            .and_then(|f| f.sync_all())
            .map_err(|e| TlogError::io(&p, e))
    })?;
    for name in &files {
        let to = dst.join(name);
        std::fs::rename(src.join(name), &to).map_err(|e| TlogError::io(&to, e))?;
    }
    for name in &dirs {
        move_tree(&src.join(name), &dst.join(name))?;
    }
    sync_dir(dst)
}

/// What an offline inclusion check against a mirror found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorInclusion {
    pub index: u64,
    pub size: u64,
    pub root: Hash,
}

/// Checks offline that `entry` is in the mirrored log: the mirror's checkpoint must verify with
/// `key`; the entry's leaf hash must be at `index` (or, without one, is searched for in the
/// level-0 tiles) and its inclusion proof, built from the mirror's tiles, must reproduce the
/// signed root.
pub fn verify_inclusion(
    dir: &Path,
    key: &VerifierKey,
    entry: &Entry,
    index: Option<u64>,
) -> Result<MirrorInclusion, TlogError> {
    let path = dir.join(CHECKPOINT_FILE);
    let bytes = read_limited(&path, MAX_CHECKPOINT)?
        .ok_or_else(|| TlogError::Input(format!("{}: no mirrored checkpoint", path.display())))?;
    let cp = merkle::checkpoint::open(&bytes, std::slice::from_ref(key), Some(key.name()))?
        .into_checkpoint();
    let leaf = entry.leaf_hash();
    let index = match index {
        Some(i) => i,
        None => find_leaf(dir, cp.size, &leaf)?.ok_or_else(|| {
            TlogError::NotInLog(format!(
                "leaf hash {leaf} is not in the mirrored tree of size {}",
                cp.size
            ))
        })?,
    };
    let mut prover = TileProver::new(cp.size, DirTiles::new(dir));
    let proof = prover.inclusion_proof(index)?;
    merkle::verify_inclusion(index, cp.size, &leaf, &proof, &cp.root)?;
    Ok(MirrorInclusion {
        index,
        size: cp.size,
        root: cp.root,
    })
}

/// The first index whose leaf hash is `leaf`, scanning the level-0 tiles of the tree.
pub fn find_leaf(dir: &Path, size: u64, leaf: &Hash) -> Result<Option<u64>, TlogError> {
    let mut tiles = DirTiles::new(dir);
    if size == 0 {
        return Ok(None);
    }
    for t in 0..=((size - 1) >> 8) {
        let p = TilePath::new(TileLevel::Level(0), t, width_for(size, t))
            .map_err(|e| TlogError::Input(e.to_string()))?;
        if let Some(i) = tiles.hashes(p)?.iter().position(|h| h == leaf) {
            return Ok(Some(t * WIDTH as u64 + i as u64));
        }
    }
    Ok(None)
}
