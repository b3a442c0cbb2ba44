//! Keyless (Fulcio) signer checks: the leaf certificate, its path to a trusted CA, embedded
//! SCTs against trusted CT logs, and the identity (SAN, OIDC issuer).
//!
//! Certificate rules and path validation are plugin-x509's: the leaf is checked against the
//! [`Profile::FulcioCodeSigning`] end-entity rules when parsed, and
//! [`Leaf::path_to_trusted_ca`] hands it to [`plugin_x509::verify_path_at_times`] with each
//! trusted-root CA's chain (intermediates, then the root as the anchor) at every verified
//! signing time. A [`SignatureMemo`] (opt-in, for batches) lets plugin-x509 verify each CA
//! link (intermediate→root) once per batch.

use crate::error::CertificateError;
use crate::keys::PublicKey;
use crate::trusted_root::{TrustedCa, TrustedRoot};
use plugin_api::VerificationTime;
use plugin_x509::der::{self, Reader, Tlv};
use plugin_x509::KeyKind;
use plugin_x509::{Certificate, CheckKind, Options, Profile, ValidationError};
use sha2::{Digest as _, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer as _;

pub use plugin_x509::SignatureMemo;

// OIDs are compared as DER content octets (never formatted): the SCT list,
// 1.3.6.1.4.1.11129.2.4.2, and the last arcs of Fulcio's 1.3.6.1.4.1.57264.1 extensions.
const OID_SCT_LIST_DER: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
const ARC_ISSUER_V1: u32 = 1;
const ARC_ISSUER_V2: u32 = 8;
/// Fulcio's otherName SAN for a username identity (`foo!oidc.local`), a UTF8String.
const ARC_OTHERNAME_USERNAME: u32 = 7;

/// A parsed leaf certificate that passed the Fulcio code-signing end-entity rules.
#[derive(Debug)]
pub struct Leaf<'a> {
    /// For reading the SCT list, SAN and Fulcio extensions.
    cert: X509Certificate<'a>,
    /// For path validation.
    x509: Certificate,
    der: &'a [u8],
    key: PublicKey,
}

pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, CertificateError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertificateError::Malformed(format!("certificate does not parse: {e}")))?;
    if !rest.is_empty() {
        return Err(CertificateError::Malformed(
            "trailing bytes after the certificate".into(),
        ));
    }
    crate::fulcio_ext::check_oid_encodings(&cert)?;
    Ok(cert)
}

/// The options of Fulcio leaf validation.
fn fulcio_options() -> Options {
    Options::new(Profile::FulcioCodeSigning)
}

/// The report message for a leaf refused by the Fulcio end-entity rules.
fn signer_refused(e: &ValidationError) -> String {
    let what = match e {
        ValidationError::Certificate { check, .. } => match check {
            CheckKind::BasicConstraints => "the signing certificate is a CA",
            CheckKind::KeyUsage => "the signing certificate's keyUsage is not allowed",
            CheckKind::ExtendedKeyUsage => {
                "the signing certificate lacks the codeSigning extended key usage"
            }
            _ => "the signing certificate fails the Fulcio code-signing profile",
        },
        _ => "the signing certificate fails the Fulcio code-signing profile",
    };
    format!("{what}: {e}")
}

/// How telling a path failure is, to report the most specific one over all CAs: a CA that
/// does not even name the leaf's issuer says least.
fn path_failure(e: &ValidationError) -> (u8, String) {
    match e {
        ValidationError::NoPath(_) => (
            0,
            "no certificate authority in the trusted root issued the signing certificate".into(),
        ),
        ValidationError::Certificate {
            depth: 0,
            check: CheckKind::Signature,
            ..
        } => (
            1,
            format!(
                "no certificate authority in the trusted root issued the signing certificate ({e})"
            ),
        ),
        ValidationError::Certificate {
            depth: 0, check, ..
        } => (
            3,
            match check {
                CheckKind::Validity => {
                    format!("the signing certificate is not valid at the signing time: {e}")
                }
                _ => signer_refused(e),
            },
        ),
        ValidationError::Certificate {
            check: CheckKind::Signature,
            ..
        } => (2, format!("the trusted CA chain does not link: {e}")),
        ValidationError::Certificate {
            check: CheckKind::Validity,
            ..
        } => (
            2,
            format!("a CA certificate is not valid at the signing time: {e}"),
        ),
        ValidationError::Certificate { .. } => (
            2,
            format!("the trusted CA chain fails path validation: {e}"),
        ),
        _ => (3, e.to_string()),
    }
}

