//! X.509 plugin: RFC 5280 path validation to pinned roots, with CRLs (detached manifest
//! signatures come later).
//!
//! Certificates are parsed once ([`Certificate::from_der`]); [`verify_path`] builds and
//! validates a path from an end entity to one of the pinned anchors at a verification time
//! passed in, for a [`Profile`] (CA/B Forum TLS server, RFC 5280 generic, code signing), and
//! returns a [`VerifiedPath`] or a [`ValidationError`] naming the certificate (depth, subject)
//! and the check that failed. Nothing here reads the clock, the environment or the network.
//! Path building is bounded by a [`Budget`] (signature checks, candidates, name-constraint
//! comparisons, depth). When unsure, the validator rejects.
#![forbid(unsafe_code)]

mod algorithm;
mod cert;
mod crl;
mod der;
mod error;
mod names;
mod path;
mod policy;

pub use algorithm::{KeyKind, PublicKey, SignatureAlgorithm};
pub use cert::{
    key_usage, AuthorityKeyId, BasicConstraints, Certificate, Ext, Extensions, EKU_ANY,
    EKU_CLIENT_AUTH, EKU_CODE_SIGNING, EKU_SERVER_AUTH,
};
pub use crl::Crl;
pub use error::{CheckKind, ParseError, ValidationError};
pub use names::{GeneralName, NameConstraints};
pub use path::{verify_path, VerifiedPath};
pub use policy::{Budget, Options, PeerName, Profile};
