//! Container image signatures and attestations from OCI image layouts
//! (fixtures/cosign/oci, made by the fixture generator): cosign's `.sig`/`.att` tags, a
//! `cosign save` layout and an OCI 1.1 referrer carrying a Sigstore bundle verify; every
//! kind of damage fails on the check that names it.
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

/// 2026-02-01T00:00:00Z, the fixtures' verification time.
const AT: u64 = 1_769_904_000;
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cosign")
}

fn root() -> TrustedRoot {
    TrustedRoot::from_json(&std::fs::read(fixtures().join("trusted_root.json")).unwrap()).unwrap()
}

fn identity() -> IdentityPolicy {
    IdentityPolicy {
        san: Matcher::Exact(SAN.into()),
        issuer: Matcher::Exact(ISSUER.into()),
    }
}

/// A copy of layout `name` in a fresh directory, to damage.
fn copy(name: &str, tag: &str) -> PathBuf {
    let to = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("oci-{tag}"));
    let _ = std::fs::remove_dir_all(&to);
    let from = fixtures().join("oci").join(name);
    std::fs::create_dir_all(to.join("blobs/sha256")).unwrap();
    for f in ["oci-layout", "index.json"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
    for e in std::fs::read_dir(from.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join("blobs/sha256").join(e.file_name())).unwrap();
    }
    to
}

fn run_at(
    dir: &Path,
    image: &str,
    signer: Signer<'_>,
    mode: Mode<'_>,
    insecure: &[Insecure],
) -> Report {
    let index = std::fs::read(dir.join("index.json")).unwrap();
    let d = dir.to_path_buf();
    let blobs = move |digest: &str, max: u64| -> Result<Vec<u8>, String> {
        let hex = digest.strip_prefix("sha256:").unwrap();
        let bytes = std::fs::read(d.join("blobs/sha256").join(hex)).map_err(|e| e.to_string())?;
        if bytes.len() as u64 > max {
            return Err("over budget".into());
        }
        Ok(bytes)
    };
    oci::verify_image(oci::Inputs {
        index: &index,
        blobs: &blobs,
        image,
        root: &root(),
        signer,
        time: VerificationTime::from_unix_seconds(AT),
        insecure,
        mode,
    })
}

fn run(dir: &Path, mode: Mode<'_>) -> Report {
    let id = identity();
    run_at(
        dir,
        "registry.example/acme/app:v1",
        Signer::Keyless(&id),
        mode,
        &[],
    )
}

fn layout(name: &str) -> PathBuf {
    fixtures().join("oci").join(name)
}

fn failure(r: &Report) -> String {
    r.first_failure()
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .unwrap_or_default()
}

fn detail(r: &Report, id: &str) -> String {
    r.checks()
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.explanation().to_owned())
        .unwrap_or_default()
}

fn assert_fails(r: &Report, check: &str, needle: &str) {
    assert!(!r.ok(), "verified: {}", r.to_json());
    let f = failure(r);
    assert!(
        f.starts_with(check) && f.contains(needle),
        "expected {check} ({needle}), got {f}"
    );
}

fn image_digest() -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout("signed").join("index.json")).unwrap())
            .unwrap();
    index["manifests"][0]["digest"].as_str().unwrap().to_owned()
}

#[test]
fn keyless_signatures_verify_from_tags_and_referrers() {
    let r = run(&layout("signed"), Mode::Signatures);
    assert!(r.ok(), "{}", failure(&r));
    // The keyless layer and the referrer; the key-signed layer is not this signer's.
    assert!(
        detail(&r, "cosign.oci.signatures").starts_with("2 of 3 found verify"),
        "{}",
        r.to_json()
    );
    assert_eq!(r.outputs()["image_digest"], image_digest());
}

#[test]
fn a_key_signed_layer_verifies_with_its_key() {
    let key = PublicKey::from_pem(&std::fs::read(fixtures().join("key.pub")).unwrap()).unwrap();
    let r = run_at(
        &layout("signed"),
        "v1",
        Signer::Key(&key),
        Mode::Signatures,
        &[],
    );
    assert!(r.ok(), "{}", failure(&r));
    assert!(
        detail(&r, "cosign.oci.signatures").starts_with("1 of 3"),
        "{}",
        r.to_json()
    );
    let wrong =
        PublicKey::from_pem(&std::fs::read(fixtures().join("wrong-key.pub")).unwrap()).unwrap();
    let r = run_at(
        &layout("signed"),
        "v1",
        Signer::Key(&wrong),
        Mode::Signatures,
        &[],
    );
    assert_fails(&r, "cosign.oci.signatures", "none of the 3");
}

