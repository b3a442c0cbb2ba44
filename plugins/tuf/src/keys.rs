//! Public keys as TUF metadata lists them, and signature verification with `ring`.
//!
//! Keys are kept as given and only interpreted when a signature is checked: a key of an
//! unsupported type, or a malformed one, verifies nothing (its signatures never count towards
//! a threshold) instead of failing the whole file. Key ids are the ids the metadata uses,
//! never recomputed.

use base64::Engine as _;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use serde::Deserialize;

/// Budget: longest public key string (a PEM RSA-8192 key is about 1.5 KiB).
const MAX_PUBLIC_KEY_LEN: usize = 16 * 1024;
/// Budget: longest signature string (RSA-8192 is 2048 hex digits).
pub(crate) const MAX_SIGNATURE_LEN: usize = 4096;

/// A public key from a `keys` map.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Key {
    keytype: String,
    scheme: String,
    keyval: serde_json::Value,
}

impl Key {
    /// Whether both are the same public key (type and public value), whatever their key ids.
    pub(crate) fn same_public_key(&self, other: &Key) -> bool {
        self.keytype == other.keytype && self.keyval.get("public") == other.keyval.get("public")
    }

    /// Whether `sig_hex` is a valid signature by this key over `message`. Every failure
    /// (unsupported key type or scheme, malformed key or signature) is `false`.
    pub(crate) fn verify(&self, message: &[u8], sig_hex: &str) -> bool {
        if sig_hex.is_empty() || sig_hex.len() > MAX_SIGNATURE_LEN {
            return false;
        }
        let Ok(sig) = hex::decode(sig_hex) else {
            return false;
        };
        let Some(public) = self.keyval.get("public").and_then(|p| p.as_str()) else {
            return false;
        };
        if public.len() > MAX_PUBLIC_KEY_LEN {
            return false;
        }
        let Some((alg, key_bytes)) = self.algorithm_and_key(public) else {
            return false;
        };
        UnparsedPublicKey::new(alg, key_bytes)
            .verify(message, &sig)
            .is_ok()
    }

    fn algorithm_and_key(
        &self,
        public: &str,
    ) -> Option<(&'static dyn VerificationAlgorithm, Vec<u8>)> {
        match (self.keytype.as_str(), self.scheme.as_str()) {
            ("ed25519", "ed25519") => {
                let key = hex::decode(public).ok()?;
                (key.len() == 32).then_some((&signature::ED25519 as _, key))
            }
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => {
                let point = spki_key(&pem_decode(public)?, SpkiKind::EcP256)?;
                Some((&signature::ECDSA_P256_SHA256_ASN1 as _, point))
            }
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => {
                let point = spki_key(&pem_decode(public)?, SpkiKind::EcP384)?;
                Some((&signature::ECDSA_P384_SHA384_ASN1 as _, point))
            }
            ("rsa", scheme) => {
                let alg: &'static dyn VerificationAlgorithm = match scheme {
                    "rsassa-pss-sha256" => &signature::RSA_PSS_2048_8192_SHA256,
                    "rsassa-pss-sha384" => &signature::RSA_PSS_2048_8192_SHA384,
                    "rsassa-pss-sha512" => &signature::RSA_PSS_2048_8192_SHA512,
                    "rsa-pkcs1v15-sha256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                    "rsa-pkcs1v15-sha384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                    "rsa-pkcs1v15-sha512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                    _ => return None,
                };
                let key = spki_key(&pem_decode(public)?, SpkiKind::Rsa)?;
                Some((alg, key))
            }
            _ => None,
        }
    }
}

/// Decodes a `-----BEGIN PUBLIC KEY-----` PEM block into DER.
fn pem_decode(pem: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let body = pem.trim().strip_prefix(BEGIN)?.strip_suffix(END)?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

#[derive(Clone, Copy)]
enum SpkiKind {
    Rsa,
    EcP256,
    EcP384,
}

// DER encodings of the object identifiers involved.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// The `subjectPublicKey` of a DER SubjectPublicKeyInfo of the expected kind: the
/// PKCS#1 RSAPublicKey for RSA, the SEC1 point for EC (what `ring` takes).
fn spki_key(der: &[u8], kind: SpkiKind) -> Option<Vec<u8>> {
    let (spki, rest) = der_take(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (alg_id, rest) = der_take(spki, 0x30)?;
    let (bits, rest) = der_take(rest, 0x03)?;
    if !rest.is_empty() {
        return None;
    }
    let (oid, params) = der_take(alg_id, 0x06)?;
    match kind {
        SpkiKind::Rsa => {
            let (null, rest) = der_take(params, 0x05)?;
            if oid != OID_RSA_ENCRYPTION || !null.is_empty() || !rest.is_empty() {
                return None;
            }
        }
        SpkiKind::EcP256 | SpkiKind::EcP384 => {
            let (curve, rest) = der_take(params, 0x06)?;
            let want = if matches!(kind, SpkiKind::EcP256) {
                OID_P256
            } else {
                OID_P384
            };
            if oid != OID_EC_PUBLIC_KEY || curve != want || !rest.is_empty() {
                return None;
            }
        }
    }
    let (unused, key) = bits.split_first()?;
    (*unused == 0 && !key.is_empty()).then(|| key.to_vec())
}

/// Splits one DER element with tag `tag` off `input`: (contents, remainder).
fn der_take(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 3 {
            return None;
        }
        let (len_bytes, after) = rest.split_at_checked(n)?;
        rest = after;
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        // Minimal encoding only (DER).
        if len < 0x80 || len_bytes.first() == Some(&0) {
            return None;
        }
        len
    };
    rest.split_at_checked(len)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};

    fn key(keytype: &str, scheme: &str, public: &str) -> Key {
        Key {
            keytype: keytype.into(),
            scheme: scheme.into(),
            keyval: serde_json::json!({ "public": public }),
        }
    }

    #[test]
    fn ed25519_verifies_and_rejects() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let k = key("ed25519", "ed25519", &hex::encode(pair.public_key()));
        let sig = hex::encode(pair.sign(b"msg"));
        assert!(k.verify(b"msg", &sig));
        assert!(!k.verify(b"msh", &sig));
        assert!(!k.verify(b"msg", ""));
        assert!(!k.verify(b"msg", "zz"));
        assert!(!key("ed25519", "other", &hex::encode(pair.public_key())).verify(b"msg", &sig));
    }

    #[test]
    fn ecdsa_pem_verifies() {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        // SubjectPublicKeyInfo for a P-256 point.
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        spki.extend_from_slice(pair.public_key().as_ref());
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&spki)
        );
        let sig = hex::encode(pair.sign(&rng, b"msg").unwrap());
        assert!(key("ecdsa", "ecdsa-sha2-nistp256", &pem).verify(b"msg", &sig));
        assert!(!key("ecdsa", "ecdsa-sha2-nistp256", &pem).verify(b"other", &sig));
        assert!(!key("ecdsa", "ecdsa-sha2-nistp384", &pem).verify(b"msg", &sig));
        assert!(!key("rsa", "rsassa-pss-sha256", &pem).verify(b"msg", &sig));
    }
}