impl<'a> Leaf<'a> {
    /// Parses a leaf signing certificate and checks it against the Fulcio code-signing
    /// end-entity rules of plugin-x509: not a CA, keyUsage with digitalSignature and without
    /// keyCertSign, codeSigning EKU (and the rules every end entity gets).
    pub fn parse(der: &'a [u8]) -> Result<Self, CertificateError> {
        let cert = parse_cert(der)?;
        let x509 = Certificate::from_der_parsed(der, &cert)
            .map_err(|e| CertificateError::Malformed(format!("certificate does not parse: {e}")))?;
        plugin_x509::check_end_entity_certificate(&x509, &fulcio_options())
            .map_err(|e| CertificateError::Refused(signer_refused(&e)))?;
        let key = PublicKey::from_spki_der(x509.spki_der())
            .map_err(|e| CertificateError::Malformed(e.to_string()))?;
        Ok(Leaf {
            cert,
            x509,
            der,
            key,
        })
    }

    /// The certificate's public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        self.der
    }

    /// The certificate's validity (notBefore, notAfter), Unix seconds, both inclusive.
    pub fn validity(&self) -> (i64, i64) {
        self.x509.validity()
    }

    /// Validates the leaf with plugin-x509 (Fulcio code-signing profile) against each
    /// certificate authority of `root` (its chain's last certificate is the anchor, the ones
    /// before it candidate intermediates) at every time in `times` (Unix seconds): every
    /// certificate of the path must be valid at every time, and so must the CA's `validFor`
    /// window in the trusted root. With a `memo`, CA links are verified once per memo.
    /// Returns the issuing certificate's DER SubjectPublicKeyInfo (for SCT verification).
    pub fn path_to_trusted_ca(
        &self,
        root: &TrustedRoot,
        times: &[i64],
        memo: Option<&SignatureMemo>,
    ) -> Result<Vec<u8>, CertificateError> {
        let at = times
            .iter()
            .map(|t| u64::try_from(*t).map(VerificationTime::from_unix_seconds))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| CertificateError::Untrusted("a signing time is before 1970".into()))?;
        let options = fulcio_options();
        let chains: Vec<(&TrustedCa, Option<Vec<Certificate>>)> = root
            .cas
            .iter()
            .map(|ca| {
                let chain: Result<Vec<_>, _> =
                    ca.chain.iter().map(|d| Certificate::from_der(d)).collect();
                (ca, chain.ok())
            })
            .collect();
        // A path needs a certificate whose subject is the leaf's issuer (byte for byte), so
        // only the CAs that have one can validate it. They are tried first, in order: the
        // first that validates is the one trying every CA in order would return. The others
        // are tried (and their failures formatted) only when none does. Each CA is tried once;
        // the failures are ranked in the trusted root's order.
        let names_issuer = |chain: &[Certificate]| {
            chain
                .iter()
                .any(|c| c.subject_der() == self.x509.issuer_der())
        };
        let (first, rest): (Vec<_>, Vec<_>) = chains
            .iter()
            .enumerate()
            .partition(|(_, (_, chain))| chain.as_deref().is_some_and(names_issuer));
        let mut failures: Vec<(usize, u8, String)> = Vec::new();
        for (i, (ca, chain)) in first.into_iter().chain(rest) {
            let Some((anchor, intermediates)) = chain.as_deref().and_then(<[_]>::split_last) else {
                continue;
            };
            let path = plugin_x509::verify_path_at_times(
                &self.x509,
                intermediates,
                std::slice::from_ref(anchor),
                &at,
                &options,
                memo,
            );
            match path {
                Ok(path) => {
                    if !times.iter().all(|t| ca.valid_at(*t)) {
                        failures.push((
                            i,
                            4,
                            "the issuing CA is not valid in the trusted root at the signing time"
                                .into(),
                        ));
                        continue;
                    }
                    let issuer = path.certificates().get(1).ok_or_else(|| {
                        CertificateError::Untrusted("the validated path has no issuer".into())
                    })?;
                    return Ok(issuer.spki_der().to_vec());
                }
                Err(e) => {
                    let (rank, why) = path_failure(&e);
                    failures.push((i, rank, why));
                }
            }
        }
        failures.sort_by_key(|(i, _, _)| *i);
        let mut best: Option<(u8, String)> = None;
        for (_, rank, why) in failures {
            if best.as_ref().map_or(true, |(r, _)| rank > *r) {
                best = Some((rank, why));
            }
        }
        Err(CertificateError::Untrusted(
            best.map(|(_, why)| why).unwrap_or_else(|| {
                "no certificate authority in the trusted root issued the signing certificate".into()
            }),
        ))
    }

    /// The Fulcio claims of this leaf ([`crate::fulcio_ext::read`], without parsing it again).
    pub fn claims(&self) -> Result<crate::fulcio_ext::CertificateClaims, CertificateError> {
        if self.der.len() > crate::fulcio_ext::MAX_LEAF_DER {
            return crate::fulcio_ext::read(self.der);
        }
        crate::fulcio_ext::read_parsed(&self.cert)
    }

    /// Verifies the embedded SCTs; at least one must be from a trusted CT log and verify,
    /// and every SCT from a trusted log must verify. Returns how many verified.
    pub fn scts(
        &self,
        root: &TrustedRoot,
        issuer_spki: &[u8],
        max_scts: usize,
    ) -> Result<usize, CertificateError> {
        let exts: Vec<_> = self
            .cert
            .extensions()
            .iter()
            .filter(|e| e.oid.as_bytes() == OID_SCT_LIST_DER)
            .collect();
        let [ext] = exts.as_slice() else {
            return Err(CertificateError::Sct(
                "the certificate has no (or more than one) embedded SCT list".into(),
            ));
        };
        let octets = der::single(ext.value, der::OCTET_STRING)
            .map_err(|_| CertificateError::Sct("SCT list extension malformed".into()))?;
        let list = parse_sct_list(octets.content, max_scts)
            .ok_or_else(|| CertificateError::Sct("SCT list malformed".into()))?;
        let tbs = tbs_without_sct(self.cert.tbs_certificate.as_ref()).ok_or_else(|| {
            CertificateError::Untrusted("cannot rebuild the precertificate TBS".into())
        })?;
        let issuer_key_hash: [u8; 32] = Sha256::digest(issuer_spki).into();
        let mut verified = 0usize;
        for sct in &list {
            let Some(log) = root.ctlogs.iter().find(|l| l.log_id == sct.log_id) else {
                continue;
            };
            let Some(key) = log.key.as_ref() else {
                return Err(CertificateError::Untrusted(
                    "the trusted root's key for this CT log is unsupported".into(),
                ));
            };
            if (sct.hash_alg, sct.sig_alg) != (4, 3) || key.kind() != KeyKind::EcP256 {
                return Err(CertificateError::Sct(
                    "unsupported SCT signature algorithm".into(),
                ));
            }
            let tbs_len = u32::try_from(tbs.len())
                .map_err(|_| CertificateError::OverBudget("TBS too large".into()))?;
            if tbs_len > 0x00ff_ffff {
                return Err(CertificateError::OverBudget("TBS too large".into()));
            }
            let ext_len = u16::try_from(sct.extensions.len())
                .map_err(|_| CertificateError::OverBudget("SCT extensions too large".into()))?;
            let mut msg = vec![0u8, 0u8];
            msg.extend_from_slice(&sct.timestamp.to_be_bytes());
            msg.extend_from_slice(&[0, 1]);
            msg.extend_from_slice(&issuer_key_hash);
            msg.extend_from_slice(tbs_len.to_be_bytes().get(1..).unwrap_or_default());
            msg.extend_from_slice(&tbs);
            msg.extend_from_slice(&ext_len.to_be_bytes());
            msg.extend_from_slice(sct.extensions);
            if !key.verify(&msg, sct.signature) {
                return Err(CertificateError::Sct(
                    "an SCT from a trusted CT log does not verify".into(),
                ));
            }
            let t = i64::try_from(sct.timestamp / 1000)
                .map_err(|_| CertificateError::OverBudget("SCT timestamp out of range".into()))?;
            if !log.valid_at(t) {
                return Err(CertificateError::Sct(
                    "an SCT is outside its CT log key's validity".into(),
                ));
            }
            verified += 1;
        }
        if verified == 0 {
            return Err(CertificateError::Sct(
                "no SCT from a CT log in the trusted root".into(),
            ));
        }
        Ok(verified)
    }

    /// The identity: the single URI, email or Fulcio username (otherName
    /// 1.3.6.1.4.1.57264.1.7) SAN, and the OIDC issuer extension.
    pub fn identity(&self) -> Result<(String, String), CertificateError> {
        let san = self
            .cert
            .subject_alternative_name()
            .map_err(|e| CertificateError::Identity(e.to_string()))?
            .ok_or_else(|| {
                CertificateError::Identity("the certificate has no subject alternative name".into())
            })?;
        let names = identity_names(&san.value.general_names)?;
        let [name] = names.as_slice() else {
            return Err(CertificateError::Identity(
                "the certificate does not have exactly one URI, email or username (otherName) SAN"
                    .into(),
            ));
        };
        let mut v1 = None;
        let mut v2 = None;
        for e in self.cert.extensions() {
            let arc = crate::fulcio_ext::fulcio_arc(e.oid.as_bytes());
            if arc == Some(ARC_ISSUER_V1) {
                if v1.is_some() {
                    return Err(CertificateError::Identity(
                        "duplicate issuer extension".into(),
                    ));
                }
                v1 = Some(
                    std::str::from_utf8(e.value)
                        .map_err(|_| CertificateError::Identity("issuer (v1) is not UTF-8".into()))?
                        .to_owned(),
                );
            } else if arc == Some(ARC_ISSUER_V2) {
                if v2.is_some() {
                    return Err(CertificateError::Identity(
                        "duplicate issuer extension".into(),
                    ));
                }
                let t = match Reader::new(e.value).read() {
                    Ok(t) if t.raw.len() == e.value.len() => t,
                    _ => return Err(CertificateError::Identity("issuer (v2) malformed".into())),
                };
                if t.tag != 0x0c {
                    return Err(CertificateError::Identity(
                        "issuer (v2) is not a UTF8String".into(),
                    ));
                }
                v2 = Some(
                    std::str::from_utf8(t.content)
                        .map_err(|_| CertificateError::Identity("issuer (v2) is not UTF-8".into()))?
                        .to_owned(),
                );
            }
        }
        let issuer = match (v1, v2) {
            (Some(a), Some(b)) if a != b => {
                return Err(CertificateError::Identity(
                    "the v1 and v2 issuer extensions differ".into(),
                ))
            }
            (_, Some(b)) => b,
            (Some(a), None) => a,
            (None, None) => {
                return Err(CertificateError::Identity(
                    "the certificate has no OIDC issuer extension".into(),
                ))
            }
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

fn parse_sct_list(mut b: &[u8], max_scts: usize) -> Option<Vec<Sct<'_>>> {
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
        if out.len() > max_scts {
            return None;
        }
    }
    Some(out)
}

