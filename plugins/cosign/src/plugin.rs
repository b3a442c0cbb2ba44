//! The Sigstore verifier behind the `plugin_api::Plugin` contract: a Sigstore bundle (message
//! signature or DSSE attestation) over an artifact, against a trusted root.
//!
//! The request maps as follows:
//! - subject: the artifact's bytes, or its SHA-256 digest;
//! - signature: the bundle (JSON);
//! - trust roots: exactly one [`TrustRootKind::SigstoreTrustedRoot`] (Fulcio CAs, Rekor and CT
//!   log keys, TSAs) and, for a key-signed bundle, one [`TrustRootKind::PublicKey`] (PEM);
//! - policy: `identity`/`identity-regexp` and `issuer`/`issuer-regexp` (keyless: exactly one
//!   form of each, the rules of the command line, [`crate::request::SignerFields`]), none with
//!   a key; `predicate-type` (an attestation whose statement must have this type, checked
//!   only once the envelope verified);
//! - insecure modes: as [`crate::verify`] honours them.
//!
//! A verified keyless report carries the leaf's Fulcio claims as the `certificate` output.

use crate::request::{SignerFields, SignerSpec};
use crate::verified::{Verified, VerifiedSigner};
use crate::verify::verify_parsed;
use crate::{attestation, Artifact, Limits, PublicKey, SignatureMemo, Signer, TrustedRoot, PLUGIN};
use plugin_api::{
    DigestAlgorithm, Error, Insecure, Plugin, PluginInfo, Report, Subject, SubjectKind,
    TrustRootKind, VerifyRequest,
};
use std::sync::{Arc, Mutex};

/// The check of an attestation's predicate type.
pub const CHECK_PREDICATE_TYPE: &str = crate::checks::ATTESTATION_PREDICATE_TYPE;

/// The Sigstore bundle verifier, within its [`Limits`]. With a [`SignatureMemo`], trusted
/// CA-chain signatures are verified once for many requests against one trusted root (a batch).
///
/// The last trusted root parsed is kept, with its bytes: a request carrying the same bytes
/// (every request of a batch) reuses it instead of parsing it again. A parsed root is a pure
/// function of its bytes and the limits, so verdicts are the same.
#[derive(Debug, Default)]
pub struct CosignPlugin {
    memo: Option<SignatureMemo>,
    limits: Limits,
    root: Mutex<Option<(Vec<u8>, Arc<TrustedRoot>)>>,
}

impl CosignPlugin {
    /// A verifier without a memo, with the default limits.
    pub fn new() -> Self {
        CosignPlugin::default()
    }

    /// A verifier that shares verified CA-chain signatures between its requests.
    pub fn with_memo() -> Self {
        CosignPlugin {
            memo: Some(SignatureMemo::new()),
            ..CosignPlugin::default()
        }
    }

    /// This verifier with the budgets `limits` (instead of [`Limits::DEFAULT`]).
    pub fn with_limits(self, limits: Limits) -> Self {
        CosignPlugin {
            limits,
            root: Mutex::new(None),
            ..self
        }
    }

    /// The budgets this verifier applies.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The trusted root in `bytes`, parsed with this verifier's limits and kept for the
    /// requests that give the same bytes as their Sigstore trusted root (they then do not
    /// parse it again): for a caller that checks the root before its first request. A root
    /// that does not parse is not kept.
    pub fn load_trusted_root(&self, bytes: &[u8]) -> Result<Arc<TrustedRoot>, crate::ParseError> {
        self.trusted_root(bytes)
    }

    /// The trusted root in `bytes`: the one parsed last if the bytes are the same, otherwise
    /// parsed now (and kept).
    fn trusted_root(&self, bytes: &[u8]) -> Result<Arc<TrustedRoot>, crate::ParseError> {
        if let Ok(cached) = self.root.lock() {
            if let Some((b, root)) = cached.as_ref() {
                if b.as_slice() == bytes {
                    return Ok(Arc::clone(root));
                }
            }
        }
        let root = Arc::new(TrustedRoot::from_json_with_limits(bytes, &self.limits)?);
        if let Ok(mut cached) = self.root.lock() {
            *cached = Some((bytes.to_vec(), Arc::clone(&root)));
        }
        Ok(root)
    }

