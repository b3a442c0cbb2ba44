//! The offline cache, as plugins see it: read-only lookups by a safe key, no network.
//!
//! Filling the cache (`prov-verify cache warm`) and choosing its directory happen elsewhere,
//! before verification. A plugin only asks for entries; a missing entry is `Ok(None)`, and the
//! plugin then records a failed (or, under an explicit insecure mode, waived) check.

use crate::error::CacheError;
use std::fmt;

/// Longest key accepted, in bytes.
pub const MAX_CACHE_KEY_LEN: usize = 1024;
/// Longest key segment accepted, in bytes.
pub const MAX_CACHE_KEY_SEGMENT_LEN: usize = 255;

/// A cache key: a relative, `/`-separated path of safe segments, such as
/// `tuf/sigstore/targets/trusted_root.json` or `tlog/rekor.sigstore.dev/tile/0/x001/234.p/5`.
///
/// Parsed once ([`CacheKey::new`]) so that no key can escape a cache directory: segments are
/// non-empty, at most 255 bytes, made of ASCII letters, digits and `-`, `_`, `.`, `+`, `~`,
/// and neither `.` nor `..`; no leading or trailing `/`; at most 1024 bytes in all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    /// Parses `key`, rejecting anything that is not a safe relative path.
    pub fn new(key: impl Into<String>) -> Result<Self, CacheError> {
        let key = key.into();
        match check_key(&key) {
            Ok(()) => Ok(CacheKey(key)),
            Err(reason) => Err(CacheError::InvalidKey { key, reason }),
        }
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments, in order.
    pub fn segments(&self) -> std::str::Split<'_, char> {
        self.0.split('/')
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("empty");
    }
    if key.len() > MAX_CACHE_KEY_LEN {
        return Err("longer than 1024 bytes");
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return Err("empty segment (leading, trailing or doubled `/`)");
        }
        if segment == "." || segment == ".." {
            return Err("`.` or `..` segment");
        }
        if segment.len() > MAX_CACHE_KEY_SEGMENT_LEN {
            return Err("segment longer than 255 bytes");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'~'))
        {
            return Err("character outside [A-Za-z0-9._+~-]");
        }
    }
    Ok(())
}

/// Read-only access to the offline cache. Implementations must not touch the network.
pub trait OfflineCache {
    /// The entry stored under `key`: `Ok(Some(bytes))`, `Ok(None)` if there is none, or an
    /// error if the cache cannot answer (unreadable, corrupt, over a size budget).
    fn get(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, CacheError>;

    /// Where the cache lives, for messages (e.g. the directory path).
    fn describe(&self) -> String;
}
