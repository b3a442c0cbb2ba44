//! RFC 3161 signed timestamps carried in a bundle's `timestampVerificationData`.
//!
//! A timestamp is a DER `TimeStampResp` (RFC 3161 §2.4.2) or a bare `TimeStampToken`: a CMS
//! `SignedData` (RFC 5652) whose encapsulated content is a `TSTInfo`. The response wrapper and
//! the `TSTInfo` are read here; the token itself by plugin-x509's CMS reader
//! ([`plugin_x509::SignedData::timestamp_token_from_der`]: SignedData v3 or v1, one signer, signed
//! attributes with content-type `TSTInfo`, message-digest and the ESS signing-certificate
//! identifiers), with a budget on size and embedded certificates, into a [`Timestamp`].
//! [`Timestamp::verify`] then checks, in order: the message imprint is the hash of the bundle's
//! signature bytes; the signed `message-digest` attribute is the hash of the `TSTInfo`; the
//! signing certificate (embedded in the token, or the leaf of the trusted root's TSA chain when
//! none is embedded) is named by the signer identifier and passes plugin-x509 path validation
//! with the RFC 3161 timestamping profile at `genTime` to the authority's root (the chain's last
//! certificate; the ones before it are candidate intermediates): not a CA, exactly one
//! extended key usage, `timeStamping`, critical, keyUsage (when present) with digitalSignature
//! or nonRepudiation and without keyCertSign, every certificate of the path valid at
//! `genTime`; the ESS `signingCertificate` or `signingCertificateV2` signed attribute
//! (RFC 3161 §2.4.1, RFC 5816) is present and each one's first certificate identifier names
//! the signing certificate (hash, and issuer and serial when given); the CMS signature over
//! the signed attributes verifies; `genTime` is inside the authority's `validFor` window (end
//! inclusive) and not after the verification time.

use crate::error::TimestampError;
use crate::limits::Limits;
use crate::trusted_root::{TrustedCa, TrustedRoot};
use plugin_api::VerificationTime;
use plugin_x509::der::{self, Reader, Tlv};
use plugin_x509::{Certificate, CheckKind, Options, Profile, SignedData, ValidationError};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

/// Budget for one encoded timestamp.
pub const MAX_TIMESTAMP_BYTES: usize = crate::Limits::DEFAULT.timestamp_bytes;

const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];

const BOOLEAN: u8 = 0x01;
const NULL: u8 = 0x05;
const GENERALIZED_TIME: u8 = 0x18;

/// A hash algorithm of a timestamp's message imprint.
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

/// A parsed RFC 3161 timestamp token. Nothing here is trusted until [`Timestamp::verify`].
#[derive(Debug, Clone)]
pub struct Timestamp {
    token: SignedData,
    tst_info: Vec<u8>,
    imprint_alg: HashAlg,
    imprint: Vec<u8>,
    gen_time: i64,
}

fn malformed(what: &str) -> String {
    format!("timestamp malformed: {what}")
}

/// All TLVs of `content`, or `None` if it is not a clean run of TLVs.
fn children(content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut r = Reader::new(content);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.read().ok()?);
        if out.len() > 64 {
            return None;
        }
    }
    Some(out)
}

/// An AlgorithmIdentifier's hash; parameters absent or NULL.
fn hash_alg(t: &Tlv<'_>, what: &str) -> Result<HashAlg, TimestampError> {
    let kids = (t.tag == der::SEQUENCE)
        .then(|| children(t.content))
        .flatten()
        .ok_or_else(|| {
            TimestampError::Malformed(format!("{what}: malformed algorithm identifier"))
        })?;
    let oid = match kids.as_slice() {
        [oid] if oid.tag == der::OID => oid.content,
        [oid, p] if oid.tag == der::OID && p.tag == NULL && p.content.is_empty() => oid.content,
        _ => {
            return Err(TimestampError::Malformed(format!(
                "{what}: malformed algorithm identifier"
            )))
        }
    };
    HashAlg::from_oid(oid)
        .ok_or_else(|| TimestampError::Unsupported(format!("{what}: unsupported hash algorithm")))
}

