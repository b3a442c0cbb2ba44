//! A memo of CA signature links already verified, shared by the path validations of one
//! batch (e.g. many Sigstore bundles issued by the same Fulcio intermediate): the
//! intermediate→root signature is then computed once per batch instead of once per path.

use std::collections::HashSet;
use std::sync::Mutex;

/// Most signatures a [`SignatureMemo`] records; once full it records no more (lookups go on).
pub const MEMO_CAPACITY: usize = 1024;

/// Domain separation for [`memo_key`].
const MEMO_KEY_DOMAIN: &[u8] = b"prov-verify/x509/signature-memo/v1";

/// The memo key of one certificate signature: SHA-256 over a domain label and, each prefixed
/// with its length as 8 big-endian bytes, the issuer's SubjectPublicKeyInfo DER, the
/// certificate's signature AlgorithmIdentifier DER, the signed TBSCertificate bytes and the
/// signature bytes: everything the signature verification result depends on.
pub fn memo_key(issuer_spki: &[u8], sig_alg: &[u8], tbs: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(MEMO_KEY_DOMAIN);
    for part in [issuer_spki, sig_alg, tbs, signature] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Signatures of CA certificates (path positions above the end entity) that verified,
/// shared (thread-safe) by the validations of one batch. Passed to
/// [`verify_path_at_times`](crate::verify_path_at_times).
///
/// Keyed by [`memo_key`], so a certificate whose signature, TBS, algorithm or issuer key
/// differs by one byte misses and is verified afresh; only successful verifications are
/// recorded, at most [`MEMO_CAPACITY`]. Every other check (validity, CA flags, key usage,
/// path length, name constraints, names) runs for every path; the end entity's own signature
/// is never memoized. A poisoned lock counts as a miss (the signature is verified again).
#[derive(Debug, Default)]
pub struct SignatureMemo {
    verified: Mutex<HashSet<[u8; 32]>>,
}

impl SignatureMemo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many verified signatures are recorded.
    pub fn len(&self) -> usize {
        self.verified.lock().map_or(0, |s| s.len())
    }

    /// Whether none is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn contains(&self, key: &[u8; 32]) -> bool {
        self.verified.lock().is_ok_and(|s| s.contains(key))
    }

    pub(crate) fn insert(&self, key: [u8; 32]) {
        if let Ok(mut s) = self.verified.lock() {
            if s.len() < MEMO_CAPACITY {
                s.insert(key);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn memo_is_bounded_and_records_only_inserted_keys() {
        let memo = SignatureMemo::new();
        let key = |i: usize| memo_key(&i.to_be_bytes(), b"alg", b"tbs", b"sig");
        for i in 0..MEMO_CAPACITY + 10 {
            memo.insert(key(i));
        }
        assert_eq!(memo.len(), MEMO_CAPACITY);
        assert!(memo.contains(&key(0)));
        assert!(memo.contains(&key(MEMO_CAPACITY - 1)));
        assert!(
            !memo.contains(&key(MEMO_CAPACITY)),
            "not recorded once full"
        );
        assert!(!SignatureMemo::new().contains(&key(0)));
    }

    #[test]
    fn memo_key_covers_every_component() {
        let (spki, alg, tbs, sig) = (
            b"issuer spki".as_slice(),
            b"alg".as_slice(),
            b"to be signed".as_slice(),
            b"signature".as_slice(),
        );
        let k = memo_key(spki, alg, tbs, sig);
        assert_eq!(k, memo_key(spki, alg, tbs, sig), "deterministic");
        let mut keys = vec![
            k,
            memo_key(b"issuer spkj", alg, tbs, sig),
            memo_key(spki, b"alh", tbs, sig),
            memo_key(spki, alg, b"to be signee", sig),
            memo_key(spki, alg, tbs, b"signaturf"),
            memo_key(b"issuer spk", alg, b"ito be signed", sig),
            memo_key(spki, alg, b"to be signe", b"dsignature"),
            memo_key(b"", b"", b"", b""),
        ];
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "every variation gives a different key");
    }
}
