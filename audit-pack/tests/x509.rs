//! Packs whose index is signed with an X.509 certificate's key (fixtures/x509): byte-for-byte
//! reproducible, verified by plugin-x509 against pinned roots (never from the pack), with
//! CRLs; wrong roots, the wrong kind of trust, a swapped certificate and mismatched keys
//! refused; ECDSA P-256 and P-384 signers, deterministic through RFC 6979.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod hostile;

use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{
    build_pack, make_proof, parse_public_key, verify_proof_trusted, verify_trusted, BuildInput,
    IndexSigner, IndexTrust, Limits, OrgSlug, PackDate, Trust, X509Signer, X509Trust, CHECK_IDS,
    PLUGIN,
};
use audit_pack::{parse_certificates, CERTS_NAME};
use base64::Engine;
use plugin_api::{Report, VerificationTime};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn x509(name: &str) -> Vec<u8> {
    fs::read(root().join("fixtures/x509/gen").join(name)).unwrap()
}

fn rsa_signer() -> X509Signer {
    X509Signer::new(
        &x509("leaf-rsa.pem"),
        &x509("leaf-rsa.key"),
        Some(&x509("inter.pem")),
    )
    .unwrap()
}

fn trust_with(roots: &[&str]) -> X509Trust {
    X509Trust {
        roots: roots
            .iter()
            .flat_map(|r| parse_certificates(&x509(r)).unwrap())
            .collect(),
        ..X509Trust::default()
    }
}

fn build_in(dir: &Path, signer: &X509Signer) -> Vec<u8> {
    let evidence = dir.join("evidence");
    copy_tree(&root().join("fixtures/evidence/acme"), &evidence);
    let map = dir.join("control-map.csv");
    fs::copy(root().join("fixtures/evidence/control-map.csv"), &map).unwrap();
    let release = parse_public_key(
        &fs::read_to_string(root().join("fixtures/evidence/keys/acme-release.pub")).unwrap(),
    )
    .unwrap();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &evidence,
        control_map: &map,
        kinds: None,
        key: IndexSigner::X509(signer),
        manifest_keys: &[release],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    let mut out = Vec::new();
    build_pack(&input, &mut out).unwrap();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn x509_pack() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    build_in(dir.path(), &rsa_signer())
}

fn verify(pack: &[u8], trust: &X509Trust) -> audit_pack::Verification {
    let release = [release_key()];
    let trust = Trust {
        index: IndexTrust::X509(trust),
        manifest_keys: &release,
        log_key: None,
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
}

const SIGNER: &str = "O=prov-verify fixtures, CN=Fixture RSA Code Signer";

#[test]
fn x509_signed_pack_is_reproducible_and_verifies_against_pinned_roots() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let a = build_in(a_dir.path(), &rsa_signer());
    let b = build_in(b_dir.path(), &rsa_signer());
    assert_eq!(a, b, "two X.509-signed builds differ");

    let entries = hostile::entries_of(&a);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[..4],
        [
            "index.json",
            "index.json.sig",
            CERTS_NAME,
            "compliance/control-map.csv"
        ]
    );
    // Leaf then intermediate, re-encoded.
    let certs = parse_certificates(&entries[2].1).unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0].subject(), SIGNER);

    let v = verify(&a, &trust_with(&["root.pem"]));
    let report = &v.report;
    assert!(report.ok(), "{}", report.to_json());
    let ids: Vec<&str> = report.checks().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, CHECK_IDS);
    let sig = &report.checks()[1];
    assert!(
        sig.detail.contains("X.509 signature over index.json by"),
        "{}",
        sig.detail
    );
    assert!(sig.detail.contains("x509.chain"), "{}", sig.detail);
    assert!(
        sig.detail.contains("2026-11-23T00:00:00Z"),
        "{}",
        sig.detail
    );
    // No CRLs given: the plugin's warning is carried, never a silent pass.
    assert!(
        report
            .warnings()
            .iter()
            .any(|w| w.starts_with("index signature: revocation not checked")),
        "{:?}",
        report.warnings()
    );
    let verified = v.verified().unwrap();
    assert_eq!(verified.signers(), [SIGNER]);

    // Reports name the certificate subject as the signer.
    let json = report::render(
        &ReportInput {
            pack: verified,
            verification: report,
            file_name: "audit-pack-acme-2026-11-23.tgz",
            pack_sha256: "0",
        },
        ReportFormat::Json,
    )
    .unwrap();
    assert!(String::from_utf8(json).unwrap().contains(SIGNER));
}

