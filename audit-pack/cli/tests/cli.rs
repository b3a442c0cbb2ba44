//! The `audit-pack` binary: exit codes 0 (ok), 1 (verification failed), 2 (usage/input error).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/evidence")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_audit-pack"));
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

/// `audit-pack build` for org acme at 2026-11-23 of `evidence` with `controls` into `out`;
/// the caller adds the signer and trust flags.
fn build_of(
    evidence: &std::path::Path,
    controls: &std::path::Path,
    out: &std::path::Path,
) -> Command {
    let mut c = bin();
    c.args([
        "build",
        "--org",
        "acme",
        "--date",
        "2026-11-23",
        "--evidence",
    ])
    .arg(evidence)
    .arg("--controls")
    .arg(controls)
    .arg("--out")
    .arg(out);
    c
}

/// [`build_of`] the sample organisation's evidence and control map.
fn sample_build(out: &std::path::Path) -> Command {
    let f = fixtures();
    build_of(&f.join("acme"), &f.join("control-map.csv"), out)
}

#[test]
fn build_with_source_date_epoch_reproduces_the_sample_pack() {
    let out = tempfile::tempdir().unwrap();
    let f = fixtures();
    let status = bin()
        .env("SOURCE_DATE_EPOCH", "1795400000") // 2026-11-23T02:13:20Z
        .args(["build", "--org", "acme", "--evidence"])
        .arg(f.join("acme"))
        .arg("--controls")
        .arg(f.join("control-map.csv"))
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.key"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let built = std::fs::read(out.path().join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    assert_eq!(
        built,
        std::fs::read(f.join("audit-pack-acme-2026-11-23.tgz")).unwrap()
    );
}

