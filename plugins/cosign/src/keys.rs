//! Public keys: PKIX (SubjectPublicKeyInfo) DER or PEM, and signature verification with ring.

use crate::error::ParseError;
use crate::limits::Limits;
use base64::Engine as _;
use ring::signature::{self, UnparsedPublicKey};
use sha2::{Digest as _, Sha256};
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::SubjectPublicKeyInfo;

/// Default budget for a DER public key ([`Limits::key_bytes`]).
pub const MAX_KEY_BYTES: usize = Limits::DEFAULT.key_bytes;

const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

/// The algorithm family of a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// ECDSA on P-256, SHA-256.
    EcdsaP256,
    /// ECDSA on P-384, SHA-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA, PKCS#1 v1.5 or PSS with SHA-256.
    Rsa,
}

/// A parsed public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    kind: KeyKind,
    /// The subjectPublicKey bits (EC point, Ed25519 key, or RSAPublicKey DER).
    raw: Vec<u8>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo. Only the key types listed in [`KeyKind`] are accepted.
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
        let (rest, spki) = SubjectPublicKeyInfo::from_der(der)
            .map_err(|e| ParseError::invalid("public key", format!("not PKIX DER: {e}")))?;
        if !rest.is_empty() {
            return Err(ParseError::invalid(
                "public key",
                "trailing bytes after the key",
            ));
        }
        let alg = spki.algorithm.algorithm.to_id_string();
        let kind = match alg.as_str() {
            OID_EC => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string())
                    .unwrap_or_default();
                match curve.as_str() {
                    OID_P256 => KeyKind::EcdsaP256,
                    OID_P384 => KeyKind::EcdsaP384,
                    other => {
                        return Err(ParseError::invalid(
                            "public key",
                            format!("unsupported EC curve {other:?}"),
                        ))
                    }
                }
            }
            OID_ED25519 => KeyKind::Ed25519,
            OID_RSA => KeyKind::Rsa,
            other => {
                return Err(ParseError::invalid(
                    "public key",
                    format!("unsupported key algorithm {other}"),
                ))
            }
        };
        Ok(PublicKey {
            spki_der: der.to_vec(),
            kind,
            raw: spki.subject_public_key.data.to_vec(),
        })
    }

    /// Parses a PEM `PUBLIC KEY` block (exactly one).
    pub fn from_pem(pem: &[u8]) -> Result<Self, ParseError> {
        Self::from_pem_with_limits(pem, &Limits::DEFAULT)
    }

    /// [`PublicKey::from_pem`] within `limits` (the DER key at most [`Limits::key_bytes`], its
    /// PEM at most twice that).
    pub fn from_pem_with_limits(pem: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        let der = pem_decode_within(pem, "PUBLIC KEY", limits.key_bytes.saturating_mul(2))?;
        Self::from_spki_der_within(&der, limits.key_bytes)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key's algorithm family.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (Rekor log id, CT log id).
    pub fn sha256_id(&self) -> [u8; 32] {
        Sha256::digest(&self.spki_der).into()
    }

    /// Verifies `sig` over `msg` (the message itself; the algorithm hashes it).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let ok = |alg: &'static dyn signature::VerificationAlgorithm| {
            UnparsedPublicKey::new(alg, &self.raw)
                .verify(msg, sig)
                .is_ok()
        };
        match self.kind {
            KeyKind::EcdsaP256 => ok(&signature::ECDSA_P256_SHA256_ASN1),
            KeyKind::EcdsaP384 => ok(&signature::ECDSA_P384_SHA384_ASN1),
            KeyKind::Ed25519 => ok(&signature::ED25519),
            KeyKind::Rsa => {
                ok(&signature::RSA_PKCS1_2048_8192_SHA256)
                    || ok(&signature::RSA_PSS_2048_8192_SHA256)
            }
        }
    }
}

impl PublicKey {
    /// Verifies an ECDSA P-256 signature given only the SHA-256 digest of the message.
    /// `None` when the key type cannot verify from a digest (only P-256 with SHA-256 can here).
    pub fn verify_prehashed_sha256(&self, digest: &[u8; 32], sig: &[u8]) -> Option<bool> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        if self.kind != KeyKind::EcdsaP256 {
            return None;
        }
        let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(&self.raw) else {
            return Some(false);
        };
        let Ok(sig) = p256::ecdsa::Signature::from_der(sig) else {
            return Some(false);
        };
        Some(vk.verify_prehash(digest, &sig).is_ok())
    }

    /// Verifies an X.509 signature whose algorithm is named by `sig_alg_oid`
    /// (ECDSA with SHA-256/384, RSA PKCS#1 v1.5 with SHA-256/384/512, Ed25519).
    pub fn verify_x509(&self, sig_alg_oid: &str, msg: &[u8], sig: &[u8]) -> bool {
        let alg: &'static dyn signature::VerificationAlgorithm = match (sig_alg_oid, self.kind) {
            ("1.2.840.10045.4.3.2", KeyKind::EcdsaP256) => &signature::ECDSA_P256_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", KeyKind::EcdsaP256) => &signature::ECDSA_P256_SHA384_ASN1,
            ("1.2.840.10045.4.3.2", KeyKind::EcdsaP384) => &signature::ECDSA_P384_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", KeyKind::EcdsaP384) => &signature::ECDSA_P384_SHA384_ASN1,
            ("1.2.840.113549.1.1.11", KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA256,
            ("1.2.840.113549.1.1.12", KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA384,
            ("1.2.840.113549.1.1.13", KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA512,
            ("1.3.101.112", KeyKind::Ed25519) => &signature::ED25519,
            _ => return false,
        };
        UnparsedPublicKey::new(alg, &self.raw)
            .verify(msg, sig)
            .is_ok()
    }
}

/// Decodes exactly one PEM block with the given label.
pub fn pem_decode(pem: &[u8], label: &str) -> Result<Vec<u8>, ParseError> {
    pem_decode_within(pem, label, MAX_KEY_BYTES * 2)
}

fn pem_decode_within(pem: &[u8], label: &str, max: usize) -> Result<Vec<u8>, ParseError> {
    if pem.len() > max {
        return Err(ParseError::TooLarge {
            what: "PEM",
            len: pem.len(),
            max,
        });
    }
    let text = std::str::from_utf8(pem).map_err(|_| ParseError::invalid("PEM", "not UTF-8"))?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .ok_or_else(|| ParseError::invalid("PEM", format!("no {begin} line")))?;
    let after = text.get(start + begin.len()..).unwrap_or_default();
    let stop = after
        .find(&end)
        .ok_or_else(|| ParseError::invalid("PEM", format!("no {end} line")))?;
    let inner = after.get(..stop).unwrap_or_default();
    let rest = after.get(stop + end.len()..).unwrap_or_default();
    if rest.contains("-----BEGIN") || text.get(..start).unwrap_or_default().contains("-----BEGIN") {
        return Err(ParseError::invalid("PEM", "more than one PEM block"));
    }
    let b64: String = inner.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| ParseError::invalid("PEM", format!("bad base64: {e}")))
}
