//! `audit-pack` as a `plugin_api::Plugin`, for callers that drive every verifier the same way.
//!
//! The request's subject is the pack (`Subject::Bytes`); the request's signature must be
//! empty (the index signature travels inside the pack). The trust roots map to the flags of
//! `audit-pack verify`:
//!
//! | trust root / request field | flag | meaning |
//! |---|---|---|
//! | `note-verifier-key` | `--key` | an Ed25519 index-signing key |
//! | `x509-certificate` | `--trust-root` | a pinned root for an X.509-signed index (validated at the pack date) |
//! | revocation lists | `--crl` | CRLs for the X.509 signer's path |
//! | policy `require-revocation` | `--require-crl` | a current CRL for every certificate of that path |
//! | `manifest-signer-key` | `--manifest-key` | an Ed25519 manifest signer's key |
//! | `sigstore-trusted-root` | `--manifest-sigstore-trusted-root` | the trusted root for Sigstore manifest bundles |
//! | `public-key` | `--manifest-sigstore-key` | the key of key-signed Sigstore manifest bundles |
//! | policy `identity[-regexp]`, `issuer[-regexp]` | `--manifest-identity[-regexp]`, `--manifest-issuer[-regexp]` | the expected signer of keyless Sigstore manifest bundles |
//! | `log-key` | `--log-key` | the transparency log whose receipt (`index.receipt.json`) the pack must carry |
//!
//! Index keys and X.509 roots are exclusive; CRLs and `require-revocation` need X.509 roots;
//! a Sigstore key or identity needs a Sigstore trusted root. Whatever cannot apply is refused,
//! never ignored. CMS manifest roots (`--manifest-trust-root`) and spot checks are the
//! dedicated command's: a pack holding CMS manifest pairs does not verify through the plugin
//! (the manifest check is skipped, which fails the report), and neither does a pack carrying
//! a log receipt when no `log-key` is given.

use crate::limits::Limits;
use crate::signer::{parse_certificates_within, IndexTrust, X509Trust};
use crate::sigstore::{SignerFlags, SigstoreTrust};
use crate::verify::{verify_trusted, Trust, PLUGIN};
use merkle::note::VerifierKey;
use plugin_api::{
    Error, InputError, Plugin, PluginInfo, Report, Subject, SubjectKind, TrustRootKind,
    VerifyRequest,
};
use sha2::Digest;

