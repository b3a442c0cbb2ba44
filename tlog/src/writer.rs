//! The log writer: one process at a time (a lock file), durable appends, atomic publication.
//!
//! Directory layout (everything but `log.json`, `pending` and `lock` is what `serve` publishes):
//!
//! ```text
//! log.json             {"origin": ..., "vkey": ...}
//! lock                 held (flock) by the single writer
//! pending              appended entries not yet in a checkpoint (header, then records)
//! checkpoint           the signed C2SP checkpoint, replaced last and atomically
//! tile/<L>/<N>[.p/<W>] hash tiles
//! tile/entries/<N>[.p/<W>] entry bundles
//! ```
//!
//! `pending` is `"tlog-pending-v1\n"`, the big-endian u64 tree size its first record gets, then
//! records `u16 length ‖ entry ‖ leaf hash`; an append is acknowledged after fsync. A torn
//! record at the end (a write cut short) is dropped on open: it was never acknowledged.
//!
//! A checkpoint writes the new tiles and bundles (temporary file, fsync, rename, directory
//! fsync), then renames the checkpoint into place; `pending` keeps integrated records (skipped
//! on open) and is restarted every 65 536 integrated entries. Tiles of older sizes are never deleted,
//! so a reader that read the previous checkpoint still finds its tiles. A process killed at
//! any point leaves the last published checkpoint, its tiles and every acknowledged entry.

use crate::entry::{Entry, MAX_ENTRY_LEN};
use crate::fsio::{read_limited, Durable};
use crate::proof::{DirTiles, TileSource};
use crate::tiles::{
    encode_bundle, encode_hash_tile, parse_bundle, root_from_partials, MAX_BUNDLE, WIDTH,
};
use crate::TlogError;
use merkle::checkpoint::Checkpoint;
use merkle::note::{Signer, VerifierKey};
use merkle::tiles::{tiles_for_size, TileLevel, TilePath, TILE_WIDTH};
use merkle::{leaf_hash, root_from_leaf_hashes, Hash, HASH_LEN};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Acknowledged entries: canonical bytes and leaf hash.
type PendingRecords = Vec<(Vec<u8>, Hash)>;

/// The log's configuration file.
pub const CONFIG_FILE: &str = "log.json";
/// The published checkpoint.
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// Pending (acknowledged, not yet checkpointed) entries.
pub const PENDING_FILE: &str = "pending";
/// The writer lock.
pub const LOCK_FILE: &str = "lock";
/// The largest checkpoint file read, in bytes.
pub const MAX_CHECKPOINT: usize = 64 * 1024;
/// The most entries waiting for a checkpoint.
pub const MAX_PENDING: usize = 1 << 20;
const PENDING_MAGIC: &[u8; 16] = b"tlog-pending-v1\n";
/// `pending` is restarted once it holds this many integrated records.
const PENDING_RESET: u64 = 1 << 16;
const MAX_CONFIG: usize = 16 * 1024;

/// `log.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The checkpoint origin line (also the key name).
    pub origin: String,
    /// The verifier key of the log's signing key.
    pub vkey: String,
}

fn tile(level: TileLevel, index: u64, width: usize) -> Result<TilePath, TlogError> {
    let w = u16::try_from(width).unwrap_or(TILE_WIDTH);
    TilePath::new(level, index, w).map_err(|e| TlogError::Input(e.to_string()))
}

fn sign_checkpoint(signer: &Signer, size: u64, root: Hash) -> Result<String, TlogError> {
    let body = Checkpoint {
        origin: signer.name().to_owned(),
        size,
        root,
        extensions: Vec::new(),
    }
    .to_body()?;
    Ok(signer.sign_note(&body)?)
}

fn pending_header(base: u64) -> Vec<u8> {
    let mut v = PENDING_MAGIC.to_vec();
    v.extend_from_slice(&base.to_be_bytes());
    v
}

