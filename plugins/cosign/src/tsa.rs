//! RFC 3161 signed timestamps carried in a bundle's `timestampVerificationData`.
//!
//! A timestamp is a DER `TimeStampResp` (RFC 3161 §2.4.2) or a bare `TimeStampToken`: a CMS
//! `SignedData` (RFC 5652) whose encapsulated content is a `TSTInfo`. It is parsed strictly
//! (definite-length DER, budgets on size, certificates and attributes) into a [`Timestamp`],
//! then [`Timestamp::verify`] checks, in order: the message imprint is the hash of the
//! bundle's signature bytes; the signed `message-digest` attribute is the hash of the
//! `TSTInfo` and the `content-type` attribute names `TSTInfo`; the signing certificate (embedded
//! in the token, or the leaf of the trusted root's TSA chain when none is embedded) matches the
//! signer identifier, chains to a timestamping authority of the trusted root, and every
//! certificate of that path is valid at `genTime`; the signing certificate is a TSA end
//! entity (RFC 3161 §2.3): not a CA, exactly one extended key usage, `timeStamping`, marked
//! critical, and a keyUsage (when present) with digitalSignature or nonRepudiation and without
//! keyCertSign; the ESS `signingCertificate` or `signingCertificateV2` signed attribute
//! (RFC 3161 §2.4.1, RFC 5816) is present and its first certificate identifier is the signing
//! certificate's hash (and issuer and serial, when it gives them); the CMS signature over the
//! signed attributes verifies; `genTime` is inside the authority's `validFor` window (end
//! inclusive) and not after the verification time.

use crate::der::{self, Tlv};
use crate::keyless::{cert_key, parse_cert, signed_by, valid_at};
use crate::time::parse_generalized_time;
use crate::trusted_root::{TrustedCa, TrustedRoot};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use x509_parser::certificate::X509Certificate;

/// Budget for one encoded timestamp.
pub const MAX_TIMESTAMP_BYTES: usize = 64 * 1024;
/// Budget for certificates embedded in a timestamp token.
pub const MAX_TIMESTAMP_CERTS: usize = 10;
/// Budget for signed attributes.
const MAX_ATTRIBUTES: usize = 32;

const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_TST_INFO: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
/// id-aa-signingCertificate (RFC 2634): ESSCertID with a SHA-1 hash.
const OID_SIGNING_CERTIFICATE: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c,
];
/// id-aa-signingCertificateV2 (RFC 5035): ESSCertIDv2, SHA-256 unless it says otherwise.
const OID_SIGNING_CERTIFICATE_V2: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];
/// id-kp-timeStamping.
const OID_KP_TIME_STAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const OID_ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_SHA512_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const NULL: u8 = 0x05;
const GENERALIZED_TIME: u8 = 0x18;

/// A hash algorithm of a timestamp (message imprint or CMS digest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    fn from_oid(oid: &[u8]) -> Option<Self> {
        match oid {
            OID_SHA256 => Some(Self::Sha256),
            OID_SHA384 => Some(Self::Sha384),
            OID_SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// The hash of an ESS certificate identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EssHash {
    /// ESSCertID (signingCertificate): SHA-1, RFC 2634.
    Sha1,
    /// ESSCertIDv2 (signingCertificateV2): the given algorithm, SHA-256 by default.
    V2(HashAlg),
}

/// The first ESSCertID(v2) of the signing-certificate attribute: the signing certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EssCertId<'a> {
    hash_alg: EssHash,
    hash: &'a [u8],
    /// issuerSerial, when given: the issuer Name (DER, the one directoryName of the
    /// GeneralNames) and the serial number (INTEGER content octets).
    issuer_serial: Option<(&'a [u8], &'a [u8])>,
}

