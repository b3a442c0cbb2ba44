//! Certificate revocation lists (RFC 5280 §5), parsed once and applied during path
//! validation (§6.3) to every certificate whose issuer published one of the supplied CRLs.
//!
//! Fail closed: a CRL that is relevant to a certificate in the path (same issuer name) but
//! cannot be trusted — bad signature, issuer without cRLSign, CRLNumber missing or critical,
//! unknown critical extensions (including issuing distribution points and delta CRLs, not
//! supported), not yet or no longer current — makes that path fail. Whether a CRL must be
//! present for every certificate is the caller's policy; without one, a certificate is not
//! checked for revocation.

use crate::algorithm::signature_algorithm;
use crate::cert::{key_usage, Certificate};
use crate::der::{self, Reader};
use crate::error::ParseError;
use plugin_api::Failure;
use std::collections::HashSet;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

const OID_CRL_NUMBER: &[u8] = &[0x55, 0x1d, 0x14];
const OID_AKI: &[u8] = &[0x55, 0x1d, 0x23];

/// A parsed CRL (owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// The CRL's DER, exactly as parsed.
    der: Vec<u8>,
    tbs: Vec<u8>,
    inner_sig_alg: Vec<u8>,
    outer_sig_alg: Vec<u8>,
    signature: Vec<u8>,
    issuer: Vec<u8>,
    /// The issuer Name, for messages.
    issuer_display: String,
    this_update: i64,
    next_update: Option<i64>,
    /// Revoked serials with their revocation dates (seconds since the epoch).
    revoked: Vec<(Vec<u8>, i64)>,
    /// Why the CRL cannot be used, found while parsing (extension problems).
    defect: Option<String>,
}

fn malformed(e: impl std::fmt::Display) -> ParseError {
    ParseError::Malformed(format!("CRL: {e}"))
}

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, ParseError> {
        let outer = der::single(der, der::SEQUENCE).map_err(malformed)?;
        let mut r = Reader::new(outer.content);
        let tbs = r.expect(der::SEQUENCE).map_err(malformed)?;
        let outer_alg = r.expect(der::SEQUENCE).map_err(malformed)?;
        let sig = r.expect(der::BIT_STRING).map_err(malformed)?;
        r.finish().map_err(malformed)?;
        let (_, signature) = der::bit_string(&sig, false).map_err(malformed)?;
        let mut t = Reader::new(tbs.content);
        t.optional(der::INTEGER).map_err(malformed)?;
        let inner_alg = t.expect(der::SEQUENCE).map_err(malformed)?;
        let issuer = t.expect(der::SEQUENCE).map_err(malformed)?;

        let (rest, crl) = CertificateRevocationList::from_der(der).map_err(malformed)?;
        if !rest.is_empty() {
            return Err(malformed("trailing data"));
        }
        let mut defect = None;
        let mut seen = HashSet::new();
        let mut has_number = false;
        for ext in crl.extensions() {
            let oid = ext.oid.as_bytes();
            if !seen.insert(oid.to_vec()) {
                defect.get_or_insert_with(|| {
                    format!("duplicate CRL extension {}", ext.oid.to_id_string())
                });
            }
            match oid {
                OID_CRL_NUMBER => {
                    has_number = true;
                    if ext.critical {
                        defect.get_or_insert_with(|| "CRLNumber is critical".to_owned());
                    }
                }
                OID_AKI if ext.critical => {
                    defect.get_or_insert_with(|| "authorityKeyIdentifier is critical".to_owned());
                }
                OID_AKI => {}
                _ if ext.critical => {
                    defect.get_or_insert_with(|| {
                        format!(
                            "unsupported critical CRL extension {}",
                            ext.oid.to_id_string()
                        )
                    });
                }
                _ => {}
            }
        }
        if !has_number {
            defect.get_or_insert_with(|| "CRLNumber missing".to_owned());
        }
        let mut revoked = Vec::new();
        for entry in crl.iter_revoked_certificates() {
            if entry.extensions().iter().any(|e| e.critical) {
                defect.get_or_insert_with(|| "critical CRL entry extension".to_owned());
            }
            revoked.push((
                entry.raw_serial().to_vec(),
                entry.revocation_date.timestamp(),
            ));
        }
        Ok(Crl {
            der: der.to_vec(),
            tbs: tbs.raw.to_vec(),
            inner_sig_alg: inner_alg.raw.to_vec(),
            outer_sig_alg: outer_alg.raw.to_vec(),
            signature: signature.to_vec(),
            issuer: issuer.raw.to_vec(),
            issuer_display: crl.issuer().to_string(),
            this_update: crl.last_update().timestamp(),
            next_update: crl.next_update().map(|t| t.timestamp()),
            revoked,
            defect,
        })
    }

    /// Parses PEM (one `X509 CRL` block) or DER.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.first() == Some(&0x30) {
            return Self::from_der(bytes);
        }
        let (rest, pem) =
            x509_parser::pem::parse_x509_pem(bytes).map_err(|e| ParseError::Pem(e.to_string()))?;
        if pem.label != "X509 CRL" {
            return Err(ParseError::Pem(format!(
                "unexpected PEM label {}",
                pem.label
            )));
        }
        if !rest.iter().all(u8::is_ascii_whitespace) {
            return Err(ParseError::Pem("data after the CRL".into()));
        }
        Self::from_der(&pem.contents)
    }

    /// The issuer Name's DER.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer
    }

    /// The CRL's DER, exactly the bytes it was parsed from (a PEM block's content).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of [`Crl::der`] (for content-addressed storage).
    pub fn sha256(&self) -> [u8; 32] {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.der);
        let mut out = [0u8; 32];
        for (o, d) in out.iter_mut().zip(digest.as_ref()) {
            *o = *d;
        }
        out
    }

    /// The issuer Name, for messages. Unverified: a CRL is only trusted once its signature
    /// verifies with the key of a certificate of the path.
    pub fn issuer(&self) -> &str {
        &self.issuer_display
    }

    /// thisUpdate, in seconds since the epoch.
    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    /// nextUpdate, in seconds since the epoch, if present.
    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    /// How many certificates the CRL lists as revoked.
    pub fn revoked_count(&self) -> usize {
        self.revoked.len()
    }
}

