//! `audit-pack` as a `plugin_api::Plugin`, for callers that drive every verifier the same way.
//!
//! The request's subject is the pack (`Subject::Bytes`); its trust roots must include at least
//! one C2SP note verifier key (`TrustRootKind::NoteVerifierKey`), the index-signing key; keys
//! of kind `TrustRootKind::ManifestSignerKey` are manifest signers' keys (the
//! `--manifest-key` of the command line), never index keys. A key that does not parse is an
//! input error. The request's signature must be empty (the index signature travels inside the
//! pack): a non-empty one is refused with an error, never ignored.

use crate::limits::Limits;
use crate::verify::{verify_trusted, Trust, PLUGIN};
use merkle::note::VerifierKey;
use plugin_api::{
    Error, InputError, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind,
    VerifyRequest,
};

/// The audit-pack verifier, with its budgets.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditPackPlugin {
    /// Budgets on the pack.
    pub limits: Limits,
}

impl Plugin for AuditPackPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "an audit pack (.tgz): index signature, Merkle root, every artifact, control coverage",
            subjects: &[SubjectKind::Bytes],
            signature: "none (the index signature travels inside the pack)",
            trust_roots: &[
                TrustRootKind::NoteVerifierKey,
                TrustRootKind::ManifestSignerKey,
            ],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[],
            uses_signature: false,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        plugin_api::check_declared(&self.info(), req)?;
        let b = Report::builder_for(PLUGIN, req);
        let Subject::Bytes(pack) = req.subject() else {
            return Ok(b
                .fail(
                    "audit-pack.subject.kind",
                    "the subject must be the pack's bytes, not a digest",
                )
                .finish());
        };
        let mut keys = Vec::new();
        let mut manifest_keys = Vec::new();
        for root in req.trust_roots().iter() {
            let parsed = std::str::from_utf8(root.bytes())
                .map_err(|e| e.to_string())
                .and_then(|text| VerifierKey::parse(text.trim()).map_err(|e| e.to_string()))
                .map_err(|e| InputError::malformed(root.name(), e))?;
            match root.kind() {
                TrustRootKind::ManifestSignerKey => manifest_keys.push(parsed),
                _ => keys.push(parsed),
            }
        }
        if keys.is_empty() {
            return Ok(b
                .fail(
                    "audit-pack.index.signature",
                    "no usable note verifier key among the trust roots",
                )
                .finish());
        }
        let trust = Trust::keys(&keys).with_manifest_keys(&manifest_keys);
        Ok(verify_trusted(b, pack, &trust, &self.limits, None).report)
    }
}