impl EssCertId<'_> {
    fn attribute(&self) -> &'static str {
        match self.hash_alg {
            EssHash::Sha1 => "ESS signingCertificate",
            EssHash::V2(_) => "ESS signingCertificateV2",
        }
    }

    /// Whether this identifier names `cert` (DER `der`); `Err` says how it does not.
    fn check(&self, cert: &X509Certificate<'_>, der: &[u8]) -> Result<(), String> {
        let hash = match self.hash_alg {
            EssHash::Sha1 => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
                .as_ref()
                .to_vec(),
            EssHash::V2(alg) => alg.digest(der),
        };
        if hash != self.hash {
            return Err(format!(
                "the timestamp's {} names another certificate than its signing certificate (certHash differs)",
                self.attribute()
            ));
        }
        if let Some((issuer, serial)) = self.issuer_serial {
            if issuer != cert.issuer().as_raw() || serial != cert.tbs_certificate.raw_serial() {
                return Err(format!(
                    "the timestamp's {} issuerSerial does not name its signing certificate (issuer and serial number)",
                    self.attribute()
                ));
            }
        }
        Ok(())
    }
}

/// Parses a signingCertificate (`v2` false) or signingCertificateV2 attribute value set
/// (the SET's content) into its first certificate identifier.
fn parse_ess(values: &[u8], v2: bool) -> Result<EssCertId<'_>, String> {
    let what = if v2 {
        "ESS signingCertificateV2 attribute"
    } else {
        "ESS signingCertificate attribute"
    };
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }
    let sc = one(values, SEQUENCE).ok_or_else(|| malformed(what))?;
    let fields = der::children(sc.content).ok_or_else(|| malformed(what))?;
    let certs = match fields.as_slice() {
        [certs] | [certs, _] if certs.tag == SEQUENCE => certs,
        _ => return Err(malformed(what)),
    };
    if let Some(policies) = fields.get(1) {
        if policies.tag != SEQUENCE {
            return Err(malformed(what));
        }
    }
    let ids = der::children(certs.content).ok_or_else(|| malformed(what))?;
    let first = ids.first().ok_or_else(|| malformed(what))?;
    if first.tag != SEQUENCE {
        return Err(malformed(what));
    }
    let parts = der::children(first.content).ok_or_else(|| malformed(what))?;
    let mut parts = parts.as_slice();
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }
    // ESSCertID   ::= SEQUENCE { certHash (SHA-1), issuerSerial OPTIONAL }
    let hash_alg = match parts {
        [alg, rest @ ..] if v2 && alg.tag == SEQUENCE => {
            parts = rest;
            EssHash::V2(hash_alg(alg, what)?)
        }
        _ if v2 => EssHash::V2(HashAlg::Sha256),
        _ => EssHash::Sha1,
    };
    let (hash, issuer_serial) = match parts {
        [hash] if hash.tag == OCTET_STRING => (hash.content, None),
        [hash, is] if hash.tag == OCTET_STRING && is.tag == SEQUENCE => {
            (hash.content, Some(parse_issuer_serial(is.content, what)?))
        }
        _ => return Err(malformed(what)),
    };
    Ok(EssCertId {
        hash_alg,
        hash,
        issuer_serial,
    })
}

/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }: the GeneralNames must be
/// one directoryName.
fn parse_issuer_serial<'a>(content: &'a [u8], what: &str) -> Result<(&'a [u8], &'a [u8]), String> {
    let parts = der::children(content).ok_or_else(|| malformed(what))?;
    let [names, serial] = parts.as_slice() else {
        return Err(malformed(what));
    };
    if names.tag != SEQUENCE || serial.tag != INTEGER {
        return Err(malformed(what));
    }
    let names = der::children(names.content).ok_or_else(|| malformed(what))?;
    let [directory] = names.as_slice() else {
        return Err(format!(
            "timestamp: the {what}'s issuerSerial does not hold exactly one issuer name"
        ));
    };
    if directory.tag != 0xa4 {
        return Err(format!(
            "timestamp: the {what}'s issuerSerial issuer is not a directoryName"
        ));
    }
    let name = one(directory.content, SEQUENCE).ok_or_else(|| malformed(what))?;
    Ok((name.raw, serial.content))
}

