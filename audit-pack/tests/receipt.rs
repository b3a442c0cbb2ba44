//! Log receipts: a build records its pack in a local `tlog` log and stores the receipt as
//! `index.receipt.json`; verify checks it with the log key, and never passes it silently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile;

use audit_pack::RECEIPT_CHECK_ID;
use audit_pack::{
    build_pack, parse_public_key, verify_trusted, BuildInput, IndexSigner, IndexTrust, Limits,
    LogTarget, OrgSlug, PackDate, SigningKey, Trust, PLUGIN, RECEIPT_NAME,
};
use merkle::note::{Signer, VerifierKey};
use plugin_api::Report;
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence")
}

fn pack_key() -> SigningKey {
    SigningKey::parse(&fs::read_to_string(fixtures().join("keys/acme-audit-pack.key")).unwrap())
        .unwrap()
}

fn log_signer(seed: u8) -> Signer {
    Signer::from_seed("example.com/packs", [seed; 32]).unwrap()
}

/// A fresh log in `dir`, signed by `signer`.
fn new_log(dir: &Path, signer: &Signer) -> PathBuf {
    let log = dir.join("log");
    tlog::init_log(&log, signer).unwrap();
    log
}

fn build(log: Option<(&Path, &Signer)>, date: &str) -> Vec<u8> {
    let key = pack_key();
    let release =
        parse_public_key(&fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap())
            .unwrap();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse(date).unwrap(),
        evidence_dir: &fixtures().join("acme"),
        control_map: &fixtures().join("control-map.csv"),
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[release],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: log.map(|(dir, signer)| LogTarget { dir, signer }),
    };
    let mut out = Vec::new();
    build_pack(&input, &mut out).unwrap();
    out
}

fn verify(pack: &[u8], log_key: Option<&VerifierKey>) -> Report {
    let keys = [pack_key().verifier_key()];
    let release = [release_key()];
    let trust = Trust {
        index: IndexTrust::Keys(&keys),
        manifest_keys: &release,
        log_key,
        manifest_roots: None,
        manifest_sigstore: None,
    };
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &trust,
        &Limits::DEFAULT,
        None,
    )
    .report
}

fn receipt_check(report: &Report) -> &plugin_api::Check {
    report
        .checks()
        .iter()
        .find(|c| c.id == RECEIPT_CHECK_ID)
        .unwrap()
}

fn rebuild(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let raws: Vec<hostile::Raw> = entries
        .iter()
        .map(|(n, d)| hostile::Raw::file(n, d))
        .collect();
    hostile::gzip(&hostile::tar(&raws))
}

#[test]
fn a_pack_with_a_receipt_is_reproducible_and_verifies_with_the_log_key() {
    let signer = log_signer(9);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let log_a = new_log(a.path(), &signer);
    let log_b = new_log(b.path(), &signer);
    let pack_a = build(Some((&log_a, &signer)), "2026-11-23");
    let pack_b = build(Some((&log_b, &signer)), "2026-11-23");
    // Same inputs and the same log state: the same bytes, receipt included.
    assert_eq!(pack_a, pack_b);
    // Without the receipt the pack is the sample pack: index and signature are unchanged.
    let entries = hostile::entries_of(&pack_a);
    assert_eq!(entries[2].0, RECEIPT_NAME);
    let mut without = entries.clone();
    without.remove(2);
    let sample = fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    assert_eq!(hostile::entries_of(&sample), without);

    let report = verify(&pack_a, Some(&signer.to_verifier_key()));
    assert!(report.ok(), "{}", report.to_json());
    let check = receipt_check(&report);
    assert!(check.is_pass());
    assert!(
        check.detail.contains("audit-pack-acme-2026-11-23.tgz"),
        "{}",
        check.detail
    );
    assert!(
        check.detail.contains("leaf 0 of the log tree of size 1"),
        "{}",
        check.detail
    );
}

#[test]
fn a_receipt_without_a_log_key_is_skipped_and_fails_the_report() {
    let signer = log_signer(9);
    let dir = tempfile::tempdir().unwrap();
    let log = new_log(dir.path(), &signer);
    let pack = build(Some((&log, &signer)), "2026-11-23");
    let report = verify(&pack, None);
    assert!(!report.ok());
    assert_eq!(report.exit_code(), 1);
    assert!(receipt_check(&report).is_skipped());
    // Every other check passed: only the receipt is in the way.
    assert_eq!(
        report.checks().iter().filter(|c| !c.is_pass()).count(),
        1,
        "{}",
        report.to_json()
    );
}

#[test]
fn wrong_log_key_other_packs_receipt_and_missing_receipt_fail() {
    let signer = log_signer(9);
    let dir = tempfile::tempdir().unwrap();
    let log = new_log(dir.path(), &signer);
    let pack = build(Some((&log, &signer)), "2026-11-23");
    // Another log's key (same origin, other key).
    let report = verify(&pack, Some(&log_signer(10).to_verifier_key()));
    let check = receipt_check(&report);
    assert!(check.is_fail());
    assert!(check.detail.contains("checkpoint"), "{}", check.detail);

    // The receipt of another pack (another date) in the same log, swapped in: it verifies
    // as a receipt but records another merkleRoot / signature.
    let other = build(Some((&log, &signer)), "2026-11-24");
    let mut entries = hostile::entries_of(&pack);
    entries[2].1 = hostile::entries_of(&other)[2].1.clone();
    let report = verify(&rebuild(&entries), Some(&signer.to_verifier_key()));
    let check = receipt_check(&report);
    assert!(check.is_fail());
    assert!(
        check.detail.contains("records another pack"),
        "{}",
        check.detail
    );
    assert!(check.detail.contains("sig_digest"), "{}", check.detail);

    // A tampered receipt (the proof's claimed index changed).
    let mut entries = hostile::entries_of(&other);
    let text = String::from_utf8(entries[2].1.clone()).unwrap();
    entries[2].1 = text
        .replacen("\"index\": 1", "\"index\": 0", 1)
        .into_bytes();
    let report = verify(&rebuild(&entries), Some(&signer.to_verifier_key()));
    assert!(receipt_check(&report).is_fail(), "{}", report.to_json());

    // A log key, but no receipt in the pack.
    let sample = fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    let report = verify(&sample, Some(&signer.to_verifier_key()));
    assert_eq!(report.first_failure().unwrap().id, RECEIPT_CHECK_ID);

    // The receipt moved after the control map: not head material, an unlisted file.
    let mut entries = hostile::entries_of(&pack);
    let receipt = entries.remove(2);
    entries.insert(3, receipt);
    let report = verify(&rebuild(&entries), Some(&signer.to_verifier_key()));
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.files.unlisted"
    );
}

/// The sample manifest's signer key: the verifier's `--manifest-key`.
fn release_key() -> merkle::note::VerifierKey {
    audit_pack::parse_public_key(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/evidence/keys/acme-release.pub"),
        )
        .unwrap(),
    )
    .unwrap()
}
