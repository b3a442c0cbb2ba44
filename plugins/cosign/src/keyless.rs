//! Keyless (Fulcio) signer checks: the leaf certificate, its chain to a trusted CA, embedded
//! SCTs against trusted CT logs, and the identity (SAN, OIDC issuer).
//!
//! A [`SignatureMemo`] (opt-in, for batches) remembers the trusted CA chain's signature links
//! that verified, so the same intermediate→root signature is computed once per batch.

use crate::der;
use crate::keys::{KeyKind, PublicKey};
use crate::trusted_root::TrustedRoot;
use sha2::{Digest as _, Sha256};
use std::collections::HashSet;
use std::sync::Mutex;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer as _;

/// Budget for SCTs in one certificate.
pub const MAX_SCTS: usize = 16;

const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
const OID_SCT_LIST_DER: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";

/// A parsed leaf certificate.
#[derive(Debug)]
pub struct Leaf<'a> {
    cert: X509Certificate<'a>,
    der: &'a [u8],
    key: PublicKey,
}

pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    let (rest, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("certificate does not parse: {e}"))?;
    if !rest.is_empty() {
        return Err("trailing bytes after the certificate".into());
    }
    Ok(cert)
}

pub(crate) fn cert_key(cert: &X509Certificate<'_>) -> Result<PublicKey, String> {
    PublicKey::from_spki_der(cert.public_key().raw).map_err(|e| e.to_string())
}

pub(crate) fn signed_by(
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
) -> Result<bool, String> {
    signed_by_memo(cert, issuer, None)
}

/// [`signed_by`], reusing (and recording) verified signatures in `memo` when one is given.
/// Only the signature computation is memoized: the name check runs every time.
fn signed_by_memo(
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    memo: Option<&SignatureMemo>,
) -> Result<bool, String> {
    if cert.issuer().as_raw() != issuer.subject().as_raw() {
        return Ok(false);
    }
    let alg = cert.signature_algorithm.algorithm.to_id_string();
    let tbs = cert.tbs_certificate.as_ref();
    let signature: &[u8] = &cert.signature_value.data;
    let memo = memo.map(|m| (m, memo_key(issuer.public_key().raw, &alg, tbs, signature)));
    if let Some((m, k)) = &memo {
        if m.contains(k) {
            return Ok(true);
        }
    }
    let key = cert_key(issuer)?;
    let ok = key.verify_x509(&alg, tbs, signature);
    if let (true, Some((m, k))) = (ok, &memo) {
        m.insert(*k);
    }
    Ok(ok)
}

/// Most signatures a [`SignatureMemo`] records; once full it records no more (lookups go on).
pub const MEMO_CAPACITY: usize = 1024;

/// Domain separation for [`memo_key`].
const MEMO_KEY_DOMAIN: &[u8] = b"prov-verify/cosign/signature-memo/v1";

/// The memo key of one certificate signature: SHA-256 over a domain label and, each prefixed
/// with its length as 8 big-endian bytes, the issuer's SubjectPublicKeyInfo DER, the
/// signature algorithm OID (dotted text), the signed TBSCertificate bytes and the signature
/// bytes: everything the signature verification result depends on.
pub fn memo_key(issuer_spki: &[u8], sig_alg_oid: &str, tbs: &[u8], signature: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MEMO_KEY_DOMAIN);
    for part in [issuer_spki, sig_alg_oid.as_bytes(), tbs, signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// Signatures of trusted CA chains already verified, shared (thread-safe) by the
/// verifications of one batch against one trusted root: the intermediate→root link is the
/// same for every bundle of a CA, so its signature is verified once.
///
/// Keyed by [`memo_key`], so a certificate whose signature, TBS, algorithm or issuer key
/// differs by one byte misses and is verified afresh; only successful verifications are
/// recorded, at most [`MEMO_CAPACITY`]. Time validity, CA flags and name chaining are checked
/// for every bundle; the leaf's own signature is never memoized. A poisoned lock counts as a
/// miss (the signature is verified again).
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

    fn contains(&self, key: &[u8; 32]) -> bool {
        self.verified.lock().is_ok_and(|s| s.contains(key))
    }

    fn insert(&self, key: [u8; 32]) {
        if let Ok(mut s) = self.verified.lock() {
            if s.len() < MEMO_CAPACITY {
                s.insert(key);
            }
        }
    }
}