fn pending_record(bytes: &[u8], hash: &Hash, out: &mut Vec<u8>) -> Result<(), TlogError> {
    let len = u16::try_from(bytes.len()).map_err(|_| TlogError::Entry("entry too long".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(hash.as_bytes());
    Ok(())
}

/// Creates a log in `dir` (which must not hold one) for `signer`, whose key name is the origin,
/// and publishes the signed checkpoint of the empty tree.
pub fn init(dir: &Path, signer: &Signer) -> Result<Config, TlogError> {
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        return Err(TlogError::Input(format!(
            "{} already exists: the directory already holds a log",
            config_path.display()
        )));
    }
    let config = Config {
        origin: signer.name().to_owned(),
        vkey: signer.verifier_key(),
    };
    let json = serde_json::to_vec_pretty(&config).map_err(|e| TlogError::Input(e.to_string()))?;
    let mut d = Durable::new();
    d.put(&dir.join(PENDING_FILE), &pending_header(0))?;
    d.put(
        &dir.join(CHECKPOINT_FILE),
        sign_checkpoint(signer, 0, merkle::empty_root())?.as_bytes(),
    )?;
    d.put(&config_path, &json)?;
    d.commit()?;
    Ok(config)
}

/// Reads `log.json`.
pub fn read_config(dir: &Path) -> Result<(Config, VerifierKey), TlogError> {
    let path = dir.join(CONFIG_FILE);
    let bytes = read_limited(&path, MAX_CONFIG)?
        .ok_or_else(|| TlogError::Input(format!("{}: no log here (missing)", path.display())))?;
    let config: Config =
        serde_json::from_slice(&bytes).map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    let vkey =
        VerifierKey::parse(&config.vkey).map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    if vkey.name() != config.origin {
        return Err(TlogError::corrupt(
            &path,
            "key name differs from the origin",
        ));
    }
    Ok((config, vkey))
}

/// Reads and verifies the checkpoint in `dir` with `vkey` (origin = key name). `None` if absent.
pub fn read_checkpoint(
    dir: &Path,
    vkey: &VerifierKey,
) -> Result<Option<(Checkpoint, Vec<u8>)>, TlogError> {
    let path = dir.join(CHECKPOINT_FILE);
    let Some(bytes) = read_limited(&path, MAX_CHECKPOINT)? else {
        return Ok(None);
    };
    let cp = merkle::checkpoint::open(&bytes, std::slice::from_ref(vkey), Some(vkey.name()))
        .map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    Ok(Some((cp.into_checkpoint(), bytes)))
}

/// The writable log. Holds the writer lock until dropped.
#[derive(Debug)]
pub struct Log {
    dir: PathBuf,
    _lock: File,
    vkey: VerifierKey,
    size: u64,
    root: Hash,
    /// Hashes after the last full tile, per level, for `size`.
    levels: Vec<Vec<Hash>>,
    /// Entries after the last full bundle.
    bundle: Vec<Vec<u8>>,
    /// Acknowledged entries (bytes, leaf hash) not yet integrated.
    pending: PendingRecords,
    pending_file: File,
    /// The index of the first record in `pending` (records below `size` are integrated).
    pending_base: u64,
}

impl Log {
    /// Opens the log, taking the writer lock, checking the published state, and recovering
    /// acknowledged pending entries (dropping a torn final record).
    pub fn open(dir: &Path) -> Result<Self, TlogError> {
        let lock_path = dir.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| TlogError::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(TlogError::Locked { path: lock_path })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(TlogError::io(&lock_path, e)),
        }
        let (_, vkey) = read_config(dir)?;
        let cp_path = dir.join(CHECKPOINT_FILE);
        let (cp, _) =
            read_checkpoint(dir, &vkey)?.ok_or_else(|| TlogError::corrupt(&cp_path, "missing"))?;
        let size = cp.size;
        let mut tiles = DirTiles::new(dir);
        let mut levels = Vec::new();
        for lt in tiles_for_size(size) {
            levels.push(match lt.partial {
                Some(p) => tiles.hashes(p)?,
                None => Vec::new(),
            });
        }
        let root =
            root_from_partials(size, &levels).map_err(|r| TlogError::corrupt(&cp_path, r))?;
        if root != cp.root {
            return Err(TlogError::corrupt(
                &cp_path,
                format!("tiles give root {root}, checkpoint says {}", cp.root),
            ));
        }
        let in_bundle = (size % WIDTH as u64) as usize;
        let mut bundle = Vec::new();
        if in_bundle > 0 {
            let p = tile(TileLevel::Entries, size >> 8, in_bundle)?;
            let path = dir.join(p.to_string());
            let bytes = read_limited(&path, MAX_BUNDLE)?
                .ok_or_else(|| TlogError::corrupt(&path, "entry bundle is missing"))?;
            bundle = parse_bundle(&bytes, p.width())
                .map_err(|r| TlogError::corrupt(&path, r))?
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
        }
        let (pending_base, pending) = recover_pending(dir, size)?;
        let pending_path = dir.join(PENDING_FILE);
        let pending_file = File::options()
            .append(true)
            .open(&pending_path)
            .map_err(|e| TlogError::io(&pending_path, e))?;
        Ok(Log {
            dir: dir.to_path_buf(),
            _lock: lock,
            vkey,
            size,
            root,
            levels,
            bundle,
            pending,
            pending_file,
            pending_base,
        })
    }

    /// The published tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The published root.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// Entries acknowledged but not yet in a checkpoint.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The verifier key of the log.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.vkey
    }

    /// Appends entries durably (one fsync for the batch) and returns the index of the first.
    pub fn append(&mut self, entries: &[Entry]) -> Result<u64, TlogError> {
        if self.pending.len().saturating_add(entries.len()) > MAX_PENDING {
            return Err(TlogError::Input(format!(
                "more than {MAX_PENDING} entries would wait for a checkpoint; run `log checkpoint`"
            )));
        }
        let first = self.size.saturating_add(self.pending.len() as u64);
        let mut buf = Vec::new();
        let mut new = Vec::with_capacity(entries.len());
        for e in entries {
            let bytes = e.to_bytes();
            let hash = leaf_hash(&bytes);
            pending_record(&bytes, &hash, &mut buf)?;
            new.push((bytes, hash));
        }
        let path = self.dir.join(PENDING_FILE);
        self.pending_file
            .write_all(&buf)
            .and_then(|()| self.pending_file.sync_data())
            .map_err(|e| TlogError::io(&path, e))?;
        self.pending.extend(new);
        Ok(first)
    }

    /// Integrates pending entries into tiles and bundles, then signs and publishes the
    /// checkpoint (last). Returns the new size and root.
    pub fn checkpoint(&mut self, signer: &Signer) -> Result<(u64, Hash), TlogError> {
        if signer.to_verifier_key() != self.vkey {
            return Err(TlogError::Input(format!(
                "the signing key {} is not the log's key {}",
                signer.verifier_key(),
                self.vkey
            )));
        }
        if self.pending.is_empty() {
            return Ok((self.size, self.root));
        }
        let mut levels = self.levels.clone();
        let mut bundle = self.bundle.clone();
        let mut n = self.size;
        let mut d = Durable::new();
        let put = |d: &mut Durable, p: TilePath, bytes: &[u8]| {
            d.put(&self.dir.join(p.to_string()), bytes)
        };
        for (bytes, hash) in &self.pending {
            bundle.push(bytes.clone());
            if bundle.len() == WIDTH {
                put(
                    &mut d,
                    tile(TileLevel::Entries, n >> 8, WIDTH)?,
                    &encode_bundle(&bundle)?,
                )?;
                bundle.clear();
            }
            let mut h = *hash;
            let mut level = 0usize;
            loop {
                if levels.len() <= level {
                    levels.push(Vec::new());
                }
                let Some(hashes) = levels.get_mut(level) else {
                    break;
                };
                hashes.push(h);
                if hashes.len() < WIDTH {
                    break;
                }
                let shift = 8 * (level as u32 + 1);
                let index = (n.saturating_add(1))
                    .checked_shr(shift)
                    .unwrap_or(0)
                    .saturating_sub(1);
                let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level".into()))?;
                put(
                    &mut d,
                    tile(TileLevel::Level(lvl), index, WIDTH)?,
                    &encode_hash_tile(hashes),
                )?;
                h = root_from_leaf_hashes(hashes);
                hashes.clear();
                level += 1;
            }
            n += 1;
        }
        for (level, hashes) in levels.iter().enumerate() {
            if !hashes.is_empty() {
                let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level".into()))?;
                let index = n.checked_shr(8 * (level as u32 + 1)).unwrap_or(0);
                put(
                    &mut d,
                    tile(TileLevel::Level(lvl), index, hashes.len())?,
                    &encode_hash_tile(hashes),
                )?;
            }
        }
        if !bundle.is_empty() {
            put(
                &mut d,
                tile(TileLevel::Entries, n >> 8, bundle.len())?,
                &encode_bundle(&bundle)?,
            )?;
        }
        while levels.last().is_some_and(Vec::is_empty) && levels.len() > tiles_for_size(n).len() {
            levels.pop();
        }
        let root = root_from_partials(n, &levels).map_err(TlogError::Input)?;
        let note = sign_checkpoint(signer, n, root)?;
        // Tiles are durable before the checkpoint that needs them is renamed into place.
        d.put_last(&self.dir.join(CHECKPOINT_FILE), note.as_bytes());
        d.commit()?;
        // Published. `pending` keeps integrated records (skipped on open) until there are many.
        if n.saturating_sub(self.pending_base) >= PENDING_RESET {
            let mut d = Durable::new();
            let pending_path = self.dir.join(PENDING_FILE);
            d.put(&pending_path, &pending_header(n))?;
            d.commit()?;
            self.pending_file = File::options()
                .append(true)
                .open(&pending_path)
                .map_err(|e| TlogError::io(&pending_path, e))?;
            self.pending_base = n;
        }
        self.size = n;
        self.root = root;
        self.levels = levels;
        self.bundle = bundle;
        self.pending.clear();
        Ok((n, root))
    }
}