#[test]
fn wrong_roots_or_wrong_kind_of_trust_fail_the_signature() {
    let pack = x509_pack();
    // Another root: the path does not reach it.
    let report = verify(&pack, &trust_with(&["other-root.pem"])).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    assert!(report
        .first_failure()
        .unwrap()
        .detail
        .contains("x509.chain"));
    assert!(report.checks()[2..].iter().all(|c| c.is_skipped()));
    // No roots at all.
    let report = verify(&pack, &X509Trust::default()).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    // An Ed25519 key for an X.509-signed pack.
    let key = parse_public_key(
        &fs::read_to_string(root().join("fixtures/evidence/keys/acme-audit-pack.pub")).unwrap(),
    )
    .unwrap();
    let report = audit_pack::verify_pack(pack.as_slice(), &key, &Limits::DEFAULT, None);
    let failure = report.first_failure().unwrap();
    assert_eq!(failure.id, "audit-pack.index.signature");
    assert!(failure.detail.contains("X.509"), "{}", failure.detail);
    // Roots for the Ed25519-signed sample pack: it has no certificates.
    let sample = fs::read(root().join("fixtures/evidence/audit-pack-acme-2026-11-23.tgz")).unwrap();
    let report = verify(&sample, &trust_with(&["root.pem"])).report;
    let failure = report.first_failure().unwrap();
    assert_eq!(failure.id, "audit-pack.index.signature");
    assert!(failure.detail.contains(CERTS_NAME), "{}", failure.detail);
}

#[test]
fn crls_are_checked_at_the_given_time() {
    let pack = x509_pack();
    let crls = |names: &[&str]| {
        names
            .iter()
            .flat_map(|n| plugin_x509::crls_from_pem_or_der(&x509(n), 4).unwrap())
            .collect::<Vec<_>>()
    };
    // At 2026-06-01 the CRLs are current and cover the path.
    let mut trust = trust_with(&["root.pem"]);
    trust.crls = crls(&["inter.crl.pem", "root.crl.pem"]);
    trust.require_crl = true;
    trust.at = Some(VerificationTime::from_unix_seconds(1_780_272_000));
    let report = verify(&pack, &trust).report;
    assert!(report.ok(), "{}", report.to_json());
    assert!(report.checks()[1].detail.contains("x509.revocation"));
    // At the pack date (2026-11-23) they are past nextUpdate: fail closed.
    trust.at = None;
    let report = verify(&pack, &trust).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    // Required but not given.
    let mut trust = trust_with(&["root.pem"]);
    trust.require_crl = true;
    trust.at = Some(VerificationTime::from_unix_seconds(1_780_272_000));
    let report = verify(&pack, &trust).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
}

