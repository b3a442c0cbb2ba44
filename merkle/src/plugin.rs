//! The `merkle` plugin: signed checkpoints (C2SP), and inclusion and consistency proofs
//! ([`crate::proofs`]), behind the `plugin_api::Plugin` contract. The trust roots say which:
//! note verifier keys for a checkpoint, one `merkle-root` for a proof document.
//!
//! For a checkpoint, the request's subject is the signed checkpoint (note bytes); its trust roots are the C2SP
//! note verifier keys that may sign it ([`TrustRootKind::NoteVerifierKey`], at least one; a
//! signature by any one of them suffices, as for `merkle verify-checkpoint --key`: this is
//! not a witness threshold);
//! the policy's `identity`, if set, is the expected log origin (the checkpoint's first line);
//! the signature must be empty (the signatures travel in the note). Checks:
//! `merkle.checkpoint.signature` and, with an expected origin, `merkle.checkpoint.origin`.

use crate::checkpoint::{self, CheckpointError};
use crate::note::VerifierKey;
use plugin_api::{
    Error, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind, VerifyRequest,
};

/// The plugin's name and check-id prefix.
pub const PLUGIN: &str = "merkle";

/// Budgets of the `merkle` plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest signed checkpoint (note), in bytes.
    pub note_bytes: usize,
    /// Largest inclusion or consistency proof document, in bytes.
    pub proof_document_bytes: usize,
}

impl Limits {
    /// A 1 MiB note ([`MAX_NOTE_SIZE`](crate::note::MAX_NOTE_SIZE)), a 64 KiB proof document
    /// ([`MAX_PROOF_DOCUMENT`](crate::MAX_PROOF_DOCUMENT)).
    pub const DEFAULT: Limits = Limits {
        note_bytes: crate::note::MAX_NOTE_SIZE,
        proof_document_bytes: crate::proofs::MAX_PROOF_DOCUMENT,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The Merkle verifier: signed checkpoints, inclusion proofs, consistency proofs.
#[derive(Debug, Clone, Copy, Default)]
pub struct MerklePlugin {
    /// Budgets.
    pub limits: Limits,
}

impl Plugin for MerklePlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a signed transparency-log checkpoint (C2SP signed note) signed by any one of the given keys, optionally of an expected origin; or an inclusion or consistency proof document against a trusted tree head",
            subjects: &[SubjectKind::Bytes],
            signature: "none (the signatures travel in the note; a proof document is its own evidence)",
            trust_roots: &[TrustRootKind::NoteVerifierKey, TrustRootKind::MerkleRoot],
            media_types: &[],
            policy: &["identity"],
            certificates: false,
            revocation: false,
            insecure: &[],
            uses_signature: false,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let roots = req.trust_roots();
        let proof_roots = roots.of_kind(TrustRootKind::MerkleRoot).count();
        let note_keys = roots.of_kind(TrustRootKind::NoteVerifierKey).count();
        match (proof_roots, note_keys) {
            (0, _) => {}
            (_, 0) if req.policy().identity().is_some() => {
                return Err(Error::malformed(
                    "policy",
                    "an expected origin (identity) applies to checkpoints, not to proofs",
                ))
            }
            (_, 0) => return crate::proofs::verify(req, &self.limits),
            _ => {
                return Err(Error::malformed(
                    "trust roots",
                    "give note verifier keys (a checkpoint) or one merkle-root (a proof), not both",
                ))
            }
        }
        let mut keys = Vec::new();
        for root in req.trust_roots().of_kind(TrustRootKind::NoteVerifierKey) {
            let text = std::str::from_utf8(root.bytes())
                .map_err(|_| Error::malformed(root.name(), "not UTF-8"))?;
            keys.push(
                VerifierKey::parse(text.trim()).map_err(|e| Error::malformed(root.name(), e))?,
            );
        }
        if keys.is_empty() {
            return Err(Error::malformed(
                "trust roots",
                "at least one note verifier key (note-verifier-key) is required",
            ));
        }
        let Subject::Bytes(bytes) = req.subject() else {
            return Err(Error::malformed(
                "subject",
                "the subject must be the checkpoint's bytes",
            ));
        };
        let name = req.subject_name().unwrap_or("checkpoint");
        if bytes.len() > self.limits.note_bytes {
            return Err(Error::malformed(
                name,
                format!(
                    "larger than the {}-byte limit for a checkpoint",
                    self.limits.note_bytes
                ),
            ));
        }
        let origin = req.policy().identity();
        let b = Report::builder(PLUGIN).subject(name.to_owned());
        let signature = crate::checks::CHECKPOINT_SIGNATURE;
        let origin_id = crate::checks::CHECKPOINT_ORIGIN;
        Ok(match checkpoint::open(bytes, &keys, origin) {
            Ok(v) => {
                let cp = v.checkpoint();
                let mut b = b.pass(
                    signature,
                    format!(
                        "signed by {}; origin {}, size {}, root {}",
                        v.verified().join(", "),
                        cp.origin,
                        cp.size,
                        cp.root
                    ),
                );
                if let Some(o) = origin {
                    b = b.pass(origin_id, format!("origin is {o}"));
                }
                b.output("origin", cp.origin.clone())
                    .output("size", cp.size)
                    .output("root", cp.root.to_hex())
                    .finish()
            }
            Err(e) if e.is_malformed() => return Err(Error::malformed(name, e)),
            Err(e @ CheckpointError::OriginMismatch { .. }) => b
                .pass(signature, "signed by a trusted key")
                .fail(origin_id, e.to_string())
                .finish(),
            Err(e) => {
                let b = b.fail(signature, e.to_string());
                match origin {
                    Some(_) => b.not_reached([origin_id]),
                    None => b,
                }
                .finish()
            }
        })
    }
}