/// The checks RFC 3161 §2.3 puts on the TSA's signing certificate (an end entity).
fn check_signing_certificate(cert: &X509Certificate<'_>) -> Result<(), String> {
    if cert
        .basic_constraints()
        .map_err(|e| format!("the timestamp signing certificate: {e}"))?
        .is_some_and(|b| b.value.ca)
    {
        return Err("the timestamp signing certificate is a CA (basicConstraints cA=TRUE)".into());
    }
    let ekus: Vec<_> = cert
        .extensions()
        .iter()
        .filter(|e| e.oid.to_id_string() == "2.5.29.37")
        .collect();
    let eku = match ekus.as_slice() {
        [] => {
            return Err(
                "the timestamp signing certificate has no extended key usage (RFC 3161 §2.3: exactly one, timeStamping, critical)"
                    .into(),
            )
        }
        [e] => e,
        _ => return Err("the timestamp signing certificate repeats extendedKeyUsage".into()),
    };
    let purposes = der::read(eku.value)
        .filter(|(t, rest)| t.tag == SEQUENCE && rest.is_empty())
        .and_then(|(t, _)| der::children(t.content))
        .ok_or("the timestamp signing certificate's extendedKeyUsage is malformed")?;
    match purposes.as_slice() {
        [p] if p.tag == OID && p.content == OID_KP_TIME_STAMPING => {}
        [_] => {
            return Err(
                "the timestamp signing certificate lacks the timeStamping extended key usage"
                    .into(),
            )
        }
        _ => {
            return Err(format!(
                "the timestamp signing certificate has not exactly one extended key usage but {} (RFC 3161 §2.3: timeStamping alone)",
                purposes.len()
            ))
        }
    }
    if !eku.critical {
        return Err(
            "the timestamp signing certificate's extended key usage is not critical (RFC 3161 §2.3)"
                .into(),
        );
    }
    if let Some(ku) = cert
        .key_usage()
        .map_err(|e| format!("the timestamp signing certificate: {e}"))?
    {
        if !ku.value.digital_signature() && !ku.value.non_repudiation() {
            return Err(
                "the timestamp signing certificate's keyUsage allows neither digitalSignature nor nonRepudiation"
                    .into(),
            );
        }
        if ku.value.key_cert_sign() {
            return Err(
                "the timestamp signing certificate's keyUsage has keyCertSign, which only a CA may have"
                    .into(),
            );
        }
    }
    Ok(())
}

/// How the CMS signer names its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignerId<'a> {
    /// Issuer Name (DER, tag included) and serial number (INTEGER content octets).
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    /// subjectKeyIdentifier.
    KeyId(&'a [u8]),
}

/// A parsed RFC 3161 timestamp token. Nothing here is trusted until [`Timestamp::verify`].
#[derive(Debug, Clone)]
pub struct Timestamp<'a> {
    tst_info: &'a [u8],
    imprint_alg: HashAlg,
    imprint: &'a [u8],
    gen_time: i64,
    certs: Vec<&'a [u8]>,
    sid: SignerId<'a>,
    digest_alg: HashAlg,
    sig_alg: &'a [u8],
    signed_attrs: Vec<u8>,
    message_digest: &'a [u8],
    /// The ESS signing-certificate identifiers (signingCertificate, signingCertificateV2)
    /// among the signed attributes.
    ess: Vec<EssCertId<'a>>,
    signature: &'a [u8],
}

/// Exactly one TLV with this tag and nothing after it.
fn one(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    let (t, rest) = der::read(input)?;
    (t.tag == tag && rest.is_empty()).then_some(t)
}

/// An AlgorithmIdentifier's OID; parameters absent or NULL.
fn algorithm<'a>(t: &Tlv<'a>) -> Option<&'a [u8]> {
    if t.tag != SEQUENCE {
        return None;
    }
    let kids = der::children(t.content)?;
    match kids.as_slice() {
        [oid] if oid.tag == OID => Some(oid.content),
        [oid, p] if oid.tag == OID && p.tag == NULL && p.content.is_empty() => Some(oid.content),
        _ => None,
    }
}

fn hash_alg(t: &Tlv<'_>, what: &str) -> Result<HashAlg, String> {
    let oid = algorithm(t).ok_or_else(|| format!("{what}: malformed algorithm identifier"))?;
    HashAlg::from_oid(oid).ok_or_else(|| format!("{what}: unsupported hash algorithm"))
}

fn malformed(what: &str) -> String {
    format!("timestamp malformed: {what}")
}

