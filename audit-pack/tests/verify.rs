//! End-to-end verification of the sample pack, and every hostile pack refused for its reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile;

use audit_pack::{parse_public_key, verify_pack, verify_trusted, Limits, Trust, CHECK_IDS, PLUGIN};
use plugin_api::{Report, VerificationTime};
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

/// The release key that signs the sample manifest: the verifier's `--manifest-key`.
fn release_key() -> merkle::note::VerifierKey {
    parse_public_key(&std::fs::read_to_string(fixtures().join("keys/acme-release.pub")).unwrap())
        .unwrap()
}

const AT: VerificationTime = VerificationTime::from_unix_seconds(1_795_400_000);

/// Verifies with index keys `keys` and the release key for manifests.
fn verify_pack_with<R: std::io::BufRead>(
    input: R,
    keys: &[merkle::note::VerifierKey],
    limits: &Limits,
) -> Report {
    let manifest_keys = [release_key()];
    let trust = Trust::keys(keys).with_manifest_keys(&manifest_keys);
    verify_trusted(
        Report::builder(PLUGIN).verified_at(AT),
        input,
        &trust,
        limits,
        None,
    )
    .report
}

/// Verifies with the sample pack key and the release key, as an auditor would.
fn verify_full(bytes: &[u8], limits: &Limits) -> Report {
    verify_pack_with(bytes, std::slice::from_ref(&key()), limits)
}

#[test]
fn sample_pack_verifies_with_every_check_passing() {
    let report = verify_full(&sample_pack(), &Limits::DEFAULT);
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
    let report = verify_pack_with(
        sample_pack().as_slice(),
        std::slice::from_ref(&other),
        &Limits::DEFAULT,
    );
    assert!(!report.ok());
    assert_eq!(report.exit_code(), 1);
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    assert!(report.checks()[0].is_skipped());
    assert!(report.checks()[2..].iter().all(|c| c.is_skipped()));
}

#[test]
fn every_hostile_pack_is_refused_for_its_reason() {
    let cases = hostile::cases(&sample_pack());
    assert!(cases.len() >= 30);
    for case in cases {
        let report = verify_full(&case.bytes, &case.limits);
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
        } else if pos <= 2 {
            // The signature or the index failed: the rest of the pack was not read.
            assert!(report.checks()[0].is_skipped(), "{}", case.name);
            assert!(
                report.checks()[1..pos].iter().all(|c| c.is_pass()),
                "{}: {}",
                case.name,
                report.to_json()
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

/// Manifest trust comes from the verifier: without a manifest key the sample pack's Ed25519
/// pair (recorded as verified) is not re-verified, the check is skipped naming the flag, and
/// the pack does not verify; the keys the pack lists in `trustedKeys` are not used.
#[test]
fn manifest_keys_come_from_the_verifier_never_from_the_pack() {
    let report = verify_pack(sample_pack().as_slice(), &key(), &Limits::DEFAULT, Some(AT));
    assert!(!report.ok());
    assert_eq!(report.exit_code(), 1);
    let first = report.first_failure().unwrap();
    assert_eq!(first.id, "audit-pack.manifests.signatures");
    assert!(first.is_skipped());
    assert!(
        first.explanation().contains("no --manifest-key was given"),
        "{}",
        first.explanation()
    );
    // A manifest signed with a self-made key named like the real signer, listed in the
    // pack's trustedKeys: without the verifier's key it is not re-verified (fails), with it
    // the re-verification disagrees (fails). Never "verified by acme-release".
    let forged = hostile::self_vouched_manifest(&hostile::entries_of(&sample_pack()));
    let without = verify_pack(forged.as_slice(), &key(), &Limits::DEFAULT, Some(AT));
    assert!(!without.ok());
    assert!(without
        .first_failure()
        .unwrap()
        .explanation()
        .contains("--manifest-key"));
    let with = verify_full(&forged, &Limits::DEFAULT);
    assert!(!with.ok());
    assert!(with
        .first_failure()
        .unwrap()
        .explanation()
        .contains("re-verification gives verified=false"));
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
    let a = verify_full(&sample_pack(), &Limits::DEFAULT);
    let b = verify_full(&sample_pack(), &Limits::DEFAULT);
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn the_plugin_contract_gives_the_same_verdicts() {
    use plugin_api::{
        run_plugin, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots, VerifyRequest,
    };
    let pack = sample_pack();
    let vkey = std::fs::read(fixtures().join("keys/acme-audit-pack.pub")).unwrap();
    let index_only = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::NoteVerifierKey,
        "pack key",
        vkey.clone(),
    ));
    let plugin = audit_pack::AuditPackPlugin::default();
    // The index key alone does not vouch for the manifest: its check is skipped, naming the
    // flag, and the report fails.
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &index_only, AT);
    let report = run_plugin(&plugin, &req).unwrap();
    assert!(!report.ok());
    let first = report.first_failure().unwrap();
    assert_eq!(first.id, "audit-pack.manifests.signatures");
    assert!(first.explanation().contains("--manifest-key"));
    let release = std::fs::read(fixtures().join("keys/acme-release.pub")).unwrap();
    let roots = index_only.with(TrustRoot::new(
        TrustRootKind::ManifestSignerKey,
        "release",
        release,
    ));
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &roots, AT);
    let report = run_plugin(&plugin, &req).unwrap();
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
        run_plugin(&plugin, &req)
            .unwrap()
            .first_failure()
            .unwrap()
            .id,
        "audit-pack.archive.safe"
    );

    // A signature in the request is refused, not ignored.
    let req = VerifyRequest::new(
        Subject::Bytes(&pack),
        Signature::new(b"a detached signature"),
        &roots,
        AT,
    );
    let refused = run_plugin(&plugin, &req).unwrap_err();
    assert_eq!(refused.exit_code(), 2);
    assert!(
        refused.to_string().contains("takes no signature material"),
        "{refused}"
    );

    let empty = TrustRoots::new();
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &empty, AT);
    assert!(!run_plugin(&plugin, &req).unwrap().ok());
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

