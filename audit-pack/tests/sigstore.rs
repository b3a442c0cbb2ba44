//! Sigstore manifest pairs (`*.manifest.json` + `*.manifest.json.sigstore.json`), with the
//! bundles of fixtures/cosign (a JSON manifest signed keyless, and with a key): verified by
//! plugin-cosign at build time and recorded; re-verified with the trust given again at
//! verification time (never taken from the pack); skipped without it; failed with another
//! identity or a tampered manifest; byte-reproducible.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile;

use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{
    build_pack, parse_public_key, verify_trusted, BuildInput, Index, IndexSigner, IndexTrust,
    Limits, OrgSlug, PackDate, SignerFlags, SigningKey, SigstoreTrust, Trust, Verification,
    CHECK_IDS, PLUGIN,
};
use plugin_api::{CheckStatus, Report};
use sha2::Digest;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// SAN and issuer of the fixtures' keyless leaf.
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const MANIFEST_CHECK: &str = "audit-pack.manifests.signatures";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cosign(name: &str) -> Vec<u8> {
    fs::read(root().join("fixtures/cosign").join(name)).unwrap()
}

fn keyless_trust(san: &str) -> SigstoreTrust {
    SigstoreTrust::from_flags(
        &cosign("trusted_root.json"),
        &SignerFlags {
            identity: Some(san),
            issuer: Some(ISSUER),
            ..SignerFlags::default()
        },
    )
    .unwrap()
}

fn key_trust(pem: &str) -> SigstoreTrust {
    let pem = cosign(pem);
    SigstoreTrust::from_flags(
        &cosign("trusted_root.json"),
        &SignerFlags {
            key_pem: Some(&pem),
            ..SignerFlags::default()
        },
    )
    .unwrap()
}

/// Makes an evidence tree and a control map under `dir`: the keyless pair (releases/), an
/// access review, and optionally the key-signed pair (builds/).
fn evidence(dir: &Path, with_key_pair: bool) -> (PathBuf, PathBuf) {
    let ev = dir.join("evidence");
    fs::create_dir_all(ev.join("releases")).unwrap();
    fs::create_dir_all(ev.join("access")).unwrap();
    fs::write(
        ev.join("releases/app.manifest.json"),
        cosign("release.manifest.json"),
    )
    .unwrap();
    fs::write(
        ev.join("releases/app.manifest.json.sigstore.json"),
        cosign("release.manifest.json.sigstore.json"),
    )
    .unwrap();
    fs::write(
        ev.join("access/review.csv"),
        "user,role,approved\nalice,admin,yes\n",
    )
    .unwrap();
    let mut map = String::from(
        "framework,framework_version,control_id,control_title,evidence_id,evidence_path,evidence_sha256,evidence_kind,collected_at,period_start,period_end,state,signature_verified,signer_identity,owner,notes\n\
         SOC 2,2017,CC6.1,Logical access security,EV-1,access/review.csv,,,2026-10-02,2026-07-01,2026-09-30,effective,,,carol@acme.example,\n\
         SOC 2,2017,CC8.1,Change management,EV-2,releases/app.manifest.json,,,2026-10-02,2026-07-01,2026-09-30,effective,,,release@acme.example,Sigstore keyless\n",
    );
    if with_key_pair {
        fs::create_dir_all(ev.join("builds")).unwrap();
        fs::write(
            ev.join("builds/app.manifest.json"),
            cosign("release.manifest.json"),
        )
        .unwrap();
        fs::write(
            ev.join("builds/app.manifest.json.sigstore.json"),
            cosign("release.manifest.key.sigstore.json"),
        )
        .unwrap();
        map.push_str("SOC 2,2017,CC8.2,Signed builds,EV-3,builds/app.manifest.json,,,2026-10-02,2026-07-01,2026-09-30,effective,,,release@acme.example,Sigstore key\n");
    }
    let map_path = dir.join("control-map.csv");
    fs::write(&map_path, map).unwrap();
    (ev, map_path)
}

fn index_key() -> SigningKey {
    SigningKey::parse(
        &fs::read_to_string(root().join("fixtures/evidence/keys/acme-audit-pack.key")).unwrap(),
    )
    .unwrap()
}

