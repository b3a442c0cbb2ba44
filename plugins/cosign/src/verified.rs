//! What a passed verification established, as typed values, so that callers need not read
//! the bundle again.

use crate::error::CertificateError;
use crate::fulcio_ext::CertificateClaims;

/// What a verification that passed established. Returned beside the [`plugin_api::Report`]
/// only when the report is ok ([`crate::verify_with_value`],
/// [`crate::CosignPlugin::verify_with_value`]); every value here comes from a verified source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// SHA-256 of the artifact the bundle was verified over, when known (not for an artifact
    /// given by its SHA-384 or SHA-512 digest).
    pub artifact_sha256: Option<[u8; 32]>,
    /// Who signed.
    pub signer: VerifiedSigner,
    /// The verified signing times (Unix seconds): integrated times under verified signed entry
    /// timestamps, then verified RFC 3161 `genTime`s. Empty only for a key-signed bundle
    /// whose signing-time check was waived (`--insecure-skip-timestamp`).
    pub signing_times: Vec<i64>,
    /// The transparency-log entries, in bundle order, each verified.
    pub log_entries: Vec<VerifiedLogEntry>,
    /// For a DSSE attestation, its in-toto statement.
    pub statement: Option<VerifiedStatement>,
}

/// The signer of a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedSigner {
    /// A key given by the caller.
    Key {
        /// SHA-256 of the key's DER SubjectPublicKeyInfo.
        sha256_id: [u8; 32],
    },
    /// A Fulcio certificate chained to a trusted CA, whose identity matched the policy.
    Certificate {
        /// The subject alternative name (URI or email).
        san: String,
        /// The OIDC issuer (Fulcio extension).
        issuer: String,
        /// The leaf's Fulcio claims (workflow extensions), or why they could not be read
        /// (they are for display only and never affect the verdict).
        claims: Result<CertificateClaims, CertificateError>,
    },
}

impl VerifiedSigner {
    /// The SAN of a certificate signer.
    pub fn san(&self) -> Option<&str> {
        match self {
            VerifiedSigner::Certificate { san, .. } => Some(san),
            VerifiedSigner::Key { .. } => None,
        }
    }

    /// The OIDC issuer of a certificate signer.
    pub fn issuer(&self) -> Option<&str> {
        match self {
            VerifiedSigner::Certificate { issuer, .. } => Some(issuer),
            VerifiedSigner::Key { .. } => None,
        }
    }
}

/// One verified transparency-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedLogEntry {
    /// The log's id (SHA-256 of its key, or its checkpoint key id).
    pub log_id: Vec<u8>,
    /// The entry's index in the log.
    pub log_index: u64,
    /// The integrated time, when a signed entry timestamp vouched for it.
    pub integrated_time: Option<i64>,
}

/// The in-toto statement of a verified DSSE attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedStatement {
    /// The statement's `predicateType`, if it has a string one.
    pub predicate_type: Option<String>,
    /// The lowercase hex SHA-256 digests of the statement's subjects (those that have one).
    pub subject_sha256: Vec<String>,
}