#[test]
fn the_image_by_digest_and_a_cosign_save_layout_verify() {
    let id = identity();
    let by_digest = format!("registry.example/acme/app@{}", image_digest());
    let r = run_at(
        &layout("signed"),
        &by_digest,
        Signer::Keyless(&id),
        Mode::Signatures,
        &[],
    );
    assert!(r.ok(), "{}", failure(&r));
    let r = run(&layout("cosign-save"), Mode::Signatures);
    assert!(r.ok(), "{}", failure(&r));
    // Another digest has no signature here.
    let other = format!("sha256:{}", "0".repeat(64));
    let r = run_at(
        &layout("signed"),
        &other,
        Signer::Keyless(&id),
        Mode::Signatures,
        &[],
    );
    assert_fails(&r, "cosign.oci.signatures", "no signature of sha256:0000");
}

#[test]
fn attestations_verify_by_type() {
    let r = run(
        &layout("signed"),
        Mode::Attestations(Some("https://slsa.dev/provenance/v1")),
    );
    assert!(r.ok(), "{}", failure(&r));
    assert!(
        detail(&r, "cosign.oci.attestations").starts_with("1 of 1"),
        "{}",
        r.to_json()
    );
    let r = run(&layout("signed"), Mode::Attestations(None));
    assert!(r.ok(), "{}", failure(&r));
    let r = run(
        &layout("signed"),
        Mode::Attestations(Some("https://spdx.dev/Document")),
    );
    assert_fails(
        &r,
        "cosign.oci.attestations",
        "no attestation of type https://spdx.dev/Document",
    );
}

#[test]
fn a_signature_over_another_image_and_no_signature_fail() {
    assert_fails(
        &run(&layout("other-image"), Mode::Signatures),
        "cosign.oci.signatures",
        "the signature is for sha256:",
    );
    assert_fails(
        &run(&layout("unsigned"), Mode::Signatures),
        "cosign.oci.signatures",
        "no signature of",
    );
}

#[test]
fn a_wrong_identity_fails() {
    let id = IdentityPolicy {
        san: Matcher::Exact(
            "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1.0.0".into(),
        ),
        issuer: Matcher::Exact(ISSUER.into()),
    };
    let r = run_at(
        &layout("signed"),
        "v1",
        Signer::Keyless(&id),
        Mode::Signatures,
        &[],
    );
    assert_fails(&r, "cosign.oci.signatures", "cosign.identity.san");
}

/// The cosign-save layout's one signature manifest and its layer.
fn save_signature(dir: &Path) -> (Value, Value, PathBuf) {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["kind"] == "dev.cosignproject.cosign/sigs")
        .unwrap()
        .clone();
    let path = dir.join("blobs/sha256").join(
        entry["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("sha256:")
            .unwrap(),
    );
    let manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (index, manifest, path)
}

/// Rewrites the cosign-save signature manifest with `edit` (and the index to name it).
fn edit_signature(tag: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let dir = copy("cosign-save", tag);
    let (mut index, mut manifest, _) = save_signature(&dir);
    edit(&mut manifest);
    let bytes = serde_json::to_vec(&manifest).unwrap();
    use sha2::Digest as _;
    let hex = hex::encode(sha2::Sha256::digest(&bytes));
    std::fs::write(dir.join("blobs/sha256").join(&hex), &bytes).unwrap();
    for m in index["manifests"].as_array_mut().unwrap() {
        if m["annotations"]["kind"] == "dev.cosignproject.cosign/sigs" {
            m["digest"] = Value::String(format!("sha256:{hex}"));
            m["size"] = Value::from(bytes.len());
        }
    }
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    dir
}

