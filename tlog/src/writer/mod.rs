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
//!
//! The code: [`config`] creates a log and reads `log.json` and the published checkpoint,
//! [`journal`] encodes and reads the journal, [`tree`] holds the rightmost tiles of the tree and
//! integrates entries into tiles; this module is the writer itself ([`Log`]: open and recover,
//! append, publish a checkpoint, restart the journal).

use crate::entry::Entry;
use crate::fsio::{publish_staged, read_limited, stage, sync_paths, write_immutable, Durable};
use crate::TlogError;
use merkle::checkpoint::Checkpoint;
use merkle::note::{Signer, VerifierKey};
use merkle::{leaf_hash, Hash};
use std::fs::File;
use std::path::{Path, PathBuf};

mod config;
mod journal;
mod tree;

pub use config::{init, read_checkpoint, read_config, Config};
use journal::{checkpoint_record, journal_append, pending_header, pending_record, read_journal};
use tree::{tiles_since, TreeState};

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
/// `pending` is restarted once it holds this many integrated records.
const PENDING_RESET: u64 = 1 << 16;

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
