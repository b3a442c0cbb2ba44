//! The journal (`pending`): its header and records, and reading it back (see the format in the
//! parent module's documentation).

use super::{PendingRecords, PENDING_FILE};
use crate::entry::MAX_ENTRY_LEN;
use crate::TlogError;
use merkle::checkpoint::Checkpoint;
use merkle::note::VerifierKey;
use merkle::{leaf_hash, Hash, HASH_LEN};
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The journal's magic (version 2: entry and checkpoint records).
const PENDING_MAGIC: &[u8; 16] = b"tlog-pending-v2\n";
/// The first journal version: entry records only.
const PENDING_MAGIC_V1: &[u8; 16] = b"tlog-pending-v1\n";
/// The length prefix marking a checkpoint record (entries are at most 16 KiB).
const CHECKPOINT_MARK: u16 = 0xFFFF;

pub(super) fn pending_header(base: u64) -> Vec<u8> {
    let mut v = PENDING_MAGIC.to_vec();
    v.extend_from_slice(&base.to_be_bytes());
    v
}

pub(super) fn checkpoint_record(note: &[u8], out: &mut Vec<u8>) -> Result<(), TlogError> {
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

pub(super) fn pending_record(
    bytes: &[u8],
    hash: &Hash,
    out: &mut Vec<u8>,
) -> Result<(), TlogError> {
    let len = u16::try_from(bytes.len()).map_err(|_| TlogError::Entry("entry too long".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(hash.as_bytes());
    Ok(())
}

/// The journal as read from disk.
#[derive(Debug, Default)]
pub(super) struct Journal {
    /// Version 1 (no checkpoint records).
    pub(super) legacy: bool,
    /// The tree size the first entry record gets.
    pub(super) base: u64,
    pub(super) records: PendingRecords,
    /// The last checkpoint record: how many entry records precede it, the note, its body.
    pub(super) checkpoint: Option<(usize, Vec<u8>, Checkpoint)>,
    /// A torn or damaged tail was dropped.
    pub(super) torn: bool,
}

/// Reads the journal, dropping a torn tail; checkpoint records must verify with `vkey` and cover
/// exactly the entry records before them.
pub(super) fn read_journal(dir: &Path, vkey: &VerifierKey) -> Result<Journal, TlogError> {
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
pub(super) fn journal_append(file: &mut File, dir: &Path, buf: &[u8]) -> Result<(), TlogError> {
    file.write_all(buf)
        .and_then(|()| file.sync_data())
        .map_err(|e| TlogError::io(dir.join(PENDING_FILE), e))
}
