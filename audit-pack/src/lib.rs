//! Signed, indexed, byte-reproducible evidence packs.
//!
//! * [`build_pack`] / [`build_pack_to_dir`]: evidence folder + control map + signing key →
//!   `audit-pack-<org>-<date>.tgz`, byte-identical for the same inputs and date.
//! * [`verify_pack`]: a pack + the index-signing public key → a [`plugin_api::Report`] of named
//!   checks ([`CHECK_IDS`]), reading the pack as a stream and extracting nothing.
//!   [`AuditPackPlugin`] is the same behind the `plugin_api::Plugin` contract.
//!
//! Formats (index, Merkle leaves, keys, signatures, kind recognition) are described in
//! docs/audit-pack.md and on the types: [`Index`], [`SigningKey`], [`Kind`], [`PackReader`].
//! The control-map format ([`controls`]) and the reports ([`report`]) are modules; everything
//! else is re-exported here.
#![forbid(unsafe_code)]

mod archive;
mod build;
pub mod controls;
mod error;
mod evidence;
mod index;
mod jcs;
mod keys;
mod kind;
pub mod kinds_file;
pub mod layout;
mod limits;
mod names;
mod path;
mod pgzip;
mod plugin;
mod progress;
mod proof;
pub mod report;
pub mod schema;
mod signer;
mod sigstore;
mod spot_check;
mod trust_args;
mod verify;

pub use archive::{ArchiveError, PackEntry, PackReader};
pub use build::{
    build_pack, build_pack_to_dir, build_pack_to_dir_with_progress, build_pack_with_progress,
    BuildInput, BuildSummary, LogTarget, RECEIPT_NAME,
};
pub use error::BuildError;
pub use index::{
    Artifact, ArtifactProof, BuildInsecure, Index, IndexError, ManifestSignature, Period,
    INDEX_VERSION, INDEX_VERSION_LEGACY,
};
pub use jcs::{to_canonical, CanonicalError};
pub use keys::{key_label, parse_public_key, parse_public_key_file, KeyError, SigningKey};
pub use kind::{Kind, MANIFEST_SIGNATURE_SUFFIXES};
pub use kinds_file::{KindRule, KindsFile, KindsFileError};
pub use layout::Section;
pub use limits::Limits;
pub use names::{pack_file_name, NameError, OrgSlug, PackDate};
pub use pgzip::CHUNK_SIZE as GZIP_CHUNK_SIZE;
pub use plugin::AuditPackPlugin;
pub use progress::{NoProgress, Phase, Progress};
pub use proof::{
    make_proof, max_proof_size, proof_file_malformed, verify_proof, verify_proof_trusted,
    PackProof, ProofError, PROOF_CHECK_IDS, PROOF_FORMAT,
};
pub use schema::{schema_file, schema_for};
pub use signer::{
    parse_certificates, CertificatesError, IndexSigner, IndexTrust, X509Signer, X509Trust,
    CERTS_NAME,
};
pub use sigstore::{SignerFlags, SigstoreSigner, SigstoreTrust, SigstoreTrustError};
pub use spot_check::{SplitMix64, SpotCheck};
pub use trust_args::{
    load_manifest_keys, load_manifest_roots, IndexTrustFlags, LoadedIndexTrust, LoadedTrust,
    SigstoreFlags, TrustArgsError, TrustFile, TrustFlags,
};
pub use verify::{
    verify_detailed, verify_pack, verify_trusted, verify_with, SpotCheckRequest, Trust,
    Verification, VerifiedPack, CHECK_IDS, PLUGIN, RECEIPT_CHECK_ID, SPOT_CHECK_ID,
};