/// Parses `TSTInfo`; returns the imprint algorithm, the imprint and `genTime`.
fn parse_tst_info(tst: &[u8]) -> Result<(HashAlg, &[u8], i64), String> {
    let seq = one(tst, SEQUENCE).ok_or_else(|| malformed("TSTInfo"))?;
    let kids = der::children(seq.content).ok_or_else(|| malformed("TSTInfo"))?;
    let [version, policy, imprint, serial, gen_time, rest @ ..] = kids.as_slice() else {
        return Err(malformed("TSTInfo fields"));
    };
    if version.tag != INTEGER || version.content != [1] {
        return Err("timestamp: TSTInfo version is not 1".into());
    }
    if policy.tag != OID || serial.tag != INTEGER || gen_time.tag != GENERALIZED_TIME {
        return Err(malformed("TSTInfo fields"));
    }
    // accuracy, ordering, nonce, tsa, extensions: optional, in this order.
    let mut order = [SEQUENCE, 0x01, INTEGER, 0xa0, 0xa1].iter();
    for t in rest {
        if !order.any(|&tag| tag == t.tag) {
            return Err(malformed("TSTInfo optional fields"));
        }
    }
    if imprint.tag != SEQUENCE {
        return Err(malformed("messageImprint"));
    }
    let mi = der::children(imprint.content).ok_or_else(|| malformed("messageImprint"))?;
    let [alg, digest] = mi.as_slice() else {
        return Err(malformed("messageImprint"));
    };
    if digest.tag != OCTET_STRING {
        return Err(malformed("messageImprint"));
    }
    let alg = hash_alg(alg, "timestamp messageImprint")?;
    let gen_time = parse_generalized_time(gen_time.content)
        .ok_or_else(|| malformed("genTime is not a DER GeneralizedTime"))?;
    Ok((alg, digest.content, gen_time))
}

/// What the signed attributes hold: the bytes the signature covers, the message-digest value
/// and the ESS signing-certificate identifiers.
type SignedAttrs<'a> = (Vec<u8>, &'a [u8], Vec<EssCertId<'a>>);

/// The signed attributes: the bytes the signature covers, the message-digest value and the
/// ESS signing-certificate identifiers.
fn parse_signed_attrs<'a>(attrs: &Tlv<'a>) -> Result<SignedAttrs<'a>, String> {
    let list = der::children(attrs.content).ok_or_else(|| malformed("signedAttrs"))?;
    if list.len() > MAX_ATTRIBUTES {
        return Err("timestamp: too many signed attributes".into());
    }
    let mut content_type = None;
    let mut digest = None;
    let mut ess_v1 = None;
    let mut ess_v2 = None;
    for a in &list {
        if a.tag != SEQUENCE {
            return Err(malformed("signed attribute"));
        }
        let kv = der::children(a.content).ok_or_else(|| malformed("signed attribute"))?;
        let [oid, values] = kv.as_slice() else {
            return Err(malformed("signed attribute"));
        };
        if oid.tag != OID || values.tag != SET {
            return Err(malformed("signed attribute"));
        }
        let slot = match oid.content {
            OID_CONTENT_TYPE => &mut content_type,
            OID_MESSAGE_DIGEST => &mut digest,
            OID_SIGNING_CERTIFICATE => &mut ess_v1,
            OID_SIGNING_CERTIFICATE_V2 => &mut ess_v2,
            _ => continue,
        };
        if slot.is_some() {
            return Err("timestamp: duplicate signed attribute".into());
        }
        *slot = Some(values.content);
    }
    let ct = content_type.ok_or("timestamp: no content-type signed attribute")?;
    if one(ct, OID).map(|t| t.content) != Some(OID_TST_INFO) {
        return Err("timestamp: the content-type signed attribute is not TSTInfo".into());
    }
    let md = digest.ok_or("timestamp: no message-digest signed attribute")?;
    let md = one(md, OCTET_STRING).ok_or_else(|| malformed("message-digest attribute"))?;
    let mut ess = Vec::new();
    if let Some(v) = ess_v1 {
        ess.push(parse_ess(v, false)?);
    }
    if let Some(v) = ess_v2 {
        ess.push(parse_ess(v, true)?);
    }
    Ok((der::encode(SET, attrs.content), md.content, ess))
}