/// Builds the test evidence; a pair that does not verify fails the build.
fn build(dir: &Path, trust: Option<&SigstoreTrust>, with_key_pair: bool) -> (Vec<u8>, Vec<String>) {
    try_build(dir, trust, with_key_pair, false).unwrap()
}

/// Builds with --allow-unverified-manifests: a pair that does not verify is recorded as such.
/// The warnings returned are those about manifests (the mode's own warning comes first).
fn build_insecure(
    dir: &Path,
    trust: Option<&SigstoreTrust>,
    with_key_pair: bool,
) -> (Vec<u8>, Vec<String>) {
    let (pack, warnings) = try_build(dir, trust, with_key_pair, true).unwrap();
    assert!(warnings[0].starts_with("INSECURE: --allow-unverified-manifests is on"));
    (pack, warnings[1..].to_vec())
}

fn try_build(
    dir: &Path,
    trust: Option<&SigstoreTrust>,
    with_key_pair: bool,
    insecure: bool,
) -> Result<(Vec<u8>, Vec<String>), audit_pack::BuildError> {
    let (ev, map) = evidence(dir, with_key_pair);
    let key = index_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: trust,
        insecure: if insecure {
            &[audit_pack::BuildInsecure::AllowUnverifiedManifests]
        } else {
            &[]
        },
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let mut out = Vec::new();
    let summary = build_pack(&input, &mut out)?;
    Ok((out, summary.warnings))
}

fn verify(pack: &[u8], sigstore: Option<&SigstoreTrust>) -> Verification {
    let key = parse_public_key(
        &fs::read_to_string(root().join("fixtures/evidence/keys/acme-audit-pack.pub")).unwrap(),
    )
    .unwrap();
    let keys = [key];
    let release = [release_key()];
    let trust = Trust {
        index: IndexTrust::Keys(&keys),
        manifest_keys: &release,
        log_key: None,
        manifest_roots: None,
        manifest_sigstore: sigstore,
    };
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &trust,
        &Limits::DEFAULT,
        None,
    )
}

fn manifest_check(report: &Report) -> &plugin_api::Check {
    report
        .checks()
        .iter()
        .find(|c| c.id == MANIFEST_CHECK)
        .unwrap()
}

/// The pack with the file at `path` replaced by `data`; with `resign`, everything signed
/// that describes it (its artifact entry, the control lines, control-map.csv, the Merkle
/// root) is updated and the index re-signed with the pack key, so only a re-verification of
/// the manifest pair can object.
fn tampered(pack: &[u8], path: &str, data: &[u8], resign: bool) -> Vec<u8> {
    let mut entries = hostile::entries_of(pack);
    entries.iter_mut().find(|(p, _)| p == path).unwrap().1 = data.to_vec();
    if resign {
        let sha = hex::encode(sha2::Sha256::digest(data));
        let mut index = Index::parse(&entries[0].1, usize::MAX).unwrap();
        let artifact = index.artifacts.iter_mut().find(|a| a.path == path).unwrap();
        artifact.sha256 = sha.clone();
        artifact.size = data.len() as u64;
        let name = path.strip_prefix("evidence/").unwrap();
        for c in index
            .controls
            .iter_mut()
            .filter(|c| c.evidence_path == name)
        {
            c.evidence_sha256 = sha.clone();
        }
        let csv = audit_pack::controls::write(&index.controls).unwrap();
        let map = index
            .artifacts
            .iter_mut()
            .find(|a| a.path == "compliance/control-map.csv")
            .unwrap();
        map.sha256 = hex::encode(sha2::Sha256::digest(&csv));
        map.size = csv.len() as u64;
        index.merkle_root = index.compute_merkle_root().unwrap().to_hex();
        entries
            .iter_mut()
            .find(|(p, _)| p == "compliance/control-map.csv")
            .unwrap()
            .1 = csv;
        let text = index.to_file_text().unwrap();
        entries[1].1 = index_key().sign_index(&text).unwrap().into_bytes();
        entries[0].1 = text.into_bytes();
    }
    let raws: Vec<hostile::Raw> = entries
        .iter()
        .map(|(p, d)| hostile::Raw::file(p, d))
        .collect();
    hostile::gzip(&hostile::tar(&raws))
}

