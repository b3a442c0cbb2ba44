//! CMS / PKCS#7 detached `SignedData` (RFC 5652), as written by
//! `openssl cms -sign -binary -outform DER|PEM` (with or without `-noattr`, `-keyid`).
//!
//! Parsed once, strictly (DER, definite lengths), into a [`SignedData`]: exactly one signer,
//! detached `id-data` content, embedded certificates (at most [`MAX_CMS_CERTIFICATES`]), and
//! the signer's digest and signature algorithms resolved to ones this crate verifies. Anything
//! else is refused with a [`CmsError`] naming the field. Nothing here decides whether the
//! signature is good: see [`crate::verify_manifest`].
//!
//! [`SignedData::timestamp_token_from_der`] reads an RFC 3161 `TimeStampToken` with the same
//! reader: SignedData v3 with encapsulated `id-ct-TSTInfo` content, signed attributes required
//! (contentType = id-ct-TSTInfo, messageDigest, and the ESS signingCertificate /
//! signingCertificateV2 identifiers, RFC 2634 / RFC 5035).

use crate::algorithm::SignatureAlgorithm;
use crate::cert::Certificate;
use crate::der::{self, Reader, Tlv};
use crate::error::{CmsError, ParseError};

/// Largest CMS document accepted, in bytes.
pub const MAX_CMS_BYTES: usize = 1024 * 1024;
/// Most certificates a CMS document may embed.
pub const MAX_CMS_CERTIFICATES: usize = 32;
/// Most signed attributes.
const MAX_SIGNED_ATTRIBUTES: usize = 64;

const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_SHA512_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const OID_ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// id-ct-TSTInfo (RFC 3161).
pub const OID_TST_INFO: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
];
/// id-aa-signingCertificate (RFC 2634): ESSCertID with a SHA-1 hash.
const OID_SIGNING_CERTIFICATE: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c,
];
/// id-aa-signingCertificateV2 (RFC 5035): ESSCertIDv2, SHA-256 unless it says otherwise.
const OID_SIGNING_CERTIFICATE_V2: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];

/// What a SignedData must carry, by use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Detached `id-data` (manifest signatures).
    DetachedData,
    /// Encapsulated `id-ct-TSTInfo` (RFC 3161 timestamp tokens).
    TstInfo,
}

impl Content {
    fn oid(self) -> &'static [u8] {
        match self {
            Content::DetachedData => OID_DATA,
            Content::TstInfo => OID_TST_INFO,
        }
    }
}

/// A digest algorithm a signer may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            DigestAlgorithm::Sha256 => &ring::digest::SHA256,
            DigestAlgorithm::Sha384 => &ring::digest::SHA384,
            DigestAlgorithm::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }

    /// `sha256`, `sha384` or `sha512`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }
}

/// How the signer names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerId {
    /// issuerAndSerialNumber: the issuer Name's DER and the serial INTEGER's content octets.
    IssuerAndSerial {
        /// Issuer Name (DER, tag included).
        issuer: Vec<u8>,
        /// Serial number (INTEGER content octets).
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    SubjectKeyId(Vec<u8>),
}

fn magnitude(serial: &[u8]) -> &[u8] {
    let zeros = serial.iter().take_while(|&&b| b == 0).count();
    serial.get(zeros..).unwrap_or_default()
}

impl SignerId {
    /// Whether this identifier names `cert`: its issuer Name byte for byte and its serial
    /// number as a number, or its subjectKeyIdentifier.
    pub fn names(&self, cert: &Certificate) -> bool {
        match self {
            SignerId::IssuerAndSerial { issuer, serial } => {
                issuer.as_slice() == cert.issuer_der()
                    && magnitude(serial) == magnitude(cert.serial())
            }
            SignerId::SubjectKeyId(id) => cert
                .extensions()
                .ok()
                .and_then(|e| e.subject_key_id.as_ref())
                .is_some_and(|s| s.value == *id),
        }
    }
}

/// Which ESS attribute a certificate identifier came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EssAttribute {
    /// signingCertificate (RFC 2634): ESSCertID, SHA-1 hash.
    SigningCertificate,
    /// signingCertificateV2 (RFC 5035): ESSCertIDv2, hash algorithm given (SHA-256 default).
    SigningCertificateV2,
}

impl std::fmt::Display for EssAttribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EssAttribute::SigningCertificate => "ESS signingCertificate",
            EssAttribute::SigningCertificateV2 => "ESS signingCertificateV2",
        })
    }
}

