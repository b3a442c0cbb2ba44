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
    /// The entry read after them (kept if it is `control-map.csv`).
    pub(super) first: Option<PackEntry>,
}

pub(super) fn read_head<R: BufRead>(
    reader: &mut PackReader<R>,
    limits: &Limits,
) -> Result<Head, Failure> {
    let mut head = Vec::new();
    for (name, max) in [
        (INDEX_NAME, limits.max_index_size),
        (SIGNATURE_NAME, limits.max_signature_size),
    ] {
        let entry = reader
            .next_entry(&|_, size| size <= max as u64)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the pack ends before {name}"))?;
        if entry.path != name {
            return Err(Failure::new(format!(
                "entry {} must be {name}, found {:?}",
                head.len() + 1,
                entry.path
            )));
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
            || (path == CONTROL_MAP_NAME && size <= limits.max_csv_size as u64)
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