#[test]
fn a_swapped_certificate_or_tampered_index_fails_the_signature() {
    let pack = x509_pack();
    let mut entries = hostile::entries_of(&pack);
    // The certificate of another code signer under the same root: its key did not sign.
    let mut swapped = entries.clone();
    swapped[2].1 = [x509("leaf.pem"), x509("inter.pem")].concat();
    let report = verify(&rebuild(&swapped), &trust_with(&["root.pem"])).report;
    let failure = report.first_failure().unwrap();
    assert_eq!(failure.id, "audit-pack.index.signature");
    assert!(
        failure.detail.contains("x509.signature"),
        "{}",
        failure.detail
    );
    // One byte of the index changed.
    let index = String::from_utf8(entries[0].1.clone()).unwrap();
    entries[0].1 = index.replacen("acme", "acmf", 1).into_bytes();
    let report = verify(&rebuild(&entries), &trust_with(&["root.pem"])).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
    // The certificates moved after the control map: unlisted, and the signature has none.
    let mut moved = hostile::entries_of(&pack);
    let certs = moved.remove(2);
    moved.insert(3, certs);
    let report = verify(&rebuild(&moved), &trust_with(&["root.pem"])).report;
    assert!(!report.ok());
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
}

fn rebuild(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let raws: Vec<hostile::Raw> = entries
        .iter()
        .map(|(n, d)| hostile::Raw::file(n, d))
        .collect();
    hostile::gzip(&hostile::tar(&raws))
}

/// A P-384 root and code-signing leaf made by openssl for the test (valid from 2026-01-01,
/// under faketime, so the pack date 2026-11-23 lies inside): (root PEM, leaf PEM, leaf key).
fn openssl_p384(dir: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("faketime")
            .arg("2026-01-01 00:00:00")
            .arg("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("faketime and openssl are installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-sha384",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Test P-384 Root",
        "-days",
        "3650",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=Test P-384 Code Signer",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "7",
        "-sha384",
        "-days",
        "3650",
        "-extfile",
        "ext.cnf",
        "-out",
        "leaf.pem",
    ]);
    (
        fs::read(dir.join("ca.pem")).unwrap(),
        fs::read(dir.join("leaf.pem")).unwrap(),
        fs::read(dir.join("leaf.key")).unwrap(),
    )
}

/// ECDSA index signers sign with RFC 6979 nonces: the same key and evidence give the same
/// pack, byte for byte, and it verifies against the pinned root; a flipped signature bit
/// fails. P-256 (the fixture leaf) and P-384 (made by openssl).
#[test]
fn ecdsa_p256_and_p384_signers_are_reproducible_and_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let (p384_root, p384_leaf, p384_key) = openssl_p384(tmp.path());
    let p384_trust = X509Trust {
        roots: parse_certificates(&p384_root).unwrap(),
        ..X509Trust::default()
    };
    let p256 = || {
        X509Signer::new(
            &x509("leaf.pem"),
            &x509("leaf.key"),
            Some(&x509("inter.pem")),
        )
    };
    let p384 = || X509Signer::new(&p384_leaf, &p384_key, None);
    type MakeSigner<'a> = &'a dyn Fn() -> Result<X509Signer, audit_pack::KeyError>;
    let cases: [(&str, MakeSigner<'_>, X509Trust); 2] = [
        ("P-256", &p256, trust_with(&["root.pem"])),
        ("P-384", &p384, p384_trust),
    ];
    for (curve, signer, trust) in cases {
        let s = signer().unwrap_or_else(|e| panic!("{curve}: {e}"));
        assert!(s.algorithm().contains(curve) && s.algorithm().contains("RFC 6979"));
        assert_eq!(
            s.sign(b"x").unwrap(),
            s.sign(b"x").unwrap(),
            "{curve}: deterministic"
        );
        // The detached CMS form (sign-manifest): reproducible, reads back, and its signature
        // holds for the manifest only.
        let cms = s.sign_cms_detached(b"manifest\n").unwrap();
        assert_eq!(cms, s.sign_cms_detached(b"manifest\n").unwrap(), "{curve}");
        let signed = plugin_x509::SignedData::from_der(&cms).unwrap();
        let leaf = signed
            .certificates
            .iter()
            .find(|c| c.subject() == s.subject())
            .unwrap();
        assert!(
            signed.verify_signature(leaf, b"manifest\n").is_ok(),
            "{curve}"
        );
        assert!(
            signed.verify_signature(leaf, b"manifest!\n").is_err(),
            "{curve}"
        );
        let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = build_in(a_dir.path(), &s);
        let b = build_in(b_dir.path(), &signer().unwrap());
        assert_eq!(a, b, "{curve}: two builds differ");
        let v = verify(&a, &trust);
        assert!(v.report.ok(), "{curve}: {}", v.report.to_json());
        // One bit of the DER signature flipped (its last byte, inside s): fails.
        let mut entries = hostile::entries_of(&a);
        let sig = &mut entries[1].1;
        let last = sig.len() - 1;
        sig[last] ^= 1;
        let v = verify(&rebuild(&entries), &trust);
        assert!(!v.report.ok(), "{curve}: a flipped signature verified");
        assert_eq!(
            v.report.first_failure().unwrap().id,
            "audit-pack.index.signature"
        );
    }
}

