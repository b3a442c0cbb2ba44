//! End-to-end verification of the sample pack, and every hostile pack refused for its reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile;

use audit_pack::{parse_public_key, verify_pack, Limits, CHECK_IDS};
use plugin_api::VerificationTime;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence")
}

fn sample_pack() -> Vec<u8> {
    std::fs::read(fixtures().join("audit-pack-acme-2026-11-23.tgz")).unwrap()
}

fn key() -> merkle::note::VerifierKey {
    parse_public_key(&std::fs::read_to_string(fixtures().join("keys/acme-audit-pack.pub")).unwrap())
        .unwrap()
}

const AT: VerificationTime = VerificationTime::from_unix_seconds(1_795_400_000);

#[test]
fn sample_pack_verifies_with_every_check_passing() {
    let report = verify_pack(sample_pack().as_slice(), &key(), &Limits::DEFAULT, Some(AT));
    assert!(report.ok(), "{}", report.to_json());
    let ids: Vec<&str> = report.checks().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, CHECK_IDS);
    assert!(report.checks().iter().all(|c| c.is_pass()));
    assert!(report.warnings().is_empty(), "{:?}", report.warnings());
    assert_eq!(report.outputs()["org"], "acme");
}

#[test]
fn wrong_key_fails_and_skips_the_rest() {
    let other = parse_public_key(
        &std::fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap(),
    )
    .unwrap();
    let report = verify_pack(sample_pack().as_slice(), &other, &Limits::DEFAULT, Some(AT));
    assert!(!report.ok());
    assert_eq!(report.exit_code(), 1);
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    assert!(report.checks()[2..].iter().all(|c| c.is_skipped()));
}

#[test]
fn every_hostile_pack_is_refused_for_its_reason() {
    let cases = hostile::cases(&sample_pack());
    assert!(cases.len() >= 30);
    for case in cases {
        let report = verify_pack(case.bytes.as_slice(), &key(), &case.limits, Some(AT));
        assert!(!report.ok(), "{}: accepted!", case.name);
        let first = report
            .first_failure()
            .unwrap_or_else(|| panic!("{}: no failed check: {}", case.name, report.to_json()));
        assert_eq!(
            first.id,
            case.failing_check,
            "{}: {}",
            case.name,
            report.to_json()
        );
        assert!(
            first.detail.contains(case.detail),
            "{}: detail {:?} lacks {:?}",
            case.name,
            first.detail,
            case.detail
        );
        // Checks before the failing one passed; none after it passed unseen.
        let pos = CHECK_IDS
            .iter()
            .position(|id| *id == case.failing_check)
            .unwrap();
        if case.failing_check == "audit-pack.archive.safe" {
            assert!(
                report.checks()[1..]
                    .iter()
                    .all(|c| !c.is_pass() || c.id == "audit-pack.index.signature"),
                "{}",
                case.name
            );
        } else {
            assert!(
                report.checks()[..pos].iter().all(|c| c.is_pass()),
                "{}: {}",
                case.name,
                report.to_json()
            );
        }
    }
}

#[test]
fn an_artifact_is_provable_against_the_signed_root() {
    let entries = hostile::entries_of(&sample_pack());
    let index = audit_pack::Index::parse(&entries[0].1, Limits::DEFAULT.max_index_size).unwrap();
    let root = merkle::Hash::from_hex(&index.merkle_root).unwrap();
    for a in &index.artifacts {
        let proof = index.inclusion_proof(&a.path).unwrap();
        proof.verify(&root).unwrap();
        let mut forged = proof.clone();
        forged.leaf = forged.leaf.replace(&a.sha256, &"0".repeat(64));
        assert!(forged.verify(&root).is_err());
    }
    assert!(index.inclusion_proof("evidence/nope").is_none());
}

#[test]
fn verification_is_a_pure_function_of_its_inputs() {
    let a = verify_pack(sample_pack().as_slice(), &key(), &Limits::DEFAULT, Some(AT));
    let b = verify_pack(sample_pack().as_slice(), &key(), &Limits::DEFAULT, Some(AT));
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn the_plugin_contract_gives_the_same_verdicts() {
    use plugin_api::{
        run_plugin, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots, VerifyRequest,
    };
    let pack = sample_pack();
    let vkey = std::fs::read(fixtures().join("keys/acme-audit-pack.pub")).unwrap();
    let roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::NoteVerifierKey,
        "pack key",
        vkey,
    ));
    let plugin = audit_pack::AuditPackPlugin::default();
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &roots, AT);
    let report = run_plugin(&plugin, &req);
    assert!(report.ok(), "{}", report.to_json());
    assert_eq!(report.verified_at(), Some(AT));
    assert_eq!(report.checks().len(), CHECK_IDS.len());

    let hostile = hostile::cases(&pack)
        .into_iter()
        .find(|c| c.name == "symlink")
        .unwrap();
    let req = VerifyRequest::new(
        Subject::Bytes(&hostile.bytes),
        Signature::new(b""),
        &roots,
        AT,
    );
    assert_eq!(
        run_plugin(&plugin, &req).first_failure().unwrap().id,
        "audit-pack.archive.safe"
    );

    let empty = TrustRoots::new();
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &empty, AT);
    assert!(!run_plugin(&plugin, &req).ok());
}