#[test]
fn keyless_pair_is_recorded_with_its_san_and_reverifies() {
    let trust = keyless_trust(SAN);
    let dir = tempfile::tempdir().unwrap();
    let (pack, warnings) = build(dir.path(), Some(&trust), false);
    assert!(warnings.is_empty(), "{warnings:?}");

    let v = verify(&pack, Some(&trust));
    assert!(v.report.ok(), "{}", v.report.to_json());
    assert_eq!(manifest_check(&v.report).status, CheckStatus::Pass);
    let index = v.verified().unwrap().index();
    assert_eq!(index.manifest_signatures.len(), 1);
    let pair = &index.manifest_signatures[0];
    assert_eq!(pair.manifest, "evidence/releases/app.manifest.json");
    assert_eq!(
        pair.signature,
        "evidence/releases/app.manifest.json.sigstore.json"
    );
    assert!(pair.verified);
    assert_eq!(pair.signers, [SAN]);
    assert_eq!(pair.plugin.as_deref(), Some("cosign"));
    let bundle = index
        .artifacts
        .iter()
        .find(|a| a.path == pair.signature)
        .unwrap();
    assert_eq!(bundle.kind, "manifest-signature");
    // The control line carries the verdict and the SAN.
    let line = index
        .controls
        .iter()
        .find(|c| c.control_id == "CC8.1")
        .unwrap();
    assert_eq!(line.signature_verified, "true");
    assert_eq!(line.signer_identity, SAN);

    // The reports show the pair, its plugin and the SAN.
    let verified = v.verified().unwrap();
    let input = ReportInput {
        pack: verified,
        verification: &v.report,
        file_name: "audit-pack-acme-2026-11-23.tgz",
        pack_sha256: "00",
    };
    let json = String::from_utf8(report::render(&input, ReportFormat::Json).unwrap()).unwrap();
    assert!(json.contains("\"plugin\":\"cosign\"") || json.contains("\"plugin\": \"cosign\""));
    assert!(json.contains(SAN));
    let csv = String::from_utf8(report::render(&input, ReportFormat::Csv).unwrap()).unwrap();
    assert!(csv.contains(SAN), "{csv}");
    // The PDF's manifest table names the plugin (pdftotext, as tests/report.rs).
    let pdf = report::render(&input, ReportFormat::Pdf).unwrap();
    let file = dir.path().join("report.pdf");
    fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verified (cosign)"), "{text}");
    // The identity may wrap after a `/` in its table cell.
    assert!(
        text.replace('\n', "")
            .contains("release.yml@refs/tags/v1.0.0"),
        "{text}"
    );
}

#[test]
fn regexp_identity_is_anchored() {
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = build(dir.path(), Some(&keyless_trust(SAN)), false);
    let with = |san_re: &str, issuer_re: &str| {
        SigstoreTrust::from_flags(
            &cosign("trusted_root.json"),
            &SignerFlags {
                identity_regexp: Some(san_re),
                issuer_regexp: Some(issuer_re),
                ..SignerFlags::default()
            },
        )
        .unwrap()
    };
    let ok = with(
        r"https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*",
        r"https://token\.actions\.githubusercontent\.com",
    );
    assert!(verify(&pack, Some(&ok)).report.ok());
    // Matches only unanchored: the recorded verdict is not reproduced.
    let loose = with(
        "acme/app",
        r"https://token\.actions\.githubusercontent\.com",
    );
    let report = verify(&pack, Some(&loose)).report;
    assert!(!report.ok());
    let check = manifest_check(&report);
    assert_eq!(check.status, CheckStatus::Fail);
    assert!(
        check.explanation().contains("cosign.identity.san"),
        "{}",
        check.explanation()
    );
}

