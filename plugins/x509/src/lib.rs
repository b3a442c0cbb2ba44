//! X.509 plugin: RFC 5280 path validation to pinned roots, with CRLs, and detached manifest
//! signatures (raw or CMS SignedData) checked by [`verify_manifest`].
//!
//! Certificates are parsed once ([`Certificate::from_der`]); [`verify_path`] builds and
//! validates a path from an end entity to one of the pinned anchors at a verification time
//! passed in, for a [`Profile`] (CA/B Forum TLS server, RFC 5280 generic, code signing, Fulcio
//! code signing, RFC 3161 timestamping), and
//! returns a [`VerifiedPath`] or a [`ValidationError`] naming the certificate (depth, subject)
//! and the check that failed. Nothing here reads the clock, the environment or the network.
//! Path building is bounded by a [`Budget`] (signature checks, candidates, name-constraint
//! comparisons, depth). When unsure, the validator rejects. [`verify_path_at_times`] validates
//! at several times at once (every Sigstore signing time), optionally with a batch-wide
//! [`SignatureMemo`] of CA links.
#![forbid(unsafe_code)]

mod algorithm;
mod cert;
mod cms;
mod crl;
pub mod der;
mod error;
mod manifest;
mod memo;
mod names;
mod path;
mod pem;
mod plugin;
mod policy;

pub use algorithm::{KeyKind, PublicKey, SignatureAlgorithm};
pub use cert::{
    key_usage, AuthorityKeyId, BasicConstraints, Certificate, Ext, Extensions, EKU_ANY,
    EKU_CLIENT_AUTH, EKU_CODE_SIGNING, EKU_SERVER_AUTH, EKU_TIME_STAMPING,
};
pub use cms::{
    detached_signed_data, CmsSignature, CmsSignatureError, DigestAlgorithm, EssAttribute,
    EssCertId, EssHash, EssMismatch, SignedAttributes, SignedData, SignerId, MAX_CMS_BYTES,
    MAX_CMS_CERTIFICATES, OID_TST_INFO,
};
pub use crl::Crl;
pub use error::{CheckKind, CmsError, ParseError, ValidationError};
pub use manifest::{
    verify_manifest, verify_manifest_noting_crl_source, DetachedSignature, ManifestRequest,
    CHECK_CHAIN, CHECK_MESSAGE_DIGEST, CHECK_REVOCATION, CHECK_SIGNATURE, CHECK_SIGNER,
};
pub use memo::{is_known_link, known_links, memo_key, SignatureMemo, MEMO_CAPACITY};
pub use names::{GeneralName, NameConstraints};
pub use path::{
    check_end_entity_certificate, revocation_coverage, verified_link_key, verify_path,
    verify_path_at_times, VerifiedPath,
};
pub use pem::{certificates_from_pem_or_der, crls_from_pem_or_der, pem_block, pem_block_labelled};
pub use plugin::{Limits, X509Plugin, MEDIA_TYPE_CMS, MEDIA_TYPE_RAW, PLUGIN};
pub use policy::{Budget, Options, PeerName, Profile};