#[test]
fn mismatched_and_unusable_keys_are_refused_for_signing() {
    // An ECDSA key that is not the certificate's.
    let err = X509Signer::new(&x509("leaf-rsa.pem"), &x509("root.key"), None).unwrap_err();
    assert!(
        err.to_string().contains("not the key of the certificate"),
        "{err}"
    );
    // A usable key that is not the certificate's.
    let pkcs8 =
        ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref())
    );
    let err = X509Signer::new(&x509("leaf-rsa.pem"), pem.as_bytes(), None).unwrap_err();
    assert!(
        err.to_string().contains("not the key of the certificate"),
        "{err}"
    );
    let err = X509Signer::new(&x509("leaf-rsa.pem"), b"not a key", None).unwrap_err();
    assert!(err.to_string().contains("PRIVATE KEY"), "{err}");
    // Two certificates given as the leaf.
    let two = [x509("leaf-rsa.pem"), x509("inter.pem")].concat();
    assert!(X509Signer::new(&two, &x509("leaf-rsa.key"), None).is_err());
}

#[test]
fn proofs_from_an_x509_signed_pack_verify_with_the_roots() {
    let pack = x509_pack();
    let v = verify(&pack, &trust_with(&["root.pem"]));
    let proof = make_proof(
        v.verified().unwrap(),
        "releases/payments-api-1.4.0.manifest.json",
    )
    .unwrap();
    assert!(proof.index_certificates.is_some());
    let text = proof.to_file_text().unwrap();
    let ok = verify_proof_trusted(
        Report::builder(PLUGIN),
        text.as_bytes(),
        IndexTrust::X509(&trust_with(&["root.pem"])),
        &Limits::DEFAULT,
    );
    assert!(ok.ok(), "{}", ok.to_json());
    let bad = verify_proof_trusted(
        Report::builder(PLUGIN),
        text.as_bytes(),
        IndexTrust::X509(&trust_with(&["other-root.pem"])),
        &Limits::DEFAULT,
    );
    assert_eq!(
        bad.first_failure().unwrap().id,
        "audit-pack.index.signature"
    );
}

/// The sample evidence plus an X.509 (CMS) manifest pair from fixtures/x509 and a control
/// line for it; the index signed with the sample Ed25519 key.
fn build_with_cms_pair(
    dir: &Path,
    p7s: &str,
    roots: &[plugin_x509::Certificate],
) -> (Vec<u8>, Vec<String>) {
    try_build_with_cms_pair(dir, p7s, roots, false).unwrap()
}

/// As [`build_with_cms_pair`], with --allow-unverified-manifests.
fn build_with_cms_pair_insecure(
    dir: &Path,
    p7s: &str,
    roots: &[plugin_x509::Certificate],
) -> (Vec<u8>, Vec<String>) {
    try_build_with_cms_pair(dir, p7s, roots, true).unwrap()
}

