//! A certificate parsed once, at the edge: x509-parser for the structure, validity and names;
//! a strict DER reader for the raw pieces compared byte for byte and for the extensions the
//! validator enforces. Nothing here decides whether the certificate is acceptable in a path;
//! malformed encodings of what the validator needs are refused.

use crate::algorithm::{self, PublicKey, SignatureAlgorithm};
use crate::der::{self, DerError, Reader};
use crate::error::ParseError;
use crate::names::{self, GeneralName, NameConstraints};
use plugin_api::Failure;
use std::collections::HashSet;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

pub(crate) const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
pub(crate) const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
pub(crate) const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
pub(crate) const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
pub(crate) const OID_NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
pub(crate) const OID_AKI: &[u8] = &[0x55, 0x1d, 0x23];
pub(crate) const OID_SKI: &[u8] = &[0x55, 0x1d, 0x0e];
pub(crate) const OID_POLICY_MAPPINGS: &[u8] = &[0x55, 0x1d, 0x21];
pub(crate) const OID_POLICY_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x24];
pub(crate) const OID_INHIBIT_ANY_POLICY: &[u8] = &[0x55, 0x1d, 0x36];

/// extendedKeyUsage purposes (OID content bytes).
pub const EKU_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
/// id-kp-clientAuth.
pub const EKU_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// id-kp-codeSigning.
pub const EKU_CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
/// id-kp-timeStamping (RFC 3161 §2.3).
pub const EKU_TIME_STAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];
/// anyExtendedKeyUsage.
pub const EKU_ANY: &[u8] = &[0x55, 0x1d, 0x25, 0x00];

/// keyUsage bits (RFC 5280 §4.2.1.3), as a mask over [`Extensions::key_usage`] flags.
pub mod key_usage {
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment (1).
    pub const CONTENT_COMMITMENT: u16 = 1 << 1;
    /// keyEncipherment (2).
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (6).
    pub const CRL_SIGN: u16 = 1 << 6;
}

/// An extension value with its criticality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ext<T> {
    /// Whether the extension was marked critical.
    pub critical: bool,
    /// The parsed value.
    pub value: T,
}

/// basicConstraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// cA.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u64>,
}

/// authorityKeyIdentifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityKeyId {
    /// keyIdentifier.
    pub key_id: Option<Vec<u8>>,
    /// Whether authorityCertIssuer is present.
    pub has_issuer: bool,
    /// Whether authorityCertSerialNumber is present.
    pub has_serial: bool,
}

/// The extensions the validator understands, plus what it must refuse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions {
    /// basicConstraints.
    pub basic_constraints: Option<Ext<BasicConstraints>>,
    /// keyUsage flags (bit i = named bit i).
    pub key_usage: Option<Ext<u16>>,
    /// extendedKeyUsage purposes (OID content bytes).
    pub ext_key_usage: Option<Ext<Vec<Vec<u8>>>>,
    /// subjectAltName.
    pub subject_alt_name: Option<Ext<Vec<GeneralName>>>,
    /// nameConstraints.
    pub name_constraints: Option<Ext<NameConstraints>>,
    /// authorityKeyIdentifier.
    pub authority_key_id: Option<Ext<AuthorityKeyId>>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Ext<Vec<u8>>>,
    /// Policy mappings, policy constraints or inhibitAnyPolicy is present (not supported).
    pub policy_processing: bool,
    /// The first critical extension not understood (dotted OID).
    pub unknown_critical: Option<String>,
}

/// A certificate's subject as text, for messages: rendered on first use (most certificates
/// of a successful verification are never named), always equal to itself (it derives from
/// the subject DER, which [`Certificate`]'s equality compares).
#[derive(Debug, Clone, Default)]
struct SubjectText(std::sync::OnceLock<String>);

