//! Every attacker-supplied JSON document is read with one policy: an object that repeats a
//! member name is refused (another reader could take the first value where we took the
//! last). Each case takes a fixture that verifies, puts a bogus copy of one member before the
//! real one, and expects the command to refuse the document, naming the duplicate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const ID: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[String]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov-verify"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), text)
}

/// `fixture` with `member` (text such as `"index": 5,`) inserted right after its first `{`.
fn with_duplicate(name: &str, fixture: &str, member: &str) -> String {
    let text = std::fs::read_to_string(root().join(fixture)).unwrap();
    let at = text.find('{').unwrap() + 1;
    let dir = root().join("target/test-duplicate-members");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("{}{member}{}", &text[..at], &text[at..])).unwrap();
    path.display().to_string()
}

/// Runs the command on the fixture (must verify) and on its altered copy (must be refused).
fn case(name: &str, fixture: &str, member: &str, args: impl Fn(&str) -> Vec<String>) {
    let (code, text) = run(&args(fixture));
    assert_eq!(code, 0, "{name}: the unaltered fixture must verify: {text}");
    let altered = with_duplicate(name, fixture, member);
    let (code, text) = run(&args(&altered));
    assert_ne!(code, 0, "{name}: a duplicated member was accepted: {text}");
    assert!(
        text.contains("duplicate member") || text.contains("duplicate field"),
        "{name}: the refusal must name the duplicate: {text}"
    );
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn sigstore_bundle_with_two_message_signatures() {
    case(
        "bundle.json",
        "fixtures/cosign/keyless.sigstore.json",
        r#""messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"AAAA"},"#,
        |f| {
            strings(&[
                "cosign",
                "verify-blob",
                "fixtures/cosign/artifact.txt",
                "--bundle",
                f,
                "--trusted-root",
                "fixtures/cosign/trusted_root.json",
                "--at",
                "1769904000",
                "--certificate-identity",
                ID,
                "--certificate-oidc-issuer",
                ISSUER,
            ])
        },
    );
}

#[test]
fn sigstore_trusted_root_with_two_tlog_lists() {
    case(
        "trusted_root.json",
        "fixtures/cosign/trusted_root.json",
        r#""tlogs":[],"#,
        |f| {
            strings(&[
                "cosign",
                "verify-blob",
                "fixtures/cosign/artifact.txt",
                "--bundle",
                "fixtures/cosign/keyless.sigstore.json",
                "--trusted-root",
                f,
                "--at",
                "1769904000",
                "--certificate-identity",
                ID,
                "--certificate-oidc-issuer",
                ISSUER,
            ])
        },
    );
}

#[test]
fn merkle_proof_file_with_two_indexes() {
    case(
        "inclusion.json",
        "fixtures/merkle/inclusion-3-of-8.json",
        r#""index": 5,"#,
        |f| strings(&["merkle", "verify-inclusion", "--proof-file", f]),
    );
}

#[test]
fn log_receipt_with_two_indexes() {
    case(
        "receipt.json",
        "fixtures/tlog/receipt-5.json",
        r#""index": 4,"#,
        |f| {
            strings(&[
                "log",
                "verify-receipt",
                "--key",
                "fixtures/tlog/log.vkey",
                f,
            ])
        },
    );
}
