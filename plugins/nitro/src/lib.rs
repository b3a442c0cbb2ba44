//! AWS Nitro Enclaves attestation documents, verified offline.
//!
//! A document is a COSE_Sign1 (RFC 9052) signed with ES384 by a short-lived certificate that
//! chains, through the CA bundle the document carries, to the AWS Nitro Enclaves Root G1
//! (pinned: [`AWS_NITRO_ROOT_G1_DER`]). [`NitroPlugin`] reads it with a strict, bounded CBOR
//! reader ([`parse`]), verifies the signature over the payload bytes as received, validates
//! the chain with `plugin-x509` in its Nitro Enclaves profile at the document's own time (or
//! the caller's), and holds the document to the caller's policy: expected PCRs, debug mode,
//! nonce, user data, public key and maximum age. Budgets are [`Limits`]; check ids are in
//! [`checks`]. See docs/nitro.md for the trust model.
#![forbid(unsafe_code)]

mod cbor;
pub mod checks;
mod document;
mod encoding;
mod limits;
mod measurements;
mod plugin;

pub use document::{parse, Attestation, Document, DocumentError};
pub use encoding::{decode, Format};
pub use limits::Limits;
pub use measurements::{
    measurements_from_nitro_cli, parse_pcr_arg, MeasurementError, MAX_MEASUREMENTS_JSON_BYTES,
};
pub use plugin::{NitroPlugin, Verified, AWS_NITRO_ROOT_G1_DER, AWS_NITRO_ROOT_G1_SHA256, PLUGIN};