pub(crate) fn valid_at(cert: &X509Certificate<'_>, t: i64) -> bool {
    let v = cert.validity();
    v.not_before.timestamp() <= t && t <= v.not_after.timestamp()
}

impl<'a> Leaf<'a> {
    /// Parses a leaf signing certificate: not a CA, digitalSignature and not keyCertSign,
    /// codeSigning EKU.
    pub fn parse(der: &'a [u8]) -> Result<Self, String> {
        let cert = parse_cert(der)?;
        if cert
            .basic_constraints()
            .map_err(|e| e.to_string())?
            .is_some_and(|b| b.value.ca)
        {
            return Err("the signing certificate is a CA".into());
        }
        match cert.key_usage().map_err(|e| e.to_string())? {
            Some(ku) if ku.value.key_cert_sign() => {
                return Err(
                    "the signing certificate's keyUsage has keyCertSign, which only a CA may have"
                        .into(),
                )
            }
            Some(ku) if ku.value.digital_signature() => {}
            _ => return Err("the signing certificate lacks the digitalSignature key usage".into()),
        }
        match cert.extended_key_usage().map_err(|e| e.to_string())? {
            Some(eku) if eku.value.code_signing => {}
            _ => {
                return Err(
                    "the signing certificate lacks the codeSigning extended key usage".into(),
                )
            }
        }
        let key = cert_key(&cert)?;
        Ok(Leaf { cert, der, key })
    }