impl<'a> Timestamp<'a> {
    /// Parses a DER `TimeStampResp` (status granted or grantedWithMods) or `TimeStampToken`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        if bytes.len() > MAX_TIMESTAMP_BYTES {
            return Err(format!(
                "timestamp is {} bytes, over the {MAX_TIMESTAMP_BYTES}-byte budget",
                bytes.len()
            ));
        }
        let top = one(bytes, SEQUENCE).ok_or_else(|| malformed("not one DER SEQUENCE"))?;
        let kids = der::children(top.content).ok_or_else(|| malformed("top level"))?;
        let token = match kids.as_slice() {
            [status, token] if status.tag == SEQUENCE => {
                let s = der::children(status.content).ok_or_else(|| malformed("status"))?;
                match s.first() {
                    Some(v) if v.tag == INTEGER && (v.content == [0] || v.content == [1]) => {}
                    _ => return Err("timestamp response status is not granted".into()),
                }
                if token.tag != SEQUENCE {
                    return Err(malformed("timeStampToken"));
                }
                token.content
            }
            [ct, _] if ct.tag == OID => top.content,
            _ => return Err(malformed("neither a TimeStampResp nor a TimeStampToken")),
        };
        let ci = der::children(token).ok_or_else(|| malformed("ContentInfo"))?;
        let [ct, explicit] = ci.as_slice() else {
            return Err(malformed("ContentInfo"));
        };
        if ct.tag != OID || ct.content != OID_SIGNED_DATA || explicit.tag != 0xa0 {
            return Err("timestamp token is not a CMS SignedData".into());
        }
        let sd = one(explicit.content, SEQUENCE).ok_or_else(|| malformed("SignedData"))?;
        let fields = der::children(sd.content).ok_or_else(|| malformed("SignedData"))?;
        let mut it = fields.iter().peekable();
        let version = it.next().ok_or_else(|| malformed("SignedData"))?;
        if version.tag != INTEGER || version.content != [3] {
            return Err("timestamp: SignedData version is not 3".into());
        }
        let digests = it
            .next()
            .filter(|t| t.tag == SET)
            .ok_or_else(|| malformed("digestAlgorithms"))?;
        let encap = it
            .next()
            .filter(|t| t.tag == SEQUENCE)
            .ok_or_else(|| malformed("encapContentInfo"))?;
        let mut certs = Vec::new();
        if let Some(c) = it.next_if(|t| t.tag == 0xa0) {
            for cert in der::children(c.content).ok_or_else(|| malformed("certificates"))? {
                if cert.tag != SEQUENCE {
                    return Err("timestamp: a non-X.509 certificate choice".into());
                }
                if certs.len() >= MAX_TIMESTAMP_CERTS {
                    return Err("timestamp: too many embedded certificates".into());
                }
                certs.push(cert.raw);
            }
        }
        let _crls = it.next_if(|t| t.tag == 0xa1);
        let signers = it
            .next()
            .filter(|t| t.tag == SET)
            .ok_or_else(|| malformed("signerInfos"))?;
        if it.next().is_some() {
            return Err(malformed("trailing SignedData fields"));
        }

        let e = der::children(encap.content).ok_or_else(|| malformed("encapContentInfo"))?;
        let [ect, econtent] = e.as_slice() else {
            return Err("timestamp: the TSTInfo is not encapsulated".into());
        };
        if ect.tag != OID || ect.content != OID_TST_INFO || econtent.tag != 0xa0 {
            return Err("timestamp: the encapsulated content is not a TSTInfo".into());
        }
        let tst_info = one(econtent.content, OCTET_STRING)
            .ok_or_else(|| malformed("eContent"))?
            .content;
        let (imprint_alg, imprint, gen_time) = parse_tst_info(tst_info)?;

        let si = one(signers.content, SEQUENCE).ok_or("timestamp: not exactly one SignerInfo")?;
        let sf = der::children(si.content).ok_or_else(|| malformed("SignerInfo"))?;
        let (sid, dalg, attrs, salg, sig) = match sf.as_slice() {
            [v, sid, dalg, attrs, salg, sig] | [v, sid, dalg, attrs, salg, sig, _]
                if v.tag == INTEGER && attrs.tag == 0xa0 && sig.tag == OCTET_STRING =>
            {
                (sid, dalg, attrs, salg, sig)
            }
            _ => return Err(malformed("SignerInfo (signed attributes are required)")),
        };
        if let Some(u) = sf.get(6) {
            if u.tag != 0xa1 {
                return Err(malformed("SignerInfo"));
            }
        }
        let sid = match sid.tag {
            SEQUENCE => {
                let p = der::children(sid.content).ok_or_else(|| malformed("signer id"))?;
                match p.as_slice() {
                    [issuer, serial] if issuer.tag == SEQUENCE && serial.tag == INTEGER => {
                        SignerId::IssuerSerial {
                            issuer: issuer.raw,
                            serial: serial.content,
                        }
                    }
                    _ => return Err(malformed("signer id")),
                }
            }
            0x80 => SignerId::KeyId(sid.content),
            _ => return Err(malformed("signer id")),
        };
        let digest_alg = hash_alg(dalg, "timestamp SignerInfo.digestAlgorithm")?;
        let listed = der::children(digests.content)
            .ok_or_else(|| malformed("digestAlgorithms"))?
            .iter()
            .any(|d| algorithm(d) == algorithm(dalg));
        if !listed {
            return Err("timestamp: digestAlgorithms does not list the signer's".into());
        }
        let sig_alg = algorithm(salg).ok_or_else(|| malformed("signatureAlgorithm"))?;
        let (signed_attrs, message_digest, ess) = parse_signed_attrs(attrs)?;
        Ok(Timestamp {
            tst_info,
            imprint_alg,
            imprint,
            gen_time,
            certs,
            sid,
            digest_alg,
            sig_alg,
            signed_attrs,
            message_digest,
            ess,
            signature: sig.content,
        })
    }

    /// `genTime` (Unix seconds), as claimed: trusted only once [`Timestamp::verify`] passed.
    pub fn gen_time(&self) -> i64 {
        self.gen_time
    }

    /// Verifies the timestamp over `signature` (the bundle's signature bytes) against the
    /// timestamping authorities of `root`, at verification time `now`. Returns the verified
    /// `genTime`.
    pub fn verify(&self, signature: &[u8], root: &TrustedRoot, now: i64) -> Result<i64, String> {
        if self.imprint_alg.digest(signature) != self.imprint {
            return Err(
                "the timestamp's message imprint is not the hash of the bundle signature".into(),
            );
        }
        if self.digest_alg.digest(self.tst_info) != self.message_digest {
            return Err(
                "the timestamp's signed message-digest is not the hash of its TSTInfo".into(),
            );
        }
        let embedded = self
            .certs
            .iter()
            .map(|d| parse_cert(d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut last_err = None;
        for tsa in &root.tsas {
            match self.verify_with(&embedded, tsa, now) {
                Ok(Some(t)) => return Ok(t),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            "the timestamp is not signed by a timestamping authority of the trusted root".into()
        }))
    }

    /// `Ok(None)`: this authority did not issue the signing certificate.
    fn verify_with(
        &self,
        embedded: &[X509Certificate<'_>],
        tsa: &TrustedCa,
        now: i64,
    ) -> Result<Option<i64>, String> {
        let Ok(chain) = tsa
            .chain
            .iter()
            .map(|d| parse_cert(d))
            .collect::<Result<Vec<_>, _>>()
        else {
            return Ok(None);
        };
        let Some(first) = chain.first() else {
            return Ok(None);
        };
        // The signing certificate: the embedded one named by the signer id, or (none embedded)
        // the authority's own leaf.
        let first_der = tsa.chain.first().map(Vec::as_slice).unwrap_or_default();
        let (signer, signer_der) = if embedded.is_empty() {
            (first, first_der)
        } else {
            let found = embedded
                .iter()
                .zip(self.certs.iter())
                .find(|(c, _)| self.names(c));
            let (c, d) =
                found.ok_or("no embedded certificate matches the timestamp's signer id")?;
            (c, *d)
        };
        let mut path: Vec<&X509Certificate<'_>> = Vec::with_capacity(chain.len() + 1);
        if signer_der == first_der {
            path.extend(chain.iter());
        } else if signed_by(signer, first)? {
            path.push(signer);
            path.extend(chain.iter());
        } else {
            return Ok(None);
        }
        if !self.names(signer) {
            // Without embedded certificates the signer id must name this authority's leaf;
            // a token from another authority names some other certificate.
            if embedded.is_empty() {
                return Ok(None);
            }
            return Err("the timestamp's signer id does not name its signing certificate".into());
        }
        for pair in path.windows(2) {
            if let [c, i] = pair {
                if !signed_by(c, i)? {
                    return Err("the timestamping authority's chain does not link".into());
                }
                let is_ca = i
                    .basic_constraints()
                    .map_err(|e| e.to_string())?
                    .is_some_and(|b| b.value.ca);
                if !is_ca {
                    return Err("a timestamping authority chain issuer is not a CA".into());
                }
                if i.key_usage()
                    .map_err(|e| e.to_string())?
                    .is_some_and(|k| !k.value.key_cert_sign())
                {
                    return Err(
                        "a timestamping authority chain issuer's keyUsage lacks keyCertSign".into(),
                    );
                }
            }
        }
        check_signing_certificate(signer)?;
        // The ESS attribute binds the signature to the signing certificate (RFC 3161 §2.4.1,
        // RFC 5816): present, and every one given names the signer.
        if self.ess.is_empty() {
            return Err(
                "the timestamp has no ESS signingCertificate or signingCertificateV2 signed attribute (RFC 3161 §2.4.1, RFC 5816)"
                    .into(),
            );
        }
        for id in &self.ess {
            id.check(signer, signer_der)?;
        }
        let key = cert_key(signer)?;
        let alg = self.x509_signature_oid()?;
        if !key.verify_x509(alg, &self.signed_attrs, self.signature) {
            return Err("the timestamp's CMS signature does not verify".into());
        }
        let t = self.gen_time;
        if !path.iter().all(|c| valid_at(c, t)) {
            return Err(
                "a timestamping authority certificate is not valid at the timestamp's genTime"
                    .into(),
            );
        }
        if !tsa.valid_at(t) {
            return Err(
                "the timestamp's genTime is outside the authority's validity in the trusted root"
                    .into(),
            );
        }
        if t > now {
            return Err("the timestamp's genTime is after the verification time".into());
        }
        Ok(Some(t))
    }

    /// Whether the signer id names `cert`.
    fn names(&self, cert: &X509Certificate<'_>) -> bool {
        match self.sid {
            SignerId::IssuerSerial { issuer, serial } => {
                cert.issuer().as_raw() == issuer && cert.tbs_certificate.raw_serial() == serial
            }
            SignerId::KeyId(id) => cert.extensions().iter().any(|e| {
                matches!(
                    e.parsed_extension(),
                    x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) if k.0 == id
                )
            }),
        }
    }

    /// The X.509 signature algorithm (dotted OID) equivalent to the signer's signature and
    /// digest algorithms; a combined OID must name the digest algorithm's hash.
    fn x509_signature_oid(&self) -> Result<&'static str, String> {
        use HashAlg as H;
        let ec = |h: H| match h {
            H::Sha256 => Ok("1.2.840.10045.4.3.2"),
            H::Sha384 => Ok("1.2.840.10045.4.3.3"),
            H::Sha512 => Err("ECDSA with SHA-512 timestamps are not supported".to_owned()),
        };
        let rsa = |h: H| match h {
            H::Sha256 => "1.2.840.113549.1.1.11",
            H::Sha384 => "1.2.840.113549.1.1.12",
            H::Sha512 => "1.2.840.113549.1.1.13",
        };
        let d = self.digest_alg;
        let mismatch = || Err("the timestamp's signature and digest algorithms differ".to_owned());
        match self.sig_alg {
            OID_EC_PUBLIC_KEY => ec(d),
            OID_ECDSA_SHA256 if d == H::Sha256 => ec(d),
            OID_ECDSA_SHA384 if d == H::Sha384 => ec(d),
            OID_ECDSA_SHA512 if d == H::Sha512 => ec(d),
            OID_RSA => Ok(rsa(d)),
            OID_SHA256_RSA if d == H::Sha256 => Ok(rsa(d)),
            OID_SHA384_RSA if d == H::Sha384 => Ok(rsa(d)),
            OID_SHA512_RSA if d == H::Sha512 => Ok(rsa(d)),
            OID_ECDSA_SHA256 | OID_ECDSA_SHA384 | OID_ECDSA_SHA512 | OID_SHA256_RSA
            | OID_SHA384_RSA | OID_SHA512_RSA => mismatch(),
            _ => Err("unsupported timestamp signature algorithm".into()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const SHA384_ALG: &[u8] = &[
        0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    ];
    const SHA256_ALG_NULL: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        der::encode(SEQUENCE, &parts.concat())
    }

    /// The attribute value set content: SigningCertificate(V2) { certs { one ESSCertID } }.
    fn ess(cert_id: &[u8]) -> Vec<u8> {
        seq(&[&seq(&[cert_id])])
    }

    fn name() -> Vec<u8> {
        seq(&[&der::encode(
            SET,
            &seq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &[0x0c, 0x01, b'x']]),
        )])
    }

    #[test]
    fn ess_cert_ids_parse_with_their_hash_algorithm_and_issuer_serial() {
        let hash = der::encode(OCTET_STRING, &[7; 32]);
        let plain = ess(&seq(&[&hash]));
        let v2 = parse_ess(&plain, true).unwrap();
        assert_eq!(v2.hash_alg, EssHash::V2(HashAlg::Sha256));
        assert_eq!(v2.hash, [7; 32]);
        assert_eq!(v2.issuer_serial, None);
        let explicit = ess(&seq(&[SHA256_ALG_NULL, &hash]));
        assert_eq!(
            parse_ess(&explicit, true).unwrap().hash_alg,
            EssHash::V2(HashAlg::Sha256)
        );
        let h384 = der::encode(OCTET_STRING, &[9; 48]);
        let with_384 = ess(&seq(&[SHA384_ALG, &h384]));
        assert_eq!(
            parse_ess(&with_384, true).unwrap().hash_alg,
            EssHash::V2(HashAlg::Sha384)
        );
        let issuer = name();
        let is = seq(&[&seq(&[&der::encode(0xa4, &issuer)]), &[0x02, 0x01, 0x2a]]);
        let v1_bytes = ess(&seq(&[&der::encode(OCTET_STRING, &[1; 20]), &is]));
        let v1 = parse_ess(&v1_bytes, false).unwrap();
        assert_eq!(v1.hash_alg, EssHash::Sha1);
        assert_eq!(v1.issuer_serial, Some((issuer.as_slice(), &[0x2a][..])));
        // A v1 identifier has no hash algorithm field.
        assert!(parse_ess(&explicit, false).is_err());
    }

    #[test]
    fn malformed_ess_attributes_are_refused() {
        let hash = der::encode(OCTET_STRING, &[7; 32]);
        let issuer = name();
        for bad in [
            // No certificate identifier at all.
            seq(&[&seq(&[])]),
            // Two values in the attribute's SET.
            [ess(&seq(&[&hash])), ess(&seq(&[&hash]))].concat(),
            // Unsupported hash algorithm (SHA-1 OID in a v2 identifier).
            ess(&seq(&[
                &[0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a],
                &hash,
            ])),
            // issuerSerial with two names, or a name that is not a directoryName.
            ess(&seq(&[
                &hash,
                &seq(&[
                    &seq(&[&der::encode(0xa4, &issuer), &der::encode(0xa4, &issuer)]),
                    &[0x02, 0x01, 0x01],
                ]),
            ])),
            ess(&seq(&[
                &hash,
                &seq(&[&seq(&[&der::encode(0x82, b"x.test")]), &[0x02, 0x01, 0x01]]),
            ])),
            // Trailing field after issuerSerial.
            ess(&seq(&[
                &hash,
                &seq(&[&seq(&[&der::encode(0xa4, &issuer)]), &[0x02, 0x01, 0x01]]),
                &[0x05, 0x00],
            ])),
        ] {
            assert!(parse_ess(&bad, true).is_err(), "{bad:02x?}");
        }
    }
}
