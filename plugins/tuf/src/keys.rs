//! Public keys as TUF metadata lists them, and signature verification with `ring`.
//!
//! Keys are kept as given and only interpreted when a signature is checked: a key of an
//! unsupported type, or a malformed one, verifies nothing (its signatures never count towards
//! a threshold) instead of failing the whole file. Key ids are the ids the metadata uses,
//! never recomputed (as python-tuf, and TAP 12, which lets a repository choose its ids).
//!
//! What a threshold counts is decoded keys, not key ids nor key strings: [`KeyIdentity`] is
//! the key material as the signature check uses it, so one key listed twice (under two key
//! ids, with its hex in another letter case, its PEM wrapped differently, under a key type
//! alias or another scheme) is one signer.

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

/// The identity of a public key: what the signature check uses, whatever the encoding in
/// the metadata. Ed25519: the 32 key bytes. ECDSA: the curve and the SEC1 point (`ring`
/// takes only the uncompressed form, so one point has one encoding). RSA: the modulus
/// without leading zero bytes (whoever can sign for a modulus can sign for it with any
/// public exponent, so two entries with one modulus are one signer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyIdentity {
    family: Family,
    material: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Ed25519,
    EcP256,
    EcP384,
    Rsa,
}

/// A key decoded for verification: the algorithm, the key bytes `ring` takes, its identity.
pub(crate) struct Verifier {
    alg: &'static dyn VerificationAlgorithm,
    key: Vec<u8>,
    identity: KeyIdentity,
}

impl Verifier {
    /// Who this key is (see [`KeyIdentity`]).
    pub(crate) fn identity(&self) -> &KeyIdentity {
        &self.identity
    }

    /// Whether `sig_hex` is a valid signature by this key over `message`. Every failure
    /// (malformed or oversized signature) is `false`.
    pub(crate) fn verify(&self, message: &[u8], sig_hex: &str) -> bool {
        if sig_hex.is_empty() || sig_hex.len() > MAX_SIGNATURE_LEN {
            return false;
        }
        let Ok(sig) = hex::decode(sig_hex) else {
            return false;
        };
        UnparsedPublicKey::new(self.alg, &self.key)
            .verify(message, &sig)
            .is_ok()
    }
}

impl Key {
    /// The key decoded for verification, or `None` if it can verify nothing (unsupported
    /// key type or scheme, malformed or oversized key).
    pub(crate) fn verifier(&self) -> Option<Verifier> {
        let public = self.keyval.get("public").and_then(|p| p.as_str())?;
        if public.len() > MAX_PUBLIC_KEY_LEN {
            return None;
        }
        let (alg, key, family) = self.algorithm_and_key(public)?;
        let material = match family {
            Family::Rsa => rsa_modulus(&key)?,
            Family::Ed25519 | Family::EcP256 | Family::EcP384 => key.clone(),
        };
        Some(Verifier {
            alg,
            key,
            identity: KeyIdentity { family, material },
        })
    }

    /// Whether `sig_hex` is a valid signature by this key over `message`. Every failure
    /// (unsupported key type or scheme, malformed key or signature) is `false`.
    #[cfg(test)]
    pub(crate) fn verify(&self, message: &[u8], sig_hex: &str) -> bool {
        self.verifier().is_some_and(|v| v.verify(message, sig_hex))
    }

    fn algorithm_and_key(
        &self,
        public: &str,
    ) -> Option<(&'static dyn VerificationAlgorithm, Vec<u8>, Family)> {
        match (self.keytype.as_str(), self.scheme.as_str()) {
            ("ed25519", "ed25519") => {
                let key = hex::decode(public).ok()?;
                (key.len() == 32).then_some((&signature::ED25519 as _, key, Family::Ed25519))
            }
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => {
                let point = spki_key(&pem_decode(public)?, SpkiKind::EcP256)?;
                Some((
                    &signature::ECDSA_P256_SHA256_ASN1 as _,
                    point,
                    Family::EcP256,
                ))
            }
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => {
                let point = spki_key(&pem_decode(public)?, SpkiKind::EcP384)?;
                Some((
                    &signature::ECDSA_P384_SHA384_ASN1 as _,
                    point,
                    Family::EcP384,
                ))
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
                Some((alg, key, Family::Rsa))
            }
            _ => None,
        }
    }
}

