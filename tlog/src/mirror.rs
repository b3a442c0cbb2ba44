//! A verifying mirror: fetches the remote checkpoint, level-0 tiles and entry bundles, checks
//! everything against the signed checkpoint and the mirror's previous checkpoint, and only then
//! writes tiles (first) and the checkpoint (last). A rejected update leaves the mirror unchanged.

use crate::entry::Entry;
use crate::fsio::{read_limited, Durable};
use crate::http::BaseUrl;
use crate::proof::{DirTiles, TileProver, TileSource};
use crate::tiles::{
    parse_bundle, parse_hash_tile, tiles_from_leaf_hashes, MAX_BUNDLE, MAX_HASH_TILE, WIDTH,
};
use crate::writer::{read_checkpoint, CHECKPOINT_FILE, MAX_CHECKPOINT};
use crate::TlogError;
use merkle::note::VerifierKey;
use merkle::tiles::{TileLevel, TilePath, TILE_WIDTH};
use merkle::{consistency_proof, root_from_leaf_hashes_parallel, verify_consistency, Hash};
use std::path::Path;

/// Default budget on the remote tree size (leaf hashes are held in memory: 32 bytes each).
pub const DEFAULT_MAX_SIZE: u64 = 1 << 24;

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

/// Syncs the mirror in `dir` from `remote`, trusting only `key` (origin = key name).
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
            _ => Ok(SyncOutcome {
                old_size,
                new_size: new.size,
                root: new.root,
                fetched: 0,
            }),
        };
    }
    // Leaf hashes: full level-0 tiles already mirrored, then the remote ones from there on.
    let first_tile = old_size >> 8;
    let mut leaves: Vec<Hash> = Vec::with_capacity(usize::try_from(new.size).unwrap_or(0));
    let mut local = DirTiles::new(dir);
    for t in 0..first_tile {
        let p = TilePath::new(TileLevel::Level(0), t, TILE_WIDTH)
            .map_err(|e| TlogError::Input(e.to_string()))?;
        leaves.extend(local.hashes(p)?);
    }
    let last_tile = (new.size - 1) >> 8;
    let indices: Vec<u64> = (first_tile..=last_tile).collect();
    // Fetch level-0 tiles and bundles with a few threads (loopback latency dominates).
    let workers = 4usize;
    let chunk = indices.len().div_ceil(workers).max(1);
    type Fetched = Vec<(u64, Vec<Hash>, Vec<u8>)>;
    let results: Vec<Result<Fetched, TlogError>> = std::thread::scope(|s| {
        let handles: Vec<_> = indices
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> Result<Fetched, TlogError> {
                    let mut out = Vec::with_capacity(part.len());
                    for &t in part {
                        let w = width_for(new.size, t);
                        let hp = TilePath::new(TileLevel::Level(0), t, w)
                            .map_err(|e| TlogError::Input(e.to_string()))?
                            .to_string();
                        let hashes =
                            parse_hash_tile(&fetch_required(remote, &hp, MAX_HASH_TILE)?, w)
                                .map_err(|r| TlogError::Remote(format!("{hp}: {r}")))?;
                        let bp = TilePath::new(TileLevel::Entries, t, w)
                            .map_err(|e| TlogError::Input(e.to_string()))?
                            .to_string();
                        let bundle = fetch_required(remote, &bp, MAX_BUNDLE)?;
                        let entries = parse_bundle(&bundle, w)
                            .map_err(|r| TlogError::Remote(format!("{bp}: {r}")))?;
                        for (i, (e, h)) in entries.iter().zip(&hashes).enumerate() {
                            Entry::parse(e).map_err(|err| {
                                TlogError::Remote(format!("{bp}: entry {i}: {err}"))
                            })?;
                            if merkle::leaf_hash(e) != *h {
                                return Err(TlogError::Remote(format!(
                                    "{bp}: entry {i} does not hash to the leaf hash in {hp}"
                                )));
                            }
                        }
                        out.push((t, hashes, bundle));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(TlogError::Network("fetch thread failed".into())))
            })
            .collect()
    });
    let mut bundles = Vec::new();
    let mut fetched = 0usize;
    for r in results {
        for (t, hashes, bundle) in r? {
            // The first fetched tile may be a wider version of the mirrored partial tile: it
            // holds every hash of its range, old ones included, so the root check covers them.
            leaves.extend(hashes);
            bundles.push((t, bundle));
            fetched += 2;
        }
    }
    if leaves.len() as u64 != new.size {
        return Err(TlogError::Remote(format!(
            "tiles hold {} leaves, checkpoint says {}",
            leaves.len(),
            new.size
        )));
    }
    let root = root_from_leaf_hashes_parallel(&leaves);
    if root != new.root {
        return Err(TlogError::Remote(format!(
            "tiles give root {root}, the signed checkpoint says {}",
            new.root
        )));
    }
    if let Some(old_root) = old_root {
        let proof = consistency_proof(&leaves, old_size, new.size)?;
        verify_consistency(old_size, new.size, &proof, &old_root, &new.root).map_err(|e| {
            TlogError::SplitView(format!(
                "remote tree of size {} does not extend the mirrored tree of size {old_size}: {e}",
                new.size
            ))
        })?;
    }
    // Verified. Tiles first, checkpoint last.
    let mut d = Durable::new();
    for (p, bytes) in tiles_from_leaf_hashes(&leaves, old_size)? {
        d.put(&dir.join(p.to_string()), &bytes)?;
    }
    for (t, bundle) in bundles {
        let p = TilePath::new(TileLevel::Entries, t, width_for(new.size, t))
            .map_err(|e| TlogError::Input(e.to_string()))?;
        d.put(&dir.join(p.to_string()), &bundle)?;
    }
    d.put_last(&dir.join(CHECKPOINT_FILE), &cp_bytes);
    d.commit()?;
    Ok(SyncOutcome {
        old_size,
        new_size: new.size,
        root,
        fetched,
    })
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
