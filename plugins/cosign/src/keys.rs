//! Public keys: PKIX (SubjectPublicKeyInfo) DER or PEM, and signature verification with ring.

use crate::error::ParseError;
use crate::limits::Limits;
use plugin_x509::{KeyKind, SignatureAlgorithm};
use sha2::{Digest as _, Sha256};

/// Default budget for a DER public key ([`Limits::key_bytes`]).
pub const MAX_KEY_BYTES: usize = Limits::DEFAULT.key_bytes;

/// A parsed public key: the SubjectPublicKeyInfo as read by plugin-x509 (the workspace's one
/// SPKI parser and signature dispatcher), with its DER kept for key ids. Only ECDSA P-256 and
/// P-384, Ed25519 and RSA keys are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    key: plugin_x509::PublicKey,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, ParseError> {
        Self::from_spki_der_within(der, MAX_KEY_BYTES)
    }

    fn from_spki_der_within(der: &[u8], max: usize) -> Result<Self, ParseError> {
        if der.len() > max {
            return Err(ParseError::TooLarge {
                what: "public key",
                len: der.len(),
                max,
            });
        }
        let key = plugin_x509::PublicKey::from_spki_der(der)
            .map_err(|e| ParseError::invalid("public key", format!("not PKIX DER: {}", e.0)))?;
        Ok(PublicKey {
            spki_der: der.to_vec(),
            key,
        })
    }

    /// Parses a PEM `PUBLIC KEY` block (exactly one).
    pub fn from_pem(pem: &[u8]) -> Result<Self, ParseError> {
        Self::from_pem_with_limits(pem, &Limits::DEFAULT)
    }

    /// [`PublicKey::from_pem`] within `limits` (the DER key at most [`Limits::key_bytes`], its
    /// PEM at most twice that).
    pub fn from_pem_with_limits(pem: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let der = pem_decode_within(pem, &["PUBLIC KEY"], limits.key_bytes.saturating_mul(2))?;
        Self::from_spki_der_within(&der, limits.key_bytes)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key's algorithm family.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (Rekor log id, CT log id).
    pub fn sha256_id(&self) -> [u8; 32] {
        Sha256::digest(&self.spki_der).into()
    }

    /// Verifies `sig` over `msg` (the message itself; the algorithm hashes it).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let ok = |alg| self.key.verify(alg, msg, sig).is_ok();
        match self.key.kind() {
            KeyKind::EcP256 => ok(SignatureAlgorithm::EcdsaSha256),
            KeyKind::EcP384 => ok(SignatureAlgorithm::EcdsaSha384),
            KeyKind::Ed25519 => ok(SignatureAlgorithm::Ed25519),
            // ring has no P-521: ECDSA with SHA-512 (its natural hash) through p521.
            KeyKind::EcP521 => self.verify_prehashed(&sha2::Sha512::digest(msg), sig) == Some(true),
            KeyKind::Rsa { .. } => {
                ok(SignatureAlgorithm::RsaPkcs1Sha256) || ok(SignatureAlgorithm::RsaPssSha256)
            }
            _ => false,
        }
    }
}

impl PublicKey {
    /// Verifies an ECDSA signature given only the digest of the message (P-256, P-384 or
    /// P-521, with a digest of any of SHA-256/384/512: a Fulcio leaf of one curve may sign a
    /// hashedrekord digest of another size; the digest is truncated to the curve's order as
    /// ECDSA specifies). `None` when the key type cannot verify from a digest here.
    pub fn verify_prehashed(&self, digest: &[u8], sig: &[u8]) -> Option<bool> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        let spk = self.key.subject_public_key();
        match self.key.kind() {
            KeyKind::EcP256 => {
                let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(spk) else {
                    return Some(false);
                };
                let Ok(sig) = p256::ecdsa::Signature::from_der(sig) else {
                    return Some(false);
                };
                Some(vk.verify_prehash(digest, &sig).is_ok())
            }
            KeyKind::EcP384 => {
                let Ok(vk) = p384::ecdsa::VerifyingKey::from_sec1_bytes(spk) else {
                    return Some(false);
                };
                let Ok(sig) = p384::ecdsa::Signature::from_der(sig) else {
                    return Some(false);
                };
                Some(vk.verify_prehash(digest, &sig).is_ok())
            }
            KeyKind::EcP521 => {
                let Ok(vk) = p521::ecdsa::VerifyingKey::from_sec1_bytes(spk) else {
                    return Some(false);
                };
                let Ok(sig) = p521::ecdsa::Signature::from_der(sig) else {
                    return Some(false);
                };
                Some(vk.verify_prehash(digest, &sig).is_ok())
            }
            _ => None,
        }
    }
}

/// Decodes exactly one PEM block labelled with one of `labels` (a log entry's verifier: a
/// `PUBLIC KEY` or a `CERTIFICATE`), read once.
pub fn pem_decode_any(pem: &[u8], labels: &[&str]) -> Result<Vec<u8>, ParseError> {
    pem_decode_within(pem, labels, MAX_KEY_BYTES * 2)
}

fn pem_decode_within(pem: &[u8], labels: &[&str], max: usize) -> Result<Vec<u8>, ParseError> {
    if pem.len() > max {
        return Err(ParseError::TooLarge {
            what: "PEM",
            len: pem.len(),
            max,
        });
    }
    plugin_x509::pem_block_labelled(pem, labels, max)
        .map(|(_, der)| der)
        .map_err(|e| ParseError::invalid("PEM", e.to_string()))
}