fn try_build_with_cms_pair(
    dir: &Path,
    p7s: &str,
    roots: &[plugin_x509::Certificate],
    insecure: bool,
) -> Result<(Vec<u8>, Vec<String>), audit_pack::BuildError> {
    let evidence = dir.join("evidence");
    copy_tree(&root().join("fixtures/evidence/acme"), &evidence);
    fs::write(
        evidence.join("releases/demo.manifest.json"),
        x509("manifest.json"),
    )
    .unwrap();
    fs::write(evidence.join("releases/demo.manifest.json.p7s"), x509(p7s)).unwrap();
    let map = dir.join("control-map.csv");
    let mut text = fs::read_to_string(root().join("fixtures/evidence/control-map.csv")).unwrap();
    text.push_str("SOC 2,2017,CC8.9,X.509-signed release,,releases/demo.manifest.json,,,,,,,,,,\n");
    fs::write(&map, text).unwrap();
    let key = audit_pack::SigningKey::parse(
        &fs::read_to_string(root().join("fixtures/evidence/keys/acme-audit-pack.key")).unwrap(),
    )
    .unwrap();
    let input = BuildInput {
        org: OrgSlug::parse("acme").unwrap(),
        date: PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &evidence,
        control_map: &map,
        kinds: None,
        key: IndexSigner::Ed25519(&key),
        manifest_keys: &[parse_public_key(
            &fs::read_to_string(root().join("fixtures/evidence/keys/acme-release.pub")).unwrap(),
        )
        .unwrap()],
        manifest_roots: roots,
        manifest_sigstore: None,
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

fn verify_cms(pack: &[u8], roots: Option<&[plugin_x509::Certificate]>) -> audit_pack::Verification {
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
        manifest_roots: roots,
        manifest_sigstore: None,
    };
    verify_trusted(
        Report::builder(PLUGIN),
        pack,
        &trust,
        &Limits::DEFAULT,
        None,
    )
}

const CODE_SIGNER: &str = "O=prov-verify fixtures, CN=Fixture Code Signer";

#[test]
fn cms_manifest_pairs_are_verified_at_build_and_again_with_the_verifiers_roots() {
    let roots = trust_with(&["root.pem"]).roots;
    let other = trust_with(&["other-root.pem"]).roots;
    for p7s in [
        "manifest.cms.der",
        "manifest.keyid.cms.pem",
        "manifest.noattr.cms.der",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (pack, warnings) = build_with_cms_pair(dir.path(), p7s, &roots);
        // Only the sample control map's periods that end after the pack date.
        assert!(
            warnings
                .iter()
                .all(|w| w.contains("is after the pack date")),
            "{p7s}: {warnings:?}"
        );
        // Reproducible.
        let again = tempfile::tempdir().unwrap();
        assert_eq!(build_with_cms_pair(again.path(), p7s, &roots).0, pack);

        let v = verify_cms(&pack, Some(&roots));
        assert!(v.report.ok(), "{p7s}: {}", v.report.to_json());
        let index = v.verified().unwrap().index();
        let pair = index
            .manifest_signatures
            .iter()
            .find(|p| p.manifest == "evidence/releases/demo.manifest.json")
            .unwrap();
        assert_eq!(pair.signature, "evidence/releases/demo.manifest.json.p7s");
        assert!(pair.verified);
        assert_eq!(pair.signers, [CODE_SIGNER]);
        assert_eq!(pair.plugin.as_deref(), Some("x509"));
        // The control line carries the verdict and the certificate subject.
        let line = index
            .controls
            .iter()
            .find(|c| c.control_id == "CC8.9")
            .unwrap();
        assert_eq!(line.signature_verified, "true");
        assert_eq!(line.signer_identity, CODE_SIGNER);

        // Roots are never taken from the pack: without them the check is skipped (not ok).
        let report = verify_cms(&pack, None).report;
        assert!(!report.ok());
        let check = report
            .checks()
            .iter()
            .find(|c| c.id == "audit-pack.manifests.signatures")
            .unwrap();
        assert!(check.is_skipped(), "{}", report.to_json());
        // Other roots: the recorded verdict is not reproduced.
        let report = verify_cms(&pack, Some(&other)).report;
        assert_eq!(
            report.first_failure().unwrap().id,
            "audit-pack.manifests.signatures"
        );
        assert!(report
            .first_failure()
            .unwrap()
            .detail
            .contains("x509.chain"));
    }
}

#[test]
fn a_cms_pair_that_does_not_verify_is_recorded_as_not_verified() {
    let roots = trust_with(&["root.pem"]).roots;
    for p7s in [
        "manifest.wrong-digest.cms.der",
        "manifest.leaf-expired.cms.der",
    ] {
        let dir = tempfile::tempdir().unwrap();
        // By default such a pair fails the build, naming the manifest and the flag.
        let err = try_build_with_cms_pair(dir.path(), p7s, &roots, false).unwrap_err();
        assert!(
            err.to_string()
                .contains("manifest releases/demo.manifest.json")
                && err.to_string().contains("--manifest-trust-root"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let (pack, warnings) = build_with_cms_pair_insecure(dir.path(), p7s, &roots);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("demo.manifest.json: signature not verified")),
            "{p7s}: {warnings:?}"
        );
        let v = verify_cms(&pack, Some(&roots));
        // Recorded, and re-verified, as not verified: passes with a warning.
        assert!(v.report.ok(), "{}", v.report.to_json());
        assert!(v
            .report
            .warnings()
            .iter()
            .any(|w| w.contains("NOT signed by a trusted signer")));
    }
    // Built without roots (not verified), verified with roots (verifies): the recorded
    // verdict is not what re-verification gives.
    let dir = tempfile::tempdir().unwrap();
    let (pack, _) = build_with_cms_pair_insecure(dir.path(), "manifest.cms.der", &[]);
    let report = verify_cms(&pack, Some(&roots)).report;
    assert_eq!(
        report.first_failure().unwrap().id,
        "audit-pack.manifests.signatures"
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

/// The PKCS#8 DER of a `PRIVATE KEY` PEM file of the fixtures.
fn pkcs8(name: &str) -> Vec<u8> {
    let text = String::from_utf8(x509(name)).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// A CA certificate (cA=TRUE, keyUsage digitalSignature + keyCertSign, EKU codeSigning) under
/// the trusted intermediate never signs a pack index: build refuses it, and a pack whose index
/// it signed (made here by hand, as an attacker would) fails verification at the chain.
#[test]
fn a_ca_certificate_never_signs_a_pack_index() {
    let err = X509Signer::new(
        &x509("leaf-ca.pem"),
        &x509("leaf-ca.key"),
        Some(&x509("inter.pem")),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be the end entity in the code-signing profile"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("CN=Fixture CA Posing As Code Signer"),
        "{err}"
    );
    // Another pack's index re-signed (RSA PKCS#1 v1.5 SHA-256, deterministic) with the CA
    // certificate's key, that certificate and the intermediate in index.json.certs.pem.
    let mut entries = hostile::entries_of(&x509_pack());
    let key = ring::signature::RsaKeyPair::from_pkcs8(&pkcs8("leaf-ca.key")).unwrap();
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        &entries[0].1,
        &mut sig,
    )
    .unwrap();
    entries[1].1 = sig;
    entries[2].1 = [x509("leaf-ca.pem"), x509("inter.pem")].concat();
    let v = verify(&rebuild(&entries), &trust_with(&["root.pem"]));
    assert!(v.verified().is_none());
    let failure = v.report.first_failure().unwrap();
    assert_eq!(
        failure.id,
        "audit-pack.index.signature",
        "{}",
        v.report.to_json()
    );
    // The signature itself verified; the chain refused the CA as the signer.
    assert!(failure.detail.contains("x509.chain"), "{}", failure.detail);
    assert!(
        failure
            .detail
            .contains("a CA certificate (cA=TRUE) cannot be the end entity"),
        "{}",
        failure.detail
    );
}
