//! Signature algorithms and public keys, recognised by their exact DER encodings (as
//! rustls-webpki does), and signature verification with ring.

use crate::der::{self, DerError, Reader};
use ring::signature;

/// A signature algorithm this validator accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt 64.
    RsaPssSha512,
    /// ECDSA with SHA-256.
    EcdsaSha256,
    /// ECDSA with SHA-384.
    EcdsaSha384,
    /// ECDSA with SHA-512 (recognised; ring verifies it with no curve we accept).
    EcdsaSha512,
    /// Ed25519.
    Ed25519,
}

/// The kind of a subject public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA with a modulus of this many bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on P-256.
    EcP256,
    /// ECDSA on P-384.
    EcP384,
    /// ECDSA on P-521 (parsed; ring cannot verify with it).
    EcP521,
    /// Ed25519.
    Ed25519,
}

const RSA_PKCS1_SHA256: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
];
const RSA_PKCS1_SHA384: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00,
];
const RSA_PKCS1_SHA512: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00,
];
const ECDSA_SHA256: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
];
const ECDSA_SHA384: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
];
const ECDSA_SHA512: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,
];
const ED25519: &[u8] = &[0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
const RSA_PSS_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];

const RSA_ENCRYPTION: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
const EC_P256: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];
const EC_P384: &[u8] = &[
    0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
    0x00, 0x22,
];
const EC_P521: &[u8] = &[
    0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
    0x00, 0x23,
];

/// The PSS parameters for one hash: `SEQUENCE { [0] hash, [1] MGF1(hash), [2] saltLength }`.
fn pss_params(hash_oid_last: u8, salt: u8) -> Vec<u8> {
    let hash = [
        0x30,
        0x0d,
        0x06,
        0x09,
        0x60,
        0x86,
        0x48,
        0x01,
        0x65,
        0x03,
        0x04,
        0x02,
        hash_oid_last,
        0x05,
        0x00,
    ];
    let mut out = vec![0x30, 0x34, 0xa0, 0x0f];
    out.extend_from_slice(&hash);
    out.extend_from_slice(&[
        0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
    ]);
    out.extend_from_slice(&hash);
    out.extend_from_slice(&[0xa2, 0x03, 0x02, 0x01, salt]);
    out
}

/// Recognises a whole AlgorithmIdentifier (its DER, tag included).
pub(crate) fn signature_algorithm(raw: &[u8]) -> Option<SignatureAlgorithm> {
    use SignatureAlgorithm as S;
    let known: [(&[u8], S); 7] = [
        (RSA_PKCS1_SHA256, S::RsaPkcs1Sha256),
        (RSA_PKCS1_SHA384, S::RsaPkcs1Sha384),
        (RSA_PKCS1_SHA512, S::RsaPkcs1Sha512),
        (ECDSA_SHA256, S::EcdsaSha256),
        (ECDSA_SHA384, S::EcdsaSha384),
        (ECDSA_SHA512, S::EcdsaSha512),
        (ED25519, S::Ed25519),
    ];
    if let Some((_, alg)) = known.iter().find(|(enc, _)| *enc == raw) {
        return Some(*alg);
    }
    let tlv = der::single(raw, der::SEQUENCE).ok()?;
    let mut r = Reader::new(tlv.content);
    let oid = r.expect(der::OID).ok()?;
    if oid.content != RSA_PSS_OID {
        return None;
    }
    let params = r.read().ok()?;
    r.finish().ok()?;
    [
        (0x01, 32, S::RsaPssSha256),
        (0x02, 48, S::RsaPssSha384),
        (0x03, 64, S::RsaPssSha512),
    ]
    .into_iter()
    .find(|(h, s, _)| params.raw == pss_params(*h, *s).as_slice())
    .map(|(_, _, alg)| alg)
}

/// A parsed SubjectPublicKeyInfo: what kind of key, and the bytes ring takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    key: Vec<u8>,
}

impl PublicKey {
    /// Parses SubjectPublicKeyInfo DER (the whole SEQUENCE).
    pub(crate) fn from_spki(raw: &[u8]) -> Result<Self, DerError> {
        let spki = der::single(raw, der::SEQUENCE)?;
        let mut r = Reader::new(spki.content);
        let alg = r.expect(der::SEQUENCE)?;
        let bits = r.expect(der::BIT_STRING)?;
        r.finish()?;
        let (_, key) = der::bit_string(&bits, false)?;
        let kind = if alg.raw == RSA_ENCRYPTION {
            KeyKind::Rsa {
                bits: rsa_modulus_bits(key)?,
            }
        } else if alg.raw == EC_P256 {
            ec_point(key, 65)?;
            KeyKind::EcP256
        } else if alg.raw == EC_P384 {
            ec_point(key, 97)?;
            KeyKind::EcP384
        } else if alg.raw == EC_P521 {
            ec_point(key, 133)?;
            KeyKind::EcP521
        } else if alg.raw == ED25519 {
            if key.len() != 32 {
                return Err(DerError("bad Ed25519 key length"));
            }
            KeyKind::Ed25519
        } else {
            return Err(DerError(
                "unsupported public key algorithm or curve encoding",
            ));
        };
        Ok(PublicKey {
            kind,
            key: key.to_vec(),
        })
    }