/// A positive INTEGER's magnitude (leading zero octets dropped), so that serials compare as
/// numbers whatever their encoding.
fn magnitude(serial: &[u8]) -> &[u8] {
    let zeros = serial.iter().take_while(|&&b| b == 0).count();
    serial.get(zeros..).unwrap_or_default()
}

/// Checks `cert` (issued by `issuer`) against every supplied CRL from that issuer: CRLs whose
/// issuer name equals the certificate issuer's subject (byte for byte), and, to stay on the
/// safe side of name-encoding differences, any other CRL that the issuer's key signed.
/// `Ok(true)` when at least one valid, current CRL from the issuer covered the certificate,
/// `Ok(false)` when none was supplied.
pub(crate) fn check_revocation(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &[Crl],
    now: i64,
) -> Result<bool, Failure> {
    let Ok(key) = issuer.public_key.as_ref() else {
        return if crls.iter().any(|c| c.issuer == issuer.subject) {
            Err("CRL issuer key unusable".into())
        } else {
            Ok(false)
        };
    };
    let mut covered = false;
    for crl in crls {
        let alg = signature_algorithm(&crl.outer_sig_alg);
        let signed = alg.is_some_and(|a| key.verify(a, &crl.tbs, &crl.signature).is_ok());
        if crl.issuer != issuer.subject {
            if !signed {
                continue;
            }
        } else if !signed {
            return Err(Failure::new(format!(
                "CRL naming {} as issuer is not signed by its key (or uses an unsupported algorithm)",
                issuer.subject()
            )));
        }
        if let Some(d) = &crl.defect {
            return Err(Failure::new(format!(
                "CRL from {} is unusable: {d}",
                issuer.subject()
            )));
        }
        if crl.inner_sig_alg != crl.outer_sig_alg {
            return Err("CRL signature algorithm fields differ".into());
        }
        if let Ok(ext) = issuer.extensions() {
            if let Some(ku) = &ext.key_usage {
                if ku.value & key_usage::CRL_SIGN == 0 {
                    return Err(Failure::new(format!(
                        "CRL issuer {} lacks cRLSign",
                        issuer.subject()
                    )));
                }
            }
        }
        if now < crl.this_update {
            return Err("CRL is not yet valid at the verification time".into());
        }
        if crl.next_update.is_some_and(|n| now > n) {
            return Err("CRL is stale at the verification time (past nextUpdate)".into());
        }
        let serial = magnitude(&cert.serial);
        if let Some((_, date)) = crl.revoked.iter().find(|(s, _)| magnitude(s) == serial) {
            return Err(Failure::new(format!(
                "revoked on {} by the CRL of {}",
                plugin_api::time::format_rfc3339(*date),
                issuer.subject()
            )));
        }
        covered = true;
    }
    Ok(covered)
}
