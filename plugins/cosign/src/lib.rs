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
//! `hashedrekord`/`dsse` 0.0.2 entries (body match, mandatory inclusion proof and checkpoint
//! signed by the log key); RFC 3161 timestamps from TSAs in the trusted root ([`tsa`]).
//! Signing time comes only from verified sources (an integrated time under a verified SET, or
//! a verified RFC 3161 timestamp); at least one is required.
//!
//! Not implemented (an unwaived skipped check, so the report fails): digest-only verification
//! for key types other than ECDSA P-256.
#![forbid(unsafe_code)]

pub mod attestation;
pub mod bundle;
pub mod checks;
pub mod embedded;
pub mod error;
pub mod fulcio_ext;
pub mod keyless;
pub mod keys;
mod plugin;
pub mod rekor;
pub mod request;
pub mod time;
pub mod trusted_root;
pub mod tsa;
mod verify;

pub use bundle::Bundle;
pub use error::ParseError;
pub use keyless::SignatureMemo;
pub use keys::PublicKey;
pub use plugin::{CosignPlugin, CHECK_PREDICATE_TYPE};
pub use trusted_root::TrustedRoot;
pub use verify::verify_with_memo;
pub use verify::{verify, Artifact, IdentityPolicy, Matcher, Signer, PLUGIN};