    /// The certificate's public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        self.der
    }

    /// Whether `t` (Unix seconds) is inside the certificate's validity.
    pub fn valid_at(&self, t: i64) -> bool {
        valid_at(&self.cert, t)
    }

    /// Finds a trusted CA that issued this certificate and is valid (the CA's window and
    /// every chain certificate) at every time in `times`. Returns the issuing certificate's
    /// DER SubjectPublicKeyInfo (for SCT verification).
    pub fn chain(&self, root: &TrustedRoot, times: &[i64]) -> Result<Vec<u8>, String> {
        self.chain_with_memo(root, times, None)
    }

    /// [`Leaf::chain`], with the trusted CA chain's signature links looked up in (and, when
    /// they verify, recorded in) `memo`. Every other check runs as in [`Leaf::chain`].
    pub fn chain_with_memo(
        &self,
        root: &TrustedRoot,
        times: &[i64],
        memo: Option<&SignatureMemo>,
    ) -> Result<Vec<u8>, String> {
        for ca in &root.cas {
            let Ok(chain) = ca
                .chain
                .iter()
                .map(|d| parse_cert(d))
                .collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            let Some(issuer) = chain.first() else {
                continue;
            };
            if !signed_by(&self.cert, issuer)? {
                continue;
            }
            if !times.iter().all(|t| ca.valid_at(*t)) {
                return Err(
                    "the issuing CA is not valid in the trusted root at the signing time".into(),
                );
            }
            for pair in chain.windows(2) {
                if let [c, i] = pair {
                    if !signed_by_memo(c, i, memo)? {
                        return Err("the trusted CA chain does not link".into());
                    }
                }
            }
            for c in &chain {
                let is_ca = c
                    .basic_constraints()
                    .map_err(|e| e.to_string())?
                    .is_some_and(|b| b.value.ca);
                if !is_ca {
                    return Err("a trusted CA chain certificate is not a CA".into());
                }
                if c.key_usage()
                    .map_err(|e| e.to_string())?
                    .is_some_and(|k| !k.value.key_cert_sign())
                {
                    return Err(
                        "a trusted CA chain certificate's keyUsage lacks keyCertSign".into(),
                    );
                }
                if !times.iter().all(|t| valid_at(c, *t)) {
                    return Err("a CA certificate is not valid at the signing time".into());
                }
            }
            return Ok(issuer.public_key().raw.to_vec());
        }
        Err("no certificate authority in the trusted root issued the signing certificate".into())
    }

    /// Verifies the embedded SCTs; at least one must be from a trusted CT log and verify,
    /// and every SCT from a trusted log must verify. Returns how many verified.
    pub fn scts(&self, root: &TrustedRoot, issuer_spki: &[u8]) -> Result<usize, String> {
        let exts: Vec<_> = self
            .cert
            .extensions()
            .iter()
            .filter(|e| e.oid.to_id_string() == OID_SCT_LIST)
            .collect();
        let [ext] = exts.as_slice() else {
            return Err("the certificate has no (or more than one) embedded SCT list".into());
        };
        let (octets, rest) = der::read(ext.value).ok_or("SCT list extension malformed")?;
        if octets.tag != 0x04 || !rest.is_empty() {
            return Err("SCT list extension malformed".into());
        }
        let list = parse_sct_list(octets.content).ok_or("SCT list malformed")?;
        let tbs = tbs_without_sct(self.cert.tbs_certificate.as_ref())
            .ok_or("cannot rebuild the precertificate TBS")?;
        let issuer_key_hash: [u8; 32] = Sha256::digest(issuer_spki).into();
        let mut verified = 0usize;
        for sct in &list {
            let Some(log) = root.ctlogs.iter().find(|l| l.log_id == sct.log_id) else {
                continue;
            };
            let Some(key) = log.key.as_ref() else {
                return Err("the trusted root's key for this CT log is unsupported".into());
            };
            if (sct.hash_alg, sct.sig_alg) != (4, 3) || key.kind() != KeyKind::EcdsaP256 {
                return Err("unsupported SCT signature algorithm".into());
            }
            let tbs_len = u32::try_from(tbs.len()).map_err(|_| "TBS too large")?;
            if tbs_len > 0x00ff_ffff {
                return Err("TBS too large".into());
            }
            let ext_len =
                u16::try_from(sct.extensions.len()).map_err(|_| "SCT extensions too large")?;
            let mut msg = vec![0u8, 0u8];
            msg.extend_from_slice(&sct.timestamp.to_be_bytes());
            msg.extend_from_slice(&[0, 1]);
            msg.extend_from_slice(&issuer_key_hash);
            msg.extend_from_slice(tbs_len.to_be_bytes().get(1..).unwrap_or_default());
            msg.extend_from_slice(&tbs);
            msg.extend_from_slice(&ext_len.to_be_bytes());
            msg.extend_from_slice(sct.extensions);
            if !key.verify(&msg, sct.signature) {
                return Err("an SCT from a trusted CT log does not verify".into());
            }
            let t =
                i64::try_from(sct.timestamp / 1000).map_err(|_| "SCT timestamp out of range")?;
            if !log.valid_at(t) {
                return Err("an SCT is outside its CT log key's validity".into());
            }
            verified += 1;
        }
        if verified == 0 {
            return Err("no SCT from a CT log in the trusted root".into());
        }
        Ok(verified)
    }

    /// The identity: the single URI or email SAN, and the OIDC issuer extension.
    pub fn identity(&self) -> Result<(String, String), String> {
        let san = self
            .cert
            .subject_alternative_name()
            .map_err(|e| e.to_string())?
            .ok_or("the certificate has no subject alternative name")?;
        let names: Vec<&str> = san
            .value
            .general_names
            .iter()
            .filter_map(|g| match g {
                GeneralName::URI(u) => Some(*u),
                GeneralName::RFC822Name(e) => Some(*e),
                _ => None,
            })
            .collect();
        let [name] = names.as_slice() else {
            return Err("the certificate does not have exactly one URI or email SAN".into());
        };
        let mut v1 = None;
        let mut v2 = None;
        for e in self.cert.extensions() {
            let oid = e.oid.to_id_string();
            if oid == OID_ISSUER_V1 {
                if v1.is_some() {
                    return Err("duplicate issuer extension".into());
                }
                v1 = Some(
                    std::str::from_utf8(e.value)
                        .map_err(|_| "issuer (v1) is not UTF-8")?
                        .to_owned(),
                );
            } else if oid == OID_ISSUER_V2 {
                if v2.is_some() {
                    return Err("duplicate issuer extension".into());
                }
                let (t, rest) = der::read(e.value).ok_or("issuer (v2) malformed")?;
                if t.tag != 0x0c || !rest.is_empty() {
                    return Err("issuer (v2) is not a UTF8String".into());
                }
                v2 = Some(
                    std::str::from_utf8(t.content)
                        .map_err(|_| "issuer (v2) is not UTF-8")?
                        .to_owned(),
                );
            }
        }
        let issuer = match (v1, v2) {
            (Some(a), Some(b)) if a != b => {
                return Err("the v1 and v2 issuer extensions differ".into())
            }
            (_, Some(b)) => b,
            (Some(a), None) => a,
            (None, None) => return Err("the certificate has no OIDC issuer extension".into()),
        };
        Ok(((*name).to_owned(), issuer))
    }
}