#[test]
fn a_changed_blob_is_caught_by_its_digest() {
    let dir = copy("cosign-save", "tampered-payload");
    let (_, manifest, _) = save_signature(&dir);
    let payload = dir.join("blobs/sha256").join(
        manifest["layers"][0]["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("sha256:")
            .unwrap(),
    );
    let mut bytes = std::fs::read(&payload).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&payload, &bytes).unwrap();
    let r = run(&dir, Mode::Signatures);
    assert_fails(&r, "cosign.oci.signatures", "no signature");
    assert!(
        r.warnings()
            .iter()
            .any(|w| w.contains("does not match its digest")),
        "{:?}",
        r.warnings()
    );
}

#[test]
fn a_changed_annotation_fails_the_signature_or_the_log_entry() {
    // The signature of another payload.
    let dir = edit_signature("other-signature", |m| {
        let sig = m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut raw = base64_decode(&sig);
        let last = raw.len() - 1;
        raw[last] ^= 1;
        m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"] =
            Value::String(base64_encode(&raw));
    });
    assert_fails(
        &run(&dir, Mode::Signatures),
        "cosign.oci.signatures",
        "cosign.",
    );
    // The Rekor bundle's integrated time moved: its SET no longer verifies.
    let dir = edit_signature("moved-set", |m| {
        let b = m["layers"][0]["annotations"]["dev.sigstore.cosign/bundle"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut v: Value = serde_json::from_str(&b).unwrap();
        v["Payload"]["integratedTime"] =
            Value::from(v["Payload"]["integratedTime"].as_i64().unwrap() + 1);
        m["layers"][0]["annotations"]["dev.sigstore.cosign/bundle"] = Value::String(v.to_string());
    });
    assert_fails(
        &run(&dir, Mode::Signatures),
        "cosign.oci.signatures",
        "cosign.tlog",
    );
    // No Rekor bundle: refused; with the log ignored (recorded as insecure) a keyless
    // certificate still has no verified signing time, so it is refused all the same.
    let dir = edit_signature("no-bundle", |m| {
        m["layers"][0]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("dev.sigstore.cosign/bundle");
    });
    assert_fails(
        &run(&dir, Mode::Signatures),
        "cosign.oci.signatures",
        "cosign.tlog.entries",
    );
    let id = identity();
    let r = run_at(
        &dir,
        "v1",
        Signer::Keyless(&id),
        Mode::Signatures,
        &[Insecure::SkipTlog],
    );
    assert_fails(&r, "cosign.oci.signatures", "cosign.time.threshold");
    assert_eq!(r.insecure(), &[Insecure::SkipTlog]);
    // A chain annotation naming a foreign CA cannot stand in for the trusted one.
    let dir = edit_signature("foreign-chain", |m| {
        let leaf = m["layers"][0]["annotations"]["dev.sigstore.cosign/certificate"].clone();
        m["layers"][0]["annotations"]["dev.sigstore.cosign/chain"] = leaf;
    });
    let r = run(&dir, Mode::Signatures);
    assert!(
        r.ok(),
        "a chain hint is ignored, the path is built to the trusted root: {}",
        failure(&r)
    );
}

#[test]
fn malformed_layouts_fail_the_layout_check() {
    let dir = copy("signed", "dup-index");
    std::fs::write(
        dir.join("index.json"),
        br#"{"manifests": [], "manifests": []}"#,
    )
    .unwrap();
    assert_fails(&run(&dir, Mode::Signatures), "cosign.oci.layout", "JSON");
    std::fs::write(
        dir.join("index.json"),
        br#"{"manifests": [{"digest": "sha256:../../x", "size": 1}]}"#,
    )
    .unwrap();
    assert_fails(
        &run(&dir, Mode::Signatures),
        "cosign.oci.layout",
        "not sha256:HEX",
    );
    let dir = copy("signed", "no-tag");
    let id = identity();
    let r = run_at(
        &dir,
        "registry.example/acme/app:v2",
        Signer::Keyless(&id),
        Mode::Signatures,
        &[],
    );
    assert_fails(&r, "cosign.oci.layout", "tagged \"v2\"");
    // A descriptor claiming a huge size is refused before reading.
    let dir = edit_signature("huge-layer", |m| {
        m["layers"][0]["size"] = Value::from(u64::MAX);
    });
    let r = run(&dir, Mode::Signatures);
    assert_fails(&r, "cosign.oci.signatures", "no signature");
    assert!(
        r.warnings().iter().any(|w| w.contains("budget")),
        "{:?}",
        r.warnings()
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}