/// The deep-path bomb of the hardening issue: 9 980 extra empty files with 1 023-byte paths
/// about 500 directories deep, appended to the genuine sample pack (its signature still
/// verifies). Refused on the directory-bookkeeping budget, early, with a clear error.
#[test]
fn deep_path_bomb_is_refused_on_the_directory_budget() {
    let pack = hostile::deep_path_pack(&sample_pack(), 9_980, 1_023);
    assert!(pack.len() < 400 << 10, "a small pack: {} bytes", pack.len());
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let input = std::io::BufReader::new(Counting {
        inner: pack.as_slice(),
        read: read.clone(),
    });
    let manifest_keys = [release_key()];
    let index_keys = [key()];
    let trust = Trust::keys(&index_keys).with_manifest_keys(&manifest_keys);
    let v = verify_trusted(
        Report::builder(PLUGIN),
        input,
        &trust,
        &Limits::DEFAULT,
        None,
    );
    let report = v.report;
    assert!(!report.ok());
    let first = report.first_failure().unwrap();
    assert_eq!(first.id, "audit-pack.archive.safe", "{}", report.to_json());
    assert!(
        first
            .detail
            .contains("bytes of bookkeeping (Limits::max_dir_bookkeeping)"),
        "{}",
        first.detail
    );
    // Refused after a few dozen of the deep entries: most of the pack is never read.
    assert!(
        read.get() < pack.len() / 4,
        "read {} of {} bytes",
        read.get(),
        pack.len()
    );
}