    /// Parses a DER SubjectPublicKeyInfo (the whole SEQUENCE, nothing after it): RSA, ECDSA on
    /// P-256, P-384 or P-521 (uncompressed points), or Ed25519.
    pub fn from_spki_der(raw: &[u8]) -> Result<Self, DerError> {
        Self::from_spki(raw)
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The subjectPublicKey bits: the EC point, the Ed25519 key, or the RSAPublicKey DER.
    pub fn subject_public_key(&self) -> &[u8] {
        &self.key
    }

    /// Verifies `signature` over `message` with `alg`.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), &'static str> {
        use SignatureAlgorithm as S;
        // ECDSA P-384 with aws-lc: ring's generic 6-limb Montgomery code is 4x slower, and the
        // P-384 certificate signatures of Fulcio chains and Nitro documents dominate their
        // verification (docs/benchmarks.md). Same algorithms, same strict DER signatures.
        if self.kind == KeyKind::EcP384 {
            let aws: &aws_lc_rs::signature::EcdsaVerificationAlgorithm = match alg {
                S::EcdsaSha256 => &aws_lc_rs::signature::ECDSA_P384_SHA256_ASN1,
                S::EcdsaSha384 => &aws_lc_rs::signature::ECDSA_P384_SHA384_ASN1,
                _ => return Err("signature algorithm not supported with this key"),
            };
            return aws_lc_rs::signature::UnparsedPublicKey::new(aws, &self.key)
                .verify(message, sig)
                .map_err(|_| "signature does not verify");
        }
        let ring_alg: &dyn signature::VerificationAlgorithm = match (self.kind, alg) {
            (KeyKind::Rsa { .. }, S::RsaPkcs1Sha256) => &signature::RSA_PKCS1_2048_8192_SHA256,
            (KeyKind::Rsa { .. }, S::RsaPkcs1Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
            (KeyKind::Rsa { .. }, S::RsaPkcs1Sha512) => &signature::RSA_PKCS1_2048_8192_SHA512,
            (KeyKind::Rsa { .. }, S::RsaPssSha256) => &signature::RSA_PSS_2048_8192_SHA256,
            (KeyKind::Rsa { .. }, S::RsaPssSha384) => &signature::RSA_PSS_2048_8192_SHA384,
            (KeyKind::Rsa { .. }, S::RsaPssSha512) => &signature::RSA_PSS_2048_8192_SHA512,
            (KeyKind::EcP256, S::EcdsaSha256) => &signature::ECDSA_P256_SHA256_ASN1,
            (KeyKind::EcP256, S::EcdsaSha384) => &signature::ECDSA_P256_SHA384_ASN1,
            (KeyKind::Ed25519, S::Ed25519) => &signature::ED25519,
            _ => return Err("signature algorithm not supported with this key"),
        };
        signature::UnparsedPublicKey::new(ring_alg, &self.key)
            .verify(message, sig)
            .map_err(|_| "signature does not verify")
    }
}

fn ec_point(key: &[u8], len: usize) -> Result<(), DerError> {
    if key.len() == len && key.first() == Some(&0x04) {
        Ok(())
    } else {
        Err(DerError(
            "EC point is not an uncompressed point of the curve's size",
        ))
    }
}

fn rsa_modulus_bits(key: &[u8]) -> Result<usize, DerError> {
    let seq = der::single(key, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let n = r.expect(der::INTEGER)?;
    let e = r.expect(der::INTEGER)?;
    r.finish()?;
    for int in [&n, &e] {
        match int.content {
            [] => return Err(DerError("empty INTEGER")),
            [f, ..] if f & 0x80 != 0 => return Err(DerError("negative RSA parameter")),
            [0, s, ..] if s & 0x80 == 0 => return Err(DerError("non-minimal INTEGER")),
            _ => {}
        }
    }
    let mag: &[u8] = match n.content {
        [0, rest @ ..] => rest,
        all => all,
    };
    let first = mag.first().copied().ok_or(DerError("zero RSA modulus"))?;
    Ok((mag.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_sha256_params_length() {
        assert_eq!(pss_params(1, 32).len(), 0x36);
    }

    #[test]
    fn recognises_exact_encodings_only() {
        assert_eq!(
            signature_algorithm(ECDSA_SHA256),
            Some(SignatureAlgorithm::EcdsaSha256)
        );
        let mut with_null = ECDSA_SHA256.to_vec();
        with_null.extend_from_slice(&[0x05, 0x00]);
        assert_eq!(signature_algorithm(&with_null), None);
    }
}