    /// [`Plugin::verify`], and, when the report is ok, what the verification established
    /// ([`Verified`]: signer identity or key, signing times, log entries, in-toto statement),
    /// so that the caller need not parse the bundle again. The report is the one
    /// [`Plugin::verify`] returns; the value is `Some` exactly when the report is ok.
    pub fn verify_with_value(
        &self,
        req: &VerifyRequest<'_>,
    ) -> Result<(Report, Option<Verified>), Error> {
        self.verify_value_inner(req)
    }
}

impl Plugin for CosignPlugin {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: PLUGIN,
            version: env!("CARGO_PKG_VERSION"),
            summary: "a Sigstore bundle (v0.1-v0.3; message signature or DSSE attestation) over an artifact: Fulcio keyless or key, Rekor v1/v2, RFC 3161 timestamps",
            subjects: &[SubjectKind::Bytes, SubjectKind::Digest],
            signature: "a Sigstore bundle (JSON)",
            trust_roots: &[TrustRootKind::SigstoreTrustedRoot, TrustRootKind::PublicKey],
            media_types: &[],
            policy: &[
                "identity",
                "identity-regexp",
                "issuer",
                "issuer-regexp",
                "predicate-type",
                "github-workflow",
                "slsa",
                "require-inclusion-proof",
            ],
            certificates: false,
            revocation: false,
            // allow-expired-cache is honoured where the trusted root is loaded (the cache) and
            // recorded here; skip-timestamp waives the signing-time check of key-signed bundles;
            // skip-tlog ignores the bundle's log entries; skip-sct the leaf's SCTs.
            insecure: &[
                Insecure::SkipTlog,
                Insecure::SkipSct,
                Insecure::SkipTimestamp,
                Insecure::AllowExpiredCache,
            ],
            uses_signature: true,
            uses_cache: true,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        self.verify_with_value(req).map(|(report, _)| report)
    }
}