/// The hash of an ESS certificate identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EssHash {
    /// SHA-1 (ESSCertID).
    Sha1,
    /// A SHA-2 digest (ESSCertIDv2).
    Sha2(DigestAlgorithm),
}

/// The first certificate identifier (ESSCertID or ESSCertIDv2) of a signing-certificate
/// signed attribute: it names the signing certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EssCertId {
    /// The attribute it came from.
    pub attribute: EssAttribute,
    /// The hash algorithm of `cert_hash`.
    pub hash_algorithm: EssHash,
    /// certHash: the hash of the whole certificate DER.
    pub cert_hash: Vec<u8>,
    /// issuerSerial, when given: the issuer Name DER (the one directoryName of the
    /// GeneralNames) and the serial number (INTEGER content octets).
    pub issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
}

/// How an ESS certificate identifier fails to name a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EssMismatch {
    /// certHash is not the hash of the certificate.
    #[error("{0} names another certificate than the signing certificate (certHash differs)")]
    CertHash(EssAttribute),
    /// issuerSerial names another issuer or serial number.
    #[error("{0} issuerSerial does not name the signing certificate (issuer and serial number)")]
    IssuerSerial(EssAttribute),
}

impl EssCertId {
    /// Whether this identifier names `cert` (certHash, and issuerSerial when given).
    pub fn check(&self, cert: &Certificate) -> Result<(), EssMismatch> {
        let hash = match self.hash_algorithm {
            EssHash::Sha1 => {
                ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der())
                    .as_ref()
                    .to_vec()
            }
            EssHash::Sha2(alg) => alg.digest(cert.der()),
        };
        if hash != self.cert_hash {
            return Err(EssMismatch::CertHash(self.attribute));
        }
        if let Some((issuer, serial)) = &self.issuer_serial {
            if issuer.as_slice() != cert.issuer_der()
                || magnitude(serial) != magnitude(cert.serial())
            {
                return Err(EssMismatch::IssuerSerial(self.attribute));
            }
        }
        Ok(())
    }
}

/// Why a CMS signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsSignatureError {
    /// The signer certificate's public key cannot be used.
    #[error("the signer's public key is not usable: {0}")]
    KeyUnusable(String),
    /// The signature does not verify with the signer's key.
    #[error("the CMS signature does not verify: {0}")]
    BadSignature(&'static str),
}

/// Signed attributes: the bytes the signature covers and the message digest they carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    /// DER of the attributes as a `SET OF` (tag 0x31), as signed.
    pub(crate) signed_bytes: Vec<u8>,
    /// The messageDigest attribute's value.
    pub message_digest: Vec<u8>,
    /// The ESS signing-certificate identifiers (signingCertificate, then
    /// signingCertificateV2), read only in timestamp tokens.
    pub ess: Vec<EssCertId>,
}

/// A parsed detached CMS SignedData with one signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    /// Certificates embedded in the document (candidate intermediates only, never anchors).
    pub certificates: Vec<Certificate>,
    /// The signer's certificate identifier.
    pub signer_id: SignerId,
    /// The signer's digest algorithm.
    pub digest_algorithm: DigestAlgorithm,
    /// The signature algorithm (resolved with the digest algorithm).
    pub signature_algorithm: SignatureAlgorithm,
    /// Signed attributes, if present.
    pub signed_attributes: Option<SignedAttributes>,
    /// The encapsulated content (eContent), in a timestamp token: the DER `TSTInfo`.
    pub encapsulated_content: Option<Vec<u8>>,
    pub(crate) signature: Vec<u8>,
}

fn bad(field: &'static str, reason: impl std::fmt::Display) -> CmsError {
    CmsError::Malformed {
        field,
        reason: reason.to_string(),
    }
}

fn unsupported(field: &'static str, reason: impl Into<String>) -> CmsError {
    CmsError::Unsupported {
        field,
        reason: reason.into(),
    }
}

/// An AlgorithmIdentifier's OID, with parameters absent or NULL (`null_ok`) only.
fn algorithm_oid<'a>(
    tlv: &Tlv<'a>,
    field: &'static str,
    null_ok: bool,
) -> Result<&'a [u8], CmsError> {
    let mut r = Reader::new(tlv.content);
    let oid = r.expect(der::OID).map_err(|e| bad(field, e))?;
    match r.read() {
        Err(_) if r.is_empty() => {}
        Ok(p) if null_ok && p.tag == 0x05 && p.content.is_empty() => {}
        _ => return Err(unsupported(field, "unexpected algorithm parameters")),
    }
    r.finish().map_err(|e| bad(field, e))?;
    Ok(oid.content)
}