impl PartialEq for SubjectText {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SubjectText {}

/// A parsed certificate (owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    pub(crate) version: u32,
    pub(crate) serial: Vec<u8>,
    pub(crate) inner_sig_alg: Vec<u8>,
    pub(crate) outer_sig_alg: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    pub(crate) subject: Vec<u8>,
    pub(crate) subject_rdns: Vec<Vec<u8>>,
    /// The subject as text, rendered from `subject` the first time a message needs it.
    subject_display: SubjectText,
    pub(crate) common_names: Vec<Vec<u8>>,
    pub(crate) subject_emails: Vec<Vec<u8>>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) spki: Vec<u8>,
    pub(crate) public_key: Result<PublicKey, DerError>,
    pub(crate) has_unique_ids: bool,
    pub(crate) extensions: Result<Extensions, Failure>,
}

fn malformed(e: impl std::fmt::Display) -> ParseError {
    ParseError::Malformed(e.to_string())
}

impl Certificate {
    /// Parses one DER certificate. Problems with individual extensions or the public key are
    /// kept and reported by the validator (naming the certificate and the check); a broken
    /// overall structure is a [`ParseError`].
    pub fn from_der(der: &[u8]) -> Result<Self, ParseError> {
        Self::from_der_and(der, None)
    }

    /// [`Certificate::from_der`] for a caller that already parsed `der` with x509-parser (as
    /// the Sigstore leaf's claims do), so it is not parsed a second time. `parsed` must be the
    /// parse of exactly `der` (its raw bytes are compared); anything else is refused.
    pub fn from_der_parsed(der: &[u8], parsed: &X509Certificate<'_>) -> Result<Self, ParseError> {
        if parsed.as_raw() != der {
            return Err(malformed("the parsed certificate is not these bytes"));
        }
        Self::from_der_and(der, Some(parsed))
    }

    fn from_der_and(der: &[u8], parsed: Option<&X509Certificate<'_>>) -> Result<Self, ParseError> {
        // Outer structure with the strict reader.
        let outer = der::single(der, der::SEQUENCE).map_err(malformed)?;
        let mut r = Reader::new(outer.content);
        let tbs = r.expect(der::SEQUENCE).map_err(malformed)?;
        let outer_alg = r.expect(der::SEQUENCE).map_err(malformed)?;
        let sig = r.expect(der::BIT_STRING).map_err(malformed)?;
        r.finish().map_err(malformed)?;
        let (_, signature) = der::bit_string(&sig, false).map_err(malformed)?;

        let mut t = Reader::new(tbs.content);
        t.optional(0xa0).map_err(malformed)?;
        t.expect(der::INTEGER).map_err(malformed)?;
        let inner_alg = t.expect(der::SEQUENCE).map_err(malformed)?;
        let issuer = t.expect(der::SEQUENCE).map_err(malformed)?;
        t.expect(der::SEQUENCE).map_err(malformed)?;
        let subject = t.expect(der::SEQUENCE).map_err(malformed)?;
        let spki = t.expect(der::SEQUENCE).map_err(malformed)?;
        let issuer_uid = t.optional(0x81).map_err(malformed)?;
        let subject_uid = t.optional(0x82).map_err(malformed)?;
        t.optional(0xa3).map_err(malformed)?;
        t.finish().map_err(malformed)?;
        let subject_rdns = names::parse_name_rdns(subject.content).map_err(malformed)?;
        names::parse_name_rdns(issuer.content).map_err(malformed)?;

        // Structure, validity and names with x509-parser.
        let own;
        let cert = match parsed {
            Some(cert) => cert,
            None => {
                let (rest, cert) = X509Certificate::from_der(der).map_err(malformed)?;
                if !rest.is_empty() {
                    return Err(malformed("trailing data after the certificate"));
                }
                own = cert;
                &own
            }
        };
        let common_names = cert
            .subject()
            .iter_common_name()
            .map(|a| a.as_slice().to_vec())
            .collect();
        let subject_emails = cert
            .subject()
            .iter_email()
            .map(|a| a.as_slice().to_vec())
            .collect();
        let validity = cert.validity();
        Ok(Certificate {
            der: der.to_vec(),
            tbs: tbs.raw.to_vec(),
            version: cert.version().0,
            serial: cert.raw_serial().to_vec(),
            inner_sig_alg: inner_alg.raw.to_vec(),
            outer_sig_alg: outer_alg.raw.to_vec(),
            signature: signature.to_vec(),
            issuer: issuer.raw.to_vec(),
            subject: subject.raw.to_vec(),
            subject_rdns,
            subject_display: SubjectText::default(),
            common_names,
            subject_emails,
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            spki: spki.raw.to_vec(),
            public_key: PublicKey::from_spki(spki.raw),
            has_unique_ids: issuer_uid.is_some() || subject_uid.is_some(),
            extensions: parse_extensions(cert),
        })
    }

