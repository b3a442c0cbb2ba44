//! The CRLs of the cache (`CACHE_DIR/crls/sha256-HEX.crl`, each one DER CRL named by the
//! SHA-256 of its bytes) as they travel in an export archive (`crls/sha256-HEX.crl`).
//!
//! No trust is attached to a cached CRL: `x509 verify` checks each CRL's signature against
//! the issuing certificate of the path it validates, when it uses it. Import therefore only
//! re-checks what a stored CRL must be (a name of the right form, at most [`MAX_CRL_LEN`]
//! bytes, content hashing to the name, one DER CRL as plugin-x509 parses it) and stores it
//! exactly as `cache add-crl` would.

use crate::error::Error;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The cache directory of CRLs (and their prefix inside an archive).
pub const CRL_DIR: &str = "crls";
/// Most CRLs cached (and carried by one archive).
pub const MAX_CACHED_CRLS: usize = 1000;
/// Largest CRL accepted (bytes).
pub const MAX_CRL_LEN: u64 = 1 << 20;

/// `sha256-<hex of the SHA-256 of der>.crl`.
pub fn crl_file_name(der: &[u8]) -> String {
    format!("sha256-{}.crl", hex::encode(Sha256::digest(der)))
}

/// Whether `name` is `sha256-` 64 lowercase hex digits `.crl`.
pub fn is_crl_file_name(name: &str) -> bool {
    name.strip_prefix("sha256-")
        .and_then(|rest| rest.strip_suffix(".crl"))
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Why `der` cannot be stored as `name`, or `None`.
pub(crate) fn crl_problem(name: &str, der: &[u8]) -> Option<String> {
    if !is_crl_file_name(name) {
        return Some("not a CRL file name (sha256-<64 hex digits>.crl)".to_owned());
    }
    if u64::try_from(der.len()).unwrap_or(u64::MAX) > MAX_CRL_LEN {
        return Some(format!("larger than {MAX_CRL_LEN} bytes"));
    }
    if crl_file_name(der) != name {
        return Some("content does not hash to its name".to_owned());
    }
    if let Err(e) = plugin_x509::Crl::from_der(der) {
        return Some(format!("not one DER CRL: {e}"));
    }
    None
}

/// Every CRL of the cache (sorted by name), each checked with [`crl_problem`]; a damaged entry
/// is an error naming it, and so is an entry of another name (a CRL misnamed would otherwise
/// be silently left out). Hidden entries (a writer's temporary files) are ignored.
pub(crate) fn read_cached_crls(cache_dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let dir = cache_dir.join(CRL_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, "list")(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io(&dir, "list"))?;
        let file_name = entry.file_name();
        match file_name.to_str() {
            Some(name) if is_crl_file_name(name) => {
                if names.len() >= MAX_CACHED_CRLS {
                    return Err(Error::corrupt(
                        &dir,
                        format!("more than {MAX_CACHED_CRLS} CRLs"),
                    ));
                }
                names.push(name.to_owned());
            }
            Some(name) if name.starts_with('.') => {} // a writer's temporary file
            _ => {
                return Err(Error::corrupt(
                    entry.path(),
                    "not a cached CRL file name (sha256-<64 lowercase hex digits>.crl); remove it, or add the CRL with `cache add-crl`",
                ))
            }
        }
    }
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).map_err(Error::io(&path, "stat"))?;
        if !meta.is_file() {
            return Err(Error::corrupt(&path, "not a regular file"));
        }
        let der = crate::fsutil::read(&path, MAX_CRL_LEN)?;
        if let Some(problem) = crl_problem(&name, &der) {
            return Err(Error::corrupt(&path, problem));
        }
        out.push((name, der));
    }
    Ok(out)
}

/// Stores `crls` (already checked) under `CACHE_DIR/crls/`, each written atomically
/// (temporary file, fsync, rename; then a directory fsync). Returns the names added and the
/// names already there. Refused, writing nothing, if the cache would exceed
/// [`MAX_CACHED_CRLS`].
pub(crate) fn store_crls(
    cache_dir: &Path,
    crls: &[(String, Vec<u8>)],
) -> Result<(Vec<String>, Vec<String>), Error> {
    let dir = cache_dir.join(CRL_DIR);
    let existing: Vec<String> = read_cached_crls(cache_dir)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let (present, absent): (Vec<_>, Vec<_>) = crls
        .iter()
        .partition(|(name, _)| existing.binary_search(name).is_ok());
    if existing.len().saturating_add(absent.len()) > MAX_CACHED_CRLS {
        return Err(Error::corrupt(
            &dir,
            format!(
                "adding {} CRLs to the {} cached would exceed the limit of {MAX_CACHED_CRLS}",
                absent.len(),
                existing.len()
            ),
        ));
    }
    if !absent.is_empty() {
        crate::fsutil::create_dir_all(&dir)?;
    }
    for (i, (name, der)) in absent.iter().enumerate() {
        let tmp = dir.join(format!(".tmp-{}-{i}-{name}", std::process::id()));
        let written = File::create_new(&tmp)
            .and_then(|mut f| f.write_all(der).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, dir.join(name)));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(&tmp, "write")(e));
        }
    }
    if !absent.is_empty() {
        crate::fsutil::sync_dir(&dir);
    }
    Ok((
        absent.into_iter().map(|(n, _)| n.clone()).collect(),
        present.into_iter().map(|(n, _)| n.clone()).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let name = crl_file_name(b"x");
        assert!(is_crl_file_name(&name));
        assert!(!is_crl_file_name("sha256-00.crl"));
        assert!(!is_crl_file_name(&name.to_uppercase()));
        assert!(crl_problem(&name, b"x").is_some_and(|p| p.contains("not one DER CRL")));
        assert!(crl_problem(&crl_file_name(b"y"), b"x").is_some_and(|p| p.contains("hash")));
    }
}