#[test]
fn key_signed_pair_is_recorded_with_the_key_digest() {
    let keyless = keyless_trust(SAN);
    let key = key_trust("key.pub");
    // One trust per build: the keyless pair does not verify with the key, which fails the
    // build; with --allow-unverified-manifests it is recorded as not verified, with a warning.
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        try_build(dir.path(), Some(&key), true, false),
        Err(audit_pack::BuildError::ManifestNotVerified { .. })
    ));
    let dir = tempfile::tempdir().unwrap();
    let (pack, warnings) = build_insecure(dir.path(), Some(&key), true);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("releases/app.manifest.json"),
        "{warnings:?}"
    );
    let v = verify(&pack, Some(&key));
    assert!(v.report.ok(), "{}", v.report.to_json());
    let index = v.verified().unwrap().index();
    let pair = index
        .manifest_signatures
        .iter()
        .find(|p| p.manifest == "evidence/builds/app.manifest.json")
        .unwrap();
    assert!(pair.verified);
    assert_eq!(pair.plugin.as_deref(), Some("cosign"));
    assert_eq!(pair.signers.len(), 1);
    assert!(
        pair.signers[0].starts_with("key sha256:"),
        "{:?}",
        pair.signers
    );
    let keyless_pair = index
        .manifest_signatures
        .iter()
        .find(|p| p.manifest == "evidence/releases/app.manifest.json")
        .unwrap();
    assert!(!keyless_pair.verified);
    // A warning says the keyless pair is (and re-verifies as) not verified.
    assert!(v
        .report
        .warnings()
        .iter()
        .any(|w| w.contains("releases/app.manifest.json")));
    // Another key: the recorded verdict is not reproduced.
    let report = verify(&pack, Some(&key_trust("wrong-key.pub"))).report;
    assert_eq!(manifest_check(&report).status, CheckStatus::Fail);
    // The keyless identity: the key-signed pair fails to re-verify.
    let report = verify(&pack, Some(&keyless)).report;
    assert_eq!(manifest_check(&report).status, CheckStatus::Fail);
}

#[test]
fn wrong_identity_at_build_is_recorded_as_not_verified() {
    let other = "https://github.com/acme/other/.github/workflows/release.yml@refs/tags/v1.0.0";
    let wrong = keyless_trust(other);
    let dir = tempfile::tempdir().unwrap();
    let (pack, warnings) = build_insecure(dir.path(), Some(&wrong), false);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("cosign.identity.san") && warnings[0].contains("not verified"),
        "{warnings:?}"
    );
    // Verified with the same (wrong) identity: the recorded `false` is reproduced, with a
    // warning, and the control line says so.
    let v = verify(&pack, Some(&wrong));
    assert!(v.report.ok(), "{}", v.report.to_json());
    let index = v.verified().unwrap().index();
    assert!(!index.manifest_signatures[0].verified);
    assert!(index.manifest_signatures[0].signers.is_empty());
    let line = index
        .controls
        .iter()
        .find(|c| c.control_id == "CC8.1")
        .unwrap();
    assert_eq!(line.signature_verified, "false");
    assert!(v.report.warnings().iter().any(|w| w.contains("NOT signed")));
    // Verified with the right identity: the recorded verdict is not reproduced.
    let report = verify(&pack, Some(&keyless_trust(SAN))).report;
    assert!(!report.ok());
    assert_eq!(manifest_check(&report).status, CheckStatus::Fail);
}