#[test]
fn verify_exit_codes() {
    let f = fixtures();
    let run = |pack: PathBuf, key: &str| {
        bin()
            .arg("verify")
            .arg(pack)
            .arg("--key")
            .arg(f.join(key))
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .arg("--json")
            .output()
            .unwrap()
    };
    let ok = run(
        f.join("audit-pack-acme-2026-11-23.tgz"),
        "keys/acme-audit-pack.pub",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let report =
        plugin_api::Report::from_json(std::str::from_utf8(&ok.stdout).unwrap().trim()).unwrap();
    assert!(report.ok());
    let bad = run(f.join("hostile/symlink.tgz"), "keys/acme-audit-pack.pub");
    assert_eq!(bad.status.code(), Some(1));
    let wrong_key = run(
        f.join("audit-pack-acme-2026-11-23.tgz"),
        "keys/acme-release.pub",
    );
    assert_eq!(wrong_key.status.code(), Some(1));
    let no_file = run(f.join("nope.tgz"), "keys/acme-audit-pack.pub");
    assert_eq!(no_file.status.code(), Some(2));
    let not_a_key = run(f.join("audit-pack-acme-2026-11-23.tgz"), "control-map.csv");
    assert_eq!(not_a_key.status.code(), Some(2));
}

#[test]
fn keygen_writes_a_usable_pair_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let gen = || {
        bin()
            .args(["keygen", "--name", "acme-pack"])
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    assert!(gen().status.success());
    let private = std::fs::read_to_string(dir.path().join("acme-pack.key")).unwrap();
    let public = std::fs::read_to_string(dir.path().join("acme-pack.pub")).unwrap();
    let key = audit_pack::SigningKey::parse(&private).unwrap();
    assert_eq!(key.to_public_key_file(), public);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("acme-pack.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(gen().status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("acme-pack.key")).unwrap(),
        private
    );
}

#[test]
fn bad_org_and_date_are_usage_errors() {
    let f = fixtures();
    for (org, date) in [("Acme Corp", "2026-11-23"), ("acme", "2026-02-30")] {
        let out = bin()
            .args(["build", "--org", org, "--date", date, "--evidence"])
            .arg(f.join("acme"))
            .arg("--controls")
            .arg(f.join("control-map.csv"))
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.key"))
            .args(["--out", "/nonexistent"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid"));
    }
}

#[test]
fn build_json_summary_names_the_pack_and_its_digest() {
    let out = tempfile::tempdir().unwrap();
    let f = fixtures();
    let run = bin()
        .args([
            "build",
            "--json",
            "--org",
            "acme",
            "--date",
            "2026-11-23",
            "--evidence",
        ])
        .arg(f.join("acme"))
        .arg("--controls")
        .arg(f.join("control-map.csv"))
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.key"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Not a terminal: no progress bar on stderr.
    assert!(
        run.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    use sha2::Digest;
    let sample = std::fs::read(f.join("audit-pack-acme-2026-11-23.tgz")).unwrap();
    assert_eq!(doc["sha256"], hex::encode(sha2::Sha256::digest(&sample)));
    assert_eq!(doc["file"], "audit-pack-acme-2026-11-23.tgz");
    assert_eq!(doc["controls"], 8);
    assert_eq!(doc["artifacts"], 9);
}

#[test]
fn report_fails_closed_and_spot_check_is_reproducible() {
    let f = fixtures();
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("r.pdf");
    let bad = bin()
        .arg("report")
        .arg(f.join("hostile/tampered-evidence.tgz"))
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.pub"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .args(["--format", "pdf", "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(!pdf.exists(), "no report of a pack that does not verify");
    let good = bin()
        .arg("report")
        .arg(f.join("audit-pack-acme-2026-11-23.tgz"))
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.pub"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .args(["--format", "pdf", "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(good.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(f.join("reports/acme-2026-11-23.pdf")).unwrap()
    );
    let spot = |seed: &str| {
        bin()
            .arg("verify")
            .arg(f.join("audit-pack-acme-2026-11-23.tgz"))
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.pub"))
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .args(["--spot-check", "3", "--seed", seed])
            .output()
            .unwrap()
    };
    let a = spot("7");
    assert_eq!(a.status.code(), Some(0));
    let lines = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("spot check: "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&a).len(), 3);
    assert_eq!(lines(&a), lines(&spot("7")));
    assert_ne!(lines(&a), lines(&spot("8")));
}

#[test]
fn prove_and_verify_proof_exit_codes() {
    let f = fixtures();
    let out = tempfile::tempdir().unwrap();
    let proof = out.path().join("proof.json");
    let prove = |pack: PathBuf, artifact: &str| {
        bin()
            .arg("prove")
            .arg(pack)
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.pub"))
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .args(["--artifact", artifact, "--out"])
            .arg(&proof)
            .output()
            .unwrap()
    };
    let ok = prove(
        f.join("audit-pack-acme-2026-11-23.tgz"),
        "releases/payments-api-1.4.0.manifest.json",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // The same proof as the checked-in one.
    assert_eq!(
        std::fs::read(&proof).unwrap(),
        std::fs::read(f.join("proofs/payments-api-1.4.0.manifest.json.proof.json")).unwrap()
    );
    // No proof from a pack that does not verify; none of an unlisted artifact.
    let bad = prove(
        f.join("hostile/forged-signature.tgz"),
        "releases/payments-api-1.4.0.manifest.json",
    );
    assert_eq!(bad.status.code(), Some(1));
    let missing = prove(f.join("audit-pack-acme-2026-11-23.tgz"), "nope.csv");
    assert_eq!(missing.status.code(), Some(2));

    let verify = |key: &str| {
        bin()
            .arg("verify-proof")
            .arg(&proof)
            .arg("--key")
            .arg(f.join(key))
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(verify("keys/acme-audit-pack.pub"), Some(0));
    assert_eq!(verify("keys/acme-release.pub"), Some(1));
}

/// Issue #9: without the manifest signer's key the README's build fails (exit 1) naming the
/// manifest and the flag, and writes nothing; with --allow-unverified-manifests it builds, says
/// INSECURE, and `verify` says the pack is verified only with the mode shown.
#[test]
fn build_fails_on_an_unverified_manifest_unless_told_insecure() {
    let f = fixtures();
    let out = tempfile::tempdir().unwrap();
    let build = |extra: &[&str]| {
        sample_build(out.path())
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.key"))
            .args(extra)
            .output()
            .unwrap()
    };
    let failed = build(&[]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("manifest releases/payments-api-1.4.0.manifest.json")
            && stderr.contains("--manifest-key"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );

    let built = build(&["--allow-unverified-manifests"]);
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(
        stderr.starts_with("warning: INSECURE: --allow-unverified-manifests"),
        "{stderr}"
    );
    let pack = out.path().join("audit-pack-acme-2026-11-23.tgz");
    assert_eq!(
        std::fs::read(&pack).unwrap(),
        std::fs::read(f.join("insecure/audit-pack-acme-2026-11-23.tgz")).unwrap(),
        "the same bytes as fixtures/evidence/insecure/"
    );
    let verified = bin()
        .arg("verify")
        .arg(&pack)
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.pub"))
        .output()
        .unwrap();
    assert_eq!(verified.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(
        stdout.contains("verified [INSECURE: built with --allow-unverified-manifests]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: INSECURE: the pack was built with --allow-unverified-manifests")
    );
}

#[test]
fn build_refuses_a_ca_certificate_as_the_index_signer() {
    let f = fixtures();
    let x = f.join("../x509/gen");
    let out = tempfile::tempdir().unwrap();
    let run = |cert: &str, key: &str| {
        sample_build(out.path())
            .arg("--signer-cert")
            .arg(x.join(cert))
            .arg("--signer-key")
            .arg(x.join(key))
            .arg("--signer-chain")
            .arg(x.join("inter.pem"))
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .output()
            .unwrap()
    };
    let refused = run("leaf-ca.pem", "leaf-ca.key");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("leaf-ca.pem: signer certificate: O=prov-verify fixtures, CN=Fixture CA Posing As Code Signer cannot sign a pack index")
            && stderr.contains("a CA certificate (cA=TRUE) cannot be the end entity"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // The same command with a code-signing end entity builds.
    let built = run("leaf-rsa.pem", "leaf-rsa.key");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// Keys as openssl writes them (`genpkey -algorithm ed25519`, `pkey -pubout`): the index is
/// signed with the PKCS#8 key and verifies with the SPKI public key of the same file stem;
/// each given where the other is expected gets a plain message (exit 2).
#[test]
fn openssl_ed25519_keys_sign_and_verify_a_pack() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("acme-openssl.pem");
    let public = dir.path().join("acme-openssl.pub.pem");
    let openssl = |args: &[&std::ffi::OsStr]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "genpkey".as_ref(),
        "-algorithm".as_ref(),
        "ed25519".as_ref(),
        "-out".as_ref(),
        key.as_os_str(),
    ]);
    openssl(&[
        "pkey".as_ref(),
        "-in".as_ref(),
        key.as_os_str(),
        "-pubout".as_ref(),
        "-out".as_ref(),
        public.as_os_str(),
    ]);
    let f = fixtures();
    let build = |signing_key: &std::path::Path| {
        sample_build(&dir.path().join("out"))
            .arg("--key")
            .arg(signing_key)
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .output()
            .unwrap()
    };
    let out = build(&public);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is a public key"));
    let out = build(&key);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pack = dir.path().join("out/audit-pack-acme-2026-11-23.tgz");
    let verify = |k: &std::path::Path| {
        bin()
            .arg("verify")
            .arg(&pack)
            .arg("--key")
            .arg(k)
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .output()
            .unwrap()
    };
    let out = verify(&public);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(&key);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is a private key"));
    // The same public key under another file stem is another key name: not the signer.
    let renamed = dir.path().join("other.pub.pem");
    std::fs::copy(&public, &renamed).unwrap();
    assert_eq!(verify(&renamed).status.code(), Some(1));
    // And a C2SP public key of another signer: not the signer either.
    assert_eq!(
        verify(&f.join("keys/acme-audit-pack.pub")).status.code(),
        Some(1)
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// `sign-manifest` writes the signature `build` recognises: a pack built from evidence whose
/// manifest was signed by it verifies the manifest with the signer's public key; the same
/// signature over a changed manifest fails the build (exit 1); an existing signature is never
/// overwritten.
#[test]
fn sign_manifest_writes_the_signature_build_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let evidence = dir.path().join("acme");
    copy_tree(&f.join("acme"), &evidence);
    let manifest = evidence.join("releases/payments-api-1.4.0.manifest.json");
    let sig = evidence.join("releases/payments-api-1.4.0.manifest.json.sig");
    std::fs::remove_file(&sig).unwrap();
    let keys = dir.path().join("keys");
    let out = bin()
        .args(["keygen", "--name", "release-2026", "--out"])
        .arg(&keys)
        .output()
        .unwrap();
    assert!(out.status.success());
    let sign = || {
        bin()
            .arg("sign-manifest")
            .arg("--key")
            .arg(keys.join("release-2026.key"))
            .arg(&manifest)
            .output()
            .unwrap()
    };
    let out = sign();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("manifest.json.sig") && stdout.contains("signed by release-2026 (key ID "),
        "{stdout}"
    );
    let first = std::fs::read(&sig).unwrap();
    // Never overwritten.
    let out = sign();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has a signature"));
    assert_eq!(std::fs::read(&sig).unwrap(), first);

    let build = |n: &str| {
        build_of(&evidence, &f.join("control-map.csv"), &dir.path().join(n))
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.key"))
            .arg("--manifest-key")
            .arg(keys.join("release-2026.pub"))
            .arg("--json")
            .output()
            .unwrap()
    };
    let out = build("ok");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pack = dir.path().join("ok/audit-pack-acme-2026-11-23.tgz");
    let out = bin()
        .arg("verify")
        .arg(&pack)
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.pub"))
        .arg("--manifest-key")
        .arg(keys.join("release-2026.pub"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("1 re-verified with the verifier's trust"),
        "{text}"
    );

    // The signature no longer matches a changed manifest.
    let mut changed = std::fs::read(&manifest).unwrap();
    changed.extend_from_slice(b"\n");
    std::fs::write(&manifest, &changed).unwrap();
    let out = build("changed");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Not text ending in a newline: refused, nothing written.
    let bare = evidence.join("releases/bare.manifest.json");
    std::fs::write(&bare, b"{\"name\":\"x\"}").unwrap();
    let out = bin()
        .arg("sign-manifest")
        .arg("--key")
        .arg(keys.join("release-2026.key"))
        .arg(&bare)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not end with a newline"));
    assert!(!evidence.join("releases/bare.manifest.json.sig").exists());
}

/// `report --format json,csv,pdf,oscal --out-dir DIR` writes the four reports of one verification
/// (each the same bytes as its single-format run), prints each path, and leaves nothing
/// behind when it fails.
#[test]
fn report_writes_several_formats_into_a_folder_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let report = |pack: &std::path::Path, extra: &[&str]| {
        bin()
            .arg("report")
            .arg(pack)
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.pub"))
            .arg("--manifest-key")
            .arg(f.join("keys/acme-release.pub"))
            .args(extra)
            .output()
            .unwrap()
    };
    let pack = f.join("audit-pack-acme-2026-11-23.tgz");
    let out_dir = dir.path().join("reports/acme");
    let out = report(
        &pack,
        &[
            "--format",
            "json,csv,pdf,oscal",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let names = ["json", "csv", "pdf", "oscal.json"]
        .map(|e| out_dir.join(format!("audit-pack-acme-2026-11-23.report.{e}")));
    assert_eq!(
        printed,
        names
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    );
    for (format, path) in [
        ("json", &names[0]),
        ("csv", &names[1]),
        ("oscal", &names[3]),
    ] {
        let single = report(&pack, &["--format", format]);
        assert_eq!(std::fs::read(path).unwrap(), single.stdout, "{format}");
    }
    assert!(std::fs::read(&names[2]).unwrap().starts_with(b"%PDF-"));
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        4,
        "no temporary file left"
    );

    // Usage errors: several formats without a folder, a format twice, pdf to stdout.
    for args in [
        &["--format", "json,csv"][..],
        &["--format", "json,json", "--out-dir", "x"][..],
        &["--format", "pdf"][..],
    ] {
        let out = report(&pack, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }

    // A pack that does not verify: no report, and the folder gets nothing.
    let bad = dir.path().join("bad.tgz");
    let mut bytes = std::fs::read(&pack).unwrap();
    let n = bytes.len();
    bytes[n - 20] ^= 1;
    std::fs::write(&bad, &bytes).unwrap();
    let empty = dir.path().join("empty");
    let out = report(
        &bad,
        &[
            "--format",
            "json,csv,pdf",
            "--out-dir",
            empty.to_str().unwrap(),
        ],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(!empty.exists() || std::fs::read_dir(&empty).unwrap().count() == 0);
}

/// A build with several problems in the evidence and the control map lists every one of
/// them in one run, then fails (exit 2), and writes no pack.
#[test]
fn build_reports_every_problem_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let evidence = dir.path().join("acme");
    copy_tree(&f.join("acme"), &evidence);
    // 1. an SLO document that does not match its schema;
    std::fs::write(
        evidence.join("slo/2026-q3-payments-api.slo.json"),
        b"{\"ts\": 1}\n",
    )
    .unwrap();
    // 2. a manifest without its signature;
    std::fs::remove_file(evidence.join("releases/payments-api-1.4.0.manifest.json.sig")).unwrap();
    // 3. and 4. two bad control lines (an empty control id, too few fields) and 5. a line
    // citing a file that is not there.
    let mut map = std::fs::read_to_string(f.join("control-map.csv")).unwrap();
    map.push_str(
        "SOC 2,2017,,Empty id,EV-090,access/access-review-2026-q3.csv,,,,,,effective,,,,\n",
    );
    map.push_str("SOC 2,2017,CC9.9,Short line\n");
    map.push_str("SOC 2,2017,CC9.8,Missing,EV-091,access/nowhere.csv,,,,,,effective,,,,\n");
    let map_path = dir.path().join("control-map.csv");
    std::fs::write(&map_path, map).unwrap();
    let out_dir = dir.path().join("out");
    let out = build_of(&evidence, &map_path, &out_dir)
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.key"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("5 problems:"), "{stderr}");
    for needle in [
        "2026-q3-payments-api.slo.json",
        "no detached signature",
        "field control_id: must not be empty",
        "line 11, field record",
        "access/nowhere.csv",
    ] {
        assert!(stderr.contains(needle), "{needle} not in:\n{stderr}");
    }
    assert_eq!(
        std::fs::read_dir(&out_dir).map_or(0, |d| d.count()),
        0,
        "no pack written"
    );
}

/// Keys that ssh-keygen writes: an unencrypted OpenSSH private key signs the pack and its
/// `.pub` line verifies it; a passphrase-protected key is refused, saying so.
#[test]
fn openssh_ed25519_keys_sign_and_verify_a_pack() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("acme-ssh");
    let keygen = |path: &std::path::Path, pass: &str| {
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-C", "ci@example", "-N", pass, "-f"])
            .arg(path)
            .output()
            .expect("ssh-keygen is installed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    keygen(&key, "");
    let f = fixtures();
    let out = sample_build(&dir.path().join("out"))
        .arg("--key")
        .arg(&key)
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .arg("verify")
        .arg(dir.path().join("out/audit-pack-acme-2026-11-23.tgz"))
        .arg("--key")
        .arg(dir.path().join("acme-ssh.pub"))
        .arg("--manifest-key")
        .arg(f.join("keys/acme-release.pub"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("by acme-ssh (key ID "), "{text}");

    let locked = dir.path().join("locked");
    keygen(&locked, "a passphrase");
    let out = sample_build(&dir.path().join("out2"))
        .arg("--key")
        .arg(&locked)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("encrypted (a passphrase is set)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sign-manifest --signer-cert --signer-key [--signer-chain]` writes the detached CMS
/// signature (`.p7s`) that `build` verifies with `--manifest-trust-root`, for RSA and ECDSA
/// P-256 certificates; without the intermediate the chain cannot be built and the build fails.
#[test]
fn sign_manifest_writes_a_cms_signature_build_verifies() {
    let f = fixtures();
    let x509 = |n: &str| f.join("../x509/gen").join(n);
    for (cert, key) in [("leaf-rsa.pem", "leaf-rsa.key"), ("leaf.pem", "leaf.key")] {
        for with_chain in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let evidence = dir.path().join("acme");
            copy_tree(&f.join("acme"), &evidence);
            let manifest = evidence.join("releases/payments-api-1.4.0.manifest.json");
            std::fs::remove_file(evidence.join("releases/payments-api-1.4.0.manifest.json.sig"))
                .unwrap();
            let mut sign = bin();
            sign.arg("sign-manifest")
                .arg("--signer-cert")
                .arg(x509(cert))
                .arg("--signer-key")
                .arg(x509(key));
            if with_chain {
                sign.arg("--signer-chain").arg(x509("inter.pem"));
            }
            let out = sign.arg(&manifest).output().unwrap();
            assert!(
                out.status.success(),
                "{cert}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("manifest.json.p7s") && stdout.contains("signed by "),
                "{stdout}"
            );
            let build = build_of(
                &evidence,
                &f.join("control-map.csv"),
                &dir.path().join("out"),
            )
            .arg("--key")
            .arg(f.join("keys/acme-audit-pack.key"))
            .arg("--manifest-trust-root")
            .arg(x509("root.pem"))
            .output()
            .unwrap();
            let stderr = String::from_utf8_lossy(&build.stderr);
            if !with_chain {
                assert_eq!(
                    build.status.code(),
                    Some(1),
                    "{cert} without chain: {stderr}"
                );
                continue;
            }
            assert!(build.status.success(), "{cert}: {stderr}");
            let verify = bin()
                .arg("verify")
                .arg(dir.path().join("out/audit-pack-acme-2026-11-23.tgz"))
                .arg("--key")
                .arg(f.join("keys/acme-audit-pack.pub"))
                .arg("--manifest-trust-root")
                .arg(x509("root.pem"))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&verify.stdout);
            assert!(verify.status.success(), "{cert}: {text}");
            assert!(text.contains("1 re-verified"), "{text}");
        }
    }
}

/// `sign-manifest` refuses to add a second signature beside one of another kind (build would
/// refuse the pair), and refuses a certificate that is not valid now; nothing is written.
#[test]
fn sign_manifest_refuses_a_second_signature_and_an_expired_certificate() {
    let f = fixtures();
    let x509 = |n: &str| f.join("../x509/gen").join(n);
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("app.manifest.json");
    std::fs::write(&manifest, b"{\"name\":\"app\"}\n").unwrap();
    let cms = |cert: &str, key: &str| {
        bin()
            .arg("sign-manifest")
            .arg("--signer-cert")
            .arg(x509(cert))
            .arg("--signer-key")
            .arg(x509(key))
            .arg(&manifest)
            .output()
            .unwrap()
    };
    let out = cms("leaf-expired.pem", "leaf-expired.key");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not valid now"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("app.manifest.json.p7s").exists());
    let out = cms("leaf-rsa.pem", "leaf-rsa.key");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .arg("sign-manifest")
        .arg("--key")
        .arg(f.join("keys/acme-audit-pack.key"))
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has a signature"));
    assert!(!dir.path().join("app.manifest.json.sig").exists());
}