/// Once the index signature has failed, nothing after the head is read: a pack that does not
/// verify costs no more than its first entries, whatever follows them.
#[test]
fn nothing_is_read_after_the_index_signature_fails() {
    let pack = hostile::deep_path_pack(&sample_pack(), 9_980, 1_023);
    let same_name = audit_pack::SigningKey::from_seed("acme-audit-pack", [0x66; 32])
        .unwrap()
        .verifier_key();
    for keys in [vec![release_key()], vec![same_name]] {
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let input = std::io::BufReader::with_capacity(
            4096,
            Counting {
                inner: pack.as_slice(),
                read: read.clone(),
            },
        );
        let report = verify_pack_with(input, &keys, &Limits::DEFAULT);
        assert_eq!(
            report.first_failure().unwrap().id,
            "audit-pack.index.signature"
        );
        let archive = &report.checks()[0];
        assert!(archive.is_skipped(), "{}", report.to_json());
        assert!(
            archive
                .explanation()
                .contains("the rest of the pack was not read"),
            "{}",
            archive.explanation()
        );
        assert!(
            read.get() < 32 << 10,
            "read {} of {} bytes after a failed signature",
            read.get(),
            pack.len()
        );
    }
}

/// The plugin maps each trust root and policy field to one flag of `audit-pack verify`, and
/// refuses every combination in which something given would be ignored.
#[test]
fn the_plugin_refuses_trust_that_cannot_apply() {
    use plugin_api::{
        run_plugin, Policy, RevocationList, Signature, Subject, TrustRoot, TrustRootKind,
        TrustRoots, VerifyRequest,
    };
    let pack = sample_pack();
    let vkey = std::fs::read(fixtures().join("keys/acme-audit-pack.pub")).unwrap();
    let root_pem = std::fs::read(fixtures().join("../x509/gen/root.pem")).unwrap();
    let crl = std::fs::read(fixtures().join("../x509/gen/inter.crl.pem")).unwrap();
    let plugin = audit_pack::AuditPackPlugin::default();
    let key = || TrustRoot::new(TrustRootKind::NoteVerifierKey, "pack key", vkey.clone());
    let refused = |roots: &TrustRoots, policy: &Policy, crls: &[RevocationList<'_>]| {
        let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), roots, AT)
            .with_policy(policy)
            .with_revocation(crls, None);
        run_plugin(&plugin, &req).unwrap_err().to_string()
    };
    let none = Policy::new();
    // Index keys and X.509 roots together.
    let both = TrustRoots::new().with(key()).with(TrustRoot::new(
        TrustRootKind::X509Certificate,
        "root.pem",
        root_pem,
    ));
    assert!(refused(&both, &none, &[]).contains("not both"));
    // CRLs or require-revocation without X.509 roots.
    let keys = TrustRoots::new().with(key());
    let crls = [RevocationList::new("inter.crl.pem", &crl)];
    assert!(refused(&keys, &none, &crls).contains("X.509-signed index"));
    let require = Policy::new().with_required_revocation();
    assert!(refused(&keys, &require, &[]).contains("X.509-signed index"));
    // A Sigstore identity or key without a Sigstore trusted root.
    let identity = Policy::new().with_identity("release@example.com");
    assert!(refused(&keys, &identity, &[]).contains("sigstore-trusted-root"));
    let with_key = TrustRoots::new().with(key()).with(TrustRoot::new(
        TrustRootKind::PublicKey,
        "cosign.pub",
        b"-----BEGIN PUBLIC KEY-----".to_vec(),
    ));
    assert!(refused(&with_key, &none, &[]).contains("sigstore-trusted-root"));
    // Two log keys.
    let two_logs = TrustRoots::new()
        .with(key())
        .with(TrustRoot::new(TrustRootKind::LogKey, "a", vkey.clone()))
        .with(TrustRoot::new(TrustRootKind::LogKey, "b", vkey.clone()));
    assert!(refused(&two_logs, &none, &[]).contains("at most one log-key"));
    // A log key given for a pack that carries no receipt fails the receipt check.
    let one_log = TrustRoots::new().with(key()).with(TrustRoot::new(
        TrustRootKind::LogKey,
        "log",
        vkey.clone(),
    ));
    let req = VerifyRequest::new(Subject::Bytes(&pack), Signature::new(b""), &one_log, AT);
    let report = run_plugin(&plugin, &req).unwrap();
    assert!(!report.ok());
    assert!(report
        .checks()
        .iter()
        .any(|c| c.id == "audit-pack.index.receipt" && c.is_fail()));
}
