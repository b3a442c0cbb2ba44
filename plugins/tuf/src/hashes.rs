//! Length and hash checks of downloaded bytes against what trusted metadata says.
//!
//! Every listed hash must be checked and match: an algorithm this client cannot compute
//! fails the file (it is not skipped).

use crate::error::UpdateError;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::BTreeMap;

/// Hash algorithms this client computes.
pub const SUPPORTED_HASHES: [&str; 3] = ["sha256", "sha384", "sha512"];

/// The lowercase hex digest of `data` with `algorithm`, if supported.
pub(crate) fn digest_hex(algorithm: &str, data: &[u8]) -> Option<String> {
    Some(match algorithm {
        "sha256" => hex::encode(Sha256::digest(data)),
        "sha384" => hex::encode(Sha384::digest(data)),
        "sha512" => hex::encode(Sha512::digest(data)),
        _ => return None,
    })
}

/// Checks `data` against an expected length (if given) and hashes (if given; all must match).
pub(crate) fn verify_length_and_hashes(
    data: &[u8],
    length: Option<u64>,
    hashes: Option<&BTreeMap<String, String>>,
    file: &str,
) -> Result<(), UpdateError> {
    if let Some(expected) = length {
        let found = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if found != expected {
            return Err(UpdateError::LengthMismatch {
                file: file.to_owned(),
                expected,
                found,
            });
        }
    }
    if let Some(hashes) = hashes {
        // Check every algorithm is supported before hashing anything.
        if let Some(unsupported) = hashes
            .keys()
            .find(|alg| !SUPPORTED_HASHES.contains(&alg.as_str()))
        {
            return Err(UpdateError::UnsupportedHash {
                file: file.to_owned(),
                algorithm: unsupported.clone(),
            });
        }
        for (algorithm, expected) in hashes {
            let matches = digest_hex(algorithm, data)
                .is_some_and(|found| found.eq_ignore_ascii_case(expected));
            if !matches {
                return Err(UpdateError::HashMismatch {
                    file: file.to_owned(),
                    algorithm: algorithm.clone(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hashes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, h)| ((*a).to_owned(), (*h).to_owned()))
            .collect()
    }

    #[test]
    fn length_and_hash_mismatch_are_refused() {
        let good = digest_hex("sha256", b"abc").unwrap();
        let h = hashes(&[("sha256", &good)]);
        assert!(verify_length_and_hashes(b"abc", Some(3), Some(&h), "f").is_ok());
        assert!(matches!(
            verify_length_and_hashes(b"abd", Some(3), Some(&h), "f"),
            Err(UpdateError::HashMismatch { .. })
        ));
        assert!(matches!(
            verify_length_and_hashes(b"abc", Some(4), Some(&h), "f"),
            Err(UpdateError::LengthMismatch { .. })
        ));
        let two = hashes(&[("sha256", &good), ("sha512", "00")]);
        assert!(verify_length_and_hashes(b"abc", None, Some(&two), "f").is_err());
        let unknown = hashes(&[("sha256", &good), ("md5", "00")]);
        assert!(matches!(
            verify_length_and_hashes(b"abc", None, Some(&unknown), "f"),
            Err(UpdateError::UnsupportedHash { .. })
        ));
    }
}
