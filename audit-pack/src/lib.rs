//! Signed, indexed, byte-reproducible evidence packs.
//!
//! * [`build_pack`] / [`build_pack_to_dir`]: evidence folder + control map + signing key →
//!   `audit-pack-<org>-<date>.tgz`, byte-identical for the same inputs and date.
//! * [`verify_pack`]: a pack + the index-signing public key → a [`plugin_api::Report`] of named
//!   checks ([`verify::CHECK_IDS`]), reading the pack as a stream and extracting nothing.
//!   [`AuditPackPlugin`] is the same behind the `plugin_api::Plugin` contract.
//!
//! Formats (index, Merkle leaves, keys, signatures, kind recognition) are described in
//! docs/audit-pack.md and in the modules: [`index`], [`keys`], [`kind`], [`archive`].
#![forbid(unsafe_code)]

pub mod archive;
mod build;
pub mod controls;
mod error;
mod evidence;
pub mod index;
pub mod jcs;
pub mod keys;
pub mod kind;
mod limits;
pub mod names;
pub mod path;
pub mod pgzip;
mod plugin;
pub mod progress;
pub mod proof;
pub mod report;
pub mod schema;
pub mod signer;
pub mod sigstore;
pub mod spot_check;
pub mod trust_args;
pub mod verify;

pub use build::{
    build_pack, build_pack_to_dir, build_pack_to_dir_with_progress, build_pack_with_progress,
    BuildInput, BuildSummary, LogTarget, RECEIPT_NAME,
};
pub use error::BuildError;
pub use index::{ArtifactProof, BuildInsecure, Index};
pub use keys::{parse_public_key, KeyError, SigningKey};
pub use kind::Kind;
pub use limits::Limits;
pub use names::{pack_file_name, OrgSlug, PackDate};
pub use plugin::AuditPackPlugin;
pub use proof::{
    make_proof, verify_proof, verify_proof_trusted, PackProof, ProofError, PROOF_CHECK_IDS,
    PROOF_FORMAT,
};
pub use signer::{IndexSigner, IndexTrust, X509Signer, X509Trust};
pub use sigstore::{SignerFlags, SigstoreSigner, SigstoreTrust};
pub use trust_args::{
    load_manifest_keys, load_manifest_roots, IndexTrustFlags, LoadedIndexTrust, LoadedTrust,
    SigstoreFlags, TrustArgsError, TrustFile, TrustFlags,
};
pub use verify::{
    verify_detailed, verify_pack, verify_trusted, verify_with, SpotCheckRequest, Trust,
    Verification, VerifiedPack, CHECK_IDS, PLUGIN, RECEIPT_CHECK_ID, SPOT_CHECK_ID,
};
