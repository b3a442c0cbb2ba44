//! The `audit-pack` binary with Sigstore manifest pairs (the bundles of fixtures/cosign):
//! `build` and `verify` take the Sigstore flags. The library side is in
//! audit-pack/tests/sigstore.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// SAN and issuer of the fixtures' keyless leaf.
const SAN: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cosign(name: &str) -> Vec<u8> {
    fs::read(root().join("fixtures/cosign").join(name)).unwrap()
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

/// The `audit-pack` binary: `build` and `verify` take the Sigstore flags; without them
/// `verify` exits 1.
#[test]
fn cli_build_and_verify_with_sigstore_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (ev, map) = evidence(dir.path(), false);
    let out = dir.path().join("out");
    let keys = root().join("fixtures/evidence/keys");
    let cos = root().join("fixtures/cosign");
    let bin = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_audit-pack"));
        c.env_remove("SOURCE_DATE_EPOCH");
        c
    };
    let sigstore_args = |c: &mut Command, san: &str| {
        c.arg("--manifest-sigstore-trusted-root")
            .arg(cos.join("trusted_root.json"))
            .args(["--manifest-identity", san, "--manifest-issuer", ISSUER]);
    };
    let mut build = bin();
    build
        .args([
            "build",
            "--org",
            "acme",
            "--date",
            "2026-11-23",
            "--evidence",
        ])
        .arg(&ev)
        .arg("--controls")
        .arg(&map)
        .arg("--key")
        .arg(keys.join("acme-audit-pack.key"))
        .arg("--out")
        .arg(&out);
    sigstore_args(&mut build, SAN);
    let o = build.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let pack = out.join("audit-pack-acme-2026-11-23.tgz");
    let verify = |san: Option<&str>| {
        let mut c = bin();
        c.arg("verify")
            .arg(&pack)
            .arg("--key")
            .arg(keys.join("acme-audit-pack.pub"));
        if let Some(san) = san {
            sigstore_args(&mut c, san);
        }
        c.output().unwrap()
    };
    assert_eq!(verify(Some(SAN)).status.code(), Some(0));
    assert_eq!(verify(None).status.code(), Some(1));
    assert_eq!(verify(Some("someone@example.com")).status.code(), Some(1));
    // A trusted root without a signer is a usage error.
    let o = bin()
        .arg("verify")
        .arg(&pack)
        .arg("--key")
        .arg(keys.join("acme-audit-pack.pub"))
        .arg("--manifest-sigstore-trusted-root")
        .arg(cos.join("trusted_root.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
