//! Log entries: canonical bytes derived only from the inputs.
//!
//! ```text
//! prov-verify/tlog-entry/v1
//! manifest-root <64 lowercase hex>
//! sig-digest <64 lowercase hex>
//! name <name>
//! meta <key> <value>        (zero or more, keys strictly ascending)
//! ```
//!
//! Every line ends in `\n`. Names and values are UTF-8 without control characters; keys are
//! `[a-z0-9._-]{1,64}`. [`Entry::parse`] accepts only bytes [`Entry::to_bytes`] writes, so one
//! entry has exactly one encoding and one leaf hash.

use merkle::{leaf_hash, Hash};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// First line of every entry.
pub const ENTRY_HEADER: &str = "prov-verify/tlog-entry/v1";
/// The largest entry, in bytes (entry bundles store lengths as 16-bit integers).
pub const MAX_ENTRY_LEN: usize = 16 * 1024;
/// The longest artifact name, in bytes.
pub const MAX_NAME_LEN: usize = 1024;
/// The most metadata pairs.
pub const MAX_METADATA: usize = 32;
/// The longest metadata key, in bytes.
pub const MAX_META_KEY_LEN: usize = 64;
/// The longest metadata value, in bytes.
pub const MAX_META_VALUE_LEN: usize = 1024;

/// A log entry. Build with [`Entry::new`] or [`Entry::parse`]; both check every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    manifest_root: Hash,
    sig_digest: Hash,
    name: String,
    metadata: BTreeMap<String, String>,
}

/// The JSON form of an entry (batch lines, receipts): hashes as 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryJson {
    pub manifest_root: String,
    pub sig_digest: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

fn err(msg: impl Into<String>) -> crate::TlogError {
    crate::TlogError::Entry(msg.into())
}

fn text_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        Some("is empty")
    } else if s.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    }
}

fn check_key(k: &str) -> Result<(), crate::TlogError> {
    let ok = !k.is_empty()
        && k.len() <= MAX_META_KEY_LEN
        && k.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'
        });
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "metadata key {:?} is not 1..={MAX_META_KEY_LEN} of [a-z0-9._-]",
            k.chars().take(80).collect::<String>()
        )))
    }
}

/// Strict lowercase hex of 32 bytes.
fn parse_hex_hash(field: &str, s: &str) -> Result<Hash, crate::TlogError> {
    if s.len() != 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(err(format!("{field} is not 64 lowercase hex digits")));
    }
    Hash::from_hex(s).map_err(|e| err(format!("{field}: {e}")))
}

impl Entry {
    /// An entry, checking the name and metadata limits and that the encoding fits.
    pub fn new(
        manifest_root: Hash,
        sig_digest: Hash,
        name: &str,
        metadata: BTreeMap<String, String>,
    ) -> Result<Self, crate::TlogError> {
        if let Some(p) = text_problem(name) {
            return Err(err(format!("name {p}")));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(err(format!(
                "name is {} bytes, more than {MAX_NAME_LEN}",
                name.len()
            )));
        }
        if metadata.len() > MAX_METADATA {
            return Err(err(format!(
                "{} metadata pairs, more than {MAX_METADATA}",
                metadata.len()
            )));
        }
        for (k, v) in &metadata {
            check_key(k)?;
            if let Some(p) = text_problem(v) {
                return Err(err(format!("metadata value of {k} {p}")));
            }
            if v.len() > MAX_META_VALUE_LEN {
                return Err(err(format!(
                    "metadata value of {k} is longer than {MAX_META_VALUE_LEN} bytes"
                )));
            }
        }
        let e = Entry {
            manifest_root,
            sig_digest,
            name: name.to_owned(),
            metadata,
        };
        if e.to_bytes().len() > MAX_ENTRY_LEN {
            return Err(err(format!("entry is longer than {MAX_ENTRY_LEN} bytes")));
        }
        Ok(e)
    }

    /// From the JSON form (hashes must be 64 lowercase hex digits).
    pub fn from_json(j: &EntryJson) -> Result<Self, crate::TlogError> {
        Entry::new(
            parse_hex_hash("manifest_root", &j.manifest_root)?,
            parse_hex_hash("sig_digest", &j.sig_digest)?,
            &j.name,
            j.metadata.clone(),
        )
    }

    /// The JSON form.
    pub fn to_json(&self) -> EntryJson {
        EntryJson {
            manifest_root: self.manifest_root.to_hex(),
            sig_digest: self.sig_digest.to_hex(),
            name: self.name.clone(),
            metadata: self.metadata.clone(),
        }
    }