#[test]
fn no_trust_at_build_is_recorded_as_not_verified() {
    let dir = tempfile::tempdir().unwrap();
    match try_build(dir.path(), None, false, false) {
        Err(e @ audit_pack::BuildError::ManifestNotVerified { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("releases/app.manifest.json")
                    && text.contains("--manifest-sigstore-trusted-root"),
                "{text}"
            );
        }
        other => panic!("expected ManifestNotVerified, got {other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let (pack, warnings) = build_insecure(dir.path(), None, false);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("no Sigstore trusted root"),
        "{warnings:?}"
    );
    let report = verify(&pack, Some(&keyless_trust(SAN))).report;
    assert_eq!(manifest_check(&report).status, CheckStatus::Fail);
}

#[test]
fn verify_without_the_trusted_root_is_a_skipped_check() {
    let trust = keyless_trust(SAN);
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = build(dir.path(), Some(&trust), false);
    let report = verify(&pack, None).report;
    assert!(!report.ok());
    let check = manifest_check(&report);
    assert!(
        matches!(
            check.status,
            CheckStatus::Skipped {
                waived_by: None,
                ..
            }
        ),
        "{:?}",
        check.status
    );
    assert!(
        check
            .explanation()
            .contains("1 Sigstore manifest pairs not re-verified"),
        "{}",
        check.explanation()
    );
    // Every other check passes: the skip alone fails the report.
    for c in report.checks() {
        if c.id != MANIFEST_CHECK {
            assert_eq!(c.status, CheckStatus::Pass, "{}", c.id);
        }
    }
    assert_eq!(report.checks().len(), CHECK_IDS.len());
}

#[test]
fn verify_with_the_wrong_identity_fails_the_manifest_check() {
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = build(dir.path(), Some(&keyless_trust(SAN)), false);
    let wrong = keyless_trust(
        "https://github.com/acme/other/.github/workflows/release.yml@refs/tags/v1.0.0",
    );
    let report = verify(&pack, Some(&wrong)).report;
    assert!(!report.ok());
    let check = manifest_check(&report);
    assert_eq!(check.status, CheckStatus::Fail);
    assert!(
        check.explanation().contains("recorded verified=true")
            && check.explanation().contains("cosign.identity.san"),
        "{}",
        check.explanation()
    );
    assert_eq!(report.first_failure().unwrap().id, MANIFEST_CHECK);
}

#[test]
fn sigstore_pack_is_byte_reproducible() {
    let trust = keyless_trust(SAN);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (pa, _) = build_insecure(a.path(), Some(&trust), true);
    let (pb, _) = build_insecure(b.path(), Some(&trust), true);
    assert_eq!(pa, pb, "two builds in different folders differ");
}

#[test]
fn tampered_manifest_fails() {
    let trust = keyless_trust(SAN);
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = build(dir.path(), Some(&trust), false);
    let mut manifest = cosign("release.manifest.json");
    let pos = manifest.iter().position(|&b| b == b'1').unwrap();
    manifest[pos] = b'2';
    let path = "evidence/releases/app.manifest.json";
    // The index unchanged: the listed SHA-256 no longer matches.
    let report = verify(&tampered(&pack, path, &manifest, false), Some(&trust)).report;
    assert!(!report.ok());
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.files.sha256"
    );
    // Everything consistently re-signed: the bundle no longer verifies over the edited
    // manifest, so the recorded verdict is not reproduced.
    let report = verify(&tampered(&pack, path, &manifest, true), Some(&trust)).report;
    assert!(!report.ok());
    let check = manifest_check(&report);
    assert_eq!(check.status, CheckStatus::Fail);
    assert_eq!(report.first_failure().unwrap().id, MANIFEST_CHECK);
    assert!(
        check.explanation().contains("cosign.content"),
        "{}",
        check.explanation()
    );
    // A tampered bundle (signature bytes altered, index re-signed) fails the same way.
    let mut bundle = cosign("release.manifest.json.sigstore.json");
    let text = String::from_utf8(bundle.clone()).unwrap();
    let at = text.find("\"signature\": \"").unwrap() + 20;
    bundle[at] = if bundle[at] == b'A' { b'B' } else { b'A' };
    let report = verify(
        &tampered(&pack, &format!("{path}.sigstore.json"), &bundle, true),
        Some(&trust),
    )
    .report;
    assert_eq!(report.first_failure().unwrap().id, MANIFEST_CHECK);
}

#[test]
fn a_manifest_with_two_kinds_of_signature_is_a_build_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ev, map) = evidence(dir.path(), false);
    fs::write(ev.join("releases/app.manifest.json.sig"), b"x\n").unwrap();
    let key = index_key();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let err = build_pack(&input, Vec::new()).unwrap_err().to_string();
    assert!(err.contains("2 detached signatures"), "{err}");
}

#[test]
fn signer_flags_must_name_one_signer() {
    let root = cosign("trusted_root.json");
    let pem = cosign("key.pub");
    let err = |flags: SignerFlags<'_>| {
        SigstoreTrust::from_flags(&root, &flags)
            .unwrap_err()
            .to_string()
    };
    assert!(err(SignerFlags::default()).contains("needs --manifest-sigstore-key"));
    assert!(err(SignerFlags {
        identity: Some(SAN),
        ..SignerFlags::default()
    })
    .contains("--manifest-issuer"));
    assert!(err(SignerFlags {
        key_pem: Some(&pem),
        identity: Some(SAN),
        issuer: Some(ISSUER),
        ..SignerFlags::default()
    })
    .contains("not both"));
    assert!(SigstoreTrust::from_flags(b"{}", &SignerFlags::default()).is_err());
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