fn digest_algorithm(oid: &[u8]) -> Option<DigestAlgorithm> {
    match oid {
        OID_SHA256 => Some(DigestAlgorithm::Sha256),
        OID_SHA384 => Some(DigestAlgorithm::Sha384),
        OID_SHA512 => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

/// Resolves SignerInfo.signatureAlgorithm with its digest algorithm; a combined OID must name
/// the same hash as the digest algorithm.
fn signature_algorithm(
    tlv: &Tlv<'_>,
    digest: DigestAlgorithm,
    content: Content,
) -> Result<SignatureAlgorithm, CmsError> {
    use DigestAlgorithm as D;
    use SignatureAlgorithm as S;
    const FIELD: &str = "SignerInfo.signatureAlgorithm";
    let mut r = Reader::new(tlv.content);
    let oid = r.expect(der::OID).map_err(|e| bad(FIELD, e))?;
    let is_rsa = [
        OID_RSA_ENCRYPTION,
        OID_SHA256_RSA,
        OID_SHA384_RSA,
        OID_SHA512_RSA,
    ]
    .contains(&oid.content);
    algorithm_oid(tlv, FIELD, is_rsa)?;
    let alg = match (oid.content, digest) {
        (OID_RSA_ENCRYPTION, D::Sha256) | (OID_SHA256_RSA, D::Sha256) => S::RsaPkcs1Sha256,
        (OID_RSA_ENCRYPTION, D::Sha384) | (OID_SHA384_RSA, D::Sha384) => S::RsaPkcs1Sha384,
        (OID_RSA_ENCRYPTION, D::Sha512) | (OID_SHA512_RSA, D::Sha512) => S::RsaPkcs1Sha512,
        (OID_ECDSA_SHA256, D::Sha256) => S::EcdsaSha256,
        (OID_ECDSA_SHA384, D::Sha384) => S::EcdsaSha384,
        (OID_ECDSA_SHA512, D::Sha512) => S::EcdsaSha512,
        (OID_ED25519, D::Sha512) => S::Ed25519,
        // Timestamp tokens from some TSAs name the key type with the digest algorithm giving
        // the hash (RFC 5753 §2.1.1 names ecdsa-with-SHA*; id-ecPublicKey is tolerated).
        (OID_EC_PUBLIC_KEY, D::Sha256) if content == Content::TstInfo => S::EcdsaSha256,
        (OID_EC_PUBLIC_KEY, D::Sha384) if content == Content::TstInfo => S::EcdsaSha384,
        _ => {
            return Err(unsupported(
                FIELD,
                format!(
                "unsupported signature algorithm, or one that does not match digest algorithm {}",
                digest.name()
            ),
            ))
        }
    };
    Ok(alg)
}

impl SignedData {
    /// Parses a DER `ContentInfo` holding a detached `SignedData`.
    pub fn from_der(bytes: &[u8]) -> Result<Self, CmsError> {
        Self::parse(bytes, Content::DetachedData)
    }

    /// Parses an RFC 3161 `TimeStampToken` (a DER `ContentInfo` holding a `SignedData` v3
    /// with encapsulated `id-ct-TSTInfo` content and signed attributes); the `TSTInfo` DER
    /// is in [`SignedData::encapsulated_content`], the ESS identifiers in
    /// [`SignedAttributes::ess`].
    pub fn timestamp_token_from_der(bytes: &[u8]) -> Result<Self, CmsError> {
        Self::parse(bytes, Content::TstInfo)
    }

    /// Verifies the signer's signature with `signer`'s key: over the DER signed attributes
    /// when present, else over `content` (the detached content). Whether `signer` is the
    /// certificate the signer id names, and whether it is trusted, is the caller's question.
    pub fn verify_signature(
        &self,
        signer: &Certificate,
        content: &[u8],
    ) -> Result<(), CmsSignatureError> {
        let key = signer
            .public_key()
            .map_err(|e| CmsSignatureError::KeyUnusable(e.to_string()))?;
        let message = match &self.signed_attributes {
            Some(a) => a.signed_bytes.as_slice(),
            None => content,
        };
        key.verify(self.signature_algorithm, message, &self.signature)
            .map_err(CmsSignatureError::BadSignature)
    }

    fn parse(bytes: &[u8], content: Content) -> Result<Self, CmsError> {
        if bytes.len() > MAX_CMS_BYTES {
            return Err(CmsError::TooLarge {
                limit: MAX_CMS_BYTES,
            });
        }
        let ci = der::single(bytes, der::SEQUENCE).map_err(|e| bad("ContentInfo", e))?;
        let mut r = Reader::new(ci.content);
        let ct = r
            .expect(der::OID)
            .map_err(|e| bad("ContentInfo.contentType", e))?;
        if ct.content != OID_SIGNED_DATA {
            return Err(unsupported("ContentInfo.contentType", "not id-signedData"));
        }
        let explicit = r.expect(0xa0).map_err(|e| bad("ContentInfo.content", e))?;
        r.finish().map_err(|e| bad("ContentInfo", e))?;
        let sd = der::single(explicit.content, der::SEQUENCE).map_err(|e| bad("SignedData", e))?;
        let mut s = Reader::new(sd.content);
        let version = s
            .expect(der::INTEGER)
            .map_err(|e| bad("SignedData.version", e))?;
        let version = der::small_uint(&version).map_err(|e| bad("SignedData.version", e))?;
        // RFC 5652 asks version 3 when the content is not id-data (a TSTInfo), but timestamp
        // authorities in use (GitHub's among them) write version 1, and peers accept it; the
        // version changes nothing that is verified, so 1 and 3 are read alike.
        if !matches!(version, 1 | 3) {
            return Err(unsupported(
                "SignedData.version",
                format!("version {version} (1 or 3 expected)"),
            ));
        }
        let digest_set = s
            .expect(der::SET)
            .map_err(|e| bad("SignedData.digestAlgorithms", e))?;
        let mut digests = Vec::new();
        let mut d = Reader::new(digest_set.content);
        while !d.is_empty() {
            if digests.len() >= 8 {
                return Err(unsupported(
                    "SignedData.digestAlgorithms",
                    "too many entries",
                ));
            }
            let alg = d
                .expect(der::SEQUENCE)
                .map_err(|e| bad("SignedData.digestAlgorithms", e))?;
            digests.push(algorithm_oid(&alg, "SignedData.digestAlgorithms", true)?);
        }
        let encap = s
            .expect(der::SEQUENCE)
            .map_err(|e| bad("SignedData.encapContentInfo", e))?;
        let mut e = Reader::new(encap.content);
        let ect = e
            .expect(der::OID)
            .map_err(|er| bad("SignedData.encapContentInfo.eContentType", er))?;
        let encapsulated_content = match content {
            Content::DetachedData => {
                if ect.content != OID_DATA {
                    return Err(unsupported(
                        "SignedData.encapContentInfo.eContentType",
                        "not id-data",
                    ));
                }
                if !e.is_empty() {
                    return Err(unsupported(
                        "SignedData.encapContentInfo.eContent",
                        "the content is embedded; a detached signature is required",
                    ));
                }
                None
            }
            Content::TstInfo => {
                if ect.content != OID_TST_INFO {
                    return Err(unsupported(
                        "SignedData.encapContentInfo.eContentType",
                        "not id-ct-TSTInfo",
                    ));
                }
                const FIELD: &str = "SignedData.encapContentInfo.eContent";
                let explicit = e.expect(0xa0).map_err(|er| bad(FIELD, er))?;
                e.finish().map_err(|er| bad(FIELD, er))?;
                let octets = der::single(explicit.content, der::OCTET_STRING)
                    .map_err(|er| bad(FIELD, er))?;
                Some(octets.content.to_vec())
            }
        };
        let mut certificates = Vec::new();
        if let Some(certs) = s
            .optional(0xa0)
            .map_err(|er| bad("SignedData.certificates", er))?
        {
            let mut c = Reader::new(certs.content);
            while !c.is_empty() {
                let index = certificates.len();
                if index >= MAX_CMS_CERTIFICATES {
                    return Err(CmsError::TooManyCertificates {
                        limit: MAX_CMS_CERTIFICATES,
                    });
                }
                let tlv = c.read().map_err(|er| bad("SignedData.certificates", er))?;
                if tlv.tag != der::SEQUENCE {
                    return Err(unsupported(
                        "SignedData.certificates",
                        "a certificate choice other than an X.509 certificate",
                    ));
                }
                let cert = Certificate::from_der(tlv.raw)
                    .map_err(|source| CmsError::Certificate { index, source })?;
                certificates.push(cert);
            }
        }
        // CRLs embedded in the document are not used (pass them with the caller's CRLs).
        s.optional(0xa1).map_err(|er| bad("SignedData.crls", er))?;
        let signer_infos = s
            .expect(der::SET)
            .map_err(|er| bad("SignedData.signerInfos", er))?;
        s.finish().map_err(|er| bad("SignedData", er))?;
        let mut si = Reader::new(signer_infos.content);
        let signer = si
            .expect(der::SEQUENCE)
            .map_err(|er| bad("SignedData.signerInfos", er))?;
        if !si.is_empty() {
            return Err(unsupported(
                "SignedData.signerInfos",
                "more than one signer",
            ));
        }
        let mut out = parse_signer_info(signer.content, content)?;
        let digest_oid = match out.digest_algorithm {
            DigestAlgorithm::Sha256 => OID_SHA256,
            DigestAlgorithm::Sha384 => OID_SHA384,
            DigestAlgorithm::Sha512 => OID_SHA512,
        };
        if !digests.contains(&digest_oid) {
            return Err(bad(
                "SignedData.digestAlgorithms",
                "does not list the signer's digest algorithm",
            ));
        }
        out.certificates = certificates;
        out.encapsulated_content = encapsulated_content;
        Ok(out)
    }

    /// Parses PEM (`CMS` or `PKCS7` label) or DER.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, CmsError> {
        if bytes.first() == Some(&der::SEQUENCE) {
            return Self::from_der(bytes);
        }
        let blocks = crate::pem::blocks(bytes, 1).map_err(CmsError::Pem)?;
        match blocks.as_slice() {
            [(label, der)] if label == "CMS" || label == "PKCS7" => Self::from_der(der),
            [(label, _)] => Err(CmsError::Pem(ParseError::Pem(format!(
                "unexpected PEM label {label} (CMS or PKCS7 expected)"
            )))),
            _ => Err(CmsError::Pem(ParseError::Pem(
                "expected exactly one PEM block".into(),
            ))),
        }
    }

    /// Whether `bytes` look like a CMS SignedData (DER ContentInfo with id-signedData, or a
    /// CMS/PKCS7 PEM block), to tell it from a raw signature.
    pub fn looks_like_cms(bytes: &[u8]) -> bool {
        let pem = bytes.starts_with(b"-----BEGIN CMS-----")
            || bytes.starts_with(b"-----BEGIN PKCS7-----");
        if pem {
            return true;
        }
        // Only the header is looked at, so that a truncated document is still recognised (and
        // then refused as malformed rather than tried as a raw signature).
        let Some((&0x30, rest)) = bytes.split_first() else {
            return false;
        };
        let skip = match rest.first() {
            Some(&l) if l < 0x80 => 1,
            Some(&l) if (0x81..=0x84).contains(&l) => 1 + usize::from(l & 0x7f),
            _ => return false,
        };
        let mut want = vec![der::OID, 0x09];
        want.extend_from_slice(OID_SIGNED_DATA);
        rest.get(skip..)
            .is_some_and(|after| after.starts_with(&want))
    }

    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// The signature a detached `SignedData` written by [`detached_signed_data`] carries, over
/// the content itself (no signed attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmsSignature {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaSha256,
    /// ECDSA with SHA-256 (DER signature).
    EcdsaSha256,
    /// ECDSA with SHA-384 (DER signature).
    EcdsaSha384,
    /// Ed25519 (pure; SHA-512 named as the digest algorithm, RFC 8419).
    Ed25519,
}

/// One DER TLV: definite length, shortest form.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len.saturating_add(6));
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// An AlgorithmIdentifier: the OID, and a NULL parameter when `null`.
fn algorithm_identifier(oid: &[u8], null: bool) -> Vec<u8> {
    let mut body = tlv(der::OID, oid);
    if null {
        body.extend_from_slice(&[0x05, 0x00]);
    }
    tlv(der::SEQUENCE, &body)
}

/// A detached CMS `SignedData` (RFC 5652, DER `ContentInfo`) as [`SignedData::from_der`]
/// reads it: version 1, `id-data` content not included, `certificates` (sorted, as a DER SET
/// OF is), one `SignerInfo` naming `leaf` by issuer and serial number, no signed attributes,
/// and `signature`, which the caller made over the content with `leaf`'s key.
pub fn detached_signed_data(
    leaf: &Certificate,
    certificates: &[Certificate],
    kind: CmsSignature,
    signature: &[u8],
) -> Vec<u8> {
    let (digest, signature_algorithm) = match kind {
        CmsSignature::RsaSha256 => (
            algorithm_identifier(OID_SHA256, true),
            algorithm_identifier(OID_RSA_ENCRYPTION, true),
        ),
        CmsSignature::EcdsaSha256 => (
            algorithm_identifier(OID_SHA256, true),
            algorithm_identifier(OID_ECDSA_SHA256, false),
        ),
        CmsSignature::EcdsaSha384 => (
            algorithm_identifier(OID_SHA384, true),
            algorithm_identifier(OID_ECDSA_SHA384, false),
        ),
        CmsSignature::Ed25519 => (
            algorithm_identifier(OID_SHA512, false),
            algorithm_identifier(OID_ED25519, false),
        ),
    };
    let issuer_and_serial = tlv(
        der::SEQUENCE,
        &[leaf.issuer_der(), &tlv(der::INTEGER, leaf.serial())].concat(),
    );
    let signer_info = tlv(
        der::SEQUENCE,
        &[
            tlv(der::INTEGER, &[1]),
            issuer_and_serial,
            digest.clone(),
            signature_algorithm,
            tlv(der::OCTET_STRING, signature),
        ]
        .concat(),
    );
    let mut certs: Vec<&[u8]> = certificates.iter().map(Certificate::der).collect();
    certs.sort_unstable();
    certs.dedup();
    let signed_data = tlv(
        der::SEQUENCE,
        &[
            tlv(der::INTEGER, &[1]),
            tlv(der::SET, &digest),
            tlv(der::SEQUENCE, &tlv(der::OID, OID_DATA)),
            tlv(0xa0, &certs.concat()),
            tlv(der::SET, &signer_info),
        ]
        .concat(),
    );
    tlv(
        der::SEQUENCE,
        &[tlv(der::OID, OID_SIGNED_DATA), tlv(0xa0, &signed_data)].concat(),
    )
}

fn parse_signer_info(body: &[u8], content: Content) -> Result<SignedData, CmsError> {
    let mut r = Reader::new(body);
    let version = r
        .expect(der::INTEGER)
        .map_err(|e| bad("SignerInfo.version", e))?;
    let version = der::small_uint(&version).map_err(|e| bad("SignerInfo.version", e))?;
    let sid = r.read().map_err(|e| bad("SignerInfo.sid", e))?;
    let signer_id = match (version, sid.tag) {
        (1, der::SEQUENCE) => {
            let mut ias = Reader::new(sid.content);
            let issuer = ias
                .expect(der::SEQUENCE)
                .map_err(|e| bad("SignerInfo.sid.issuer", e))?;
            let serial = ias
                .expect(der::INTEGER)
                .map_err(|e| bad("SignerInfo.sid.serialNumber", e))?;
            ias.finish().map_err(|e| bad("SignerInfo.sid", e))?;
            SignerId::IssuerAndSerial {
                issuer: issuer.raw.to_vec(),
                serial: serial.content.to_vec(),
            }
        }
        (3, 0x80) if !sid.content.is_empty() => SignerId::SubjectKeyId(sid.content.to_vec()),
        _ => return Err(unsupported(
            "SignerInfo.sid",
            "version 1 with issuerAndSerialNumber or version 3 with subjectKeyIdentifier expected",
        )),
    };
    let digest_tlv = r
        .expect(der::SEQUENCE)
        .map_err(|e| bad("SignerInfo.digestAlgorithm", e))?;
    let digest_algorithm = digest_algorithm(algorithm_oid(
        &digest_tlv,
        "SignerInfo.digestAlgorithm",
        true,
    )?)
    .ok_or_else(|| {
        unsupported(
            "SignerInfo.digestAlgorithm",
            "only SHA-256, SHA-384 and SHA-512 are supported",
        )
    })?;
    let signed_attributes = r
        .optional(0xa0)
        .map_err(|e| bad("SignerInfo.signedAttrs", e))?
        .map(|attrs| parse_signed_attributes(&attrs, content))
        .transpose()?;
    if content == Content::TstInfo && signed_attributes.is_none() {
        return Err(bad(
            "SignerInfo.signedAttrs",
            "missing (a timestamp token's signer must sign attributes)",
        ));
    }
    let sig_alg = r
        .expect(der::SEQUENCE)
        .map_err(|e| bad("SignerInfo.signatureAlgorithm", e))?;
    let signature_algorithm = signature_algorithm(&sig_alg, digest_algorithm, content)?;
    let signature = r
        .expect(der::OCTET_STRING)
        .map_err(|e| bad("SignerInfo.signature", e))?;
    // Unsigned attributes (counter-signatures, timestamps) are not used.
    r.optional(0xa1)
        .map_err(|e| bad("SignerInfo.unsignedAttrs", e))?;
    r.finish().map_err(|e| bad("SignerInfo", e))?;
    Ok(SignedData {
        certificates: Vec::new(),
        signer_id,
        digest_algorithm,
        signature_algorithm,
        signed_attributes,
        encapsulated_content: None,
        signature: signature.content.to_vec(),
    })
}

fn parse_signed_attributes(
    attrs: &Tlv<'_>,
    content: Content,
) -> Result<SignedAttributes, CmsError> {
    const FIELD: &str = "SignerInfo.signedAttrs";
    let mut r = Reader::new(attrs.content);
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut content_type_ok = false;
    let mut message_digest = None;
    let mut ess = Vec::new();
    while !r.is_empty() {
        if seen.len() >= MAX_SIGNED_ATTRIBUTES {
            return Err(unsupported(FIELD, "too many attributes"));
        }
        let attr = r.expect(der::SEQUENCE).map_err(|e| bad(FIELD, e))?;
        let mut a = Reader::new(attr.content);
        let oid = a.expect(der::OID).map_err(|e| bad(FIELD, e))?;
        let values = a.expect(der::SET).map_err(|e| bad(FIELD, e))?;
        a.finish().map_err(|e| bad(FIELD, e))?;
        if seen.contains(&oid.content) {
            return Err(bad(FIELD, "an attribute type appears twice"));
        }
        seen.push(oid.content);
        match oid.content {
            OID_CONTENT_TYPE => {
                let v = der::single(values.content, der::OID)
                    .map_err(|e| bad("SignerInfo.signedAttrs.contentType", e))?;
                if v.content != content.oid() {
                    return Err(bad(
                        "SignerInfo.signedAttrs.contentType",
                        "differs from the eContentType",
                    ));
                }
                content_type_ok = true;
            }
            OID_MESSAGE_DIGEST => {
                let v = der::single(values.content, der::OCTET_STRING)
                    .map_err(|e| bad("SignerInfo.signedAttrs.messageDigest", e))?;
                message_digest = Some(v.content.to_vec());
            }
            OID_SIGNING_CERTIFICATE if content == Content::TstInfo => {
                ess.push(parse_ess(values.content, EssAttribute::SigningCertificate)?);
            }
            OID_SIGNING_CERTIFICATE_V2 if content == Content::TstInfo => {
                ess.push(parse_ess(
                    values.content,
                    EssAttribute::SigningCertificateV2,
                )?);
            }
            _ => {}
        }
    }
    // signingCertificate first, then signingCertificateV2, whatever their order.
    ess.sort_by_key(|e| e.attribute == EssAttribute::SigningCertificateV2);
    if !content_type_ok {
        return Err(bad(FIELD, "contentType attribute missing"));
    }
    let message_digest =
        message_digest.ok_or_else(|| bad(FIELD, "messageDigest attribute missing"))?;
    // The signature covers the attributes re-tagged as a universal SET OF.
    let mut signed_bytes = attrs.raw.to_vec();
    if let Some(first) = signed_bytes.first_mut() {
        *first = der::SET;
    }
    Ok(SignedAttributes {
        signed_bytes,
        message_digest,
        ess,
    })
}

/// Parses a signingCertificate(V2) attribute's values (the SET's content) into its first
/// certificate identifier:
/// `SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }`,
/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }`,
/// `ESSCertID ::= SEQUENCE { certHash (SHA-1), issuerSerial OPTIONAL }`.
fn parse_ess(values: &[u8], attribute: EssAttribute) -> Result<EssCertId, CmsError> {
    let field = match attribute {
        EssAttribute::SigningCertificate => "SignerInfo.signedAttrs.signingCertificate",
        EssAttribute::SigningCertificateV2 => "SignerInfo.signedAttrs.signingCertificateV2",
    };
    let b = |e: der::DerError| bad(field, e);
    let sc = der::single(values, der::SEQUENCE).map_err(b)?;
    let mut f = Reader::new(sc.content);
    let certs = f.expect(der::SEQUENCE).map_err(b)?;
    f.optional(der::SEQUENCE).map_err(b)?;
    f.finish().map_err(b)?;
    let mut ids = Reader::new(certs.content);
    if ids.is_empty() {
        return Err(bad(field, "no certificate identifier"));
    }
    let first = ids.expect(der::SEQUENCE).map_err(b)?;
    let mut p = Reader::new(first.content);
    let hash_algorithm = match attribute {
        EssAttribute::SigningCertificate => EssHash::Sha1,
        EssAttribute::SigningCertificateV2 => match p.optional(der::SEQUENCE).map_err(b)? {
            None => EssHash::Sha2(DigestAlgorithm::Sha256),
            Some(alg) => EssHash::Sha2(
                digest_algorithm(algorithm_oid(&alg, field, true)?)
                    .ok_or_else(|| unsupported(field, "unsupported hash algorithm"))?,
            ),
        },
    };
    let cert_hash = p.expect(der::OCTET_STRING).map_err(b)?.content.to_vec();
    let issuer_serial = p
        .optional(der::SEQUENCE)
        .map_err(b)?
        .map(|is| parse_issuer_serial(is.content, field))
        .transpose()?;
    p.finish().map_err(b)?;
    Ok(EssCertId {
        attribute,
        hash_algorithm,
        cert_hash,
        issuer_serial,
    })
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }`: the GeneralNames must be
/// one directoryName.
fn parse_issuer_serial(
    content: &[u8],
    field: &'static str,
) -> Result<(Vec<u8>, Vec<u8>), CmsError> {
    let b = |e: der::DerError| bad(field, e);
    let mut r = Reader::new(content);
    let names = r.expect(der::SEQUENCE).map_err(b)?;
    let serial = r.expect(der::INTEGER).map_err(b)?;
    r.finish().map_err(b)?;
    let mut n = Reader::new(names.content);
    let directory = n.read().map_err(b)?;
    if !n.is_empty() {
        return Err(unsupported(
            field,
            "issuerSerial does not hold exactly one issuer name",
        ));
    }
    if directory.tag != 0xa4 {
        return Err(unsupported(
            field,
            "issuerSerial issuer is not a directoryName",
        ));
    }
    let name = der::single(directory.content, der::SEQUENCE).map_err(b)?;
    Ok((name.raw.to_vec(), serial.content.to_vec()))
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
    const V1: EssAttribute = EssAttribute::SigningCertificate;
    const V2: EssAttribute = EssAttribute::SigningCertificateV2;

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        der::encode(der::SEQUENCE, &parts.concat())
    }

    /// The attribute value set content: SigningCertificate(V2) { certs { one ESSCertID } }.
    fn ess(cert_id: &[u8]) -> Vec<u8> {
        seq(&[&seq(&[cert_id])])
    }

    fn name() -> Vec<u8> {
        seq(&[&der::encode(
            der::SET,
            &seq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &[0x0c, 0x01, b'x']]),
        )])
    }

    #[test]
    fn ess_cert_ids_parse_with_their_hash_algorithm_and_issuer_serial() {
        let hash = der::encode(der::OCTET_STRING, &[7; 32]);
        let v2 = parse_ess(&ess(&seq(&[&hash])), V2).unwrap();
        assert_eq!(v2.hash_algorithm, EssHash::Sha2(DigestAlgorithm::Sha256));
        assert_eq!(v2.cert_hash, [7; 32]);
        assert_eq!(v2.issuer_serial, None);
        let explicit = ess(&seq(&[SHA256_ALG_NULL, &hash]));
        assert_eq!(
            parse_ess(&explicit, V2).unwrap().hash_algorithm,
            EssHash::Sha2(DigestAlgorithm::Sha256)
        );
        let h384 = der::encode(der::OCTET_STRING, &[9; 48]);
        assert_eq!(
            parse_ess(&ess(&seq(&[SHA384_ALG, &h384])), V2)
                .unwrap()
                .hash_algorithm,
            EssHash::Sha2(DigestAlgorithm::Sha384)
        );
        let issuer = name();
        let is = seq(&[&seq(&[&der::encode(0xa4, &issuer)]), &[0x02, 0x01, 0x2a]]);
        let v1_bytes = ess(&seq(&[&der::encode(der::OCTET_STRING, &[1; 20]), &is]));
        let v1 = parse_ess(&v1_bytes, V1).unwrap();
        assert_eq!(v1.hash_algorithm, EssHash::Sha1);
        assert_eq!(v1.issuer_serial, Some((issuer, vec![0x2a])));
        // A v1 identifier has no hash algorithm field.
        assert!(parse_ess(&explicit, V1).is_err());
    }

    #[test]
    fn malformed_ess_attributes_are_refused() {
        let hash = der::encode(der::OCTET_STRING, &[7; 32]);
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
            assert!(parse_ess(&bad, V2).is_err(), "{bad:02x?}");
        }
    }
}
