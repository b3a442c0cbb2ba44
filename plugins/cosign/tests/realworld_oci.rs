//! Real cosign-signed container images (tests/realworld/oci: 18 items from containers/image,
//! slsa-verifier, sigstore/cosign and a public build repository, each with its source, commit
//! and expected verdict): each is verified from its OCI layout as `prov-verify cosign verify`
//! (or `verify-attestation`) would, with the key or identity and trusted root its source's test
//! uses. 0 false accepts; the false rejects are listed below with their reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{Insecure, Report, VerificationTime};
use plugin_cosign::oci::{self, Mode};
use plugin_cosign::{IdentityPolicy, Matcher, PublicKey, Signer, TrustedRoot};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// 2026-12-01T00:00:00Z: the trusted roots are dated snapshots; signing times come from the
/// log entries.
const AT: u64 = 1_796_083_200;

/// Items whose source verdict rests on a policy this verifier does not have, with why: a
/// false reject each, never an accept.
const KNOWN_FALSE_REJECTS: &[(&str, &str)] = &[
    (
        "ci-cosign-pki",
        "a private PKI certificate with neither transparency-log entry nor timestamp: a keyless certificate needs a verified signing time here (containers/image checks it at the current time)",
    ),
    (
        "slsa-gha-container-v1.4.0",
        "its Rekor entry is intoto 0.0.1, whose body binds the hash of the envelope's exact bytes: not read (intoto 0.0.2, dsse and hashedrekord are)",
    ),
];

/// Items whose source accepts a key signature without a transparency log: verified here only
/// with the log and the signing time waived, as insecure modes recorded in the report.
const NO_LOG_KEY_POLICY: &[&str] = &[
    "ci-cosign-valid",
    "ci-cosign-valid-2",
    "ci-cosign-mixed",
    "ci-cosign-unknown-key",
    "ci-cosign-modified-manifest",
    "ci-cosign-valid-with-tag",
    "ci-cosign-other-attachment",
    // The KMS-key layer of these carries no Rekor bundle (the keyless layer does).
    "salr-securebuild-5ce2d8",
    "salr-securebuild-a2b109",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/realworld")
}

fn first_word(v: &Value) -> Option<String> {
    v.as_str()
        .map(|s| s.split_whitespace().next().unwrap_or_default().to_owned())
}

/// Verifies `e` with `signer`; `Ok(())` when the image verifies.
fn verify(e: &Value, signer: Signer<'_>, root: &TrustedRoot, insecure: &[Insecure]) -> Report {
    let id = e["id"].as_str().unwrap();
    let layout = dir().join("oci").join(id).join("layout");
    let index = std::fs::read(layout.join("index.json")).unwrap();
    let blobs = move |digest: &str, max: u64| -> Result<Vec<u8>, String> {
        let hex = digest.strip_prefix("sha256:").ok_or("not sha256")?;
        let bytes =
            std::fs::read(layout.join("blobs/sha256").join(hex)).map_err(|e| e.to_string())?;
        if bytes.len() as u64 > max {
            return Err("over budget".into());
        }
        Ok(bytes)
    };
    let mode = if e["predicate_type"].is_string() || id.starts_with("cosign-referrer") {
        Mode::Attestations(None)
    } else {
        Mode::Signatures
    };
    let image = e["image_digest"].as_str().unwrap().to_owned();
    oci::verify_image(oci::Inputs {
        index: &index,
        blobs: &blobs,
        image: &image,
        root,
        signer,
        time: VerificationTime::from_unix_seconds(AT),
        insecure,
        mode,
    })
}

fn failure(r: &Report) -> String {
    r.first_failure()
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .unwrap_or_else(|| r.errors().join("; "))
}

#[test]
fn real_cosign_images_zero_false_accepts() {
    let sources: Value =
        serde_json::from_slice(&std::fs::read(dir().join("oci/sources.json")).unwrap()).unwrap();
    let public_good = TrustedRoot::from_json(
        &std::fs::read(dir().join("roots/public-good.trusted_root.json")).unwrap(),
    )
    .unwrap();
    let mut false_accepts = Vec::new();
    let mut unexpected_rejects = Vec::new();
    let mut now_verify = Vec::new();
    let (mut verified, mut rejected, mut listed) = (0, 0, 0);
    for e in sources.as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let root = match first_word(&e["trusted_root"]) {
            Some(r) => TrustedRoot::from_json(&std::fs::read(dir().join(r)).unwrap()).unwrap(),
            None => public_good.clone(),
        };
        let mut runs: Vec<Report> = Vec::new();
        if let Some(k) = first_word(&e["key"]) {
            let key =
                PublicKey::from_pem(&std::fs::read(dir().join("oci").join(id).join(k)).unwrap())
                    .unwrap();
            let insecure: &[Insecure] = if NO_LOG_KEY_POLICY.contains(&id) {
                &[Insecure::SkipTlog, Insecure::SkipTimestamp]
            } else {
                &[]
            };
            runs.push(verify(e, Signer::Key(&key), &root, insecure));
        }
        if let (Some(san), Some(issuer)) = (e["identity"].as_str(), e["issuer"].as_str()) {
            let identity = IdentityPolicy {
                san: Matcher::Exact(san.into()),
                issuer: Matcher::Exact(issuer.into()),
            };
            runs.push(verify(e, Signer::Keyless(&identity), &root, &[]));
        }
        if runs.is_empty() {
            // No key and no identity usable here: the item must be a listed false reject.
            assert!(
                KNOWN_FALSE_REJECTS.iter().any(|(k, _)| *k == id),
                "{id}: no signer"
            );
            listed += 1;
            continue;
        }
        let ok = runs.iter().all(Report::ok);
        let why = runs
            .iter()
            .find(|r| !r.ok())
            .map(failure)
            .unwrap_or_default();
        match (e["expected"].as_str().unwrap(), ok) {
            ("fail", true) => false_accepts.push(id.to_owned()),
            ("fail", false) => rejected += 1,
            ("verify", true) if KNOWN_FALSE_REJECTS.iter().any(|(k, _)| *k == id) => {
                now_verify.push(id.to_owned())
            }
            ("verify", true) => verified += 1,
            ("verify", false) if KNOWN_FALSE_REJECTS.iter().any(|(k, _)| *k == id) => listed += 1,
            ("verify", false) => unexpected_rejects.push(format!("{id}: {why}")),
            (other, _) => panic!("{id}: expected {other}"),
        }
    }
    eprintln!(
        "realworld-oci: {} items; {verified} verified, {rejected} that must fail rejected, {listed} known false rejects; {} false accepts",
        sources.as_array().unwrap().len(),
        false_accepts.len()
    );
    assert!(false_accepts.is_empty(), "false accepts: {false_accepts:?}");
    assert!(
        unexpected_rejects.is_empty(),
        "false rejects: {unexpected_rejects:#?}"
    );
    assert!(
        now_verify.is_empty(),
        "listed but now verify: {now_verify:?}"
    );
    assert!(verified >= 10, "only {verified} verified");
}