/// Parses `TSTInfo`; returns the imprint algorithm, the imprint and `genTime`.
fn parse_tst_info(tst: &[u8]) -> Result<(HashAlg, Vec<u8>, i64), TimestampError> {
    let seq = der::single(tst, der::SEQUENCE)
        .map_err(|_| TimestampError::Malformed(malformed("TSTInfo")))?;
    let kids =
        children(seq.content).ok_or_else(|| TimestampError::Malformed(malformed("TSTInfo")))?;
    let [version, policy, imprint, serial, gen_time, rest @ ..] = kids.as_slice() else {
        return Err(TimestampError::Malformed(malformed("TSTInfo fields")));
    };
    if version.tag != der::INTEGER || version.content != [1] {
        return Err(TimestampError::Malformed(
            "timestamp: TSTInfo version is not 1".into(),
        ));
    }
    if policy.tag != der::OID || serial.tag != der::INTEGER || gen_time.tag != GENERALIZED_TIME {
        return Err(TimestampError::Malformed(malformed("TSTInfo fields")));
    }
    // accuracy, ordering, nonce, tsa, extensions: optional, in this order.
    let mut order = [der::SEQUENCE, BOOLEAN, der::INTEGER, 0xa0, 0xa1].iter();
    for t in rest {
        if !order.any(|&tag| tag == t.tag) {
            return Err(TimestampError::Malformed(malformed(
                "TSTInfo optional fields",
            )));
        }
    }
    if imprint.tag != der::SEQUENCE {
        return Err(TimestampError::Malformed(malformed("messageImprint")));
    }
    let mi = children(imprint.content)
        .ok_or_else(|| TimestampError::Malformed(malformed("messageImprint")))?;
    let [alg, digest] = mi.as_slice() else {
        return Err(TimestampError::Malformed(malformed("messageImprint")));
    };
    if digest.tag != der::OCTET_STRING {
        return Err(TimestampError::Malformed(malformed("messageImprint")));
    }
    let alg = hash_alg(alg, "timestamp messageImprint")?;
    let gen_time = der::generalized_time(gen_time.content).map_err(|_| {
        TimestampError::Malformed(malformed("genTime is not a DER GeneralizedTime"))
    })?;
    Ok((alg, digest.content.to_vec(), gen_time))
}

/// The report message for a timestamp signing path refused by plugin-x509; `None` when the
/// failure only says this authority did not issue the signing certificate.
fn path_refused(e: &ValidationError) -> Option<String> {
    let ValidationError::Certificate { depth, check, .. } = e else {
        return match e {
            ValidationError::NoPath(_) => None,
            _ => Some(format!("the timestamping authority's chain: {e}")),
        };
    };
    let what = match (depth, check) {
        (0, CheckKind::Signature) => return None,
        (_, CheckKind::Validity) => {
            "a timestamping authority certificate is not valid at the timestamp's genTime"
        }
        (0, CheckKind::BasicConstraints) => {
            "the timestamp signing certificate is a CA (basicConstraints cA=TRUE)"
        }
        (0, CheckKind::KeyUsage) => {
            "the timestamp signing certificate's keyUsage is not allowed (RFC 3161 profile)"
        }
        (0, CheckKind::ExtendedKeyUsage) => {
            "the timestamp signing certificate fails the extended key usage rule"
        }
        (0, _) => "the timestamp signing certificate fails the RFC 3161 timestamping profile",
        (_, CheckKind::Signature) => "the timestamping authority's chain does not link",
        _ => "the timestamping authority's chain fails path validation",
    };
    Some(format!("{what}: {e}"))
}

impl Timestamp {
    /// Parses a DER `TimeStampResp` (status granted or grantedWithMods) or `TimeStampToken`,
    /// within the default budgets.
    pub fn parse(bytes: &[u8]) -> Result<Self, TimestampError> {
        Self::parse_within(bytes, &Limits::DEFAULT)
    }

    /// [`Timestamp::parse`] within `limits` (token size, embedded certificates).
    pub fn parse_within(bytes: &[u8], limits: &Limits) -> Result<Self, TimestampError> {
        if bytes.len() > limits.timestamp_bytes {
            return Err(TimestampError::OverBudget(format!(
                "timestamp is {} bytes, over the {}-byte budget",
                bytes.len(),
                limits.timestamp_bytes
            )));
        }
        let top = der::single(bytes, der::SEQUENCE)
            .map_err(|_| TimestampError::Malformed(malformed("not one DER SEQUENCE")))?;
        let kids = children(top.content)
            .ok_or_else(|| TimestampError::Malformed(malformed("top level")))?;
        let token: &[u8] = match kids.as_slice() {
            [status, token] if status.tag == der::SEQUENCE => {
                let s = children(status.content)
                    .ok_or_else(|| TimestampError::Malformed(malformed("status")))?;
                match s.first() {
                    Some(v) if v.tag == der::INTEGER && (v.content == [0] || v.content == [1]) => {}
                    _ => {
                        return Err(TimestampError::Untrusted(
                            "timestamp response status is not granted".into(),
                        ))
                    }
                }
                if token.tag != der::SEQUENCE {
                    return Err(TimestampError::Malformed(malformed("timeStampToken")));
                }
                token.raw
            }
            [ct, _] if ct.tag == der::OID => bytes,
            _ => {
                return Err(TimestampError::Malformed(malformed(
                    "neither a TimeStampResp nor a TimeStampToken",
                )))
            }
        };
        let token = SignedData::timestamp_token_from_der(token)
            .map_err(|e| TimestampError::Malformed(format!("timestamp token: {e}")))?;
        if token.certificates.len() > limits.timestamp_certificates {
            return Err(TimestampError::OverBudget(
                "timestamp: too many embedded certificates".into(),
            ));
        }
        let tst_info = token.encapsulated_content.clone().ok_or_else(|| {
            TimestampError::Malformed("timestamp: the TSTInfo is not encapsulated".into())
        })?;
        let (imprint_alg, imprint, gen_time) = parse_tst_info(&tst_info)?;
        Ok(Timestamp {
            token,
            tst_info,
            imprint_alg,
            imprint,
            gen_time,
        })
    }