/// Most CRLs read from one revocation input.
const MAX_CRLS_PER_INPUT: usize = 16;

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
                TrustRootKind::X509Certificate,
                TrustRootKind::ManifestSignerKey,
                TrustRootKind::SigstoreTrustedRoot,
                TrustRootKind::PublicKey,
                TrustRootKind::LogKey,
            ],
            media_types: &[],
            policy: &[
                "identity",
                "identity-regexp",
                "issuer",
                "issuer-regexp",
                "require-revocation",
            ],
            certificates: false,
            revocation: true,
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
        let note_key = |root: &plugin_api::TrustRoot| {
            std::str::from_utf8(root.bytes())
                .map_err(|e| e.to_string())
                .and_then(|text| VerifierKey::parse(text.trim()).map_err(|e| e.to_string()))
                .map_err(|e| Error::from(InputError::malformed(root.name(), e)))
        };
        let roots = req.trust_roots();
        let keys = roots
            .of_kind(TrustRootKind::NoteVerifierKey)
            .map(note_key)
            .collect::<Result<Vec<_>, _>>()?;
        let manifest_keys = roots
            .of_kind(TrustRootKind::ManifestSignerKey)
            .map(note_key)
            .collect::<Result<Vec<_>, _>>()?;
        let log_keys = roots
            .of_kind(TrustRootKind::LogKey)
            .map(note_key)
            .collect::<Result<Vec<_>, _>>()?;
        if log_keys.len() > 1 {
            return Err(InputError::malformed(
                "trust roots",
                "at most one log-key (the log whose receipt the pack carries)",
            )
            .into());
        }
        let mut x509 = X509Trust {
            roots: Vec::new(),
            crls: Vec::new(),
            require_crl: req.policy().requires_revocation(),
            at: None,
        };
        for root in roots.of_kind(TrustRootKind::X509Certificate) {
            let certs = parse_certificates_within(root.bytes(), &self.limits)
                .map_err(|e| InputError::malformed(root.name(), e.to_string()))?;
            x509.roots.extend(certs);
        }
        for crl in req.revocation() {
            let crls = plugin_x509::crls_from_pem_or_der(crl.bytes(), MAX_CRLS_PER_INPUT)
                .map_err(|e| InputError::malformed(crl.name(), e.to_string()))?;
            x509.crls.extend(crls);
        }
        let index = match (keys.is_empty(), x509.roots.is_empty()) {
            (false, false) => {
                return Err(InputError::malformed(
                    "trust roots",
                    "give note verifier keys (an Ed25519-signed index) or x509-certificate roots (an X.509-signed index), not both",
                )
                .into())
            }
            (true, true) => {
                return Ok(b
                    .fail(
                        "audit-pack.index.signature",
                        "no usable note verifier key or X.509 root among the trust roots",
                    )
                    .finish())
            }
            (false, true) => IndexTrust::Keys(&keys),
            (true, false) => IndexTrust::X509(&x509),
        };
        if x509.roots.is_empty() && (!x509.crls.is_empty() || x509.require_crl) {
            return Err(InputError::malformed(
                "revocation",
                "CRLs and require-revocation apply to an X.509-signed index: give its x509-certificate roots",
            )
            .into());
        }
        let manifest_sigstore = sigstore_trust(req)?;
        let trust = Trust {
            index,
            manifest_keys: &manifest_keys,
            log_key: log_keys.first(),
            manifest_roots: None,
            manifest_sigstore: manifest_sigstore.as_ref(),
        };
        let verification = verify_trusted(b, pack, &trust, &self.limits, None);
        // Bytes that are no pack at all reach no verdict (exit 2), as any malformed input.
        if let Some(reason) = verification.not_a_pack() {
            return Err(InputError::malformed("pack", reason).into());
        }
        let digest = hex::encode(sha2::Sha256::digest(pack));
        Ok(verification.with_pack_sha256(&digest).report)
    }
}

/// The trust for Sigstore manifest bundles: a `sigstore-trusted-root` and either a
/// `public-key` or the policy's identity and issuer. A key or identity without a trusted root
/// is refused (it would be ignored).
fn sigstore_trust(req: &VerifyRequest<'_>) -> Result<Option<SigstoreTrust>, Error> {
    let roots = req.trust_roots();
    let mut trusted = roots.of_kind(TrustRootKind::SigstoreTrustedRoot);
    let mut keys = roots.of_kind(TrustRootKind::PublicKey);
    let policy = req.policy();
    let (root, extra_root) = (trusted.next(), trusted.next());
    let (key, extra_key) = (keys.next(), keys.next());
    if let Some(r) = extra_root.or(extra_key) {
        return Err(InputError::malformed(
            r.name(),
            "at most one sigstore-trusted-root and one public-key",
        )
        .into());
    }
    let identity_given = policy.identity().is_some()
        || policy.identity_regexp().is_some()
        || policy.issuer().is_some()
        || policy.issuer_regexp().is_some();
    let Some(root) = root else {
        if key.is_some() || identity_given {
            return Err(InputError::malformed(
                "trust roots",
                "a Sigstore manifest key or identity needs a sigstore-trusted-root",
            )
            .into());
        }
        return Ok(None);
    };
    let flags = SignerFlags {
        key_pem: key.map(|k| k.bytes()),
        identity: policy.identity(),
        identity_regexp: policy.identity_regexp(),
        issuer: policy.issuer(),
        issuer_regexp: policy.issuer_regexp(),
    };
    SigstoreTrust::from_flags(root.bytes(), &flags)
        .map(Some)
        .map_err(|e| InputError::malformed(root.name(), e.to_string()).into())
}
