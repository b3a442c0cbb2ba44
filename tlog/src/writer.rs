//! The log writer: one process at a time (a lock file), a durable journal, atomic publication.
//!
//! Directory layout (everything but `log.json`, `pending` and `lock` is what `serve` publishes):
//!
//! ```text
//! log.json             {"origin": ..., "vkey": ...}
//! lock                 held (flock) by the single writer
//! pending              the journal: appended entries and signed checkpoints (header, records)
//! checkpoint           the signed C2SP checkpoint, replaced last and atomically
//! tile/<L>/<N>[.p/<W>] hash tiles
//! tile/entries/<N>[.p/<W>] entry bundles
//! ```
//!
//! `pending` (the journal) is `"tlog-pending-v2\n"`, the big-endian u64 tree size its first
//! entry record gets, then records: an entry `u16 length ‖ entry ‖ leaf hash`, or a checkpoint
//! `0xFFFF ‖ u16 length ‖ signed note ‖ SHA-256(0x00 ‖ note)` covering the entries before it.
//! The journal is only ever appended to (one `write` and one `fdatasync` per call), except when
//! it is restarted (below). A torn record at the end (a write cut short) is dropped on open: it
//! was never acknowledged. Version 1 journals (no checkpoint records) are read and rewritten.
//!
//! **Durability.** `append` is acknowledged after the fdatasync of its entry records. A
//! checkpoint is *published* when its record is durable in the journal. While that fdatasync
//! runs, a second thread writes the tiles and entry bundles it needs in place
//! ([`write_immutable`]: new paths only; a path holding other bytes is replaced atomically) and
//! stages the `checkpoint` file, which is renamed into place only after both finish (so a
//! concurrent reader never sees a checkpoint without its tiles). None of these is fsynced: the
//! journal holds everything needed to rebuild them. `append_checkpoint` writes the entries and
//! the checkpoint record with one fdatasync.
//!
//! **Recovery** (`Log::open`, before anything else reads the log): the journal's last
//! checkpoint record is the published one. The tiles of the journal's base size (durable, see
//! below) plus the journal's entries are replayed; every full tile completed since the base and
//! every partial tile of the published size is compared with the file on disk and rewritten
//! (durably) if missing or different; the replayed root must equal the signed root; then the
//! `checkpoint` file is rewritten if it is not the journal's (tiles first, checkpoint last).
//!
//! **Restart.** Once 65 536 entries since the base are published (and after a recovery that
//! found a torn record or a version 1 journal), every tile completed since the base, the
//! partial tiles of the published size and the `checkpoint` file are fsynced with their
//! directories, and only then is the journal replaced (temporary file, fsync, rename, directory
//! fsync) by one starting at the published size with the checkpoint record and the entries not
//! yet integrated. Tiles of older sizes are never deleted, so a reader that read the previous
//! checkpoint still finds its tiles while the writer runs.

