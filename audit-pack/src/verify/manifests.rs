//! Re-verifying manifest pairs with the verifier's trust.

use super::*;

/// The manifest check's outcome: checked, or not checkable without the trust material
/// (manifest keys, manifest roots, Sigstore trusted root and signer) the verifier must give.
pub(super) enum ManifestOutcome {
    Checked(Outcome),
    NoRoots(String),
}

/// Re-verifies every manifest pair with the verifier's trust (never with anything the pack
/// names) and compares with the recorded verdicts. A pair recorded as verified needs the
/// trust of its kind (else it is "not re-verified" and the check is skipped, failing the
/// report); a pair recorded as not verified is accepted only in a pack built with
/// `--allow-unverified-manifests`, and is re-verified too when the trust is given.
pub(super) fn check_manifests(
    index: &Index,
    entries: &BTreeMap<String, Entry>,
    trust: &Trust<'_>,
) -> (ManifestOutcome, Vec<String>) {
    let time = crate::names::PackDate::parse(index.generated_at.get(..10).unwrap_or_default())
        .map(|d| VerificationTime::from_unix_seconds(d.unix_seconds()));
    let allow_unverified = index.has_insecure(BuildInsecure::AllowUnverifiedManifests);
    let mut warnings = Vec::new();
    let mut bad = Vec::new();
    // Pairs recorded as verified that the verifier gave no trust to re-verify, by kind.
    let (mut no_keys, mut no_roots, mut no_sigstore) = (0usize, 0usize, 0usize);
    let recorded: BTreeSet<&str> = index
        .manifest_signatures
        .iter()
        .map(|p| p.manifest.as_str())
        .collect();
    for a in &index.artifacts {
        if a.kind == Kind::Manifest.name() && !recorded.contains(a.path.as_str()) {
            bad.push(format!("{}: no recorded signature verdict", a.path));
        }
    }
    for pair in &index.manifest_signatures {
        if !pair.verified && !allow_unverified {
            bad.push(format!(
                "{}: recorded as not verified, but the pack was not built with {} (a build without it fails on such a manifest)",
                pair.manifest,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
            continue;
        }
        let data = |p: &str| entries.get(p).and_then(|e| e.data.as_deref());
        let (Some(manifest), Some(sig)) = (data(&pair.manifest), data(&pair.signature)) else {
            bad.push(format!(
                "{}: manifest or signature missing or over its size budget",
                pair.manifest
            ));
            continue;
        };
        // `None`: the verifier gave no trust for this kind of pair.
        let result: Option<Result<Vec<String>, Failure>> = match (pair.plugin.as_deref(), &time) {
            (None, _) => (!trust.manifest_keys.is_empty()).then(|| {
                verify_detached(manifest, sig, trust.manifest_keys)
                    .map_err(|e| Failure::new(e.to_string()))
            }),
            (Some(PLUGIN_X509), Ok(time)) => trust.manifest_roots.map(|roots| {
                verify_cms_manifest(&pair.manifest, manifest, sig, roots, *time)
                    .0
                    .map(|subject| vec![subject])
            }),
            (Some(PLUGIN_COSIGN), Ok(time)) => trust.manifest_sigstore.map(|sigstore| {
                verify_sigstore_manifest(manifest, sig, sigstore, *time)
                    .map(|identity| vec![identity])
            }),
            // No readable pack date: not checkable (Index::parse insists on one).
            (Some(PLUGIN_X509 | PLUGIN_COSIGN), Err(_)) => None,
            (Some(other), _) => {
                bad.push(format!("{}: unknown plugin {other:?}", pair.manifest));
                continue;
            }
        };
        let Some(result) = result else {
            if pair.verified {
                match pair.plugin.as_deref() {
                    None => no_keys += 1,
                    Some(PLUGIN_X509) => no_roots += 1,
                    _ => no_sigstore += 1,
                }
            } else {
                // Recorded as not verified, allowed by the build's insecure mode, and nothing
                // to re-verify it with: it stays not verified.
                warnings.push(format!(
                    "INSECURE: manifest {} is recorded as NOT verified ({}); not re-verified: no trust for it was given",
                    pair.manifest,
                    BuildInsecure::AllowUnverifiedManifests.flag()
                ));
            }
            continue;
        };
        let (verified, signers, why) = match result {
            Ok(signers) => (true, signers, String::new()),
            Err(why) => (false, Vec::new(), String::from(why)),
        };
        if verified != pair.verified || signers != pair.signers {
            let mut msg = format!(
                "{}: recorded verified={} by [{}], re-verification gives verified={verified} by [{}]",
                pair.manifest,
                pair.verified,
                pair.signers.join(", "),
                signers.join(", ")
            );
            if !why.is_empty() {
                msg.push_str(&format!(" ({why})"));
            }
            bad.push(msg);
        } else if !verified {
            warnings.push(format!(
                "INSECURE: manifest {} is recorded, and re-verifies, as NOT signed by a trusted signer ({})",
                pair.manifest,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
        }
    }
    let mut unchecked = Vec::new();
    if no_keys > 0 {
        unchecked.push(format!(
            "{no_keys} Ed25519 manifest pairs not re-verified: no --manifest-key was given (keys listed in the pack are never trusted)"
        ));
    }
    if no_roots > 0 {
        unchecked.push(format!(
            "{no_roots} X.509 (CMS) manifest pairs not re-verified: no --manifest-trust-root was given"
        ));
    }
    if no_sigstore > 0 {
        unchecked.push(format!(
            "{no_sigstore} Sigstore manifest pairs not re-verified: no Sigstore trusted root and signer were given"
        ));
    }
    if !unchecked.is_empty() {
        if !bad.is_empty() {
            // A failure found among the other pairs stays a failure.
            bad.extend(unchecked);
            return (ManifestOutcome::Checked(Err(list(&bad).into())), warnings);
        }
        return (ManifestOutcome::NoRoots(unchecked.join("; ")), warnings);
    }
    let outcome = if bad.is_empty() {
        let total = index.manifest_signatures.len();
        let verified = index
            .manifest_signatures
            .iter()
            .filter(|p| p.verified)
            .count();
        let mut detail = format!(
            "{total} manifest/signature pairs: {verified} re-verified with the verifier's trust to their recorded signers"
        );
        if verified < total {
            detail.push_str(&format!(
                "; {} recorded as NOT verified (INSECURE: the pack was built with {})",
                total - verified,
                BuildInsecure::AllowUnverifiedManifests.flag()
            ));
        }
        Ok(detail)
    } else {
        Err(list(&bad).into())
    };
    (ManifestOutcome::Checked(outcome), warnings)
}
