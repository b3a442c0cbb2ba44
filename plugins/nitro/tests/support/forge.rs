//! Makes attestation documents the way AWS's Nitro Secure Module does, under a test root CA
//! standing in for the AWS Nitro Enclaves Root G1: deterministic keys (derived from labels),
//! deterministic RFC 6979 signatures, fixed times. Everything is byte-reproducible, so the
//! fixtures written from it (examples/gen_nitro_fixtures.rs) can be checked in CI.
//!
//! The payload is kept as raw CBOR entries so tests can break it in every structural way and
//! re-sign it: a mutant is then rejected for its structure, not for its signature.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use p384::ecdsa::signature::Signer;
use p384::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256, Sha384};

// ---------------------------------------------------------------- DER

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    der_len(content.len(), &mut v);
    v.extend_from_slice(content);
    v
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn uint(v: &[u8]) -> Vec<u8> {
    let first = v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1);
    let mut c = Vec::new();
    if v[first] & 0x80 != 0 {
        c.push(0);
    }
    c.extend_from_slice(&v[first..]);
    tlv(0x02, &c)
}

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];
const OID_C: &[u8] = &[0x55, 0x04, 0x06];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
pub const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

/// `C=US, O=Test, CN=cn`.
pub fn name(cn: &str) -> Vec<u8> {
    let rdn =
        |oid: &[u8], tag: u8, v: &str| tlv(0x31, &seq(&[&tlv(0x06, oid), &tlv(tag, v.as_bytes())]));
    seq(&[
        &rdn(OID_C, 0x13, "US"),
        &rdn(OID_O, 0x0c, "Test"),
        &rdn(OID_CN, 0x0c, cn),
    ])
}

fn utc_time(secs: u64) -> Vec<u8> {
    let t = plugin_api::time::format_rfc3339(secs as i64); // 2026-06-01T00:00:00Z
                                                           // UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
    if &t[..4] >= "2050" {
        let s = format!(
            "{}{}{}{}{}{}Z",
            &t[0..4],
            &t[5..7],
            &t[8..10],
            &t[11..13],
            &t[14..16],
            &t[17..19]
        );
        return tlv(0x18, s.as_bytes());
    }
    let s = format!(
        "{}{}{}{}{}{}Z",
        &t[2..4],
        &t[5..7],
        &t[8..10],
        &t[11..13],
        &t[14..16],
        &t[17..19]
    );
    tlv(0x17, s.as_bytes())
}

/// keyUsage bits (as in the first octet of the BIT STRING).
pub mod ku {
    pub const DIGITAL_SIGNATURE: u8 = 0x80;
    pub const NON_REPUDIATION: u8 = 0x40;
    pub const KEY_CERT_SIGN: u8 = 0x04;
    pub const CRL_SIGN: u8 = 0x02;
}

fn bit_string_byte(b: u8) -> Vec<u8> {
    let unused = if b == 0 { 0 } else { b.trailing_zeros() as u8 };
    tlv(0x03, &[unused, b])
}

fn extension(oid: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        seq(&[&tlv(0x06, oid), &tlv(0x01, &[0xff]), &tlv(0x04, value)])
    } else {
        seq(&[&tlv(0x06, oid), &tlv(0x04, value)])
    }
}

// ---------------------------------------------------------------- keys and certificates

/// A deterministic P-384 key named by `label`.
pub fn key(label: &str) -> SigningKey {
    let mut counter = 0u32;
    loop {
        let seed = Sha384::digest(format!("nitro-fixture-key:{label}:{counter}").as_bytes());
        if let Ok(k) = SigningKey::from_slice(&seed) {
            return k;
        }
        counter += 1;
    }
}

/// The SubjectPublicKeyInfo of a P-384 key.
pub fn spki(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_encoded_point(false);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point.as_bytes());
    seq(&[
        &seq(&[&tlv(0x06, OID_EC_PUBLIC_KEY), &tlv(0x06, OID_P384)]),
        &tlv(0x03, &bits),
    ])
}