/// All TLVs of `content` (plugin-x509's strict reader), or `None` if it is not a clean run of
/// TLVs.
fn children(content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.read().ok()?);
        if out.len() > 4096 {
            return None;
        }
    }
    Some(out)
}

/// The TBSCertificate re-encoded without the SCT list extension.
fn tbs_without_sct(tbs: &[u8]) -> Option<Vec<u8>> {
    let seq = der::single(tbs, der::SEQUENCE).ok()?;
    let mut body = Vec::new();
    let mut removed = 0usize;
    for el in children(seq.content)? {
        if el.tag != 0xa3 {
            body.extend_from_slice(el.raw);
            continue;
        }
        let exts = der::single(el.content, der::SEQUENCE).ok()?;
        let mut kept = Vec::new();
        for ext in children(exts.content)? {
            let oid = Reader::new(ext.content).read().ok()?;
            if oid.tag == der::OID && oid.content == OID_SCT_LIST_DER {
                removed += 1;
            } else {
                kept.extend_from_slice(ext.raw);
            }
        }
        body.extend_from_slice(&der::encode(0xa3, &der::encode(der::SEQUENCE, &kept)));
    }
    if removed != 1 {
        return None;
    }
    Some(der::encode(der::SEQUENCE, &body))
}

/// The names of a SAN extension that can be a Sigstore identity: URIs, emails and Fulcio
/// usernames (otherName 1.3.6.1.4.1.57264.1.7), in order. One reading for the identity check
/// and the report's certificate claims. A malformed username is an error, not skipped.
pub(crate) fn identity_names<'a>(
    general_names: &'a [GeneralName<'a>],
) -> Result<Vec<&'a str>, CertificateError> {
    let mut names = Vec::new();
    for g in general_names {
        match g {
            GeneralName::URI(u) => names.push(*u),
            GeneralName::RFC822Name(e) => names.push(*e),
            GeneralName::OtherName(oid, value)
                if crate::fulcio_ext::fulcio_arc(oid.as_bytes())
                    == Some(ARC_OTHERNAME_USERNAME) =>
            {
                names.push(username_other_name(value)?);
            }
            _ => {}
        }
    }
    Ok(names)
}

