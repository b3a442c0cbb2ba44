//! `prove` / `verify-proof`: a proof made from the sample pack verifies without the pack; a
//! modified artifact, a swapped index, a tampered proof and a wrong key each fail on a named
//! check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use audit_pack::{
    make_proof, parse_public_key, verify_proof, verify_trusted, Index, Limits, PackProof,
    ProofError, SigningKey, Trust, PLUGIN, PROOF_CHECK_IDS,
};
use base64::Engine;
use plugin_api::Report;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence")
}

fn key() -> merkle::note::VerifierKey {
    parse_public_key(&std::fs::read_to_string(fixtures().join("keys/acme-audit-pack.pub")).unwrap())
        .unwrap()
}

const MANIFEST: &str = "releases/payments-api-1.4.0.manifest.json";

fn proof_of(name: &str) -> Result<PackProof, ProofError> {
    let pack = std::fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let index = [key()];
    let manifest = [parse_public_key(
        &std::fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap(),
    )
    .unwrap()];
    let v = verify_trusted(
        Report::builder(PLUGIN),
        pack.as_slice(),
        &Trust::keys(&index).with_manifest_keys(&manifest),
        &Limits::DEFAULT,
        None,
    );
    make_proof(v.verified().expect("the sample pack verifies"), name)
}

fn check(proof: &PackProof, key: &merkle::note::VerifierKey) -> Report {
    let text = proof.to_file_text().unwrap();
    verify_proof(
        Report::builder(PLUGIN),
        text.as_bytes(),
        std::slice::from_ref(key),
        &Limits::DEFAULT,
    )
}

fn first_failure(report: &Report) -> String {
    assert!(!report.ok());
    assert_eq!(report.exit_code(), 1);
    report.first_failure().unwrap().id.clone()
}

#[test]
fn a_proof_verifies_without_the_pack() {
    for name in [
        MANIFEST,
        "control-map.csv",
        "access/access-review-2026-q3.csv",
    ] {
        let proof = proof_of(name).unwrap();
        let report = check(&proof, &key());
        assert!(report.ok(), "{}", report.to_json());
        let ids: Vec<&str> = report.checks().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, PROOF_CHECK_IDS);
        assert!(report.checks().iter().all(|c| c.is_pass()));
        assert_eq!(report.outputs()["signed_by"], "acme-audit-pack");
        assert_eq!(report.outputs()["artifact"], proof.artifact.path.as_str());
    }
    let proof = proof_of(MANIFEST).unwrap();
    assert_eq!(proof.artifact.path, format!("evidence/{MANIFEST}"));
    assert_eq!(proof.tree_size, 9);
    assert!(!proof.proof.is_empty());
    // The file is the same for the same pack: proofs are deterministic.
    assert_eq!(
        proof.to_file_text().unwrap(),
        proof_of(MANIFEST).unwrap().to_file_text().unwrap()
    );
}

#[test]
fn no_proof_for_an_unlisted_artifact() {
    assert!(matches!(
        proof_of("releases/nope.json"),
        Err(ProofError::NoSuchArtifact(_))
    ));
}

#[test]
fn a_modified_artifact_fails_inclusion() {
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.artifact.sha256 = "0".repeat(64);
    let report = check(&proof, &key());
    assert_eq!(first_failure(&report), "audit-pack.proof.inclusion");
    // And the index does not list it either.
    assert!(report.checks()[5].is_fail());

    let mut proof = proof_of(MANIFEST).unwrap();
    proof.artifact.size += 1;
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.inclusion"
    );
}

#[test]
fn a_tampered_proof_fails_inclusion() {
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.proof[0] = "1".repeat(64);
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.inclusion"
    );

    let mut proof = proof_of(MANIFEST).unwrap();
    proof.leaf_index ^= 1;
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.inclusion"
    );

    // A valid proof of another artifact, relabelled: inclusion fails for the claimed entry.
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.artifact = proof_of("control-map.csv").unwrap().artifact;
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.inclusion"
    );
}

#[test]
fn a_swapped_index_fails_on_the_root() {
    // Another index, validly signed by the same key: its root is not the proof's.
    let signer = SigningKey::parse(
        &std::fs::read_to_string(fixtures().join("keys/acme-audit-pack.key")).unwrap(),
    )
    .unwrap();
    let mut proof = proof_of(MANIFEST).unwrap();
    let mut index = Index::parse(proof.index.as_bytes(), Limits::DEFAULT.max_index_size).unwrap();
    let i = index
        .artifacts
        .iter()
        .position(|a| a.path != proof.artifact.path)
        .unwrap();
    index.artifacts[i].sha256 = "0".repeat(64);
    index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
    proof.index = index.to_file_text().unwrap();
    proof.index_signature =
        base64::engine::general_purpose::STANDARD.encode(signer.sign_index(&proof.index).unwrap());
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.root"
    );

    // The swapped index's root put in the proof too: the proof hashes no longer lead there.
    proof.merkle_root = index.merkle_root.clone();
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.inclusion"
    );

    // An index edited without re-signing: the signature fails, the rest is not reached.
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.index = proof.index.replacen("acme", "acmf", 1);
    let report = check(&proof, &key());
    assert_eq!(first_failure(&report), "audit-pack.index.signature");
    assert!(report.checks()[2..].iter().all(|c| c.is_skipped()));
}

#[test]
fn a_wrong_key_fails_the_signature() {
    let other = parse_public_key(
        &std::fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap(),
    )
    .unwrap();
    let report = check(&proof_of(MANIFEST).unwrap(), &other);
    assert_eq!(first_failure(&report), "audit-pack.index.signature");
    assert!(report.checks()[2..].iter().all(|c| c.is_skipped()));
}

#[test]
fn malformed_or_oversized_proof_files_fail_on_format() {
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.proof[0] = "ABC".to_owned();
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.format"
    );
    let mut proof = proof_of(MANIFEST).unwrap();
    proof.proof = vec!["1".repeat(64); 65];
    assert_eq!(
        first_failure(&check(&proof, &key())),
        "audit-pack.proof.format"
    );
    let big = vec![b' '; audit_pack::max_proof_size(&Limits::DEFAULT) + 1];
    let report = verify_proof(Report::builder(PLUGIN), &big, &[key()], &Limits::DEFAULT);
    assert_eq!(first_failure(&report), "audit-pack.proof.format");
}