use crate::entry::{Entry, MAX_ENTRY_LEN};
use crate::fsio::{publish_staged, read_limited, stage, sync_paths, write_immutable, Durable};
use crate::proof::{DirTiles, TileSource};
use crate::tiles::{
    encode_bundle, encode_hash_tile, parse_bundle, root_from_partials, TileError, MAX_BUNDLE, WIDTH,
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
const PENDING_MAGIC: &[u8; 16] = b"tlog-pending-v2\n";
/// The first journal version: entry records only.
const PENDING_MAGIC_V1: &[u8; 16] = b"tlog-pending-v1\n";
/// The length prefix marking a checkpoint record (entries are at most 16 KiB).
const CHECKPOINT_MARK: u16 = 0xFFFF;
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

fn checkpoint_record(note: &[u8], out: &mut Vec<u8>) -> Result<(), TlogError> {
    let len = u16::try_from(note.len())
        .ok()
        .filter(|&l| l < CHECKPOINT_MARK)
        .ok_or_else(|| TlogError::Input("signed checkpoint too long for the journal".into()))?;
    out.extend_from_slice(&CHECKPOINT_MARK.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(note);
    out.extend_from_slice(leaf_hash(note).as_bytes());
    Ok(())
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
    let note = sign_checkpoint(signer, 0, merkle::empty_root())?;
    let mut journal = pending_header(0);
    checkpoint_record(note.as_bytes(), &mut journal)?;
    let mut d = Durable::new();
    d.put(&dir.join(PENDING_FILE), &journal)?;
    d.put(&dir.join(CHECKPOINT_FILE), note.as_bytes())?;
    d.put(&config_path, &json)?;
    d.commit()?;
    Ok(config)
}

/// Reads `log.json`.
pub fn read_config(dir: &Path) -> Result<(Config, VerifierKey), TlogError> {
    let path = dir.join(CONFIG_FILE);
    let bytes = read_limited(&path, MAX_CONFIG)?
        .ok_or_else(|| TlogError::Input(format!("{}: no log here (missing)", path.display())))?;
    let config: Config = plugin_api::json::from_slice(&bytes)
        .map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
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

/// The rightmost (partial) tile contents of a tree: what integration needs to go on.
#[derive(Debug, Clone, Default)]
struct TreeState {
    size: u64,
    /// Hashes after the last full tile, per level.
    levels: Vec<Vec<Hash>>,
    /// Entries after the last full bundle.
    bundle: Vec<Vec<u8>>,
}

impl TreeState {
    /// Reads the partial tiles and bundle of a tree of `size` leaves from `dir`.
    fn read(dir: &Path, size: u64) -> Result<Self, TlogError> {
        let mut tiles = DirTiles::new(dir);
        let mut levels = Vec::new();
        for lt in tiles_for_size(size) {
            levels.push(match lt.partial {
                Some(p) => tiles.hashes(p)?,
                None => Vec::new(),
            });
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
        Ok(TreeState {
            size,
            levels,
            bundle,
        })
    }

    fn root(&self) -> Result<Hash, TileError> {
        root_from_partials(self.size, &self.levels)
    }

    /// Adds `records` (entry bytes, leaf hash) and returns the tiles to write: every full tile
    /// completed on the way, then the partial tiles of the new size.
    fn integrate<'a>(
        &mut self,
        records: impl Iterator<Item = &'a (Vec<u8>, Hash)>,
    ) -> Result<Vec<(TilePath, Vec<u8>)>, TlogError> {
        let mut out = Vec::new();
        let mut n = self.size;
        for (bytes, hash) in records {
            self.bundle.push(bytes.clone());
            if self.bundle.len() == WIDTH {
                out.push((
                    tile(TileLevel::Entries, n >> 8, WIDTH)?,
                    encode_bundle(&self.bundle)?,
                ));
                self.bundle.clear();
            }
            let mut h = *hash;
            let mut level = 0usize;
            loop {
                if self.levels.len() <= level {
                    self.levels.push(Vec::new());
                }
                let Some(hashes) = self.levels.get_mut(level) else {
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
                out.push((
                    tile(TileLevel::Level(lvl), index, WIDTH)?,
                    encode_hash_tile(hashes),
                ));
                h = root_from_leaf_hashes(hashes);
                hashes.clear();
                level += 1;
            }
            n += 1;
        }
        for (level, hashes) in self.levels.iter().enumerate() {
            if !hashes.is_empty() {
                let lvl = u8::try_from(level).map_err(|_| TlogError::Input("level".into()))?;
                let index = n.checked_shr(8 * (level as u32 + 1)).unwrap_or(0);
                out.push((
                    tile(TileLevel::Level(lvl), index, hashes.len())?,
                    encode_hash_tile(hashes),
                ));
            }
        }
        if !self.bundle.is_empty() {
            out.push((
                tile(TileLevel::Entries, n >> 8, self.bundle.len())?,
                encode_bundle(&self.bundle)?,
            ));
        }
        while self.levels.last().is_some_and(Vec::is_empty)
            && self.levels.len() > tiles_for_size(n).len()
        {
            self.levels.pop();
        }
        self.size = n;
        Ok(out)
    }
}

/// The tiles a tree of `size` leaves needs that were not needed at `base`: the full tiles
/// (hash tiles of every level and entry bundles) completed in `(base, size]` and the partial
/// tiles of `size`.
fn tiles_since(base: u64, size: u64) -> Result<Vec<TilePath>, TlogError> {
    let mut out = Vec::new();
    let width = WIDTH as u64;
    for i in (base >> 8)..(size >> 8) {
        out.push(tile(TileLevel::Entries, i, WIDTH)?);
    }
    if !size.is_multiple_of(width) {
        out.push(tile(
            TileLevel::Entries,
            size >> 8,
            (size % width) as usize,
        )?);
    }
    for lt in tiles_for_size(size) {
        let shift = 8 * (u32::from(lt.level) + 1);
        for i in base.checked_shr(shift).unwrap_or(0)..lt.full_tiles {
            out.push(tile(TileLevel::Level(lt.level), i, WIDTH)?);
        }
        out.extend(lt.partial);
    }
    Ok(out)
}

/// The journal as read from disk.
#[derive(Debug, Default)]
struct Journal {
    /// Version 1 (no checkpoint records).
    legacy: bool,
    /// The tree size the first entry record gets.
    base: u64,
    records: PendingRecords,
    /// The last checkpoint record: how many entry records precede it, the note, its body.
    checkpoint: Option<(usize, Vec<u8>, Checkpoint)>,
    /// A torn or damaged tail was dropped.
    torn: bool,
}

/// Reads the journal, dropping a torn tail; checkpoint records must verify with `vkey` and cover
/// exactly the entry records before them.
fn read_journal(dir: &Path, vkey: &VerifierKey) -> Result<Journal, TlogError> {
    let path = dir.join(PENDING_FILE);
    let data = std::fs::read(&path).map_err(|e| TlogError::io(&path, e))?;
    let (header, mut rest) = data
        .split_at_checked(PENDING_MAGIC.len() + 8)
        .ok_or_else(|| TlogError::corrupt(&path, "shorter than its header"))?;
    let (magic, base) = header.split_at(PENDING_MAGIC.len());
    let legacy = magic == PENDING_MAGIC_V1;
    if magic != PENDING_MAGIC && !legacy {
        return Err(TlogError::corrupt(&path, "bad magic"));
    }
    let base = u64::from_be_bytes(
        <[u8; 8]>::try_from(base).map_err(|_| TlogError::corrupt(&path, "header"))?,
    );
    let mut j = Journal {
        legacy,
        base,
        ..Journal::default()
    };
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            j.torn = true;
            break;
        };
        let mut len = u16::from_be_bytes(*len);
        let mut tail = tail;
        let is_checkpoint = len == CHECKPOINT_MARK && !legacy;
        if is_checkpoint {
            let Some((l, t)) = tail.split_first_chunk::<2>() else {
                j.torn = true;
                break;
            };
            len = u16::from_be_bytes(*l);
            tail = t;
        }
        let len = usize::from(len);
        let Some((bytes, tail)) = tail.split_at_checked(len) else {
            j.torn = true;
            break;
        };
        let Some((hash, tail)) = tail.split_at_checked(HASH_LEN) else {
            j.torn = true;
            break;
        };
        let hash = Hash::from_slice(hash).map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
        if leaf_hash(bytes) != hash || (!is_checkpoint && len > MAX_ENTRY_LEN) {
            j.torn = true;
            break;
        }
        if is_checkpoint {
            // The checksum matched, so this is what the writer wrote: a bad signature or size
            // is damage, not a torn write.
            let cp = merkle::checkpoint::open(bytes, std::slice::from_ref(vkey), Some(vkey.name()))
                .map_err(|e| TlogError::corrupt(&path, format!("checkpoint record: {e}")))?
                .into_checkpoint();
            let covered = base.saturating_add(j.records.len() as u64);
            if cp.size != covered {
                return Err(TlogError::corrupt(
                    &path,
                    format!(
                        "checkpoint record of size {} after entry {covered}",
                        cp.size
                    ),
                ));
            }
            j.checkpoint = Some((j.records.len(), bytes.to_vec(), cp));
        } else {
            j.records.push((bytes.to_vec(), hash));
        }
        rest = tail;
    }
    Ok(j)
}

/// Appends `buf` to the journal file and fdatasyncs it.
fn journal_append(file: &mut File, dir: &Path, buf: &[u8]) -> Result<(), TlogError> {
    file.write_all(buf)
        .and_then(|()| file.sync_data())
        .map_err(|e| TlogError::io(dir.join(PENDING_FILE), e))
}

/// The writable log. Holds the writer lock until dropped.
#[derive(Debug)]
pub struct Log {
    dir: PathBuf,
    _lock: File,
    vkey: VerifierKey,
    /// The published tree (partial tiles of `state.size`).
    state: TreeState,
    root: Hash,
    /// The published signed checkpoint.
    note: Vec<u8>,
    /// Acknowledged entries (bytes, leaf hash) not yet integrated.
    pending: PendingRecords,
    pending_file: File,
    /// The index of the first entry record in the journal.
    pending_base: u64,
    /// A write failed after the journal may have changed: refuse to go on (reopen to recover).
    poisoned: bool,
}

impl Log {
    /// Opens the log, taking the writer lock, and recovers it from the journal (see the module
    /// documentation): acknowledged pending entries are kept, a torn final record dropped, and
    /// the tiles and checkpoint file of the last published checkpoint rebuilt if a crash lost
    /// them.
    pub fn open(dir: &Path) -> Result<Self, TlogError> {
        Ok(Self::open_reporting(dir)?.0)
    }

    /// [`Log::open`], also returning how many files recovery rewrote (tiles, bundles, the
    /// checkpoint): 0 after a clean shutdown.
    pub fn open_reporting(dir: &Path) -> Result<(Self, usize), TlogError> {
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
        let pending_path = dir.join(PENDING_FILE);
        let mut journal = read_journal(dir, &vkey)?;
        // The published checkpoint: the journal's last checkpoint record (the file may lag it
        // after a crash, never lead it), or the file for a journal without one.
        let file = read_checkpoint(dir, &vkey);
        let (cp, note, file_current) = match journal.checkpoint.take() {
            Some((_, note, cp)) => {
                let current = match &file {
                    Ok(Some((fcp, bytes))) => {
                        if fcp.size > cp.size {
                            return Err(TlogError::corrupt(
                                &cp_path,
                                format!(
                                    "size {} is beyond the journal's last checkpoint ({})",
                                    fcp.size, cp.size
                                ),
                            ));
                        }
                        *bytes == note
                    }
                    _ => false,
                };
                (cp, note, current)
            }
            None => {
                let (cp, bytes) = file?.ok_or_else(|| TlogError::corrupt(&cp_path, "missing"))?;
                (cp, bytes, true)
            }
        };
        let size = cp.size;
        let base = journal.base;
        if base > size {
            return Err(TlogError::corrupt(
                &pending_path,
                format!("starts at {base}, after the published size {size}"),
            ));
        }
        let integrated = usize::try_from(size - base).unwrap_or(usize::MAX);
        if integrated > journal.records.len() {
            return Err(TlogError::corrupt(
                &pending_path,
                format!(
                    "holds {} records from {base}, but the checkpoint is at {size}",
                    journal.records.len()
                ),
            ));
        }
        let pending = journal.records.split_off(integrated);
        // Replay the published entries over the (durable) tiles of the base size.
        let mut state = TreeState::read(dir, base)?;
        let tiles = state.integrate(journal.records.iter())?;
        let root = state.root().map_err(|r| TlogError::corrupt(&cp_path, r))?;
        if root != cp.root {
            return Err(TlogError::corrupt(
                &cp_path,
                format!(
                    "the tiles at {base} and the journal give root {root}, checkpoint says {}",
                    cp.root
                ),
            ));
        }
        let mut repair = Durable::new();
        let mut repaired = 0usize;
        for (p, bytes) in &tiles {
            let path = dir.join(p.to_string());
            if !matches!(read_limited(&path, bytes.len()), Ok(Some(b)) if b == *bytes) {
                repair.put(&path, bytes)?;
                repaired += 1;
            }
        }
        if !file_current {
            repair.put_last(&cp_path, &note);
            repaired += 1;
        }
        if repaired > 0 {
            repair.commit()?;
        }
        let pending_file = File::options()
            .append(true)
            .open(&pending_path)
            .map_err(|e| TlogError::io(&pending_path, e))?;
        let mut log = Log {
            dir: dir.to_path_buf(),
            _lock: lock,
            vkey,
            state,
            root,
            note,
            pending,
            pending_file,
            pending_base: base,
            poisoned: false,
        };
        if journal.torn || journal.legacy || size - base >= PENDING_RESET {
            log.restart_journal()?;
        }
        Ok((log, repaired))
    }

    /// The published tree size.
    pub fn size(&self) -> u64 {
        self.state.size
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

    fn usable(&self) -> Result<(), TlogError> {
        if self.poisoned {
            return Err(TlogError::Input(
                "an earlier write to the log failed; reopen it to recover".into(),
            ));
        }
        Ok(())
    }

    /// Encodes `entries` as journal records after checking the pending budget.
    fn records(&self, entries: &[Entry]) -> Result<(Vec<u8>, PendingRecords), TlogError> {
        if self.pending.len().saturating_add(entries.len()) > MAX_PENDING {
            return Err(TlogError::Input(format!(
                "more than {MAX_PENDING} entries would wait for a checkpoint; run `log checkpoint`"
            )));
        }
        let mut buf = Vec::new();
        let mut new = Vec::with_capacity(entries.len());
        for e in entries {
            let bytes = e.to_bytes();
            let hash = leaf_hash(&bytes);
            pending_record(&bytes, &hash, &mut buf)?;
            new.push((bytes, hash));
        }
        Ok((buf, new))
    }

    /// Appends `buf` to the journal and fdatasyncs it. A failure poisons the log: the journal
    /// may end in a partial write that only a reopen drops.
    fn journal_write(&mut self, buf: &[u8]) -> Result<(), TlogError> {
        let r = journal_append(&mut self.pending_file, &self.dir, buf);
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }

    /// Appends entries durably (one fdatasync for the batch) and returns the index of the first.
    pub fn append(&mut self, entries: &[Entry]) -> Result<u64, TlogError> {
        self.usable()?;
        let first = self.state.size.saturating_add(self.pending.len() as u64);
        let (buf, new) = self.records(entries)?;
        self.journal_write(&buf)?;
        self.pending.extend(new);
        Ok(first)
    }

    /// Integrates pending entries into tiles and bundles, then signs and publishes the
    /// checkpoint. Returns the new size and root.
    pub fn checkpoint(&mut self, signer: &Signer) -> Result<(u64, Hash), TlogError> {
        let (_, size, root) = self.append_checkpoint(&[], signer)?;
        Ok((size, root))
    }

    /// Appends `entries` and publishes a checkpoint covering them and every pending entry, with
    /// one fdatasync of the journal for both. Returns the index of the first of `entries`, and
    /// the new size and root.
    pub fn append_checkpoint(
        &mut self,
        entries: &[Entry],
        signer: &Signer,
    ) -> Result<(u64, u64, Hash), TlogError> {
        self.usable()?;
        if signer.to_verifier_key() != self.vkey {
            return Err(TlogError::Input(format!(
                "the signing key {} is not the log's key {}",
                signer.verifier_key(),
                self.vkey
            )));
        }
        let first = self.state.size.saturating_add(self.pending.len() as u64);
        let (mut buf, new) = self.records(entries)?;
        if self.pending.is_empty() && new.is_empty() {
            return Ok((first, self.state.size, self.root));
        }
        let mut state = self.state.clone();
        let tiles = state.integrate(self.pending.iter().chain(new.iter()))?;
        let root = state.root().map_err(|e| TlogError::Input(e.to_string()))?;
        let note = sign_checkpoint(signer, state.size, root)?;
        checkpoint_record(note.as_bytes(), &mut buf)?;
        // While the journal record is written and fdatasynced (the checkpoint is published
        // when that returns), another thread writes the tiles in place and stages the
        // checkpoint file: no published checkpoint names the new tile paths yet, a tile path
        // already present with other bytes is replaced atomically, and none is fsynced (the
        // journal has them). The staged checkpoint is renamed into place only after both.
        let dir = self.dir.clone();
        let cp_path = dir.join(CHECKPOINT_FILE);
        let (journaled, written) = std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                tiles
                    .iter()
                    .try_for_each(|(p, bytes)| write_immutable(&dir.join(p.to_string()), bytes))
                    .and_then(|()| stage(&cp_path, note.as_bytes()))
            });
            let journaled = journal_append(&mut self.pending_file, &dir, &buf);
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(TlogError::Input("the tile writer panicked".into())));
            (journaled, written)
        });
        if let Err(e) = journaled {
            self.poisoned = true;
            return Err(e);
        }
        self.state = state;
        self.root = root;
        self.note = note.into_bytes();
        self.pending.clear();
        if let Err(e) = written.and_then(|()| publish_staged(&cp_path)) {
            self.poisoned = true;
            return Err(e);
        }
        if self.state.size.saturating_sub(self.pending_base) >= PENDING_RESET {
            self.restart_journal()?;
        }
        Ok((first, self.state.size, self.root))
    }

    /// Makes every tile the published tree needs beyond the journal's base, and the checkpoint
    /// file, durable; then replaces the journal by one based at the published size.
    fn restart_journal(&mut self) -> Result<(), TlogError> {
        let size = self.state.size;
        let mut files: Vec<PathBuf> = tiles_since(self.pending_base, size)?
            .into_iter()
            .map(|p| self.dir.join(p.to_string()))
            .collect();
        files.push(self.dir.join(CHECKPOINT_FILE));
        let r = sync_paths(&self.dir, &files).and_then(|()| {
            let mut buf = pending_header(size);
            checkpoint_record(&self.note, &mut buf)?;
            for (bytes, hash) in &self.pending {
                pending_record(bytes, hash, &mut buf)?;
            }
            let pending_path = self.dir.join(PENDING_FILE);
            let mut d = Durable::new();
            d.put(&pending_path, &buf)?;
            d.commit()?;
            File::options()
                .append(true)
                .open(&pending_path)
                .map_err(|e| TlogError::io(&pending_path, e))
        });
        match r {
            Ok(f) => {
                self.pending_file = f;
                self.pending_base = size;
                Ok(())
            }
            Err(e) => {
                self.poisoned = true;
                Err(e)
            }
        }
    }
}