    /// Parses PEM (one `CERTIFICATE` block) or DER.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.first() == Some(&0x30) {
            return Self::from_der(bytes);
        }
        let (rest, pem) =
            x509_parser::pem::parse_x509_pem(bytes).map_err(|e| ParseError::Pem(e.to_string()))?;
        if pem.label != "CERTIFICATE" {
            return Err(ParseError::Pem(format!(
                "unexpected PEM label {}",
                pem.label
            )));
        }
        if !rest.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError::Pem("data after the certificate".into()));
        }
        Self::from_der(&pem.contents)
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject, for messages.
    pub fn subject(&self) -> &str {
        self.subject_display.0.get_or_init(|| {
            X509Name::from_der(&self.subject)
                .map_or_else(|_| "(unreadable name)".to_owned(), |(_, n)| n.to_string())
        })
    }

    /// The subject Name's DER.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject
    }

    /// The issuer Name's DER.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer
    }

    /// The serial number (INTEGER content octets).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The SubjectPublicKeyInfo's DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The subject public key, or why it is not usable.
    pub fn public_key(&self) -> Result<&PublicKey, DerError> {
        self.public_key.as_ref().map_err(|e| *e)
    }

    /// Subject equals issuer (byte for byte).
    pub fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Validity bounds, seconds since the epoch.
    pub fn validity(&self) -> (i64, i64) {
        (self.not_before, self.not_after)
    }

    /// The parsed extensions (or why they were refused).
    pub fn extensions(&self) -> Result<&Extensions, &str> {
        self.extensions.as_ref().map_err(Failure::detail)
    }

    pub(crate) fn tbs(&self) -> &[u8] {
        &self.tbs
    }

    pub(crate) fn signature_algorithm(&self) -> Option<SignatureAlgorithm> {
        algorithm::signature_algorithm(&self.outer_sig_alg)
    }
}

fn dotted(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    oid.to_id_string()
}

fn parse_extensions(cert: &X509Certificate<'_>) -> Result<Extensions, Failure> {
    let mut out = Extensions::default();
    let mut seen = HashSet::new();
    for ext in cert.extensions() {
        let oid = ext.oid.as_bytes();
        if !seen.insert(oid.to_vec()) {
            return Err(Failure::new(format!(
                "duplicate extension {}",
                dotted(&ext.oid)
            )));
        }
        if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
            return Err(Failure::new(format!(
                "malformed extension {}: {error}",
                dotted(&ext.oid)
            )));
        }
        let critical = ext.critical;
        let err = |e: DerError| format!("malformed extension {}: {e}", dotted(&ext.oid));
        match oid {
            OID_BASIC_CONSTRAINTS => {
                let value = parse_basic_constraints(ext.value).map_err(err)?;
                out.basic_constraints = Some(Ext { critical, value });
            }
            OID_KEY_USAGE => {
                let value = parse_key_usage(ext.value).map_err(err)?;
                out.key_usage = Some(Ext { critical, value });
            }
            OID_EXT_KEY_USAGE => {
                let value = parse_eku(ext.value).map_err(err)?;
                out.ext_key_usage = Some(Ext { critical, value });
            }
            OID_SAN => {
                let value = names::parse_general_names(ext.value).map_err(err)?;
                out.subject_alt_name = Some(Ext { critical, value });
            }
            OID_NAME_CONSTRAINTS => {
                let value = names::parse_name_constraints(ext.value).map_err(err)?;
                out.name_constraints = Some(Ext { critical, value });
            }
            OID_AKI => {
                let value = parse_aki(ext.value).map_err(err)?;
                out.authority_key_id = Some(Ext { critical, value });
            }
            OID_SKI => {
                let v = der::single(ext.value, der::OCTET_STRING).map_err(err)?;
                if v.content.is_empty() {
                    return Err("empty subjectKeyIdentifier".into());
                }
                out.subject_key_id = Some(Ext {
                    critical,
                    value: v.content.to_vec(),
                });
            }
            OID_POLICY_MAPPINGS | OID_POLICY_CONSTRAINTS | OID_INHIBIT_ANY_POLICY => {
                out.policy_processing = true;
            }
            _ => {
                if critical && out.unknown_critical.is_none() {
                    out.unknown_critical = Some(dotted(&ext.oid));
                }
            }
        }
    }
    Ok(out)
}