/// The modulus of a DER RSAPublicKey (`SEQUENCE { INTEGER n, INTEGER e }`), without
/// leading zero bytes.
fn rsa_modulus(der: &[u8]) -> Option<Vec<u8>> {
    let (seq, rest) = der_take(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (n, rest) = der_take(seq, 0x02)?;
    let (_e, rest) = der_take(rest, 0x02)?;
    if !rest.is_empty() {
        return None;
    }
    let start = n.iter().position(|&b| b != 0)?;
    n.get(start..).map(<[u8]>::to_vec)
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
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
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

    fn identity(k: &Key) -> KeyIdentity {
        k.verifier().unwrap().identity().clone()
    }

    /// DER: `tag`, a short or two-byte length, `content`.
    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.push(0x82);
            out.extend_from_slice(&(content.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(content);
        out
    }

    fn rsa_pem(modulus: &[u8], exponent: &[u8]) -> String {
        let n = der(0x02, &[&[0u8][..], modulus].concat());
        let e = der(0x02, exponent);
        let rsa_key = der(0x30, &[n, e].concat());
        let alg = der(
            0x30,
            &[der(0x06, OID_RSA_ENCRYPTION), der(0x05, &[])].concat(),
        );
        let bits = der(0x03, &[&[0u8][..], &rsa_key].concat());
        let spki = der(0x30, &[alg, bits].concat());
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(spki)
        )
    }

    #[test]
    fn identity_is_the_decoded_key_whatever_its_encoding() {
        let rng = SystemRandom::new();
        // Ed25519: hex in either letter case is one key.
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let lower = hex::encode(pair.public_key());
        let a = key("ed25519", "ed25519", &lower);
        let b = key("ed25519", "ed25519", &lower.to_ascii_uppercase());
        assert_eq!(identity(&a), identity(&b));
        let other =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref())
                .unwrap();
        assert_ne!(
            identity(&a),
            identity(&key("ed25519", "ed25519", &hex::encode(other.public_key())))
        );
        // ECDSA: a PEM wrapped at another width, under the key type alias, is one key.
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        spki.extend_from_slice(pair.public_key().as_ref());
        let b64 = base64::engine::general_purpose::STANDARD.encode(&spki);
        let one_line = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        let wrapped: Vec<String> = b64
            .as_bytes()
            .chunks(16)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let narrow = format!(
            "-----BEGIN PUBLIC KEY-----\r\n{}\r\n-----END PUBLIC KEY-----",
            wrapped.join("\r\n")
        );
        assert_ne!(one_line, narrow);
        assert_eq!(
            identity(&key("ecdsa", "ecdsa-sha2-nistp256", &one_line)),
            identity(&key("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", &narrow))
        );
        // RSA: one modulus is one signer, whatever the exponent or the scheme.
        let modulus: Vec<u8> = (0..256u16).map(|i| (i as u8) | 0x80).collect();
        let a = key("rsa", "rsassa-pss-sha256", &rsa_pem(&modulus, &[1, 0, 1]));
        let b = key("rsa", "rsa-pkcs1v15-sha512", &rsa_pem(&modulus, &[3]));
        assert_eq!(identity(&a), identity(&b));
        let mut other = modulus.clone();
        other[10] ^= 1;
        assert_ne!(
            identity(&a),
            identity(&key(
                "rsa",
                "rsassa-pss-sha256",
                &rsa_pem(&other, &[1, 0, 1])
            ))
        );
        // A key that cannot verify has no identity (and never counts).
        assert!(key("ed25519", "ed25519", "zz").verifier().is_none());
        assert!(key("rsa", "unknown", &rsa_pem(&modulus, &[3]))
            .verifier()
            .is_none());
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