/// The value of Fulcio's username otherName (`[0] EXPLICIT UTF8String`, the bytes after its
/// OID), read strictly: one explicit tag holding one UTF8String, nothing else.
fn username_other_name(value: &[u8]) -> Result<&str, CertificateError> {
    let bad = || CertificateError::Identity("the username (otherName) SAN is malformed".into());
    let outer = der::single(value, 0xa0).map_err(|_| bad())?;
    let inner = der::single(outer.content, 0x0c).map_err(|_| bad())?;
    let name = std::str::from_utf8(inner.content).map_err(|_| bad())?;
    // Fulcio writes `username!domain`. Anything else is refused, so a username can never read
    // as a URI or an email to a policy matching identities by pattern
    // (`https://github.com/acme/x!oidc.local` would match `https://github\.com/acme/.*`).
    let Some((user, domain)) = name.split_once('!') else {
        return Err(bad());
    };
    let user_ok = !user.is_empty()
        && user
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '/' | ':' | '@' | '!'));
    let domain_ok = !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !user_ok || !domain_ok {
        return Err(bad());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::username_other_name;

    #[test]
    fn the_sct_list_oid_bytes_are_its_der_encoding() {
        let oid =
            x509_parser::der_parser::oid::Oid::from(&[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2]).unwrap();
        assert_eq!(oid.as_bytes(), super::OID_SCT_LIST_DER);
    }

    /// `[0] EXPLICIT UTF8String` around `v`.
    fn wrap(v: &str) -> Vec<u8> {
        let mut d = vec![0xa0, u8::try_from(v.len() + 2).unwrap(), 0x0c];
        d.push(u8::try_from(v.len()).unwrap());
        d.extend_from_slice(v.as_bytes());
        d
    }

    #[test]
    fn username_other_name_der_is_read_strictly() {
        assert_eq!(username_other_name(&wrap("a!b")).unwrap(), "a!b");
        // Each of these holds the well-shaped name `a!b`, wrongly encoded.
        let bad: &[&[u8]] = &[
            &[],
            &[0xa1, 0x05, 0x0c, 0x03, b'a', b'!', b'b'], // another context tag
            &[0xa0, 0x05, 0x13, 0x03, b'a', b'!', b'b'], // PrintableString
            &[0xa0, 0x05, 0x0c, 0x03, b'a', b'!', b'b', 0x00], // trailing byte
            &[0xa0, 0x06, 0x0c, 0x03, b'a', b'!', b'b', 0x00], // trailing inside
            &[0xa0, 0x05, 0x0c, 0x04, b'a', b'!', b'b'], // truncated
            &[0xa0, 0x85, 0x0c, 0x03, b'a', b'!', b'b'], // bad length form
            &[0x0c, 0x03, b'a', b'!', b'b'],             // not wrapped
            &[0xa0, 0x02, 0x0c, 0x00],                   // empty
            &[0xa0, 0x05, 0x0c, 0x03, b'a', b'!', 0xff], // not UTF-8
        ];
        for b in bad {
            assert!(username_other_name(b).is_err(), "{b:02x?}");
        }
    }

    #[test]
    fn username_other_name_must_be_user_bang_domain() {
        for v in [
            "foo!oidc.local",
            "foo!oidc.local:8080",
            "first.last-1!example.com",
        ] {
            assert_eq!(username_other_name(&wrap(v)).unwrap(), v);
        }
        // Nothing a policy could take for a URI or an email.
        for v in [
            "https://github.com/acme/app/x!oidc.local",
            "someone@example.com!oidc.local",
            "foo!oidc.local/path",
            "foo!bar!oidc.local",
            "foo",
            "!oidc.local",
            "foo!",
            "fo o!oidc.local",
            "foo!oidc local",
            "foo\u{7}!oidc.local",
        ] {
            assert!(username_other_name(&wrap(v)).is_err(), "{v}");
        }
    }
}