/// A P-256 SubjectPublicKeyInfo (for the "wrong curve" negative); the point is a fixed valid one.
pub fn spki_p256() -> Vec<u8> {
    // The P-256 generator point.
    let point = hex_bytes("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    let mut bits = vec![0u8];
    bits.extend_from_slice(&point);
    seq(&[
        &seq(&[&tlv(0x06, OID_EC_PUBLIC_KEY), &tlv(0x06, OID_P256)]),
        &tlv(0x03, &bits),
    ])
}

pub fn hex_bytes(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

/// What a certificate says.
#[derive(Clone, Debug)]
pub struct CertSpec {
    pub subject: String,
    pub serial: Vec<u8>,
    pub not_before: u64,
    pub not_after: u64,
    /// `Some(pathlen)` for a CA (`Some(None)`: no pathLen); `None` for an end entity.
    pub ca: Option<Option<u8>>,
    /// keyUsage bits and criticality, if any.
    pub key_usage: Option<(u8, bool)>,
    /// Include subjectKeyIdentifier.
    pub ski: bool,
    /// Include authorityKeyIdentifier (the issuer's key id).
    pub aki: bool,
    /// The signature algorithm OID (ECDSA with SHA-384 normally).
    pub sig_oid: &'static [u8],
    /// Replace the subject public key info (e.g. a P-256 key).
    pub spki_override: Option<Vec<u8>>,
}

impl CertSpec {
    pub fn ca(subject: &str, pathlen: Option<u8>, not_before: u64, not_after: u64) -> Self {
        CertSpec {
            subject: subject.into(),
            serial: Sha256::digest(subject.as_bytes())[..16].to_vec(),
            not_before,
            not_after,
            ca: Some(pathlen),
            key_usage: Some((
                ku::DIGITAL_SIGNATURE | ku::KEY_CERT_SIGN | ku::CRL_SIGN,
                true,
            )),
            ski: true,
            aki: true,
            sig_oid: OID_ECDSA_SHA384,
            spki_override: None,
        }
    }

    /// A leaf like AWS's: CA:FALSE (critical), keyUsage digitalSignature+nonRepudiation (not
    /// critical), no authorityKeyIdentifier.
    pub fn leaf(subject: &str, not_before: u64, not_after: u64) -> Self {
        CertSpec {
            subject: subject.into(),
            serial: Sha256::digest(subject.as_bytes())[..16].to_vec(),
            not_before,
            not_after,
            ca: None,
            key_usage: Some((ku::DIGITAL_SIGNATURE | ku::NON_REPUDIATION, false)),
            ski: false,
            aki: false,
            sig_oid: OID_ECDSA_SHA384,
            spki_override: None,
        }
    }
}

/// A key with its certificate.
#[derive(Clone, Debug)]
pub struct Issued {
    pub key: SigningKey,
    pub cert: Vec<u8>,
    pub spki: Vec<u8>,
    pub name: Vec<u8>,
}

/// Issues a certificate for `key` per `spec`, signed by `issuer` (self-signed if `None`).
pub fn issue(spec: &CertSpec, key: SigningKey, issuer: Option<&Issued>) -> Issued {
    let spki = spec.spki_override.clone().unwrap_or_else(|| spki(&key));
    let subject = name(&spec.subject);
    let (issuer_name, issuer_key, issuer_spki) = match issuer {
        Some(i) => (i.name.clone(), i.key.clone(), i.spki.clone()),
        None => (subject.clone(), key.clone(), spki.clone()),
    };
    let mut exts = Vec::new();
    if let Some(pathlen) = spec.ca {
        let mut bc = tlv(0x01, &[0xff]);
        if let Some(p) = pathlen {
            bc.extend(tlv(0x02, &[p]));
        }
        exts.push(extension(&[0x55, 0x1d, 0x13], true, &tlv(0x30, &bc)));
    } else {
        exts.push(extension(&[0x55, 0x1d, 0x13], true, &seq(&[])));
    }
    if let Some((bits, critical)) = spec.key_usage {
        exts.push(extension(
            &[0x55, 0x1d, 0x0f],
            critical,
            &bit_string_byte(bits),
        ));
    }
    if spec.ski {
        exts.push(extension(
            &[0x55, 0x1d, 0x0e],
            false,
            &tlv(0x04, &key_id(&spki)),
        ));
    }
    if spec.aki && issuer.is_some() {
        exts.push(extension(
            &[0x55, 0x1d, 0x23],
            false,
            &seq(&[&tlv(0x80, &key_id(&issuer_spki))]),
        ));
    }
    let alg = seq(&[&tlv(0x06, spec.sig_oid)]);
    let tbs = seq(&[
        &tlv(0xa0, &tlv(0x02, &[2])),
        &uint(&spec.serial),
        &alg,
        &issuer_name,
        &seq(&[&utc_time(spec.not_before), &utc_time(spec.not_after)]),
        &subject,
        &spki,
        &tlv(
            0xa3,
            &seq(&exts.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        ),
    ]);
    let sig: Signature = issuer_key.sign(&tbs);
    let mut bits = vec![0u8];
    bits.extend_from_slice(sig.to_der().as_bytes());
    let cert = seq(&[&tbs, &alg, &tlv(0x03, &bits)]);
    Issued {
        key,
        cert,
        spki,
        name: subject,
    }
}

/// 2026-06-01T00:00:00Z: when the test chain's documents are made.
pub const T0: u64 = 1_780_272_000;

/// The test chain, shaped like AWS's: root → regional (pathLen 2) → zonal (1) → instance
/// (0) → leaf (3 hours).
#[derive(Clone, Debug)]
pub struct Chain {
    pub root: Issued,
    pub regional: Issued,
    pub zonal: Issued,
    pub instance: Issued,
    pub leaf: Issued,
}

impl Chain {
    pub fn new() -> Self {
        Self::with_leaf(CertSpec::leaf(
            "i-0123456789abcdef0-enc0123456789abcdef.test.nitro-enclaves",
            T0 - 60,
            T0 + 3 * 3600 - 60,
        ))
    }

    /// The standard CAs with a leaf made to `spec`.
    pub fn with_leaf(spec: CertSpec) -> Self {
        let year = 365 * 86_400;
        let root = issue(
            &CertSpec::ca("test.nitro-enclaves", None, T0 - year, T0 + 30 * year),
            key("root"),
            None,
        );
        let regional = issue(
            &CertSpec::ca(
                "regional.test.nitro-enclaves",
                Some(2),
                T0 - 30 * 86_400,
                T0 + 30 * 86_400,
            ),
            key("regional"),
            Some(&root),
        );
        let zonal = issue(
            &CertSpec::ca(
                "zonal.test.nitro-enclaves",
                Some(1),
                T0 - 5 * 86_400,
                T0 + 5 * 86_400,
            ),
            key("zonal"),
            Some(&regional),
        );
        let instance = issue(
            &CertSpec::ca(
                "instance.test.nitro-enclaves",
                Some(0),
                T0 - 86_400,
                T0 + 86_400,
            ),
            key("instance"),
            Some(&zonal),
        );
        let leaf = issue(&spec, key("leaf"), Some(&instance));
        Chain {
            root,
            regional,
            zonal,
            instance,
            leaf,
        }
    }

    /// The CA bundle a document carries: root first.
    pub fn cabundle(&self) -> Vec<Vec<u8>> {
        vec![
            self.root.cert.clone(),
            self.regional.cert.clone(),
            self.zonal.cert.clone(),
            self.instance.cert.clone(),
        ]
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------- CBOR

pub fn cbor_head(major: u8, v: u64) -> Vec<u8> {
    let m = major << 5;
    if v < 24 {
        vec![m | v as u8]
    } else if v <= 0xff {
        vec![m | 24, v as u8]
    } else if v <= 0xffff {
        let mut o = vec![m | 25];
        o.extend_from_slice(&(v as u16).to_be_bytes());
        o
    } else if v <= 0xffff_ffff {
        let mut o = vec![m | 26];
        o.extend_from_slice(&(v as u32).to_be_bytes());
        o
    } else {
        let mut o = vec![m | 27];
        o.extend_from_slice(&v.to_be_bytes());
        o
    }
}

pub fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    let mut o = cbor_head(2, b.len() as u64);
    o.extend_from_slice(b);
    o
}

pub fn cbor_text(t: &str) -> Vec<u8> {
    let mut o = cbor_head(3, t.len() as u64);
    o.extend_from_slice(t.as_bytes());
    o
}

pub fn cbor_uint(v: u64) -> Vec<u8> {
    cbor_head(0, v)
}

pub const CBOR_NULL: u8 = 0xf6;

/// One payload entry: raw CBOR key and value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// A document before signing: every part as bytes, so any can be broken.
#[derive(Clone, Debug)]
pub struct Doc {
    pub tagged: bool,
    pub indefinite: bool,
    pub protected: Vec<u8>,
    pub unprotected: Vec<u8>,
    pub entries: Vec<Entry>,
    /// Bytes appended inside the payload after the map.
    pub payload_trailer: Vec<u8>,
    /// Bytes appended after the COSE structure.
    pub trailer: Vec<u8>,
    pub signer: SigningKey,
}

/// The PCRs of the standard test document: PCR0..2 and 8 set, the rest zero, 16 in all.
pub fn standard_pcrs() -> Vec<(u32, Vec<u8>)> {
    (0..16u32)
        .map(|i| {
            let v = if matches!(i, 0..=4 | 8) {
                Sha384::digest(format!("test pcr {i}").as_bytes()).to_vec()
            } else {
                vec![0; 48]
            };
            (i, v)
        })
        .collect()
}

pub fn pcrs_entry(pcrs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut v = cbor_head(5, pcrs.len() as u64);
    for (i, p) in pcrs {
        v.extend(cbor_uint(u64::from(*i)));
        v.extend(cbor_bytes(p));
    }
    v
}

pub fn cabundle_entry(certs: &[Vec<u8>]) -> Vec<u8> {
    let mut v = cbor_head(4, certs.len() as u64);
    for c in certs {
        v.extend(cbor_bytes(c));
    }
    v
}

pub const MODULE_ID: &str = "i-0123456789abcdef0-enc0123456789abcdef";
pub const NONCE: &[u8] = b"test nonce 0001";
pub const USER_DATA: &[u8] = b"{\"release\":\"1.2.3\"}";
pub const PUBLIC_KEY: &[u8] = b"test enclave public key";

impl Doc {
    /// The standard document: what a current AWS document looks like (untagged, indefinite
    /// top-level map), made at T0 by `chain`'s leaf, with nonce, user data and public key.
    pub fn standard(chain: &Chain) -> Self {
        Self::with_pcrs(chain, &standard_pcrs())
    }

    pub fn with_pcrs(chain: &Chain, pcrs: &[(u32, Vec<u8>)]) -> Self {
        let entries = vec![
            (cbor_text("module_id"), cbor_text(MODULE_ID)),
            (cbor_text("digest"), cbor_text("SHA384")),
            (cbor_text("timestamp"), cbor_uint(T0 * 1000 + 123)),
            (cbor_text("pcrs"), pcrs_entry(pcrs)),
            (cbor_text("certificate"), cbor_bytes(&chain.leaf.cert)),
            (cbor_text("cabundle"), cabundle_entry(&chain.cabundle())),
            (cbor_text("public_key"), cbor_bytes(PUBLIC_KEY)),
            (cbor_text("user_data"), cbor_bytes(USER_DATA)),
            (cbor_text("nonce"), cbor_bytes(NONCE)),
        ];
        Doc {
            tagged: false,
            indefinite: true,
            protected: vec![0xa1, 0x01, 0x38, 0x22],
            unprotected: vec![0xa0],
            entries,
            payload_trailer: Vec::new(),
            trailer: Vec::new(),
            signer: chain.leaf.key.clone(),
        }
    }

    /// Replaces the value of the entry whose key is the text `key` (appends it if absent).
    pub fn set(&mut self, key: &str, value: Vec<u8>) -> &mut Self {
        let k = cbor_text(key);
        match self.entries.iter_mut().find(|(ek, _)| *ek == k) {
            Some(e) => e.1 = value,
            None => self.entries.push((k, value)),
        }
        self
    }

    /// Removes the entry whose key is the text `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        let k = cbor_text(key);
        self.entries.retain(|(ek, _)| *ek != k);
        self
    }

    pub fn payload(&self) -> Vec<u8> {
        let mut p = if self.indefinite {
            vec![0xbf]
        } else {
            cbor_head(5, self.entries.len() as u64)
        };
        for (k, v) in &self.entries {
            p.extend_from_slice(k);
            p.extend_from_slice(v);
        }
        if self.indefinite {
            p.push(0xff);
        }
        p.extend_from_slice(&self.payload_trailer);
        p
    }

    /// The Sig_structure over `payload`.
    pub fn sig_structure(&self, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0x84];
        s.extend(cbor_text("Signature1"));
        s.extend(cbor_bytes(&self.protected));
        s.push(0x40);
        s.extend(cbor_bytes(payload));
        s
    }

    /// Signs and encodes.
    pub fn encode(&self) -> Vec<u8> {
        let payload = self.payload();
        let sig: Signature = self.signer.sign(&self.sig_structure(&payload));
        self.encode_with_signature(&payload, &sig.to_bytes())
    }

    pub fn encode_with_signature(&self, payload: &[u8], sig: &[u8]) -> Vec<u8> {
        let mut d = Vec::new();
        if self.tagged {
            d.push(0xd2);
        }
        d.push(0x84);
        d.extend(cbor_bytes(&self.protected));
        d.extend_from_slice(&self.unprotected);
        d.extend(cbor_bytes(payload));
        d.extend(cbor_bytes(sig));
        d.extend_from_slice(&self.trailer);
        d
    }
}

/// nitro-cli describe-eif output with these PCRs (0, 1, 2 and 8).
pub fn describe_eif_json(pcrs: &[(u32, Vec<u8>)]) -> String {
    let get = |i: u32| hex::encode(&pcrs.iter().find(|(j, _)| *j == i).unwrap().1);
    format!(
        "{{\n  \"EifVersion\": 4,\n  \"Measurements\": {{\n    \"HashAlgorithm\": \"Sha384 {{ ... }}\",\n    \"PCR0\": \"{}\",\n    \"PCR1\": \"{}\",\n    \"PCR2\": \"{}\",\n    \"PCR8\": \"{}\"\n  }},\n  \"IsSigned\": true\n}}\n",
        get(0),
        get(1),
        get(2),
        get(8)
    )
}