    /// `genTime` (Unix seconds), as claimed: trusted only once [`Timestamp::verify`] passed.
    pub fn gen_time(&self) -> i64 {
        self.gen_time
    }

    /// Verifies the timestamp over `signature` (the bundle's signature bytes) against the
    /// timestamping authorities of `root`, at verification time `now`. Returns the verified
    /// `genTime`.
    pub fn verify(
        &self,
        signature: &[u8],
        root: &TrustedRoot,
        now: i64,
    ) -> Result<i64, TimestampError> {
        if self.imprint_alg.digest(signature) != self.imprint {
            return Err(TimestampError::Mismatch(
                "the timestamp's message imprint is not the hash of the bundle signature".into(),
            ));
        }
        let attrs =
            self.token.signed_attributes.as_ref().ok_or_else(|| {
                TimestampError::Malformed("timestamp: no signed attributes".into())
            })?;
        if self.token.digest_algorithm.digest(&self.tst_info) != attrs.message_digest {
            return Err(TimestampError::Mismatch(
                "the timestamp's signed message-digest is not the hash of its TSTInfo".into(),
            ));
        }
        let mut last_err = None;
        for tsa in &root.tsas {
            match self.verify_with(tsa, now) {
                Ok(Some(t)) => return Ok(t),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            TimestampError::Untrusted(
                "the timestamp is not signed by a timestamping authority of the trusted root"
                    .into(),
            )
        }))
    }

    /// `Ok(None)`: this authority did not issue the signing certificate.
    fn verify_with(&self, tsa: &TrustedCa, now: i64) -> Result<Option<i64>, TimestampError> {
        let Ok(chain) = tsa
            .chain
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()
        else {
            return Ok(None);
        };
        let (Some(first), Some((anchor, intermediates))) = (chain.first(), chain.split_last())
        else {
            return Ok(None);
        };
        let sid = &self.token.signer_id;
        // The signing certificate: the embedded one named by the signer id, or (none embedded)
        // the authority's own leaf, which the signer id must then name (a token from another
        // authority names some other certificate).
        let embedded = &self.token.certificates;
        let signer = if embedded.is_empty() {
            if !sid.names(first) {
                return Ok(None);
            }
            first
        } else {
            embedded.iter().find(|c| sid.names(c)).ok_or_else(|| {
                TimestampError::Untrusted(
                    "no embedded certificate matches the timestamp's signer id".into(),
                )
            })?
        };
        let t = self.gen_time;
        let at = u64::try_from(t)
            .map(VerificationTime::from_unix_seconds)
            .map_err(|_| {
                TimestampError::Untrusted("the timestamp's genTime is before 1970".into())
            })?;
        let path = plugin_x509::verify_path_at_times(
            signer,
            intermediates,
            std::slice::from_ref(anchor),
            &[at],
            &Options::new(Profile::Timestamping),
            None,
        );
        if let Err(e) = path {
            return match path_refused(&e) {
                None => Ok(None),
                Some(why) => Err(TimestampError::Untrusted(why)),
            };
        }
        // The ESS attribute binds the signature to the signing certificate (RFC 3161 §2.4.1,
        // RFC 5816): present, and every one given names the signer.
        let attrs =
            self.token.signed_attributes.as_ref().ok_or_else(|| {
                TimestampError::Malformed("timestamp: no signed attributes".into())
            })?;
        if attrs.ess.is_empty() {
            return Err(TimestampError::Untrusted("the timestamp has no ESS signingCertificate or signingCertificateV2 signed attribute (RFC 3161 §2.4.1, RFC 5816)"
                    .into()));
        }
        for id in &attrs.ess {
            id.check(signer)
                .map_err(|e| TimestampError::Untrusted(format!("the timestamp's {e}")))?;
        }
        self.token.verify_signature(signer, &[]).map_err(|e| {
            TimestampError::Untrusted(format!(
                "the timestamp's CMS signature does not verify ({e})"
            ))
        })?;
        if !tsa.valid_at(t) {
            return Err(TimestampError::Untrusted(
                "the timestamp's genTime is outside the authority's validity in the trusted root"
                    .into(),
            ));
        }
        if t > now {
            return Err(TimestampError::Untrusted(
                "the timestamp's genTime is after the verification time".into(),
            ));
        }
        Ok(Some(t))
    }
}