impl CosignPlugin {
    fn verify_value_inner(
        &self,
        req: &VerifyRequest<'_>,
    ) -> Result<(Report, Option<Verified>), Error> {
        let policy = req.policy();
        plugin_api::check_declared(&self.info(), req)?;
        let artifact = match req.subject() {
            Subject::Bytes(b) => Artifact::Bytes(b),
            Subject::Digest(d) if d.algorithm() == DigestAlgorithm::Sha256 => {
                let v = <[u8; 32]>::try_from(d.value())
                    .map_err(|_| Error::malformed("subject", "sha256 digest is not 32 bytes"))?;
                Artifact::Sha256Digest(v)
            }
            Subject::Digest(d) if d.algorithm() == DigestAlgorithm::Sha384 => {
                let v = <[u8; 48]>::try_from(d.value())
                    .map_err(|_| Error::malformed("subject", "sha384 digest is not 48 bytes"))?;
                Artifact::Sha384Digest(v)
            }
            Subject::Digest(d) if d.algorithm() == DigestAlgorithm::Sha512 => {
                let v = <[u8; 64]>::try_from(d.value())
                    .map_err(|_| Error::malformed("subject", "sha512 digest is not 64 bytes"))?;
                Artifact::Sha512Digest(v)
            }
            Subject::Digest(d) => {
                return Err(Error::malformed(
                    "subject",
                    format!(
                        "a {} digest cannot be matched: the cosign plugin takes the artifact's bytes or its sha256, sha384 or sha512 digest",
                        d.algorithm()
                    ),
                ))
            }
        };
        let mut roots = req
            .trust_roots()
            .of_kind(TrustRootKind::SigstoreTrustedRoot);
        let root_input = roots.next().ok_or_else(|| {
            Error::malformed(
                "trust roots",
                "a Sigstore trusted root (sigstore-trusted-root) is required",
            )
        })?;
        if let Some(extra) = roots.next() {
            return Err(Error::malformed(
                extra.name(),
                "only one Sigstore trusted root may be given",
            ));
        }
        let root = self
            .trusted_root(root_input.bytes())
            .map_err(|e| Error::malformed(root_input.name(), e))?;
        let mut keys = req.trust_roots().of_kind(TrustRootKind::PublicKey);
        let key_input = keys.next();
        if let Some(extra) = keys.next() {
            return Err(Error::malformed(
                extra.name(),
                "only one public key may be given",
            ));
        }
        let fields = SignerFields {
            key: key_input,
            certificate_identity: policy.identity().map(str::to_owned),
            certificate_identity_regexp: policy.identity_regexp().map(str::to_owned),
            certificate_oidc_issuer: policy.issuer().map(str::to_owned),
            certificate_oidc_issuer_regexp: policy.issuer_regexp().map(str::to_owned),
        };
        let spec = fields.parse().map_err(|e| Error::malformed("policy", e))?;
        if policy.requires_inclusion_proof() && req.insecure().contains(&Insecure::SkipTlog) {
            return Err(Error::malformed(
                "policy require-inclusion-proof",
                "inclusion proofs cannot be required while the log is ignored (--insecure-ignore-tlog)",
            ));
        }
        // An insecure mode that cannot apply to this signer is refused, never ignored.
        match &spec {
            SignerSpec::Key(_) if req.insecure().contains(&Insecure::SkipSct) => {
                return Err(Error::malformed(
                    "insecure skip-sct",
                    "signed certificate timestamps belong to a Fulcio certificate: --insecure-ignore-sct does not apply to a key-signed bundle",
                ))
            }
            SignerSpec::Keyless(_) if req.insecure().contains(&Insecure::SkipTimestamp) => {
                return Err(Error::malformed(
                    "insecure skip-timestamp",
                    "--insecure-skip-timestamp applies to key-signed bundles: a keyless certificate always needs a verified signing time",
                ))
            }
            _ => {}
        }
        let key;
        let signer = match &spec {
            SignerSpec::Key(k) => {
                key = PublicKey::from_pem_with_limits(k.bytes(), &self.limits)
                    .map_err(|e| Error::malformed(k.name(), e))?;
                Signer::Key(&key)
            }
            SignerSpec::Keyless(p) => Signer::Keyless(p),
        };
        let bundle = req.signature().bytes();
        // A bundle that does not parse (or is over a budget) reaches no verdict: exit 2.
        let parsed = crate::bundle::Bundle::from_json_with_limits(bundle, &self.limits)
            .map_err(|e| Error::malformed(req.signature().name(), e))?;
        // A file's name is shown with its digest; a digest given as the subject has none.
        let name = match req.subject() {
            Subject::Bytes(_) => req.subject_name(),
            Subject::Digest(_) => None,
        };
        let (report, verified) = verify_parsed(
            &parsed,
            name,
            policy.requires_inclusion_proof(),
            &root,
            artifact,
            signer,
            req.time(),
            req.insecure(),
            self.memo.as_ref(),
            &self.limits,
        );
        let mut extra = Report::builder(PLUGIN);
        let expected_type = policy
            .predicate_type()
            .map(attestation::predicate_type_uri)
            .transpose()
            .map_err(|e| Error::malformed("policy predicate-type", e))?;
        if let Some(expected) = &expected_type {
            // The payload is trusted only once the envelope that carries it verified.
            extra = if report.ok() {
                match attestation::check_predicate_type(bundle, expected) {
                    Ok(detail) => extra.pass(CHECK_PREDICATE_TYPE, detail),
                    Err(e) => extra.fail(CHECK_PREDICATE_TYPE, e.to_string()),
                }
            } else {
                extra.skip(
                    CHECK_PREDICATE_TYPE,
                    format!(
                        "not reached: the bundle did not verify (expected predicateType {expected})"
                    ),
                )
            };
        }
        let workflow = policy.github_workflow();
        if !workflow.is_empty() {
            for claim in workflow.keys() {
                if !crate::checks::GITHUB_WORKFLOW_CLAIMS.contains(&claim.as_str()) {
                    return Err(Error::malformed(
                        "policy github-workflow",
                        format!(
                            "unknown claim {claim:?} (one of: {})",
                            crate::checks::GITHUB_WORKFLOW_CLAIMS.join(", ")
                        ),
                    ));
                }
            }
            if matches!(spec, SignerSpec::Key(_)) {
                return Err(Error::malformed(
                    "policy github-workflow",
                    "GitHub workflow claims are read from a Fulcio certificate: they do not apply to a key-signed bundle",
                ));
            }
            extra = match verified.as_ref().map(|v| &v.signer) {
                Some(VerifiedSigner::Certificate { claims: Ok(c), .. }) if report.ok() => {
                    match github_workflow(c, workflow) {
                        Ok(detail) => extra.pass(crate::checks::IDENTITY_GITHUB_WORKFLOW, detail),
                        Err(e) => extra.fail(crate::checks::IDENTITY_GITHUB_WORKFLOW, e),
                    }
                }
                Some(VerifiedSigner::Certificate { claims: Err(e), .. }) if report.ok() => extra
                    .fail(
                        crate::checks::IDENTITY_GITHUB_WORKFLOW,
                        format!("the certificate's extensions cannot be read: {e}"),
                    ),
                _ => extra.skip(
                    crate::checks::IDENTITY_GITHUB_WORKFLOW,
                    "not reached: the bundle did not verify",
                ),
            };
        }
        let slsa = policy.slsa();
        if !slsa.is_empty() {
            if let Some(unknown) = slsa
                .keys()
                .find(|k| !crate::slsa::FIELDS.contains(&k.as_str()))
            {
                return Err(Error::malformed(
                    "policy slsa",
                    format!(
                        "unknown field {unknown:?} (one of: {})",
                        crate::slsa::FIELDS.join(", ")
                    ),
                ));
            }
            if slsa.contains_key("source-tag") && slsa.contains_key("source-branch") {
                return Err(Error::malformed(
                    "policy slsa",
                    "a source tag and a source branch cannot both be expected",
                ));
            }
            extra = if report.ok() {
                let claims_error;
                let signer = match verified.as_ref().map(|v| &v.signer) {
                    Some(VerifiedSigner::Certificate { claims: Ok(c), .. }) => {
                        crate::slsa::SlsaSigner::Certificate(Ok(c))
                    }
                    Some(VerifiedSigner::Certificate { claims: Err(e), .. }) => {
                        claims_error = e.to_string();
                        crate::slsa::SlsaSigner::Certificate(Err(&claims_error))
                    }
                    _ => crate::slsa::SlsaSigner::Key,
                };
                // The payload is trusted only once the envelope that carries it verified.
                let checked = match crate::Bundle::from_json(bundle).map(|b| b.content) {
                    Ok(crate::Content::Dsse(env)) => crate::slsa::check(&env.payload, signer, slsa),
                    Ok(_) => Err("the bundle carries a message signature, not an attestation: no SLSA provenance to check".into()),
                    Err(e) => Err(format!("the bundle cannot be read again: {e}")),
                };
                match checked {
                    Ok(detail) => extra.pass(crate::checks::ATTESTATION_SLSA, detail),
                    Err(e) => extra.fail(crate::checks::ATTESTATION_SLSA, e),
                }
            } else {
                extra.skip(
                    crate::checks::ATTESTATION_SLSA,
                    "not reached: the bundle did not verify",
                )
            };
        }
        if let Some(VerifiedSigner::Certificate { claims, .. }) =
            verified.as_ref().map(|v| &v.signer)
        {
            // Shown only for a leaf whose chain, signature and identity verified.
            match claims {
                Ok(claims) => {
                    // The matched identity and issuer, and every claim the leaf carries.
                    if let Some(VerifiedSigner::Certificate { san, issuer, .. }) =
                        verified.as_ref().map(|v| &v.signer)
                    {
                        extra = extra
                            .output("identity", san.clone())
                            .output("issuer", issuer.clone());
                    }
                    extra = extra.output("certificate", claims.to_json())
                }
                Err(e) => extra = extra.warning(format!("certificate extensions not shown: {e}")),
            }
        }
        let report = report.amend(extra);
        let verified = if report.ok() { verified } else { None };
        Ok((report, verified))
    }
}

/// Compares the expected GitHub workflow claims with the leaf's v1 Fulcio extensions
/// (`github_workflow_<claim>`), exactly, as cosign does. An absent extension does not match.
fn github_workflow(
    claims: &crate::fulcio_ext::CertificateClaims,
    expected: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    let mut matched = Vec::new();
    for (claim, want) in expected {
        let name = format!("github_workflow_{claim}");
        let found = claims
            .workflow
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str());
        match found {
            Some(v) if v == want => matched.push(format!("{claim} {v:?}")),
            Some(v) => {
                return Err(format!(
                    "GitHub workflow {claim}: the certificate says {v:?}, expected {want:?}"
                ))
            }
            None => {
                return Err(format!(
                    "GitHub workflow {claim}: the certificate has no {name} extension, expected {want:?}"
                ))
            }
        }
    }
    Ok(format!("GitHub workflow {}", matched.join(", ")))
}
