//! Errors by stage: bundle, trusted-root and key parsing ([`ParseError`]); transparency-log
//! entries ([`TlogError`]); RFC 3161 timestamps ([`TimestampError`]); certificates
//! ([`CertificateError`]); attestations ([`AttestationError`]); batch lines ([`BatchLineError`]).
//! Every message is the one shown in reports and on the command line.

/// Why an input (bundle, trusted root, key) could not be turned into a typed value.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is larger than its budget.
    #[error("{what} is {len} bytes, over the {max}-byte budget")]
    TooLarge {
        /// Which input.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The budget.
        max: usize,
    },
    /// Too many items of some kind.
    #[error("{what}: {count} items, over the budget of {max}")]
    TooMany {
        /// Which list.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The budget.
        max: usize,
    },
    /// Not valid JSON of the expected shape.
    #[error("{what}: malformed JSON: {detail}")]
    Json {
        /// Which input.
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// A field is missing or has an unacceptable value.
    #[error("{what}: {detail}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl ParseError {
    pub(crate) fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        ParseError::Invalid {
            what,
            detail: detail.into(),
        }
    }
}

/// Why a transparency-log entry does not vouch for the bundle: its canonicalized body, its
/// signed entry timestamp, its inclusion proof or its checkpoint. The message is the report's.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlogError {
    /// The body or checkpoint is larger than its budget (or has too many signature lines).
    #[error("{0}")]
    OverBudget(String),
    /// The body, proof or checkpoint is not of the expected shape.
    #[error("{0}")]
    Malformed(String),
    /// Well formed, but it records something other than the bundle's (digest, signature,
    /// signer, payload, tree size or root, origin).
    #[error("{0}")]
    Mismatch(String),
    /// An entry kind or digest algorithm this verifier does not accept.
    #[error("{0}")]
    Unsupported(String),
    /// A signed entry timestamp, inclusion proof or checkpoint signature that does not verify.
    #[error("{0}")]
    Verification(String),
}

/// Why an RFC 3161 timestamp is refused. The message is the report's.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token is larger than its budget or embeds too many certificates.
    #[error("{0}")]
    OverBudget(String),
    /// Not a well-formed `TimeStampResp` / `TimeStampToken` / `TSTInfo`.
    #[error("{0}")]
    Malformed(String),
    /// A hash algorithm this verifier does not accept.
    #[error("{0}")]
    Unsupported(String),
    /// The token does not cover the bundle's signature (message imprint) or its own content.
    #[error("{0}")]
    Mismatch(String),
    /// Not issued, or not validly signed, by a timestamping authority of the trusted root at
    /// an acceptable time.
    #[error("{0}")]
    Untrusted(String),
}

/// Why a (Fulcio leaf) certificate is refused or cannot be read. The message is the report's.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The certificate, a value or a count is over its budget.
    #[error("{0}")]
    OverBudget(String),
    /// The certificate or one of its extensions does not parse.
    #[error("{0}")]
    Malformed(String),
    /// The leaf fails the Fulcio code-signing end-entity rules.
    #[error("{0}")]
    Refused(String),
    /// No certificate authority of the trusted root issued the leaf, validly, at the signing
    /// times.
    #[error("{0}")]
    Untrusted(String),
    /// The embedded SCTs do not show the certificate was logged by a trusted CT log.
    #[error("{0}")]
    Sct(String),
    /// The identity (SAN, OIDC issuer) cannot be read unambiguously.
    #[error("{0}")]
    Identity(String),
}

/// Why an attestation's in-toto statement does not answer (predicate type, subject).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttestationError {
    /// The bundle does not parse.
    #[error("{0}")]
    Bundle(#[from] ParseError),
    /// A predicate type (expected or found) or a subject list is over its budget.
    #[error("{0}")]
    OverBudget(String),
    /// Not an in-toto attestation this verifier reads (message signature, other payload or
    /// statement type, empty predicate type).
    #[error("{0}")]
    Unsupported(String),
    /// The statement is not JSON or lacks a required member.
    #[error("{0}")]
    Malformed(String),
    /// The statement is not about this artifact, or is of another predicate type.
    #[error("{0}")]
    Mismatch(String),
}

/// Why a batch request line is refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchLineError {
    /// The line is longer than the budget.
    #[error("line longer than {max} bytes")]
    TooLong {
        /// The budget, in bytes.
        max: usize,
    },
    /// Not one strict JSON object of the request shape.
    #[error("malformed request: {0}")]
    Malformed(String),
}
