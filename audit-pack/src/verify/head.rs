//! Reading the pack's head (index, signature, certificates, receipt) and keeping entries.

use super::*;

/// A file read from the pack, kept by path (the path is the map's key, held once).
pub(super) struct Entry {
    pub(super) size: u64,
    pub(super) sha256: [u8; 32],
    pub(super) data: Option<Vec<u8>>,
}

impl Entry {
    pub(super) fn from_pack(e: PackEntry) -> (String, Entry) {
        (
            e.path,
            Entry {
                size: e.size,
                sha256: e.sha256,
                data: e.data,
            },
        )
    }
}

/// Why the head could not be read.
pub(super) enum HeadError {
    /// The input is not a pack at all: its first bytes are not a gzip-compressed tar (not
    /// gzip, a corrupt or truncated stream, or a bad first tar header). No verdict.
    NotAPack(String),
    /// A pack whose head breaks the rules (wrong order, oversized, unsafe entry): a verdict.
    Failed(Failure),
}

impl From<String> for HeadError {
    fn from(reason: String) -> Self {
        HeadError::Failed(Failure::new(reason))
    }
}

impl From<Failure> for HeadError {
    fn from(f: Failure) -> Self {
        HeadError::Failed(f)
    }
}

/// The entries before the artifacts.
pub(super) struct Head {
    /// `index.json`.
    pub(super) index: Vec<u8>,
    /// `index.json.sig`.
    pub(super) signature: Vec<u8>,
    /// `index.json.certs.pem`, if it comes next.
    pub(super) certs: Option<Vec<u8>>,
    /// `index.receipt.json`, if it comes next.
    pub(super) receipt: Option<Vec<u8>>,
    /// The entry read after them (its contents kept if they fit a parsed file's budget).
    pub(super) first: Option<PackEntry>,
}

pub(super) fn read_head<R: BufRead>(
    reader: &mut PackReader<R>,
    limits: &Limits,
) -> Result<Head, HeadError> {
    let mut head = Vec::new();
    for (name, max) in [
        (INDEX_NAME, limits.max_index_size),
        (SIGNATURE_NAME, limits.max_signature_size),
    ] {
        let entry = match reader.next_entry(&|_, size| size <= max as u64) {
            Ok(Some(entry)) => entry,
            Ok(None) if head.is_empty() => {
                return Err(HeadError::NotAPack(
                    "an empty tar archive, not an audit pack".to_owned(),
                ))
            }
            Ok(None) => return Err(format!("the pack ends before {name}").into()),
            Err(e) if head.is_empty() && is_not_an_archive(&e) => {
                return Err(HeadError::NotAPack(e.to_string()))
            }
            Err(e) => return Err(e.to_string().into()),
        };
        if entry.path != name {
            return Err(HeadError::Failed(Failure::new(format!(
                "entry {} must be {name}, found {:?}",
                head.len() + 1,
                entry.path
            ))));
        }
        let data = entry.data.ok_or_else(|| {
            format!(
                "{name} is {} bytes, more than the limit of {max}",
                entry.size
            )
        })?;
        head.push(data);
    }
    let sig = head.pop().unwrap_or_default();
    let index = head.pop().unwrap_or_default();
    let wanted = |path: &str, size: u64| {
        (path == CERTS_NAME && size <= limits.max_certs_size as u64)
            || (path == RECEIPT_NAME && size <= tlog::MAX_RECEIPT as u64)
            // The first artifact, before the index says what it is: kept if it fits the
            // largest budget of a file that is parsed (dropped later if it is not one).
            || (path != CERTS_NAME
                && path != RECEIPT_NAME
                && size <= limits.max_csv_size.max(limits.max_json_size) as u64)
    };
    let mut out = Head {
        index,
        signature: sig,
        certs: None,
        receipt: None,
        first: None,
    };
    // In this order, each at most once: index.json.certs.pem, index.receipt.json.
    loop {
        let Some(entry) = reader.next_entry(&wanted).map_err(|e| e.to_string())? else {
            return Ok(out);
        };
        let (slot, max) =
            if entry.path == CERTS_NAME && out.certs.is_none() && out.receipt.is_none() {
                (&mut out.certs, limits.max_certs_size)
            } else if entry.path == RECEIPT_NAME && out.receipt.is_none() {
                (&mut out.receipt, tlog::MAX_RECEIPT)
            } else {
                out.first = Some(entry);
                return Ok(out);
            };
        let data = entry.data.ok_or_else(|| {
            format!(
                "{} is {} bytes, more than the limit of {max}",
                entry.path, entry.size
            )
        })?;
        *slot = Some(data);
    }
}

/// Whether a failure reading the first entry means the bytes are no gzip-compressed tar at all
/// (as opposed to a readable archive that breaks the pack's rules).
fn is_not_an_archive(e: &ArchiveError) -> bool {
    matches!(
        e,
        ArchiveError::Gzip { .. }
            | ArchiveError::Truncated { .. }
            | ArchiveError::HeaderChecksum { .. }
    )
}
