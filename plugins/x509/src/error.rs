//! Errors by stage: parsing a certificate, and validating a path (naming the certificate and
//! the check that failed).

use std::fmt;

/// A certificate could not be parsed (or is not DER the validator accepts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The bytes are not a well-formed X.509 certificate.
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// PEM armour could not be decoded.
    #[error("malformed PEM: {0}")]
    Pem(String),
}

/// The check a certificate failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckKind {
    /// Certificate version (v3 required).
    Version,
    /// Serial number shape (1..=20 octets, positive).
    SerialNumber,
    /// Issuer or subject name shape.
    Names,
    /// Signature algorithm (supported, inner and outer fields equal).
    SignatureAlgorithm,
    /// Signature verification by the issuer's key.
    Signature,
    /// Subject public key (algorithm, size, curve encoding).
    PublicKey,
    /// Validity period against the verification time.
    Validity,
    /// Extensions: duplicates, unknown critical ones, malformed values.
    Extensions,
    /// basicConstraints.
    BasicConstraints,
    /// pathLenConstraint.
    PathLength,
    /// keyUsage.
    KeyUsage,
    /// extendedKeyUsage.
    ExtendedKeyUsage,
    /// subjectAltName.
    SubjectAltName,
    /// Subject common name consistency with the SAN (CA/B Forum profile).
    CommonName,
    /// authorityKeyIdentifier.
    AuthorityKeyIdentifier,
    /// subjectKeyIdentifier.
    SubjectKeyIdentifier,
    /// nameConstraints (on the CA itself, or applied to a certificate below it).
    NameConstraints,
    /// Policy extensions (not supported: refused).
    Policies,
    /// The expected peer name.
    PeerName,
    /// Maximum chain depth asked for by the caller.
    ChainDepth,
    /// Revocation (CRLs).
    Revocation,
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            CheckKind::Version => "version",
            CheckKind::SerialNumber => "serial-number",
            CheckKind::Names => "names",
            CheckKind::SignatureAlgorithm => "signature-algorithm",
            CheckKind::Signature => "signature",
            CheckKind::PublicKey => "public-key",
            CheckKind::Validity => "validity",
            CheckKind::Extensions => "extensions",
            CheckKind::BasicConstraints => "basic-constraints",
            CheckKind::PathLength => "path-length",
            CheckKind::KeyUsage => "key-usage",
            CheckKind::ExtendedKeyUsage => "extended-key-usage",
            CheckKind::SubjectAltName => "subject-alt-name",
            CheckKind::CommonName => "common-name",
            CheckKind::AuthorityKeyIdentifier => "authority-key-identifier",
            CheckKind::SubjectKeyIdentifier => "subject-key-identifier",
            CheckKind::NameConstraints => "name-constraints",
            CheckKind::Policies => "policies",
            CheckKind::PeerName => "peer-name",
            CheckKind::ChainDepth => "chain-depth",
            CheckKind::Revocation => "revocation",
        };
        f.write_str(s)
    }
}

/// Why path validation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A certificate in a candidate path failed a check. `depth` is its position in that path
    /// (0 = end entity).
    #[error("certificate at depth {depth} ({subject}) failed {check}: {detail}")]
    Certificate {
        /// Position in the candidate path, 0 = end entity.
        depth: usize,
        /// The certificate's subject, for messages.
        subject: String,
        /// The check that failed.
        check: CheckKind,
        /// What exactly was wrong.
        detail: String,
    },
    /// No candidate path reached a trust anchor.
    #[error("no path to a trust anchor ({0})")]
    NoPath(String),
    /// The path-building budget (signature checks, candidate paths or name-constraint
    /// comparisons) ran out before a valid path was found.
    #[error("path-building budget exhausted: {0}")]
    BudgetExhausted(&'static str),
    /// No verification time was given (validation at a set of times needs at least one).
    #[error("no verification time given")]
    NoVerificationTime,
}

impl ValidationError {
    pub(crate) fn cert(
        depth: usize,
        subject: &str,
        check: CheckKind,
        detail: impl Into<String>,
    ) -> Self {
        ValidationError::Certificate {
            depth,
            subject: subject.to_owned(),
            check,
            detail: detail.into(),
        }
    }
}

/// A CMS SignedData document could not be parsed, or uses what is not supported; `field`
/// names the ASN.1 field (RFC 5652 names).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The field is not well-formed DER of the expected shape.
    #[error("CMS {field}: malformed: {reason}")]
    Malformed {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The field is well-formed but uses something not supported (refused, never ignored).
    #[error("CMS {field}: not supported: {reason}")]
    Unsupported {
        /// The field.
        field: &'static str,
        /// What is used.
        reason: String,
    },
    /// An embedded certificate cannot be parsed.
    #[error("CMS SignedData.certificates[{index}]: {source}")]
    Certificate {
        /// Position in the certificates field (0-based).
        index: usize,
        /// Why.
        #[source]
        source: ParseError,
    },
    /// More embedded certificates than the budget.
    #[error("CMS SignedData.certificates: more than {limit} certificates")]
    TooManyCertificates {
        /// The budget.
        limit: usize,
    },
    /// The document is larger than the budget.
    #[error("CMS document larger than {limit} bytes")]
    TooLarge {
        /// The budget.
        limit: usize,
    },
    /// PEM armour problem.
    #[error("CMS {0}")]
    Pem(ParseError),
}