    /// The canonical bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = format!(
            "{ENTRY_HEADER}\nmanifest-root {}\nsig-digest {}\nname {}\n",
            self.manifest_root.to_hex(),
            self.sig_digest.to_hex(),
            self.name
        );
        for (k, v) in &self.metadata {
            s.push_str("meta ");
            s.push_str(k);
            s.push(' ');
            s.push_str(v);
            s.push('\n');
        }
        s.into_bytes()
    }

    /// The RFC 6962 leaf hash of the canonical bytes.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.to_bytes())
    }

    /// Parses canonical bytes; anything [`Entry::to_bytes`] would not write is rejected.
    pub fn parse(bytes: &[u8]) -> Result<Self, crate::TlogError> {
        if bytes.len() > MAX_ENTRY_LEN {
            return Err(err(format!("entry is longer than {MAX_ENTRY_LEN} bytes")));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| err("entry is not UTF-8"))?;
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| err("entry does not end in a newline"))?;
        let mut lines = body.split('\n');
        if lines.next() != Some(ENTRY_HEADER) {
            return Err(err("entry does not start with the v1 header"));
        }
        let mut field = |prefix: &str| -> Result<&str, crate::TlogError> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(prefix))
                .ok_or_else(|| err(format!("missing {}line", prefix)))
        };
        let manifest_root = parse_hex_hash("manifest-root", field("manifest-root ")?)?;
        let sig_digest = parse_hex_hash("sig-digest", field("sig-digest ")?)?;
        let name = field("name ")?.to_owned();
        let mut metadata = BTreeMap::new();
        for line in lines {
            let rest = line
                .strip_prefix("meta ")
                .ok_or_else(|| err("unexpected line after name"))?;
            let (k, v) = rest
                .split_once(' ')
                .ok_or_else(|| err("meta line without a value"))?;
            metadata.insert(k.to_owned(), v.to_owned());
        }
        let e = Entry::new(manifest_root, sig_digest, &name, metadata)?;
        if e.to_bytes() != bytes {
            return Err(err("entry is not in canonical form"));
        }
        Ok(e)
    }

    /// The artifact name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The manifest Merkle root.
    pub fn manifest_root(&self) -> Hash {
        self.manifest_root
    }

    /// The signature digest.
    pub fn sig_digest(&self) -> Hash {
        self.sig_digest
    }

    /// The metadata pairs.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn sample() -> Entry {
        let mut m = BTreeMap::new();
        m.insert("build.id".to_owned(), "42 x".to_owned());
        Entry::new(Hash([1; 32]), Hash([2; 32]), "pkg/a b", m).unwrap()
    }

    #[test]
    fn round_trips_and_is_canonical() {
        let e = sample();
        let b = e.to_bytes();
        assert_eq!(Entry::parse(&b).unwrap(), e);
        assert_eq!(Entry::from_json(&e.to_json()).unwrap(), e);
        // Non-canonical variants are refused.
        let s = String::from_utf8(b.clone()).unwrap();
        assert!(Entry::parse(s.to_uppercase().as_bytes()).is_err());
        assert!(Entry::parse(&b[..b.len() - 1]).is_err());
        let dup = format!("{s}meta a 1\n");
        assert!(Entry::parse(dup.as_bytes()).is_err()); // keys out of order
    }

    #[test]
    fn rejects_bad_fields() {
        let h = Hash([0; 32]);
        assert!(Entry::new(h, h, "", BTreeMap::new()).is_err());
        assert!(Entry::new(h, h, "a\nb", BTreeMap::new()).is_err());
        let mut m = BTreeMap::new();
        m.insert("Bad".to_owned(), "v".to_owned());
        assert!(Entry::new(h, h, "a", m).is_err());
        assert!(Entry::new(h, h, &"x".repeat(MAX_NAME_LEN + 1), BTreeMap::new()).is_err());
    }

    proptest::proptest! {
        #[test]
        fn every_entry_round_trips(
            root in proptest::array::uniform32(0u8..),
            digest in proptest::array::uniform32(0u8..),
            name in "[^\\p{Cc}]{1,40}",
            meta in proptest::collection::btree_map("[a-z0-9._-]{1,8}", "[^\\p{Cc}]{1,20}", 0..4),
        ) {
            let e = Entry::new(Hash(root), Hash(digest), &name, meta).unwrap();
            proptest::prop_assert_eq!(Entry::parse(&e.to_bytes()).unwrap(), e);
        }

        #[test]
        fn parsed_bytes_are_canonical(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut b = format!("{ENTRY_HEADER}\nmanifest-root {}\nsig-digest {}\nname ", "0".repeat(64), "1".repeat(64)).into_bytes();
            b.extend_from_slice(&bytes);
            if let Ok(e) = Entry::parse(&b) {
                proptest::prop_assert_eq!(e.to_bytes(), b);
            }
        }
    }
}