/// Reads `pending`, drops a torn final record and the records already integrated (a crash
/// between publishing a checkpoint and resetting `pending`), and rewrites it if it changed.
fn recover_pending(dir: &Path, size: u64) -> Result<(u64, PendingRecords), TlogError> {
    let path = dir.join(PENDING_FILE);
    let data = std::fs::read(&path).map_err(|e| TlogError::io(&path, e))?;
    let (header, mut rest) = data
        .split_at_checked(PENDING_MAGIC.len() + 8)
        .ok_or_else(|| TlogError::corrupt(&path, "shorter than its header"))?;
    let (magic, base) = header.split_at(PENDING_MAGIC.len());
    if magic != PENDING_MAGIC {
        return Err(TlogError::corrupt(&path, "bad magic"));
    }
    let base = u64::from_be_bytes(
        <[u8; 8]>::try_from(base).map_err(|_| TlogError::corrupt(&path, "header"))?,
    );
    if base > size {
        return Err(TlogError::corrupt(
            &path,
            format!("starts at {base}, after the published size {size}"),
        ));
    }
    let mut records = Vec::new();
    let mut torn = false;
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            torn = true;
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len));
        let Some((bytes, tail)) = tail.split_at_checked(len) else {
            torn = true;
            break;
        };
        let Some((hash, tail)) = tail.split_at_checked(HASH_LEN) else {
            torn = true;
            break;
        };
        let hash = Hash::from_slice(hash).map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
        if len > MAX_ENTRY_LEN || leaf_hash(bytes) != hash {
            torn = true;
            break;
        }
        records.push((bytes.to_vec(), hash));
        rest = tail;
    }
    let integrated = usize::try_from(size - base).unwrap_or(usize::MAX);
    if integrated > records.len() {
        return Err(TlogError::corrupt(
            &path,
            format!(
                "holds {} records from {base}, but the checkpoint is at {size}",
                records.len()
            ),
        ));
    }
    let records = records.split_off(integrated);
    if torn || size - base >= PENDING_RESET {
        let mut buf = pending_header(size);
        for (bytes, hash) in &records {
            pending_record(bytes, hash, &mut buf)?;
        }
        let mut d = Durable::new();
        d.put(&path, &buf)?;
        d.commit()?;
        return Ok((size, records));
    }
    Ok((base, records))
}