fn parse_basic_constraints(value: &[u8]) -> Result<BasicConstraints, DerError> {
    let seq = der::single(value, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let ca = match r.optional(der::BOOLEAN)? {
        Some(b) => {
            if !der::boolean(&b)? {
                return Err(DerError(
                    "cA FALSE encoded explicitly (DER forbids defaults)",
                ));
            }
            true
        }
        None => false,
    };
    let path_len = r
        .optional(der::INTEGER)?
        .map(|i| der::small_uint(&i))
        .transpose()?;
    r.finish()?;
    Ok(BasicConstraints { ca, path_len })
}

fn parse_key_usage(value: &[u8]) -> Result<u16, DerError> {
    let bits = der::single(value, der::BIT_STRING)?;
    let (_, bytes) = der::bit_string(&bits, true)?;
    if bytes.len() > 2 {
        return Err(DerError("keyUsage too long"));
    }
    let mut flags = 0u16;
    for (i, byte) in bytes.iter().enumerate() {
        for bit in 0..8 {
            if byte & (0x80 >> bit) != 0 {
                flags |= 1 << (i * 8 + bit);
            }
        }
    }
    if flags == 0 {
        return Err(DerError("keyUsage with no bits set"));
    }
    Ok(flags)
}

fn parse_eku(value: &[u8]) -> Result<Vec<Vec<u8>>, DerError> {
    let seq = der::single(value, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.expect(der::OID)?.content.to_vec());
    }
    if out.is_empty() {
        return Err(DerError("empty extendedKeyUsage"));
    }
    Ok(out)
}

fn parse_aki(value: &[u8]) -> Result<AuthorityKeyId, DerError> {
    let seq = der::single(value, der::SEQUENCE)?;
    let mut r = Reader::new(seq.content);
    let key_id = r.optional(0x80)?.map(|t| t.content.to_vec());
    let has_issuer = r.optional(0xa1)?.is_some();
    let has_serial = r.optional(0x82)?.is_some();
    r.finish()?;
    if has_issuer != has_serial {
        return Err(DerError(
            "authorityCertIssuer and authorityCertSerialNumber must go together",
        ));
    }
    Ok(AuthorityKeyId {
        key_id,
        has_issuer,
        has_serial,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn der(file: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/x509/gen/");
        let pem = std::fs::read(format!("{path}{file}")).unwrap();
        x509_parser::pem::parse_x509_pem(&pem).unwrap().1.contents
    }

    #[test]
    fn a_certificate_built_from_a_parse_of_its_bytes_is_the_one_from_der() {
        let leaf = der("leaf-expired.pem");
        let (_, parsed) = X509Certificate::from_der(&leaf).unwrap();
        assert_eq!(
            Certificate::from_der_parsed(&leaf, &parsed).unwrap(),
            Certificate::from_der(&leaf).unwrap()
        );
        // A parse of other bytes is refused, not mixed in.
        let inter = der("inter.pem");
        let (_, other) = X509Certificate::from_der(&inter).unwrap();
        let err = Certificate::from_der_parsed(&leaf, &other).unwrap_err();
        assert!(err.to_string().contains("not these bytes"), "{err}");
    }
}
