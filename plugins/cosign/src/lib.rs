//! Sigstore / cosign plugin: offline verification of Sigstore bundles.
//!
//! [`verify`] is pure: the bundle bytes, the [`TrustedRoot`], the artifact, the expected
//! signer and the verification time are passed in; it returns a [`plugin_api::Report`].
//! What is not checked is a skipped check, and an unwaived skip fails the report.
//!
//! Implemented: bundle v0.1–v0.3 parsing with budgets; trusted-root parsing; key-based
//! verification (PEM PKIX: ECDSA P-256/P-384, Ed25519, RSA PKCS#1 v1.5/PSS; P-256 also from
//! a bare SHA-256 digest); keyless verification (Fulcio leaf chained to a trusted-root CA
//! valid at every verified signing time, validated by plugin-x509, embedded SCTs against trusted CT logs, SAN and OIDC
//! issuer matched exactly or by anchored regexp); message signatures and DSSE (in-toto
//! Statement v0.1/v1 subject match); Rekor v1 `hashedrekord`/`dsse` 0.0.1 and `intoto` 0.0.2
//! entries (body match, SET, integrated time, inclusion proof, signed checkpoint); Rekor v2
//! `hashedrekord` 0.0.2 entries (a dsse 0.0.2 entry is refused, as sigstore-go and sigstore-java
//! do; body match, mandatory inclusion proof and checkpoint
//! signed by the log key); RFC 3161 timestamps from TSAs in the trusted root ([`Timestamp`]).
//! Signing time comes only from verified sources (an integrated time under a verified SET, or
//! a verified RFC 3161 timestamp); at least one is required.
//!
//! Not implemented (an unwaived skipped check, so the report fails): digest-only verification
//! for key types other than ECDSA P-256.
#![forbid(unsafe_code)]

mod attestation;
mod bundle;
pub mod checks;
pub mod embedded;
mod error;
mod fulcio_ext;
mod keyless;
mod keys;
mod limits;
pub mod npm;
pub mod oci;
mod pipeline;
mod plugin;
mod rekor;
mod request;
pub mod slsa;
mod time;
mod trusted_root;
mod tsa;
mod verified;
mod verify;

pub use attestation::{
    check_predicate_type, predicate_type_uri, statement_predicate_type, MAX_PREDICATE_TYPE_LEN,
    SHORT_NAMES as PREDICATE_TYPE_SHORT_NAMES,
};
pub use bundle::{
    Bundle, BundleVersion, Content, DigestAlgorithm, Envelope, InclusionProof, Material,
    MessageDigest, TlogEntry, MAX_BUNDLE_BYTES,
};
pub use error::{
    AttestationError, BatchLineError, CertificateError, ParseError, TimestampError, TlogError,
};
pub use fulcio_ext::{read as certificate_claims, CertificateClaims};
pub use keyless::SignatureMemo;
pub use keys::{PublicKey, MAX_KEY_BYTES};
pub use limits::Limits;
pub use plugin::{CosignPlugin, CHECK_PREDICATE_TYPE};
pub use request::{BatchLine, SignerError, SignerFields, SignerSpec, MAX_BATCH_LINE};
pub use trusted_root::{TrustedCa, TrustedLog, TrustedRoot, MAX_TRUSTED_ROOT_BYTES};
pub use tsa::{Timestamp, MAX_TIMESTAMP_BYTES};
pub use verified::{Verified, VerifiedLogEntry, VerifiedSigner, VerifiedStatement};
pub use verify::{pae, verify_with_memo, verify_with_value, INTOTO_PAYLOAD_TYPE};
pub use verify::{verify, Artifact, IdentityPolicy, Matcher, Signer, PLUGIN};