struct Sct<'a> {
    log_id: &'a [u8],
    timestamp: u64,
    extensions: &'a [u8],
    hash_alg: u8,
    sig_alg: u8,
    signature: &'a [u8],
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (h, t) = (b.get(..n)?, b.get(n..)?);
    *b = t;
    Some(h)
}

fn take_u16(b: &mut &[u8]) -> Option<usize> {
    let h = take(b, 2)?;
    Some(usize::from(*h.first()?) << 8 | usize::from(*h.get(1)?))
}

fn parse_sct_list(mut b: &[u8]) -> Option<Vec<Sct<'_>>> {
    let total = take_u16(&mut b)?;
    if total != b.len() {
        return None;
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let len = take_u16(&mut b)?;
        let mut s = take(&mut b, len)?;
        if take(&mut s, 1)? != [0] {
            return None;
        }
        let log_id = take(&mut s, 32)?;
        let ts = take(&mut s, 8)?;
        let timestamp = u64::from_be_bytes(<[u8; 8]>::try_from(ts).ok()?);
        let ext_len = take_u16(&mut s)?;
        let extensions = take(&mut s, ext_len)?;
        let algs = take(&mut s, 2)?;
        let sig_len = take_u16(&mut s)?;
        let signature = take(&mut s, sig_len)?;
        if !s.is_empty() {
            return None;
        }
        out.push(Sct {
            log_id,
            timestamp,
            extensions,
            hash_alg: *algs.first()?,
            sig_alg: *algs.get(1)?,
            signature,
        });
        if out.len() > MAX_SCTS {
            return None;
        }
    }
    Some(out)
}

/// The TBSCertificate re-encoded without the SCT list extension.
fn tbs_without_sct(tbs: &[u8]) -> Option<Vec<u8>> {
    let (seq, rest) = der::read(tbs)?;
    if seq.tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut body = Vec::new();
    let mut removed = 0usize;
    for el in der::children(seq.content)? {
        if el.tag != 0xa3 {
            body.extend_from_slice(el.raw);
            continue;
        }
        let (exts, rest) = der::read(el.content)?;
        if exts.tag != 0x30 || !rest.is_empty() {
            return None;
        }
        let mut kept = Vec::new();
        for ext in der::children(exts.content)? {
            let (oid, _) = der::read(ext.content)?;
            if oid.tag == 0x06 && oid.content == OID_SCT_LIST_DER {
                removed += 1;
            } else {
                kept.extend_from_slice(ext.raw);
            }
        }
        body.extend_from_slice(&der::encode(0xa3, &der::encode(0x30, &kept)));
    }
    if removed != 1 {
        return None;
    }
    Some(der::encode(0x30, &body))
}

/// Whether a DER certificate is self-issued (subject = issuer); unparseable counts as yes.
pub fn is_self_issued(der: &[u8]) -> bool {
    parse_cert(der).map_or(true, |c| c.issuer().as_raw() == c.subject().as_raw())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn memo_is_bounded_and_records_only_inserted_keys() {
        let memo = SignatureMemo::new();
        let key = |i: usize| memo_key(&i.to_be_bytes(), "1.2.840.10045.4.3.3", b"tbs", b"sig");
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
}
